"""Mixing weights: how many times each document is written to the shards (docs/export.md).

A document of source ``s`` and language ``l`` has weight ``w = mix.weights[s] * mix.languages[l]``
(a missing key is 1.0). It is written ``floor(w)`` times, plus once more when
``u < w - floor(w)``, where ``u = id_hash64(f"mix/{seed}/{doc_id}") / 2**64`` is a fixed
uniform draw per document: repetition and sub-sampling of whole documents, chosen by hash, so
the same inputs give the same shards. Over many documents a source's token share moves by its
weight relative to the others.

The val split is never up-sampled: there ``w`` is capped at 1 (a weight below 1 still
sub-samples, so a source weighted 0 is gone from both splits). A repeated document would count
twice in the validation loss and, when its copies land in both splits, leak train into val;
every copy therefore stays in the split of the document's own id hash. Copy 0 keeps the
document's own hash (an unweighted build is byte-identical to one without ``mix``); copy ``k``
is placed at ``id_hash64(f"{doc_id}\\x00mix{k}")`` scaled into the split's hash range, so copies
spread over the split's shards instead of sitting next to each other.

Standard library only.
"""

from __future__ import annotations

import math

from curation.document import id_hash64

_RANGE = 2**64


def weight(source: str, lang: str, weights: dict[str, float], languages: dict[str, float]) -> float:
    return float(weights.get(source, 1.0)) * float(languages.get(lang or "", 1.0))


def copies(doc_id: str, w: float, split: str, seed: int = 0) -> int:
    """How many times the document is written: floor(w), plus one with probability frac(w)."""
    if split == "val":
        w = min(w, 1.0)
    whole = math.floor(w)
    u = id_hash64(f"mix/{seed}/{doc_id}") / _RANGE
    return whole + (1 if u < w - whole else 0)


def copy_hash(doc_id: str, h: int, k: int, lo: int, hi: int) -> int:
    """Placement hash of copy ``k`` inside the split's range [lo, hi); copy 0 is ``h`` itself."""
    if k == 0:
        return h
    return lo + (id_hash64(f"{doc_id}\x00mix{k}") * (hi - lo) >> 64)


def active(weights: dict[str, float], languages: dict[str, float]) -> bool:
    return any(float(v) != 1.0 for v in (*weights.values(), *languages.values()))
