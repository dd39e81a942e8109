"""Shingle hashes and MinHash signatures of many documents in one pass of numpy calls (no Beam).

``curation.dedup.normalize.shingle_hashes`` and ``Signer.signature`` make about 40 small numpy
calls per document; on 2-4 KB pages their fixed cost, not the arithmetic, was most of
featurisation (docs/benchmarks.md, issue 24). Here a batch of documents' normalised texts is
joined with single spaces and hashed as one array, so each numpy call is paid once per batch:

- Token hashes are position-independent by construction (the polynomial over a token's code
  points is shifted back by P^-start), so a token hashed inside the joined text gets the same
  64-bit hash as inside its own document.
- N-grams are taken over the joined token array and those that cross a document boundary are
  dropped; a document with fewer than n tokens (one n-gram of all its tokens) is hashed alone.
- Per-document sort and unique run as one sort of (document index << 32 | hash).
- MinHash: the permutation matrix of the whole batch's shingles, reduced per document with
  ``np.minimum.reduceat``.

Every output is bit-identical to the per-document functions (tests/test_dedup_batch.py checks
real documents of ../shared/data and sample_data). Documents the batch path does not cover
(character-shingled scripts, texts longer than one slice) take the per-document functions.
"""

from __future__ import annotations

import functools
import unicodedata

import numpy as np

from curation.dedup.minhash import Signer, fmix32
from curation.dedup.normalize import (
    _SLICE_CHARS,
    _fold32,
    _ngram_hashes,
    _punct_mask,
    char_shingle_hashes,
    exact_key,
    ngram_sums,
    shingle_hashes,
    token_hashes_of,
    uses_char_shingles,
)
from curation.langs import NO_SPACE_LANGS

# Code points normalised and hashed per joined array: keeps its arrays (8 bytes per code point,
# a few of them) inside the CPU caches; larger joins were slower, not faster (docs/benchmarks.md).
JOIN_CHARS = 1 << 16
# Shingle hashes per permutation matrix (x 128 permutations x 4 bytes: 2 MB at 4,096).
SIGN_ROWS = 4_096
# Joins documents: a starter that composes with nothing under NFKC, is neither cased nor
# case-ignorable for lower()'s final-sigma rule, and is neither whitespace nor punctuation, so
# NFKC and lower() of the joined text are the joined NFKC and lower() of each document. A text
# that holds one takes the per-document path.
SEP = "\x00"
# The ranges of curation/dedup/normalize._NO_SPACE_RE (scripts shingled by character).
_NO_SPACE_RANGES = [(0x2E80, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F), (0x0E00, 0x0EFF), (0x1000, 0x109F),
                    (0x1780, 0x17FF), (0x0F00, 0x0FFF), (0xFF66, 0xFF9F)]

_EMPTY32 = np.empty(0, dtype=np.uint32)


# Code points whose lower() is not one code point looked up alone: U+0130 lowers to two, and
# U+03A3's lowercase depends on its neighbours (final sigma). A join holding either is lowered
# by str.lower(); every other text by one table lookup per code point.
_LOWER_CONTEXT = ("\u0130", "\u03a3")
# Planes 2 and above hold no cased, punctuation or whitespace code point: the tables stop here.
_TABLE_SIZE = 0x20000


@functools.cache
def _to_space() -> np.ndarray:
    """Code points that ``normalize`` turns into a space: punctuation, and what ``str.split``
    splits on."""
    mask = _punct_mask().copy()
    mask[[cp for cp in range(0x3001) if chr(cp).isspace()]] = True
    return mask


@functools.cache
def _lower_to_space() -> np.ndarray:
    """uint32 code point -> its lowercase, or 32 where that is punctuation or whitespace."""
    low = np.array([ord(chr(cp).lower()) if cp != 0x130 else cp for cp in range(_TABLE_SIZE)], dtype=np.uint32)
    low[_to_space()[low]] = 32
    return low


def _normalized_batch(texts: list[str]) -> tuple[np.ndarray, list[str]]:
    """Code points of the joined normalised texts (SEP between documents, whitespace runs
    collapsed, documents stripped) and each document's ``normalize(text)``."""
    t = unicodedata.normalize("NFKC", SEP.join(texts))
    if any(c in t for c in _LOWER_CONTEXT):
        t = t.lower()
        table = None
    else:
        table = _lower_to_space()
    cps = np.frombuffer(t.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if table is not None and (len(cps) == 0 or int(cps.max()) < _TABLE_SIZE):
        cps = table[cps]
    else:
        cps = cps.copy()
        if table is not None:  # outside the table: nothing to lower, punctuation, or space
            inside = cps < _TABLE_SIZE
            cps[inside] = table[cps[inside]]
        else:
            mask = _to_space()
            inside = cps < len(mask)
            hit = np.zeros(len(cps), dtype=bool)
            hit[inside] = mask[cps[inside]]
            cps[hit] = 32
    hit = cps == 32
    # A space survives as the first of a run with a word character on both sides.
    word = ~hit & (cps != 0)
    edge = np.diff(np.concatenate(([False], hit, [False])).astype(np.int8))
    run_start, run_end = np.flatnonzero(edge == 1), np.flatnonzero(edge == -1)
    inner = (run_start > 0) & (run_end < len(cps))
    inner[inner] = word[run_start[inner] - 1] & word[run_end[inner]]
    keep = ~hit
    keep[run_start[inner]] = True
    cps = cps[keep]
    return cps, cps.tobytes().decode("utf-32-le", "surrogatepass").split(SEP)


def _word_batch(cps: np.ndarray, ntok: np.ndarray, n: int) -> list[np.ndarray]:
    """Sorted unique uint32 word n-gram hashes of each document of the joined normalised code
    points, equal to ``word_shingle_hashes`` of each."""
    units = _token_hashes_cps(cps)
    first = np.concatenate(([0], np.cumsum(ntok)[:-1]))
    full = ntok >= n  # documents with at least one whole n-gram
    sizes = np.where(full, ntok - n + 1, np.minimum(ntok, 1))
    if full.any():
        acc = ngram_sums(units, n)  # runs across document boundaries are dropped below
        per = np.where(full, ntok - n + 1, 0)
        # Start positions of the n-grams that lie inside one document.
        start = np.repeat(first - (np.cumsum(per) - per), per) + np.arange(per.sum())
        folded = _fold32(acc[start])
    out, pos = [], 0
    for d in range(len(ntok)):
        if full[d]:
            g = folded[pos : pos + sizes[d]]
            pos += sizes[d]
        elif ntok[d]:  # fewer tokens than n: one gram of all of them
            g = _ngram_hashes(units[first[d] : first[d] + ntok[d]], n)
        else:
            out.append(_EMPTY32)
            continue
        g = np.sort(g)
        out.append(g[np.concatenate(([True], g[1:] != g[:-1]))])
    return out


def _token_hashes_cps(cps: np.ndarray) -> np.ndarray:
    """``_token_hashes`` over code points where SEP (0) separates like a space."""
    return token_hashes_of(np.where(cps == 0, np.uint32(32), cps))


def shingle_hashes_batch(texts: list[str], ngram: int, char_ngram: int, langs: list[str | None]) -> list[tuple[np.ndarray, bytes]]:
    """(sorted unique uint32 shingle hashes, exact key) of each text: ``shingle_hashes`` of each,
    computed together."""
    out: list = [None] * len(texts)
    group, held = [], 0
    for i, text in enumerate(texts):
        if SEP in text or len(text) > _SLICE_CHARS:
            sh, _, key = shingle_hashes(text, ngram, char_ngram, langs[i])
            out[i] = (sh, key)
            continue
        group.append(i)
        held += len(text) + 1
        if held >= JOIN_CHARS:
            _fill(out, group, texts, langs, ngram, char_ngram)
            group, held = [], 0
    if group:
        _fill(out, group, texts, langs, ngram, char_ngram)
    return out


def _char_doc(norm: str, lang: str | None, script_hit: bool) -> bool:
    if lang:
        return lang.split("-")[0].split("_")[0].lower() in NO_SPACE_LANGS
    return bool(script_hit) and uses_char_shingles(norm)


@functools.cache
def _no_space_mask() -> np.ndarray:
    """Code points ``normalize._NO_SPACE_RE`` matches; the last entry stands for every code point
    above the table (the regex's supplementary-plane range is tested exactly afterwards)."""
    mask = np.zeros(_TABLE_SIZE + 1, dtype=bool)
    for lo, hi in _NO_SPACE_RANGES:
        mask[lo : min(hi, _TABLE_SIZE - 1) + 1] = True
    mask[_TABLE_SIZE] = True
    return mask


def _fill(out: list, idx: list[int], texts: list[str], langs: list, n: int, char_n: int) -> None:
    cps, norms = _normalized_batch([texts[i] for i in idx])
    seps = np.flatnonzero(cps == 0)
    starts = np.concatenate(([0], seps + 1))
    ends = np.concatenate((seps, [len(cps)]))
    # Which documents hold a code point of a script written without spaces (a superset of the
    # sample uses_char_shingles scans): only those need its exact test.
    hits = np.zeros(len(idx), dtype=bool)
    nonempty = ends > starts
    if nonempty.any():  # a segment runs to the next non-empty document: only separators between
        mask = _no_space_mask()
        found = mask[np.minimum(cps, len(mask) - 1)]
        hits[nonempty] = np.logical_or.reduceat(found, starts[nonempty])
    char = [_char_doc(norms[k], langs[i], hits[k]) for k, i in enumerate(idx)]
    word = [k for k in range(len(idx)) if not char[k]]
    ntok = np.array([norms[k].count(" ") + 1 if norms[k] else 0 for k in word], dtype=np.int64)
    if word:
        wcps = cps if len(word) == len(idx) else np.concatenate(
            [np.append(cps[starts[k] : ends[k]], np.uint32(0)) for k in word])
        for k, sh in zip(word, _word_batch(wcps, ntok, n)):
            out[idx[k]] = (sh, exact_key(norms[k]))
    for k in range(len(idx)):
        if char[k]:
            out[idx[k]] = (char_shingle_hashes(norms[k], char_n), exact_key(norms[k]))


def signatures_batch(signer: Signer, shingle_sets: list[np.ndarray]) -> list[np.ndarray]:
    """``signer.signature`` of each shingle set, the permutations applied to up to SIGN_ROWS
    hashes of consecutive documents at a time."""
    out: list = [_EMPTY32] * len(shingle_sets)
    group: list[int] = []
    rows = 0
    for i, sh in enumerate(shingle_sets):
        if len(sh) == 0:
            continue
        if len(sh) > SIGN_ROWS:
            out[i] = signer.signature(sh)
            continue
        if rows + len(sh) > SIGN_ROWS and group:
            _sign(signer, shingle_sets, group, out)
            group, rows = [], 0
        group.append(i)
        rows += len(sh)
    if group:
        _sign(signer, shingle_sets, group, out)
    return out


def _sign(signer: Signer, shingle_sets: list[np.ndarray], group: list[int], out: list) -> None:
    sets = [shingle_sets[i] for i in group]
    sizes = np.array([len(x) for x in sets])
    # Permutations by rows, shingles by columns: each document's minimum is a reduction along
    # contiguous memory (reduceat over axis 0 of the other layout was slower than one call per
    # document).
    phv = signer.a[:, None] * fmix32(np.concatenate(sets).astype(np.uint32, copy=False))[None, :]
    phv += signer.b[:, None]
    mins = np.minimum.reduceat(phv, np.concatenate(([0], np.cumsum(sizes)[:-1])), axis=1)
    np.minimum(mins, signer.init[:, None], out=mins)
    for i, row in zip(group, np.ascontiguousarray(mins.T)):
        out[i] = row


def precompute(docs: list, d, signer: Signer | None) -> list:
    """(shingles, exact key, signature or None) of each document for ``Featurizer.__call__``
    (``d``: the DedupConfig). A batch the fast path cannot take whole (a text that is not a
    string, a metadata that is not a dict) gives None for every document: the per-document path
    then counts and logs the bad one exactly as before."""
    try:
        texts = [doc.text for doc in docs]
        langs = [lang if isinstance(lang := doc.metadata.get("lang"), str) else None for doc in docs]
        if not all(isinstance(t, str) for t in texts):
            return [None] * len(docs)
        feats = shingle_hashes_batch(texts, d.ngram, d.char_ngram, langs)
        sigs = signatures_batch(signer, [sh for sh, _ in feats]) if d.near else [None] * len(docs)
    except Exception:  # the per-document path reports the document's own error
        return [None] * len(docs)
    return [(sh, ekey, sig) for (sh, ekey), sig in zip(feats, sigs)]
