"""Gopher quality rules: Rae et al. 2021, "Scaling Language Models: Methods, Analysis &
Insights from Training Gopher" (MassiveText), appendix A.1.1.

A document is dropped when it has fewer than 50 or more than 100,000 words, a mean word length
outside 3-10 characters, a symbol-to-word ratio above 0.1 for "#" or ellipses, more than 90% of
lines starting with a bullet or more than 30% ending with an ellipsis, fewer than 80% of words
with an alphabetic character (the punctuation of prose is not counted), or fewer than two of the stop words "the, be, to, of, and, that,
have, with". Every value is annotated; the rules then decide in that order.

Languages written without spaces (filters/text.py) skip the mean word length rule; the stop
word rule applies only to languages with a stop-word list in config ("*" for documents without
a ``lang``, i.e. as published). Under the fineweb2 profile a language's own config (``by_lang``)
replaces the word-length bounds, alphabetic share and stop words (filters/fineweb2.py).
"""

from __future__ import annotations

import re

from curation.config import GopherQualityConfig
from curation.document import Document
from filters.base import Filter, Verdict
from filters.text import NO_SPACE_LANGS, doc_lang, is_prose_punctuation, split

_BULLETS = ("•", "-")
_ALPHA = re.compile(r"[^\W\d_]")  # a letter in any script
_ELLIPSES = ("...", "…")


class GopherQuality(Filter):
    name = "gopher_quality_v1"
    stage = "quality"
    rules = (
        "gopher_short_doc",
        "gopher_long_doc",
        "gopher_mean_word_length",
        "gopher_symbol_ratio",
        "gopher_bullet_lines",
        "gopher_ellipsis_lines",
        "gopher_alpha_words",
        "gopher_stop_words",
    )

    def __init__(self, cfg: GopherQualityConfig | None = None, sources=None, by_lang: dict[str, GopherQualityConfig] | None = None):
        self.cfg = cfg or GopherQualityConfig()
        self.sources = tuple(sources) if sources is not None else None
        # Per-language configs (the fineweb2 profile, filters/fineweb2.py); others use cfg.
        self.by_lang = dict(by_lang or {})
        self._stop = {k: frozenset(v) for c in (self.cfg, *self.by_lang.values()) for k, v in c.stop_words.items()}

    def apply(self, doc: Document) -> tuple[Document, Verdict]:
        text = doc.text
        lang = doc_lang(doc.metadata)
        cfg = self.by_lang.get(lang, self.cfg) if lang else self.cfg
        sp = split(text)
        words = sp.words
        n_words = len(words)
        # Punctuation marks are tokens of their own (filters/text.py); "words" here are the rest.
        n_content, content_chars = sp.content_word_counts
        # A text without a word is short whatever min_doc_words says: every ratio below divides by it.
        if n_content < cfg.min_doc_words or n_content == 0:
            return doc, Verdict.drop("gopher_short_doc", words=n_content)
        if n_content > cfg.max_doc_words:
            return doc, Verdict.drop("gopher_long_doc", words=n_content)
        values: dict = {"words": n_content}

        if lang not in NO_SPACE_LANGS:
            mean_len = content_chars / n_content
            values["mean_word_length"] = round(mean_len, 3)
            if not cfg.min_avg_word_length <= mean_len <= cfg.max_avg_word_length:
                return doc, Verdict.drop("gopher_mean_word_length", **values)

        hash_ratio = text.count("#") / n_words
        ellipsis_ratio = (text.count("...") + text.count("…")) / n_words
        values["symbol_ratio"] = round(max(hash_ratio, ellipsis_ratio), 4)
        if hash_ratio > cfg.max_symbol_word_ratio or ellipsis_ratio > cfg.max_symbol_word_ratio:
            return doc, Verdict.drop("gopher_symbol_ratio", **values)

        lines = split(text).lines
        n_lines = len(lines) or 1
        bullet = sum(1 for ln in lines if ln.lstrip().startswith(_BULLETS)) / n_lines
        values["bullet_lines_ratio"] = round(bullet, 4)
        if bullet > cfg.max_bullet_lines_ratio:
            return doc, Verdict.drop("gopher_bullet_lines", **values)
        ellipsis_lines = sum(1 for ln in lines if ln.rstrip().endswith(_ELLIPSES)) / n_lines
        values["ellipsis_lines_ratio"] = round(ellipsis_lines, 4)
        if ellipsis_lines > cfg.max_ellipsis_lines_ratio:
            return doc, Verdict.drop("gopher_ellipsis_lines", **values)

        # Over words and symbols, as the paper means "words": the punctuation of prose (quotes,
        # dashes, brackets, sentence marks) is not a word, so „…“ – in German or hyphenated
        # English do not push prose under the bar, while the separators of menus and
        # breadcrumbs (| > / •), symbols and numbers still count against it.
        # alpha_ratio_tokens counts over every token, punctuation included (datatrove's code).
        over = words if cfg.alpha_ratio_tokens else [w for w in words if not is_prose_punctuation(w)]
        n_alpha = sum(1 for w in over if w.isalpha() or (not w.isdigit() and _ALPHA.search(w)))
        alpha_ratio = n_alpha / len(over) if over else 0.0
        values["alpha_words_ratio"] = round(alpha_ratio, 4)
        if alpha_ratio < cfg.min_alpha_words_ratio:
            return doc, Verdict.drop("gopher_alpha_words", **values)

        stop = self._stop.get(lang or "*") if (lang or "*") in cfg.stop_words else None
        if stop is not None and cfg.min_stop_words:
            # Distinct stop words, case-sensitive: "at least two of the following words".
            found = len(stop.intersection(words))
            values["stop_words"] = found
            if found < cfg.min_stop_words:
                return doc, Verdict.drop("gopher_stop_words", **values)
        return doc, Verdict.ok(**values)
