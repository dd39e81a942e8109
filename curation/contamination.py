"""N-gram hashes for benchmark decontamination (no Beam here).

A training document is contaminated by a test set when they share any n-gram, 13 words by
default (GPT-3, Brown et al. 2020, appendix C), after dedup's normalisation
(curation/dedup/normalize.py: NFKC, lowercase, punctuation to spaces, whitespace runs to one
space). Word tokens are hashed exactly as dedup hashes them; scripts without spaces (zh, ja,
th ...) are read as characters, ``char_n`` of them an n-gram, as dedup's shingles do.

Dedup folds its shingles to 32 bits, enough for a Jaccard estimate between two documents; here
one test set's n-grams are compared with the whole corpus's, where 32 bits would collide
(10^6 test n-grams x 10^4 n-grams of one page / 2^32 ~ 2 false matches per page), so n-grams
keep all 64 bits: with 10^12 corpus n-grams against 10^7 test n-grams a false match is a
~10^-0.3 event for the whole run, and every match is shown as text in the rejected document.
A text shorter than n units has no n-gram: a two-word test answer cannot contaminate anything.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

# Dedup's own hashing, so "the same normalisation" holds to the token hash.
from curation.dedup.normalize import _SLICE_CHARS, _mults, _token_hashes, normalize, uses_char_shingles

_CHAR_SALT = np.uint64(0x632BE59BD9B4E019)  # char n-grams never equal word n-grams by construction


def _fmix64(h: np.ndarray) -> np.ndarray:
    """murmur3's 64-bit finaliser: every input bit reaches every output bit."""
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


def _word_units(norm: str) -> Iterator[np.ndarray]:
    """Token hashes of normalised text, slice by slice (slices end at a space)."""
    pos = 0
    while pos < len(norm):
        end = min(pos + _SLICE_CHARS, len(norm))
        if end < len(norm):
            cut = norm.rfind(" ", pos, end)
            end = cut + 1 if cut > pos else end
        yield _token_hashes(norm[pos:end])
        pos = end


def _char_units(chars: str) -> Iterator[np.ndarray]:
    for pos in range(0, len(chars), _SLICE_CHARS):
        cps = np.frombuffer(chars[pos : pos + _SLICE_CHARS].encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        with np.errstate(over="ignore"):
            yield (cps.astype(np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)


def _ngrams(units_iter: Iterator[np.ndarray], n: int, salt: np.uint64) -> Iterator[tuple[int, np.ndarray]]:
    """``(index of the first n-gram, uint64 hashes)`` per slice; n-1 units carry across slices."""
    m = _mults(n)
    tail = np.empty(0, dtype=np.uint64)
    start = 0  # unit index of tail[0]
    for units in units_iter:
        u = np.concatenate([tail, units]) if len(tail) else units
        count = len(u) - n + 1
        if count > 0:
            acc = np.zeros(count, dtype=np.uint64)
            with np.errstate(over="ignore"):
                for j in range(n):
                    acc += u[j : j + count] * m[j]
                acc += np.uint64(n)
                yield start, _fmix64(acc ^ salt)
            keep = n - 1
            start += len(u) - keep
            tail = u[len(u) - keep :] if keep else np.empty(0, dtype=np.uint64)
        else:
            tail = u


def _units(text: str, n: int, char_n: int) -> tuple[Iterator[np.ndarray], int, np.uint64, str]:
    norm = normalize(text)
    if uses_char_shingles(norm):
        chars = norm.replace(" ", "")
        return _char_units(chars), char_n, _CHAR_SALT, chars
    return _word_units(norm), n, np.uint64(0), norm


def ngram_hashes(text: str, n: int = 13, char_n: int = 25) -> np.ndarray:
    """Sorted unique uint64 hashes of the text's n-grams (empty when it is shorter than n)."""
    units, k, salt, _ = _units(text, n, char_n)
    parts = [h for _, h in _ngrams(units, k, salt)]
    if not parts:
        return np.empty(0, dtype=np.uint64)
    return np.unique(np.concatenate(parts) if len(parts) > 1 else parts[0])


def find_ngram(text: str, targets, n: int = 13, char_n: int = 25) -> str:
    """The first normalised n-gram of ``text`` whose hash is in ``targets`` (one hash or an
    iterable of them; "" if none): what the rejected table shows as the evidence."""
    want = np.array(sorted({int(targets)} if isinstance(targets, (int, np.integer)) else {int(t) for t in targets}), dtype=np.uint64)
    units, k, salt, norm = _units(text, n, char_n)
    for start, hashes in _ngrams(units, k, salt):
        hit = np.flatnonzero(np.isin(hashes, want))
        if len(hit):
            i = start + int(hit[0])
            if salt:  # characters
                return norm[i : i + k]
            return " ".join(norm.split(" ")[i : i + k])
    return ""
