"""Shared text splitting for the rule filters, computed once per document.

Several filters of one chain look at the same text: Gopher quality and Gopher repetition both
need its words, FineWeb and C4 its lines. ``split(text)`` returns a ``TextSplit`` whose parts
are computed lazily and cached; the last split of each thread is remembered (keyed by the
identity of the string, which the cache holds, so the id cannot be reused), so the second
filter that asks for the same document's words gets them for free.

Words follow the shape of datatrove's default (spaCy English) tokenisation, so the published
thresholds mean what they meant there: runs of letters/digits (inner apostrophes kept, clitics
such as "n't" and "'s" split off, hyphens their own token), e-mail addresses, URLs, domains,
C++/C#/F#, numbers with separators, initials and abbreviations with periods whole, "cannot"
and "gonna" split as spaCy splits them, and each other punctuation mark a token. The agreement
with spaCy's own tokenizer on real text is measured by bench/words_agreement.py (docs/filters.md).
Characters of scripts written without spaces (Han, kana, Thai, Lao, Khmer, Myanmar, Tibetan)
are one word each, so word counts stay meaningful there.
"""

from __future__ import annotations

import re
import string
import threading
import unicodedata
from functools import cached_property, lru_cache

from curation.langs import NO_SPACE_LANGS  # noqa: F401  (filters import it from here)

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


def _combining_marks() -> str:
    """A character class body of every combining mark (categories Mn, Mc, Me): Devanagari
    vowel signs, Arabic harakat, decomposed accents belong inside words, but ``\\w`` excludes
    them."""
    out, start, prev = [], None, 0
    for cp in range(0x30000):
        if unicodedata.category(chr(cp))[0] == "M":
            start = cp if start is None else start
            prev = cp
        elif start is not None:
            out.append(f"{re.escape(chr(start))}-{re.escape(chr(prev))}" if prev > start else re.escape(chr(start)))
            start = None
    return "".join(out)


_MARKS = _combining_marks()
_LETTERS = rf"[^\W{_NO_SPACE_CHARS}]+(?:[{_MARKS}]+[^\W{_NO_SPACE_CHARS}]*)*"
# Tokens spaCy's English tokenizer (datatrove's default) keeps whole: e-mail addresses, URLs and
# domains, C++/C#/F#, initials and abbreviations with their periods ("e.g.", "a.m.", "Ph.D.",
# "U.S."), numbers with separators, "...", @handles, command-line flags and file names; and the
# words it splits in two: "cannot" (can + not), "gonna", "wanna" (gon/wan + na), "gotta" (got + ta).
_EMAIL = r"(?<![\w.+-])[A-Za-z0-9][\w.+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
_URL = r"(?:https?://|www\.)[^\s<>\"]*[^\s<>\".,;:!?)\]]"
_DOMAIN = r"(?:[A-Za-z0-9-]+\.)+(?:com|org|net|edu|gov|io|co|uk|de|fr|info|biz)\b"
_PROG_LANG = r"(?<![\w+#])(?:[A-Za-z]\+\+|[CFJ]#)(?![\w+#])"
_ABBR = (r"(?<![\w.])(?:[A-Za-z]{1,2}\.){2,}|\b(?:[A-Z]\.)+|\b(?:Mr|Mrs|Ms|Dr|St|Gov|Sen|Rep|Jr|Sr|Inc|Ltd|Corp|vs|etc|"
         r"Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec|Mt|Gen|Lt|Col|Sgt|Capt|Prof|approx|dept|est|fig|vol)\.")
_SPLIT = r"(?i:\bcan(?=not\b)|\b(?:gon|wan)(?=na\b)|\bgot(?=ta\b))"
_NUM = r"\d+(?:[.,:]\d+)+"
_TECH = r"@\w+|(?<!\S)--?[A-Za-z][\w-]*|\w+(?:\.\w+)*\.(?:py|md|txt|js|html?|json|ya?ml|csv|sh|cpp|h)\b"  # handles, flags, file names
_SPECIAL_TOKENS = rf"(?i:['’](?:s|re|ve|ll|d|m)\b)|{_URL}|{_DOMAIN}|{_PROG_LANG}|{_ABBR}|{_SPLIT}|{_NUM}|{_TECH}|\.\.\.+|…"


def _word_re(plain: bool, email: bool) -> re.Pattern:
    special = f"{_EMAIL}|{_SPECIAL_TOKENS}" if email else _SPECIAL_TOKENS
    if plain:
        return re.compile(rf"{special}|\w+(?:['’]\w+)*|[^\w\s]")
    return re.compile(rf"{special}|{_LETTERS}(?:['’]{_LETTERS})*|[{_NO_SPACE_CHARS}]|[{_MARKS}]+|[^\w\s{_MARKS}]")


# Most text has neither marks nor space-less scripts: then the plain pattern gives the same
# tokens about four times faster (one scan for such characters decides); the e-mail alternative
# is tried only in text with an "@".
_PATTERNS = {(plain, email): _word_re(plain, email) for plain in (True, False) for email in (True, False)}
WORD_RE = _PATTERNS[(False, True)]
_SPECIAL_RE = re.compile(rf"[{_NO_SPACE_CHARS}{_MARKS}]")
# English clitics are tokens of their own ("do" "n't", "Dakota" "'s"), as in spaCy.
_CLITIC_RE = re.compile(r"(?<=\w)(n['’]t|['’](?:s|re|ve|ll|d|m))\b", re.IGNORECASE)


@lru_cache(maxsize=65536)
def _special(ch: str) -> bool:
    return _SPECIAL_RE.match(ch) is not None


# Past this many characters a text is split in pieces at whitespace and its words shared: a
# 50 MB book as one list of new strings cost 770 MB; as pointers to one copy of each word, ~80 MB.
LONG_TEXT = 1 << 20


def tokenize(text: str) -> list[str]:
    """Words and punctuation marks of ``text`` (see the module docstring)."""
    if "'" in text or "’" in text:
        text = _CLITIC_RE.sub(r" \1", text)
    # A regex scan for a class of ~300 ranges is slow; the distinct characters are few.
    plain = text.isascii() or not any(_special(c) for c in set(text) if c > "\x7f")
    pattern = _PATTERNS[(plain, "@" in text)]
    if len(text) <= LONG_TEXT:
        return pattern.findall(text)
    return _tokenize_long(text, pattern)


def _tokenize_long(text: str, pattern: re.Pattern) -> list[str]:
    """``pattern.findall(text)`` piece by piece. No token holds whitespace and every lookaround
    at a piece's ends sees what it sees next to whitespace, so cutting at a whitespace character
    gives the same tokens; equal words become one string object."""
    words: list[str] = []
    shared: dict[str, str] = {}
    start = 0
    while start < len(text):
        end = start + LONG_TEXT
        if end < len(text):
            m = _SPACE_RE.search(text, end)  # the next whitespace, or none: the rest is one piece
            end = m.start() if m else len(text)
        piece = pattern.findall(text, start, end)
        words.extend(map(shared.setdefault, piece, piece))
        start = end + 1
    return words


# NO_SPACE_LANGS (curation/langs.py): word-based rules are skipped for them (docs/filters.md).

PUNCTUATION = frozenset(string.punctuation + "…“”‘’«»„‚–—·•¡¿、。，！？：；（）《》「」『』【】")


# Punctuation of prose: sentence marks, quotes, brackets, dashes (Unicode Pd, Ps, Pe, Pi, Pf and
# the sentence marks of Po). Menu and breadcrumb separators (| / > • · » as list markers, +, =)
# and symbols ($, %, ©) are not in it.
PROSE_PUNCTUATION = frozenset(
    ".,;:!?'\"…¡¿、。，！？：；‚„“”‘’«»‹›()[]{}（）《》「」『』【】〈〉-‐‑‒–—―"
)


def is_prose_punctuation(w: str) -> bool:
    """A token made only of prose punctuation (PROSE_PUNCTUATION): "„", "--", "...", ")."."""
    return all(c in PROSE_PUNCTUATION for c in w)


def is_content_word(w: str) -> bool:
    """A token with at least one character that is not punctuation (datatrove's
    ``non_symbol_words``): "..." and "--" are not words, "C++" and "3.5" are."""
    return w[0].isalnum() or any(c not in PUNCTUATION for c in w)

def line_end(line: str) -> str:
    """A line without the table separators the extractor closes a table row with
    ("cell | cell |"): where a row's text ends, for the terminal-punctuation rules."""
    return line.rstrip("| ") if line.endswith("|") else line


_PARAGRAPH_RE = re.compile(r"\n{2,}")
_SPACE_RE = re.compile(r"\s")
_LINE_RUN_RE = re.compile(r"\n+")


class TextSplit:
    """Lazily computed views of one text. Each attribute is computed at most once."""

    __slots__ = ("text", "__dict__")

    def __init__(self, text: str):
        self.text = text

    @cached_property
    def words(self) -> list[str]:
        return tokenize(self.text)

    @cached_property
    def content_word_counts(self) -> tuple[int, int]:
        """(number, total characters) of the words that are not punctuation (``is_content_word``):
        counts, not a list, which would be 8 more bytes per word of a 10M-word book."""
        n = chars = 0
        for w in self.words:
            if is_content_word(w):
                n += 1
                chars += len(w)
        return n, chars

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


def forget_split() -> None:
    """Drop this thread's cached split: once a document's rules have run, its word list (8 bytes
    a word) and text need not live on until the thread's next document."""
    _local.split = None


def duplicates(items: list[str]) -> tuple[int, int]:
    """(number of repeated items, characters in them), counting every repeat after the first
    (datatrove's ``find_duplicates``, shared by Gopher repetition and FineWeb)."""
    seen: set[str] = set()
    n = chars = 0
    for it in items:
        if it in seen:
            n += 1
            chars += len(it)
        else:
            seen.add(it)
    return n, chars


def doc_lang(metadata: dict) -> str | None:
    """The document's language from language ID, or None when it was not identified
    (then the rule sets apply as published, i.e. for English)."""
    lang = metadata.get("lang")
    return lang if isinstance(lang, str) and lang and lang != "und" else None
