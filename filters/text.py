"""Shared text splitting for the rule filters, computed once per document.

Several filters of one chain look at the same text: Gopher quality and Gopher repetition both
need its words, FineWeb and C4 its lines. ``split(text)`` returns a ``TextSplit`` whose parts
are computed lazily and cached; the last split of each thread is remembered (keyed by the
identity of the string, which the cache holds, so the id cannot be reused), so the second
filter that asks for the same document's words gets them for free.

Words follow the shape of datatrove's default (spaCy) tokenisation closely enough for the
published thresholds: runs of letters/digits, keeping inner apostrophes and hyphens, and each
punctuation mark as its own token. Characters of scripts written without spaces (Han, kana,
Thai, Lao, Khmer, Myanmar, Tibetan) are one word each, so word counts stay meaningful there.
"""

from __future__ import annotations

import re
import string
import threading
from functools import cached_property

# Scripts without spaces between words: one character, one "word".
_NO_SPACE_CHARS = (
    "\u0e00-\u0e7f"  # Thai
    "\u0e80-\u0eff"  # Lao
    "\u0f00-\u0fff"  # Tibetan
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han
    "\U00020000-\U0002fa1f"
)
WORD_RE = re.compile(rf"[{_NO_SPACE_CHARS}]|(?:[^\W{_NO_SPACE_CHARS}]+(?:['’\-][^\W{_NO_SPACE_CHARS}]+)*)|[^\w\s]")

# Languages whose word-based rules (mean word length, stop words, words per line) need a
# segmenter we do not ship: those rules are skipped for them (docs/filters.md).
NO_SPACE_LANGS = frozenset({"zh", "ja", "th", "lo", "km", "my", "bo", "yue", "wuu", "dz"})

PUNCTUATION = frozenset(string.punctuation + "…“”‘’«»„‚–—·•¡¿、。，！？：；（）《》「」『』【】")

_PARAGRAPH_RE = re.compile(r"\n{2,}")
_LINE_RUN_RE = re.compile(r"\n+")


class TextSplit:
    """Lazily computed views of one text. Each attribute is computed at most once."""

    __slots__ = ("text", "__dict__")

    def __init__(self, text: str):
        self.text = text

    @cached_property
    def words(self) -> list[str]:
        return WORD_RE.findall(self.text)

    @cached_property
    def lines(self) -> list[str]:
        """``str.splitlines()``: the line notion of Gopher quality and C4."""
        return self.text.splitlines()

    @cached_property
    def nl_lines(self) -> list[str]:
        """Split on "\\n" only, blank lines dropped: the line notion of FineWeb."""
        return [ln for ln in self.text.split("\n") if ln.strip()]

    @cached_property
    def line_runs(self) -> list[str]:
        """Split on runs of newlines: the line notion of Gopher repetition."""
        return _LINE_RUN_RE.split(self.text)

    @cached_property
    def paragraphs(self) -> list[str]:
        return _PARAGRAPH_RE.split(self.text.strip())


_local = threading.local()


def split(text: str) -> TextSplit:
    """The cached split of ``text`` (one entry per thread: the current document)."""
    cur = getattr(_local, "split", None)
    if cur is not None and cur.text is text:
        return cur
    cur = TextSplit(text)
    _local.split = cur
    return cur


def doc_lang(metadata: dict) -> str | None:
    """The document's language from language ID, or None when it was not identified
    (then the rule sets apply as published, i.e. for English)."""
    lang = metadata.get("lang")
    return lang if isinstance(lang, str) and lang and lang != "und" else None
