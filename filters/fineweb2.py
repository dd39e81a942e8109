"""The ``fineweb2`` profile: FineWeb-2's per-language thresholds (Penedo et al. 2025, "FineWeb2:
One Pipeline to Scale Them All"), the default for web text in a language other than English.

FineWeb-2 published one set of thresholds per language (huggingface/fineweb-2 configs,
Apache-2.0); ``filters/fineweb2.json`` holds those numbers and stop words for the languages
lid.176 identifies, made by filters/fineweb2_table.py (which says how lid.176's labels are mapped
to FineWeb-2's GlotLID labels). As FineWeb-2's pipeline applied them, for a document whose
``lang`` is in the table:

- Gopher quality: the mean word length bounds, the minimum share of alphabetic words
  (FineWeb-2's ``max_non_alpha_words_ratio``, a minimum despite its name) and at least 2 of the
  language's stop words come from the table; word counts, symbol and bullet rules as published;
- Gopher repetition: ``dup_line_frac``, the top and duplicated n-gram fractions from the table;
  the paragraph and line-character duplicate rules off;
- FineWeb: ``line_punct_thr`` and ``new_line_ratio`` from the table, the short-line rule off,
  ``char_duplicates_ratio`` 0.1;
- no C4.

English, and text whose language was not identified, keep the published Gopher, C4 and FineWeb
values (profile ``published``); a non-English language missing from the table keeps them too,
less the English stop words and C4 (``fineweb2/none``). Differences from FineWeb-2 (its GlotLID
language scores are not used: lid.176's scores are another model's; words come from our splitter,
not a per-language one) are listed in docs/filters.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from curation.config import FineWebConfig, GopherQualityConfig, GopherRepetitionConfig, QualityConfig
from curation.document import Document
from curation.errors import ConfigError
from curation.langs import NO_SPACE_LANGS
from filters.base import Filter, Verdict
from filters.text import doc_lang

PACKAGED_TABLE = Path(__file__).with_name("fineweb2.json")
PUBLISHED = "published"
ENGLISH = ("en",)
# Gopher repetition and FineWeb rules FineWeb-2 switched off (thresholds 0 or 999 in its pipeline).
REPETITION_OFF = frozenset({"gopher_dup_para_frac", "gopher_dup_para_char_frac", "gopher_dup_line_char_frac"})
FINEWEB_OFF = frozenset({"fineweb_short_line_ratio"})


@dataclass(frozen=True)
class LangRules:
    """The configs that judge one language under the fineweb2 profile."""

    profile: str  # "fineweb2/deu_Latn"
    gopher_quality: GopherQualityConfig
    gopher_repetition: GopherRepetitionConfig
    fineweb: FineWebConfig


@lru_cache(maxsize=4)
def load_table(path: str = "") -> dict:
    """``{lid.176 label: FineWeb-2 entry}`` from ``path`` (empty: the packaged table)."""
    p = Path(path) if path else PACKAGED_TABLE
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        langs = data["languages"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ConfigError(f"quality.fineweb2.table: cannot read {p} ({type(e).__name__}: {e}); "
                          "make one with filters/fineweb2_table.py or leave it empty for the packaged table") from None
    if not isinstance(langs, dict):
        raise ConfigError(f"quality.fineweb2.table: {p} has no 'languages' mapping")
    return langs


def _stop_words(lang: str, words: list[str]) -> list[str]:
    # Our splitter makes one word of each character in scripts without spaces: only
    # one-character stop words can match there (FineWeb-2 segmented with a per-language tokenizer).
    return [w for w in words if len(w) == 1] if lang in NO_SPACE_LANGS else list(words)


def language_rules(q: QualityConfig) -> dict[str, LangRules]:
    """The per-language configs of the fineweb2 profile, built over the quality config's own
    (the values FineWeb-2 does not set stay the user's)."""
    if not q.fineweb2.enabled:
        return {}
    out = {}
    for lang, t in sorted(load_table(q.fineweb2.table).items()):
        if lang in ENGLISH:
            continue
        try:
            gq = replace(q.gopher_quality, min_avg_word_length=float(t["min_avg_word_length"]),
                         max_avg_word_length=float(t["max_avg_word_length"]),
                         min_alpha_words_ratio=float(t["max_non_alpha_words_ratio"]),
                         min_stop_words=2, stop_words={lang: _stop_words(lang, t["stopwords"])})
            gr = replace(q.gopher_repetition, dup_line_frac=float(t["dup_line_frac"]),
                         top_n_grams=[list(p) for p in t["top_n_grams"]], dup_n_grams=[list(p) for p in t["dup_n_grams"]])
            fw = replace(q.fineweb, line_punct_thr=float(t["line_punct_thr"]), new_line_ratio=float(t["new_line_ratio"]),
                         char_duplicates_ratio=q.fineweb2.char_duplicates_ratio)
        except (KeyError, TypeError, ValueError) as e:
            raise ConfigError(f"quality.fineweb2.table: entry {lang!r} lacks or mistypes {e}") from None
        out[lang] = LangRules(f"fineweb2/{t.get('label', lang)}", gq, gr, fw)
    return out


def profile_of(lang: str | None, rules: dict[str, LangRules], enabled: bool) -> str:
    """The profile that judges a document of language ``lang``."""
    if not enabled or lang is None or lang in ENGLISH:
        return PUBLISHED
    r = rules.get(lang)
    return r.profile if r else "fineweb2/none"


class QualityProfile(Filter):
    """Records in ``metadata["quality_profile"]`` which profile judges the document (runs first
    among the web rules, so rejected documents carry it too). Never drops."""

    name = "quality_profile_v1"
    stage = "quality"
    rules = ()

    def __init__(self, q: QualityConfig | None = None, sources=None):
        self.q = q or QualityConfig()
        self.sources = tuple(sources) if sources is not None else None
        self._rules = language_rules(self.q)

    def apply(self, doc: Document) -> tuple[Document, Verdict]:
        profile = profile_of(doc_lang(doc.metadata), self._rules, self.q.fineweb2.enabled)
        return doc.with_metadata(quality_profile=profile), Verdict.ok()
