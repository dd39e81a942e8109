"""Sentence counting for the C4 rules, in the way NLTK's Punkt and spaCy's sentencizer count.

A sentence ends at ".", "!" or "?" (possibly repeated, possibly closed by quotes or brackets)
followed by white space, whatever the case of the next word: "it was late. then i slept." is
two sentences for Punkt and spaCy alike, and lower-case forum prose must not look like one long
sentence. A period does not end a sentence after an abbreviation Punkt knows ("e.g.", "Mr.",
"a.m."), a single initial ("J. Smith") or inside a number; an ellipsis ends one only before an
upper-case word (Punkt's reading). The ideographic marks 。！？ end a sentence without a space.
The end of the text closes the last sentence.
"""

from __future__ import annotations

import re

# Abbreviations whose period does not end a sentence (lower-cased, without the final period).
ABBREVIATIONS = frozenset(
    "mr mrs ms dr st jr sr prof gen col lt sgt capt gov sen rep rev mt inc ltd corp co vs etc "
    "e.g i.e a.m p.m approx dept est fig vol no nos cf al ca ph.d u.s u.k jan feb mar apr jun jul aug "
    "sep sept oct nov dec".split()
)
_CLOSERS = "\"'”’)]」』»"
_ENDS = ".!?"
_CJK_BREAK = re.compile(r"[。！？]+[」』”’)]*(?=\S)")


def _ends_sentence(token: str, nxt: str) -> bool:
    t = token.rstrip(_CLOSERS)
    if not t or t[-1] not in _ENDS:
        return False
    if t.endswith(("...", "…")):
        return nxt[:1].isupper()
    if t[-1] != ".":
        return True
    stem = t.rstrip(".").lstrip("\"'“‘([«").lower()
    if stem in ABBREVIATIONS:
        return False
    if len(stem) == 1 and stem.isalpha():  # an initial
        return False
    return bool(stem)


def count_sentences(text: str) -> int:
    """Number of sentences in ``text`` (0 for blank text, at least 1 otherwise)."""
    tokens = text.split()
    if not tokens:
        return 0
    breaks = sum(1 for a, b in zip(tokens, tokens[1:]) if _ends_sentence(a, b))
    if "。" in text or "！" in text or "？" in text:
        breaks += len(_CJK_BREAK.findall(text))
    return breaks + 1
