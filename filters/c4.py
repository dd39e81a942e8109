"""C4 rules: Raffel et al. 2020, "Exploring the Limits of Transfer Learning with a Unified
Text-to-Text Transformer", section 2.2, as built by TFDS ``c4_utils.clean_page``.

Line filters (the line is removed, the document kept): a word longer than 1000 characters, no
terminal punctuation (or ending in "..."), fewer than ``min_words_per_line`` words, "javascript",
a policy or cookie notice. Citation markers ("[1]", "[edit]", "[citation needed]") are cut from
kept lines. Document rules: "lorem ipsum" or a "{" in a kept line drops the page, and so does a
page left with fewer than ``min_sentences`` sentences. This filter REWRITES the text (the kept
lines joined by "\\n") and records how many lines it removed, by reason, in its metadata.

Profiles: ``c4`` is the TFDS code (5 words per line, 3 sentences, end marks . ? ! "); ``datatrove``
is datatrove's C4QualityFilter defaults (3 words, 5 sentences, ' also an end mark). Sentences are
counted with a punctuation splitter, where TFDS used NLTK punkt (docs/filters.md). Languages other
than English also accept their own sentence-final marks (FineWeb's list); languages without
spaces skip the words-per-line rule.
"""

from __future__ import annotations

import re

from curation.config import C4Config
from curation.document import Document
from filters.base import Filter, Verdict
from filters.fineweb import TERMINAL_PUNCTUATION
from filters.text import NO_SPACE_LANGS, doc_lang

PROFILES = {
    "c4": {"min_words_per_line": 5, "min_sentences": 3, "end_marks": (".", "?", "!", '"')},
    "datatrove": {"min_words_per_line": 3, "min_sentences": 5, "end_marks": (".", "?", "!", '"', "'")},
}
_CJK_END_MARKS = ("」", "』")
_CITATION = re.compile(r"\[\d*\]|\[edit\]|\[citation needed\]")
_POLICY = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies")
# A sentence ends at . ! ? (possibly repeated, possibly closed by a quote or bracket) followed
# by whitespace and an upper-case letter, digit or opening quote -- or at the end of the line.
# Common abbreviations ("Mr.", "e.g.") do not end one, which is what punkt learned to do.
_SENT_END = re.compile(r"(?<!\b[A-Z])(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSt)(?<!\bvs)(?<!\be\.g)(?<!\bi\.e)"
                       r"(?<!\betc)(?<!\bNo)[.!?。！？]+[\"'”’)\]」』]*(?=\s+[\"'“‘(\[]?[A-Z0-9À-ÖØ-Þ]|\s*$)")


def count_sentences(line: str) -> int:
    """Number of sentences in one line (at least 1 for a non-empty line)."""
    return max(1, len(_SENT_END.findall(line))) if line.strip() else 0


class C4(Filter):
    name = "c4_v1"
    stage = "quality"
    rules = ("c4_lorem_ipsum", "c4_curly_bracket", "c4_too_few_sentences")
    metrics = ("lines_removed",)

    def __init__(self, cfg: C4Config | None = None, sources=None):
        self.cfg = cfg or C4Config()
        self.sources = tuple(sources) if sources is not None else None
        prof = PROFILES[self.cfg.profile]
        self.min_words = self.cfg.min_words_per_line if self.cfg.min_words_per_line is not None else prof["min_words_per_line"]
        self.min_sentences = self.cfg.min_sentences if self.cfg.min_sentences is not None else prof["min_sentences"]
        self.end_marks = prof["end_marks"]

    def apply(self, doc: Document) -> tuple[Document, Verdict]:
        cfg = self.cfg
        lang = doc_lang(doc.metadata)
        no_space = lang in NO_SPACE_LANGS
        # C4 was built for English; other languages also end sentences with their own marks
        # (the danda, the ideographic full stop, the Arabic question mark).
        end_marks = self.end_marks if lang in (None, "en") else self.end_marks + TERMINAL_PUNCTUATION + _CJK_END_MARKS
        min_words = 1 if no_space else self.min_words
        removed = {"too_long_word": 0, "no_terminal_punct": 0, "too_few_words": 0, "javascript": 0, "policy": 0}
        kept: list[str] = []
        sentences = 0
        for line in doc.text.splitlines():
            line = line.strip()
            words = line.split()
            if any(len(w) > cfg.max_word_length for w in words):
                removed["too_long_word"] += 1
                continue
            if cfg.remove_citations:
                line = _CITATION.sub("", line)
            if cfg.filter_no_terminal_punct and (not line.endswith(end_marks) or line.endswith("...")):
                removed["no_terminal_punct"] += 1
                continue
            if len(words) < min_words:
                removed["too_few_words"] += 1
                continue
            low = line.lower()
            if cfg.filter_lorem_ipsum and "lorem ipsum" in low:
                return doc, Verdict.drop("c4_lorem_ipsum")
            if cfg.remove_javascript_lines and "javascript" in low:
                removed["javascript"] += 1
                continue
            if cfg.filter_curly_bracket and "{" in line:
                return doc, Verdict.drop("c4_curly_bracket")
            if cfg.remove_policy_lines and any(p in low for p in _POLICY):
                removed["policy"] += 1
                continue
            sentences += count_sentences(line)
            kept.append(line)
        values = {"lines_removed": sum(removed.values()), "sentences": sentences}
        values.update({f"lines_removed_{k}": v for k, v in removed.items() if v})
        if sentences < self.min_sentences:
            return doc, Verdict.drop("c4_too_few_sentences", **values)
        text = "\n".join(kept).strip()
        return doc_with_text(doc, text), Verdict.ok(**values)


def doc_with_text(doc: Document, text: str) -> Document:
    return Document(doc.id, text, doc.source, dict(doc.metadata))
