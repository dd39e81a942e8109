"""Text normalisation and shingling for dedup (no Beam here).

Normalisation, in order: Unicode NFKC (full-width and compatibility forms fold to one code
point), lowercase, every punctuation character (Unicode category P*) to a space, runs of
whitespace to one space. Exact dedup hashes the normalised text; near dedup shingles it.

Shingles are hashed to 32-bit integers without building n-gram strings: each token (or code
point) gets a 64-bit hash, an n-gram's hash is a polynomial of its token hashes in wrapping
uint64 arithmetic (numpy, vectorised), folded to 32 bits. That keeps a 100 MB book at a few
numpy arrays instead of tens of millions of Python strings, and the same integers feed both
the MinHash (datasketch, identity hash function) and the Jaccard verification.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

import numpy as np

from curation.langs import NO_SPACE_LANGS

# Share of non-space characters in those scripts above which a document is shingled by character.
NO_SPACE_SCRIPT_SHARE = 0.3
# Documents are tokenised in slices of this many characters so a huge one never becomes one
# giant list of token strings.
_SLICE_CHARS = 1 << 20



@functools.cache
def _punct_table() -> dict[int, str]:
    """Every Unicode punctuation code point (category P*) to a space. Built on first use, not at
    import. Planes 2 and above hold no punctuation (ideographs, tags, private use), so the scan
    stops at U+1FFFF: 131k code points instead of 1.1M."""
    return {cp: " " for cp in range(0x20000) if unicodedata.category(chr(cp)).startswith("P")}


@functools.cache
def _punct_mask() -> np.ndarray:
    mask = np.zeros(0x20000, dtype=bool)
    mask[list(_punct_table())] = True
    return mask


# ASCII text (most of it) takes bytes.translate with a 256-byte table: ~20x faster than
# str.translate with a dict, which costs a lookup per character.
_ASCII_TABLE = bytes(
    ord(" ") if unicodedata.category(chr(i)).startswith("P") else i for i in range(256)
)[:128] + bytes(range(128, 256))


# Odd 64-bit multipliers for the n-gram polynomial (fixed: shingle hashes must be stable).
_MULTS = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
     0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x94D049BB133111EB, 0xBF58476D1CE4E5B9],
    dtype=np.uint64,
)
MAX_NGRAM = len(_MULTS) * 4


@functools.cache
def _mults(n: int) -> np.ndarray:
    if n > MAX_NGRAM:
        raise ValueError(f"n-gram size {n} above the supported {MAX_NGRAM}")
    base = np.tile(_MULTS, (n + len(_MULTS) - 1) // len(_MULTS))[:n]
    # Offset the repeats so no multiplier appears twice.
    return base + np.arange(n, dtype=np.uint64) * np.uint64(2)


def normalize(text: str) -> str:
    """NFKC, lowercase, punctuation to spaces, whitespace runs to one space, stripped."""
    if len(text) > _SLICE_CHARS:
        return _normalize_long(text)
    return _normalize_piece(text)


def _normalize_long(text: str) -> str:
    """``normalize`` of a long text slice by slice (whole, a 50 MB line took ~1 GB: NFKC, lower
    and code-point copies, then a list of every word). Each cut is just before a space, where
    nothing crosses: U+0020 composes with nothing before it under NFKC and stops reordering of
    combining marks; ``lower``'s final-sigma context stops at it; the punctuation mask is per
    character; and no word spans a space, so the slices' results joined by one space are the
    whole's."""
    out: list[str] = []
    pos, n = 0, len(text)
    while pos < n:
        end = pos + _SLICE_CHARS
        if end < n:
            cut = text.find(" ", end)
            end = n if cut < 0 else cut
        piece = _normalize_piece(text[pos:end])
        if piece:
            out.append(piece)
        pos = end
    return " ".join(out)


def _normalize_piece(text: str) -> str:
    if not text:
        return ""
    t = unicodedata.normalize("NFKC", text).lower()
    if t.isascii():
        t = t.encode("ascii").translate(_ASCII_TABLE).decode("ascii")
    else:
        # Vectorised: code points through a boolean punctuation mask (str.translate with a dict
        # costs a lookup per character, ~0.5 ms on a 3 KB page).
        cps = np.frombuffer(t.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).copy()
        mask = _punct_mask()
        inside = cps < len(mask)
        hit = np.zeros(len(cps), dtype=bool)
        hit[inside] = mask[cps[inside]]
        cps[hit] = 32
        t = cps.tobytes().decode("utf-32-le", "surrogatepass")
    return " ".join(t.split())


def exact_key(normalized: str) -> bytes:
    """128-bit digest of normalised text: the exact-dedup key."""
    return hashlib.blake2b(normalized.encode("utf-8", "surrogatepass"), digest_size=16).digest()


# Any character of the scripts written without spaces (CJK, kana, Thai, Lao, Myanmar, Khmer,
# Tibetan, half-width katakana): most non-ASCII text (accents, curly quotes) has none, and a regex
# scan in C rules it out without the per-character share below.
_NO_SPACE_RE = re.compile(
    "[\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u0f00-\u0fff\uff66-\uff9f]"
)


def uses_char_shingles(normalized: str, lang: str | None = None) -> bool:
    """Character shingles for zh/ja/th and friends: by the ``lang`` annotation when there is one,
    else by the share of such characters among the first 10,000 non-space characters."""
    if lang:
        return lang.split("-")[0].split("_")[0].lower() in NO_SPACE_LANGS
    sample = normalized[:20_000].replace(" ", "")[:10_000]
    if not sample or sample.isascii() or not _NO_SPACE_RE.search(sample):
        return False
    cps = np.frombuffer(sample.encode("utf-32-le"), dtype=np.uint32)
    share = np.count_nonzero(
        ((cps >= 0x2E80) & (cps <= 0x9FFF)) | ((cps >= 0xF900) & (cps <= 0xFAFF))
        | ((cps >= 0x20000) & (cps <= 0x2FA1F)) | ((cps >= 0x0E00) & (cps <= 0x0EFF))
        | ((cps >= 0x1000) & (cps <= 0x109F)) | ((cps >= 0x1780) & (cps <= 0x17FF))
        | ((cps >= 0x0F00) & (cps <= 0x0FFF)) | ((cps >= 0xFF66) & (cps <= 0xFF9F))
    ) / len(cps)
    return share >= NO_SPACE_SCRIPT_SHARE


def _fold32(h: np.ndarray) -> np.ndarray:
    """Avalanche a uint64 array (murmur3 finaliser) and keep the high 32 bits."""
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    h = h ^ (h >> np.uint64(33))
    return (h >> np.uint64(32)).astype(np.uint32)


def _ngram_hashes(units: np.ndarray, n: int) -> np.ndarray:
    """uint64 unit hashes -> uint32 hashes of every n-gram (one gram of all units if fewer)."""
    if len(units) == 0:
        return np.empty(0, dtype=np.uint32)
    return _fold32(ngram_sums(units, min(n, len(units))))


def ngram_sums(units: np.ndarray, k: int) -> np.ndarray:
    """uint64 polynomial sums of every run of ``k`` unit hashes (mod 2**64), before folding."""
    m = _mults(k)
    count = len(units) - k + 1
    acc = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            acc += units[j : j + count] * m[j]
        acc += np.uint64(k)  # a 3-unit document never collides with a 5-gram by construction
    return acc


_P = np.uint64(0x100000001B3)  # odd, so invertible modulo 2**64
_P_INV = np.uint64(pow(0x100000001B3, -1, 1 << 64))


_POW_CACHE: list[np.ndarray] = []


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """P^k and P^-k (mod 2**64) for k < n, computed once per process and grown on demand."""
    if not _POW_CACHE or len(_POW_CACHE[0]) < n:
        size = max(n, 4096)
        with np.errstate(over="ignore"):
            pw = np.concatenate(([np.uint64(1)], np.cumprod(np.full(size - 1, _P, dtype=np.uint64))))
            ipw = np.concatenate(([np.uint64(1)], np.cumprod(np.full(size - 1, _P_INV, dtype=np.uint64))))
        _POW_CACHE[:] = [pw, ipw]
    return _POW_CACHE[0][:n], _POW_CACHE[1][:n]


def _token_hashes(chunk: str) -> np.ndarray:
    """uint64 hash of every space-separated token of ``chunk``, vectorised: a polynomial hash
    over code points from prefix sums, H[end] - H[start] shifted back by P^-start (P is odd, so
    its inverse modulo 2**64 exists), then mixed with the token length. No per-token Python."""
    return token_hashes_of(np.frombuffer(chunk.encode("utf-32-le", "surrogatepass"), dtype=np.uint32))


def token_hashes_of(cps: np.ndarray) -> np.ndarray:
    """``_token_hashes`` of the text whose uint32 code points are ``cps`` (tokens: runs of code
    points other than 32)."""
    cps = cps.astype(np.uint64)
    if len(cps) == 0:
        return np.empty(0, dtype=np.uint64)
    space = cps == 32
    edge = np.diff(np.concatenate(([True], space, [True])).astype(np.int8))
    starts = np.flatnonzero(edge == -1)
    ends = np.flatnonzero(edge == 1)
    if len(starts) == 0:
        return np.empty(0, dtype=np.uint64)
    n = len(cps)
    pw, ipw = _powers(n)
    with np.errstate(over="ignore"):
        h = np.concatenate(([np.uint64(0)], np.cumsum((cps + np.uint64(1)) * pw, dtype=np.uint64)))
        tok = (h[ends] - h[starts]) * ipw[starts]
        tok ^= (ends - starts).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        tok ^= tok >> np.uint64(29)
        tok *= np.uint64(0xBF58476D1CE4E5B9)
        tok ^= tok >> np.uint64(32)
    return tok


def word_shingle_hashes(normalized: str, n: int) -> np.ndarray:
    """Sorted unique uint32 hashes of the word n-grams of normalised text."""
    if not normalized:
        return np.empty(0, dtype=np.uint32)
    parts = []
    tail = np.empty(0, dtype=np.uint64)
    pos = 0
    while pos < len(normalized):
        end = min(pos + _SLICE_CHARS, len(normalized))
        if end < len(normalized):
            cut = normalized.rfind(" ", pos, end)
            end = cut + 1 if cut > pos else end
        units = np.concatenate([tail, _token_hashes(normalized[pos:end])])
        pos = end
        if pos < len(normalized) and len(units) < n:
            tail = units
            continue
        parts.append(np.unique(_ngram_hashes(units, n)))
        tail = units[-(n - 1):] if n > 1 and len(units) >= n else np.empty(0, dtype=np.uint64)
    if len(parts) == 1:
        return parts[0]
    return np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.uint32)


def char_shingle_hashes(normalized: str, n: int) -> np.ndarray:
    """Sorted unique uint32 hashes of the character n-grams, spaces removed."""
    s = normalized.replace(" ", "")
    if not s:
        return np.empty(0, dtype=np.uint32)
    parts = []
    for pos in range(0, len(s), _SLICE_CHARS):
        # Overlap slices by n-1 characters so no n-gram is lost at a boundary.
        chunk = s[max(0, pos - (n - 1)) : pos + _SLICE_CHARS]
        cps = np.frombuffer(chunk.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
        with np.errstate(over="ignore"):
            units = (cps + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)
        parts.append(np.unique(_ngram_hashes(units, n)))
    return parts[0] if len(parts) == 1 else np.unique(np.concatenate(parts))


def shingle_hashes(text: str, ngram: int, char_ngram: int, lang: str | None = None) -> tuple[np.ndarray, str, bytes]:
    """(sorted unique uint32 shingle hashes, "word" | "char", exact key) for one document."""
    norm = normalize(text)
    if uses_char_shingles(norm, lang):
        return char_shingle_hashes(norm, char_ngram), "char", exact_key(norm)
    return word_shingle_hashes(norm, ngram), "word", exact_key(norm)


def jaccard_sorted(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two sorted unique arrays (0.0 when both are empty)."""
    if len(a) == 0 and len(b) == 0:
        return 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)
