"""MinHash signatures and LSH banding (datasketch, batched path; no Beam here).

Bands and rows come from datasketch's optimal-parameter routine (``_optimal_param``, the one
``MinHashLSH`` uses). Its equal-weight optimum at threshold t puts the S-curve's midpoint at t,
so a pair at exactly t collides only about half the time. We want recall *at and above* t
(the threshold is a true Jaccard and every candidate is verified against it), so we ask the
routine for the optimum at a lower threshold t' and lower t' in 0.01 steps until a pair at t
collides with probability >= ``min_recall`` (docs/dedup.md has the table). At t=0.8 and 128
permutations this gives 21 bands x 6 rows: P(collide | J=0.8) = 0.998, J=0.5: 0.28.
"""

from __future__ import annotations

import functools
import operator

import numpy as np
import xxhash

# Shingle hashes arrive already hashed (curation/dedup/normalize.py): 32-bit, then datasketch's
# affine32 scheme pre-mixes them (murmur3 finaliser) before its permutations.
_SCHEME = "affine32"
# LSH band records cross the shuffle as packed arrays keyed by band hash mod LSH_PARTITIONS
# (pipelines/dedup.py): one partition holds ~documents x bands / LSH_PARTITIONS records.
LSH_PARTITIONS = 1024
# Hashes per update_batch call: bounds the (n x num_perm) permutation matrix to ~16 MB.
_BATCH = 16_384


# Shingles are already integers: the "hash function" datasketch calls once per item is the
# identity. A C builtin (operator.index returns an int unchanged) costs ~25% less per document
# than a Python function in update_batch's per-item loop (measured in docs/bench-dedup.md).
_identity = operator.index


def collision_probability(j: float, bands: int, rows: int) -> float:
    """Probability that two sets of Jaccard ``j`` share at least one band."""
    return 1.0 - (1.0 - j**rows) ** bands


# lsh_params of the default dedup settings, so a run with them neither imports datasketch (and
# SciPy) nor integrates: tests/test_dedup_batch.py holds every entry equal to the computation.
KNOWN_LSH_PARAMS = {(0.8, 128, 0.99): (21, 6)}


@functools.cache
def lsh_params(threshold: float, num_perm: int, min_recall: float = 0.99) -> tuple[int, int]:
    """(bands, rows) with b*r <= num_perm such that a pair at ``threshold`` collides with
    probability >= min_recall: the highest t' (0.01 steps) whose datasketch optimum gets there.
    Lowering t' shifts the S-curve left, so the recall at ``threshold`` grows as t' falls: a
    bisection needs ~7 calls of the routine (each ~0.1 s at 128 permutations) instead of ~25."""

    if (threshold, num_perm, min_recall) in KNOWN_LSH_PARAMS:
        return KNOWN_LSH_PARAMS[(threshold, num_perm, min_recall)]
    from datasketch.lsh import _optimal_param

    def at(step: int) -> tuple[float, int, int]:
        b, r = _optimal_param(step / 100, num_perm, 0.5, 0.5)
        return collision_probability(threshold, b, r), b, r

    lo, hi = 1, int(round(threshold * 100))  # recall(lo) is highest; find the largest good step
    p_hi, b, r = at(hi)
    if p_hi >= min_recall:
        return b, r
    p_lo, b_lo, r_lo = at(lo)
    if p_lo < min_recall:
        return b_lo, r_lo
    best = (b_lo, r_lo)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        p, b, r = at(mid)
        if p >= min_recall:
            lo, best = mid, (b, r)
        else:
            hi = mid
    return best


def fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser on a uint32 array: datasketch's affine32 pre-mix (tested
    equal to ``datasketch.minhash._fmix(h, 32)``)."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


class Signer:
    """MinHash signatures with datasketch's permutations for (num_perm, seed), affine32 scheme.

    The permutations are drawn by datasketch when the Signer is made (on the machine that builds
    the pipeline) and travel with it, so a Beam worker never imports datasketch and its SciPy
    dependency (about 40 MB per worker process)."""

    def __init__(self, num_perm: int, seed: int):
        self.num_perm = num_perm
        self.seed = seed
        # datasketch 2.0's affine32 ``_init_permutations`` and initial hash values, drawn here
        # so building a pipeline does not import datasketch and SciPy (~0.6 s of CPU; tests hold
        # them equal to datasketch's own).
        gen = np.random.RandomState(seed)
        self.a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        self.b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
        self.init = np.full(num_perm, 0xFFFFFFFF, dtype=np.uint32)

    def _tmpl(self):
        from datasketch import MinHash

        return MinHash(num_perm=self.num_perm, seed=self.seed, hashfunc=_identity, scheme=_SCHEME)

    def signature(self, shingles: np.ndarray) -> np.ndarray:
        """uint32 array of num_perm min-hashes; empty shingles give an empty array (no signature:
        an empty set matches nothing).

        This is datasketch's affine32 ``update_batch`` arithmetic (its permutations, the murmur3
        pre-mix, uint32 wrap-around) applied to the uint32 array as it is: ``update_batch``
        first calls the hash function once per item in Python and rebuilds the array from a
        list, 60% of its time on 2 KB documents. tests/test_dedup_math.py checks the result is
        bit-identical to ``update_batch`` on real documents."""
        if len(shingles) == 0:
            return np.empty(0, dtype=np.uint32)
        out = self.init.copy()
        sh = np.ascontiguousarray(shingles, dtype=np.uint32)
        for i in range(0, len(sh), _BATCH):
            phv = fmix32(sh[i : i + _BATCH])[:, None] * self.a
            phv += self.b
            np.minimum(out, phv.min(axis=0), out=out)
        return out

    def signature_datasketch(self, shingles: np.ndarray) -> np.ndarray:
        """The same signature through ``MinHash.update_batch`` (the reference the tests hold
        ``signature`` to)."""
        if len(shingles) == 0:
            return np.empty(0, dtype=np.uint32)
        m = self._tmpl()
        for i in range(0, len(shingles), _BATCH):
            m.update_batch(shingles[i : i + _BATCH].tolist())
        return np.asarray(m.hashvalues, dtype=np.uint32)

    def signatures(self, shingle_sets: list[np.ndarray]) -> list[np.ndarray]:
        """Batched: ``MinHash.bulk`` over many documents (used by the benchmark and tests)."""
        from datasketch import MinHash

        kw = dict(num_perm=self.num_perm, seed=self.seed, hashfunc=_identity, scheme=_SCHEME)
        out = []
        for sh, m in zip(shingle_sets, MinHash.bulk([s.tolist() for s in shingle_sets], **kw)):
            out.append(np.asarray(m.hashvalues, dtype=np.uint32) if len(sh) else np.empty(0, dtype=np.uint32))
        return out


def band_hashes(signature: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One 64-bit hash per band: xxh3 of the band's rows seeded with the band's index, so equal
    rows in different bands never share a bucket. Empty signature: no bands."""
    if len(signature) == 0:
        return np.empty(0, dtype=np.uint64)
    sig = np.ascontiguousarray(signature[: bands * rows], dtype=np.uint32).tobytes()
    step = rows * 4
    return np.array([xxhash.xxh3_64_intdigest(sig[i * step : (i + 1) * step], seed=i) for i in range(bands)], dtype=np.uint64)


def estimated_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Share of equal min-hashes: the MinHash estimate of Jaccard (0.0 if either is empty)."""
    if len(a) == 0 or len(b) == 0 or len(a) != len(b):
        return 0.0
    return float(np.count_nonzero(a == b)) / len(a)
