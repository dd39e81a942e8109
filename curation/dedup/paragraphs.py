"""Paragraph dedup (``dedup.paragraphs``), without Beam: boiler-plate blocks repeated across
documents (a site's footer, a cookie notice, a licence paragraph) kept once.

A paragraph is one line of the text: extracted web text holds one HTML block per line
(docs/contracts.md, "Paragraphs before line rules"). It is compared normalised (case folded,
whitespace collapsed) and only from ``min_chars`` characters on: shorter lines ("Home", "Next",
a chapter heading) repeat legitimately. Of the documents sharing a paragraph within a source,
the keep policy's first (curation/dedup/keep.py) keeps it; the others lose every copy of it.
"""

from __future__ import annotations

import xxhash


def _norm(line: str) -> str:
    return " ".join(line.split()).casefold()


def paragraph_hash(line: str) -> int:
    return xxhash.xxh3_64_intdigest(_norm(line).encode("utf-8", "surrogatepass")) >> 1  # 63 bits: Beam's int coder


def paragraph_hashes(text: str, min_chars: int) -> set[int]:
    """Hashes of the text's paragraphs that are long enough to be compared."""
    return {paragraph_hash(line) for line in text.split("\n") if len(_norm(line)) >= min_chars}


def remove_paragraphs(text: str, hashes: set[int], min_chars: int) -> tuple[str, int, list[str]]:
    """Text without the paragraphs whose hash is in ``hashes`` -> (text, characters removed,
    the removed paragraphs, once each, in order)."""
    kept, removed, seen, chars = [], [], set(), 0
    for line in text.split("\n"):
        if len(_norm(line)) >= min_chars and (h := paragraph_hash(line)) in hashes:
            chars += len(line) + 1
            if h not in seen:
                seen.add(h)
                removed.append(line.strip())
            continue
        kept.append(line)
    out = "\n".join(kept).strip("\n")
    return out, len(text) - len(out) if chars else 0, removed
