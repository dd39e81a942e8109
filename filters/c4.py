"""C4 rules: Raffel et al. 2020, "Exploring the Limits of Transfer Learning with a Unified
Text-to-Text Transformer", section 2.2, as built by TFDS ``c4_utils.clean_page``.

Line filters (the line is removed, the document kept): a word longer than 1000 characters, no
terminal punctuation (or ending in "..."), fewer than ``min_words_per_line`` words, "javascript",
a policy or cookie notice. Citation markers ("[1]", "[edit]", "[citation needed]") are cut from
kept lines. Document rules: "lorem ipsum" or a "{" in a kept line drops the page, and so does a
page left with fewer than ``min_sentences`` sentences. This filter REWRITES the text (the kept
lines joined by "\\n") and records how many lines it removed, by reason, in its metadata.

Profiles: ``c4`` is the TFDS code (5 words per line counted after citation markers are cut, 3
sentences, end marks . ? ! "); ``datatrove`` is datatrove's C4QualityFilter defaults (3 words
counted before the cut, 5 sentences, ' also an end mark). Sentences are counted by
filters/sentences.py the way Punkt and spaCy count them (a lower-case start after a period is a
new sentence), where TFDS used NLTK punkt (docs/filters.md). Languages other
than English also accept their own sentence-final marks (FineWeb's list); languages without
spaces skip the words-per-line rule.
"""

from __future__ import annotations

import re

from curation.config import C4Config
from curation.document import Document
from filters.base import Filter, Verdict
from filters.fineweb import TERMINAL_PUNCTUATION
from filters.sentences import count_sentences
from filters.text import NO_SPACE_LANGS, doc_lang, line_end

PROFILES = {
    # TFDS counts a line's words after cutting its citation markers; datatrove before.
    "c4": {"min_words_per_line": 5, "min_sentences": 3, "end_marks": (".", "?", "!", '"'), "count_after_citations": True},
    "datatrove": {"min_words_per_line": 3, "min_sentences": 5, "end_marks": (".", "?", "!", '"', "'"),
                  "count_after_citations": False},
}
_CJK_END_MARKS = ("」", "』")
_CITATION = re.compile(r"\[\d*\]|\[edit\]|\[citation needed\]")
_POLICY = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies")
LINE_REASONS = ("too_long_word", "no_terminal_punct", "too_few_words", "javascript", "policy")


class C4(Filter):
    name = "c4_v1"
    stage = "quality"
    rules = ("c4_lorem_ipsum", "c4_curly_bracket", "c4_too_few_sentences")
    metrics = ("lines_removed", "chars_removed_citations", *(f"chars_removed_{r}" for r in LINE_REASONS))

    def __init__(self, cfg: C4Config | None = None, sources=None, english_only: bool = False):
        self.cfg = cfg or C4Config()
        self.sources = tuple(sources) if sources is not None else None
        # The fineweb2 profile runs no C4 outside English (text of no identified language is
        # judged as English).
        self.english_only = english_only
        prof = PROFILES[self.cfg.profile]
        self.min_words = self.cfg.min_words_per_line if self.cfg.min_words_per_line is not None else prof["min_words_per_line"]
        self.min_sentences = self.cfg.min_sentences if self.cfg.min_sentences is not None else prof["min_sentences"]
        self.end_marks = prof["end_marks"]
        self.count_after_citations = prof["count_after_citations"]

    def applies_to(self, doc: Document) -> bool:
        return super().applies_to(doc) and not (self.english_only and doc_lang(doc.metadata) not in (None, "en"))

    def judge_lines(self, doc: Document):
        """``(line, reason, citation_chars)`` for each line of the text, stripped and with its
        citation markers cut: reason is one of LINE_REASONS for a removed line, "" for a kept one,
        or the rule code that drops the whole page (then the scan stops)."""
        cfg = self.cfg
        lang = doc_lang(doc.metadata)
        # C4 was built for English; other languages also end sentences with their own marks
        # (the danda, the ideographic full stop, the Arabic question mark).
        end_marks = self.end_marks if lang in (None, "en") else self.end_marks + TERMINAL_PUNCTUATION + _CJK_END_MARKS
        min_words = 1 if lang in NO_SPACE_LANGS else self.min_words
        for line in doc.text.splitlines():
            line = line.strip()
            words = line.split()
            cited = 0
            if any(len(w) > cfg.max_word_length for w in words):
                yield line, "too_long_word", 0
                continue
            if cfg.remove_citations and "[" in line:
                cut = _CITATION.sub("", line)
                if cut != line:
                    cited, line = len(line) - len(cut), cut
                    if self.count_after_citations:
                        words = line.split()
            low = line.lower()
            # The extractor renders a table row as "cell | cell |": the row's text ends before
            # the separators (TFDS read WET text, which has none).
            end = line_end(line)
            if cfg.filter_no_terminal_punct and (not end.endswith(end_marks) or end.endswith("...")):
                yield line, "no_terminal_punct", cited
            elif len(words) < min_words:
                yield line, "too_few_words", cited
            elif cfg.filter_lorem_ipsum and "lorem ipsum" in low:
                yield line, "c4_lorem_ipsum", cited
                return
            elif cfg.remove_javascript_lines and "javascript" in low:
                yield line, "javascript", cited
            elif cfg.filter_curly_bracket and "{" in line:
                yield line, "c4_curly_bracket", cited
                return
            elif cfg.remove_policy_lines and any(p in low for p in _POLICY):
                yield line, "policy", cited
            else:
                yield line, "", cited

    def apply(self, doc: Document) -> tuple[Document, Verdict]:
        removed = dict.fromkeys(LINE_REASONS, 0)
        chars = dict.fromkeys(LINE_REASONS, 0)
        cited = 0
        kept: list[str] = []
        sentences = 0
        for line, reason, cut in self.judge_lines(doc):
            cited += cut
            if reason in removed:
                removed[reason] += 1
                chars[reason] += len(line)
            elif reason:
                return doc, Verdict.drop(reason)
            else:
                sentences += count_sentences(line)
                kept.append(line)
        values = {"lines_removed": sum(removed.values()), "sentences": sentences}
        values.update({f"lines_removed_{k}": v for k, v in removed.items() if v})
        # Characters of the removed lines by reason (their text, stripped) and of cut citation
        # markers in kept lines: what this rule took out of a document it kept (docs/filters.md).
        values.update({f"chars_removed_{k}": v for k, v in chars.items() if v})
        if cited:
            values["chars_removed_citations"] = cited
        if sentences < self.min_sentences:
            return doc, Verdict.drop("c4_too_few_sentences", **values)
        text = "\n".join(kept).strip()
        return doc_with_text(doc, text), Verdict.ok(**values)


def doc_with_text(doc: Document, text: str) -> Document:
    return Document(doc.id, text, doc.source, dict(doc.metadata))
