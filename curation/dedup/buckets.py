"""LSH buckets to candidate pairs, without Beam: one partition's packed band records
(curation/dedup/features.REC) in, distinct (smaller, larger) handle pairs out."""

from __future__ import annotations

import functools
import itertools
from collections import defaultdict

import numpy as np

from curation.dedup.features import REF_CODE

# A bucket group this small is verified pair by pair; a larger one as a star from its smallest
# handle. All pairs find an edge a star misses when two members are each close to a third but
# not to each other and the star's centre is one of them (recall 0.995 -> 0.996 on the bench);
# a star keeps a 10,000-copy bucket at 9,999 pairs instead of 50 million.
ALL_PAIRS_MAX = 8


@functools.cache
def _combos(m: int) -> np.ndarray:
    return np.array(list(itertools.combinations(range(m), 2)), dtype=np.int64)


def _group_pairs(n: np.ndarray, g_start: np.ndarray) -> list[np.ndarray]:
    """Sorted handles ``n`` cut into groups at ``g_start`` -> (smaller, larger) pairs: all pairs
    in groups of up to ALL_PAIRS_MAX members, a star from the smallest in larger ones."""
    starts = np.flatnonzero(g_start)
    sizes = np.diff(np.r_[starts, len(n)])
    out = []
    for m in range(2, ALL_PAIRS_MAX + 1):
        s = starts[sizes == m]
        if len(s):
            idx = (s[:, None, None] + _combos(m)[None, :, :]).reshape(-1, 2)
            out.append(np.stack([n[idx[:, 0]], n[idx[:, 1]]], axis=1))
    big = sizes > ALL_PAIRS_MAX
    if big.any():
        gid = np.repeat(np.arange(len(starts)), sizes)
        rows = np.flatnonzero(big[gid] & ~g_start)
        out.append(np.stack([n[starts[gid[rows]]], n[rows]], axis=1))
    return out


def bucket_pairs(a: np.ndarray) -> np.ndarray:
    """Packed band records of one partition -> distinct (smaller, larger) handle pairs, (k, 2).

    A bucket is one band hash; within it each source is its own group (reference records join
    every group). Small groups give all their pairs, large ones a star (ALL_PAIRS_MAX);
    components needs connectivity only. Singleton buckets (most of them) and reference-only
    groups give nothing."""
    empty = np.empty((0, 2), dtype=np.uint64)
    if len(a) < 2:
        return empty
    a = a[np.lexsort((a["n"], a["s"], a["h"]))]
    h = a["h"]
    same = h[1:] == h[:-1]
    multi = np.zeros(len(a), dtype=bool)
    multi[1:] |= same
    multi[:-1] |= same
    a = a[multi]
    if len(a) == 0:
        return empty
    h, s, n = a["h"], a["s"], a["n"]
    run_start = np.r_[True, h[1:] != h[:-1]]
    run_id = np.cumsum(run_start) - 1
    ref_run = np.zeros(run_id[-1] + 1, dtype=bool)
    ref_run[run_id[s == REF_CODE]] = True
    slow = ref_run[run_id]
    out = []
    # Buckets without references, vectorised: groups of equal (band hash, source code).
    hb, sb, nb = h[~slow], s[~slow], n[~slow]
    if len(hb):
        out += _group_pairs(nb, np.r_[True, (hb[1:] != hb[:-1]) | (sb[1:] != sb[:-1])])
    # Buckets with a reference member (rare): every source group gets the references.
    if slow.any():
        hs, ss, ns = h[slow], s[slow], n[slow]
        cuts = np.flatnonzero(hs[1:] != hs[:-1]) + 1
        for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(hs)]):
            refs = {x for x, c in zip(ns[lo:hi].tolist(), ss[lo:hi].tolist()) if c == REF_CODE}
            groups = defaultdict(set)
            for x, c in zip(ns[lo:hi].tolist(), ss[lo:hi].tolist()):
                if c != REF_CODE:
                    groups[c].add(x)
            for members in groups.values():
                grp = np.array(sorted(members | refs), dtype=np.uint64)
                if len(grp) > 1:
                    out += _group_pairs(grp, np.r_[True, np.zeros(len(grp) - 1, dtype=bool)])
    out = [p for p in out if len(p)]
    if not out:
        return empty
    allp = np.concatenate(out)
    allp = allp[allp[:, 0] != allp[:, 1]]
    return np.unique(allp, axis=0) if len(allp) else empty
