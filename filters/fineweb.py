"""FineWeb rules: Penedo et al. 2024, "The FineWeb Datasets: Decanting the Web for the Finest
Text Data at Scale", section 3.3 (custom filters), as implemented by datatrove's
FineWebQualityFilter.

Dropped when at most 12% of non-blank lines end in terminal punctuation, more than 67% of lines
are 30 characters or shorter, duplicated lines hold more than ``char_duplicates_ratio`` of the
characters (newlines excluded), or there are more than 0.3 newlines per word (datatrove's list
filter, not in the paper). The paper gives 0.1 for the duplicated-line character ratio; datatrove
defaults to 0.01 (docs/filters.md). A text without a non-blank line is ``fineweb_empty``.
"""

from __future__ import annotations

from curation.config import FineWebConfig
from curation.document import Document
from filters.base import Filter, Verdict
from filters.text import doc_lang, duplicates, line_end, split

# Sentence-final marks: Unicode's Terminal_Punctuation without its commas, colons and
# semicolons, for the scripts of lid.176's languages. Quotes and ellipses are not in it.
TERMINAL_PUNCTUATION = tuple(
    ".!?։؝؞؟۔܀܁܂߹।॥၊။።፧፨᙮᜵᜶។៕៖៙៚᠃᠉᥄᥅᪨᪩᪪᪫᭚᭛᭞᭟᰻᰼᱾᱿‼‽⁇⁈⁉⸮⸼。꓿꘎꘏꛳꛷꡶꡷꣎꣏꤯꧈꧉꩝꩞꩟꫰꫱꯫﹒﹖﹗！．？｡"
)


class FineWeb(Filter):
    name = "fineweb_v1"
    stage = "quality"
    rules = ("fineweb_empty", "fineweb_line_punct_ratio", "fineweb_short_line_ratio", "fineweb_char_dup_ratio", "fineweb_list_ratio")

    def __init__(self, cfg: FineWebConfig | None = None, sources=None, by_lang: dict[str, FineWebConfig] | None = None,
                 by_lang_skip: frozenset[str] = frozenset()):
        self.cfg = cfg or FineWebConfig()
        self.sources = tuple(sources) if sources is not None else None
        # Per-language configs (the fineweb2 profile, filters/fineweb2.py), which skip the
        # rules in by_lang_skip; other languages use cfg and every rule.
        self.by_lang = dict(by_lang or {})
        self.by_lang_skip = frozenset(by_lang_skip)

    def apply(self, doc: Document) -> tuple[Document, Verdict]:
        lang = doc_lang(doc.metadata)
        cfg = self.by_lang.get(lang) if lang else None
        skip = self.by_lang_skip if cfg is not None else frozenset()
        cfg = cfg or self.cfg
        text = doc.text
        sp = split(text)
        lines = sp.nl_lines
        if not lines:
            return doc, Verdict.drop("fineweb_empty")
        n = len(lines)
        values: dict = {}
        # A table row's text ends before the extractor's "|" separators (filters/text.line_end).
        punct = sum(1 for ln in lines if line_end(ln).endswith(TERMINAL_PUNCTUATION)) / n
        values["line_punct_ratio"] = round(punct, 4)
        if punct < cfg.line_punct_thr:
            return doc, Verdict.drop("fineweb_line_punct_ratio", **values)
        short = sum(1 for ln in lines if len(ln) <= cfg.short_line_length) / n
        values["short_line_ratio"] = round(short, 4)
        if short > cfg.short_line_thr and "fineweb_short_line_ratio" not in skip:
            return doc, Verdict.drop("fineweb_short_line_ratio", **values)
        chars = len(text) - text.count("\n")
        dup = duplicates(lines)[1] / chars
        values["char_dup_ratio"] = round(dup, 4)
        if dup > cfg.char_duplicates_ratio:
            return doc, Verdict.drop("fineweb_char_dup_ratio", **values)
        n_words = len(sp.words) or 1
        ratio = text.count("\n") / n_words
        values["list_ratio"] = round(ratio, 4)
        if ratio > cfg.new_line_ratio:
            return doc, Verdict.drop("fineweb_list_ratio", **values)
        return doc, Verdict.ok(**values)
