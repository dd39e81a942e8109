"""Which filters run in which stage, for which source: the routing table of docs/contracts.md.

| source      | langid                 | quality                                           |
| web, docs   | repair; annotate, allowlist, min score | [URL lists, web only] Gopher quality, Gopher repetition, C4, FineWeb [classifier, web only] |
| books       | repair; annotate, allowlist | book rules, Gopher repetition (no max words, no C4) |
| code        | none                   | code rules                                        |

Repair runs first in the langid stage so language ID sees fixed text; the URL lists (when
given) run first in the quality stage because they are the cheapest decision; the classifier
(when a model is given) runs last, on what the rules kept.

Web text in a language other than English is judged by the fineweb2 profile (filters/fineweb2.py:
FineWeb-2's thresholds for that language, no C4). A source no list names is judged as web
(filters/routing.py).

PII redaction runs on every source, after dedup. Filters skip sources they are not routed to
(``Filter.sources``), so one chain per stage serves every source.
"""

from __future__ import annotations

from curation.config import PipelineConfig
from filters.base import Filter
from filters.books import BookRules
from filters.c4 import C4
from filters.classifier import QualityClassifier
from filters.code_rules import CodeRules
from filters.fineweb import FineWeb
from filters.fineweb2 import FINEWEB_OFF, REPETITION_OFF, QualityProfile, language_rules
from filters.gopher_quality import GopherQuality
from filters.gopher_repetition import GopherRepetition
from filters.langid import LangId
from filters.pii import RedactPII
from filters.repair import Repair
from filters.url import UrlFilter

BOOKS = "books"
CODE = "code"


def langid_filters(cfg: PipelineConfig) -> list[Filter]:
    repair = [Repair(cfg.quality.repair)] if cfg.quality.repair.enabled else []
    return repair + ([LangId(cfg.langid)] if cfg.langid.enabled else [])


def quality_filters(cfg: PipelineConfig) -> list[Filter]:
    """Cheap, decisive rules first: C4 rewrites the text, so FineWeb sees what C4 kept."""
    q = cfg.quality
    web = list(q.web_sources)
    by_lang = language_rules(q)  # the fineweb2 profile's per-language configs (empty when off)
    chain: list[Filter] = []
    url = UrlFilter(q.url)
    if url.active:
        chain.append(url)
    if q.books.enabled:
        chain.append(BookRules(q.books, sources=[BOOKS]))
    chain.append(QualityProfile(q, sources=web))
    if q.gopher_quality.enabled:
        chain.append(GopherQuality(q.gopher_quality, sources=web, by_lang={k: r.gopher_quality for k, r in by_lang.items()}))
    if q.gopher_repetition.enabled:
        chain.append(GopherRepetition(q.gopher_repetition, sources=web, by_lang={k: r.gopher_repetition for k, r in by_lang.items()},
                                      by_lang_skip=REPETITION_OFF))
        if q.books.enabled and q.books.repetition:
            chain.append(book_repetition(cfg))
    if q.c4.enabled:
        chain.append(C4(q.c4, sources=web, english_only=q.fineweb2.enabled))
    if q.fineweb.enabled:
        chain.append(FineWeb(q.fineweb, sources=web, by_lang={k: r.fineweb for k, r in by_lang.items()}, by_lang_skip=FINEWEB_OFF))
    if q.code.enabled:
        chain.append(CodeRules(q.code, sources=[CODE]))
    if q.classifier.model_path:
        chain.append(QualityClassifier(q.classifier))
    return chain


def book_repetition(cfg: PipelineConfig) -> GopherRepetition:
    return GopherRepetition(
        cfg.quality.gopher_repetition, sources=[BOOKS], name="gopher_repetition_books_v1",
        skip_rules=cfg.quality.books.repetition_skip_rules,
    )


def pii_filters(cfg: PipelineConfig) -> list[Filter]:
    return [RedactPII(cfg.pii)] if cfg.pii.enabled else []


def all_filters(cfg: PipelineConfig | None = None) -> list[Filter]:
    """Every built-in filter, routed as configured (default config: all of them); the contract
    test's list and `curate filters --list`'s."""
    cfg = cfg or PipelineConfig()
    quality = quality_filters(cfg)
    url = [] if any(isinstance(f, UrlFilter) for f in quality) else [UrlFilter(cfg.quality.url)]  # listed even with no lists
    return [Repair(cfg.quality.repair), LangId(cfg.langid), *url, *quality, RedactPII(cfg.pii)]
