"""Book rules. Books get neither a maximum word count (a novel is 200k words) nor C4's line
rules (dialogue and verse lines lack terminal punctuation); they keep Gopher repetition
(registry.py) and need a minimum length: a "book" under 1000 words is a fragment, a
table of contents or a stub left by a failed boiler-plate strip.

Project Gutenberg's header and footer are removed by the books reader (curation/readers);
``book_boilerplate`` drops what is left when a text is little more than that licence.
"""

from __future__ import annotations

import re

from curation.config import BookRulesConfig
from curation.document import Document
from filters.base import Filter, Verdict
from filters.text import split

_LICENCE = re.compile(r"Project Gutenberg|PROJECT GUTENBERG")


class BookRules(Filter):
    name = "book_rules_v1"
    stage = "quality"
    rules = ("book_short", "book_boilerplate")

    def __init__(self, cfg: BookRulesConfig | None = None, sources=("books",)):
        self.cfg = cfg or BookRulesConfig()
        self.sources = tuple(sources) if sources is not None else None

    def apply(self, doc: Document) -> tuple[Document, Verdict]:
        n_words = split(doc.text).content_word_counts[0]
        # The PG licence mentions "Project Gutenberg" about 30 times in ~3000 words; a book
        # that is mostly licence has that density, a stripped novel has none.
        mentions = len(_LICENCE.findall(doc.text))
        values = {"words": n_words, "licence_mentions": mentions}
        if n_words < self.cfg.min_words:
            return doc, Verdict.drop("book_short", **values)
        if mentions * 200 > n_words:
            return doc, Verdict.drop("book_boilerplate", **values)
        return doc, Verdict.ok(**values)
