"""The saved dedup index (DIR/dedup-index/, docs/format.md), without Beam.

One row per kept document: its id, source, exact key, LSH band hashes and a bottom-k sketch of
its shingle-hash set (the k smallest hashes). No text. A later ``--against DIR`` run reads only
this: exact keys meet the new documents' exact groups, band hashes their LSH buckets, and a
candidate pair is verified with ``sketch_jaccard`` (the new document's full set against the
earlier one's sketch).

Precision of the sketch (docs/dedup.md): a set of at most k-1 shingles is stored whole and the
Jaccard similarity is exact; a larger one gives the bottom-k estimate, unbiased with a standard
deviation of about sqrt(J(1-J)/k): 0.035 at J=0.8 with the default k=128.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa

from curation.config import PipelineConfig
from curation.dedup.keep import REFERENCE_RANK
from curation.dedup.minhash import lsh_params
from curation.errors import UserError

FOLDER = "dedup-index"
MANIFEST = "_manifest.json"  # leading underscore: Arrow readers of the folder skip it
# /2 added removed documents' rows (kept_id): a /1 reader would take them for kept ones, so the
# tag changed; this version reads both (a /1 index has no kept_id column: every row is kept).
FORMAT = "curate-dedup-index/2"
READS = ("curate-dedup-index/1", FORMAT)


def index_schema() -> pa.Schema:
    return pa.schema([
        ("id", pa.string()), ("source", pa.string()),
        ("exact", pa.binary()),  # 16-byte digest of the normalised text
        ("bands", pa.binary()),  # little-endian uint64 band hashes, one per band (empty: near dedup off or no shingles)
        ("sketch", pa.binary()),  # little-endian uint32, the k smallest shingle hashes, ascending
        ("url", pa.string()),  # normalised URL of a web document (URL dedup), else null
        ("crawl_date", pa.string()),
        ("kept_id", pa.string()),  # null: a kept document; else a removed one (dedup.index_removed) and its survivor
    ])


def row_size(row: dict) -> int:
    """Bytes of an index row (for the number of parts)."""
    return sum(len(v) for v in row.values() if isinstance(v, (str, bytes)))


def index_params(cfg: PipelineConfig) -> dict:
    """What band hashes, exact keys and sketches depend on: an index made with other values
    cannot be compared with this run's documents."""
    d = cfg.dedup
    bands, rows = lsh_params(d.threshold, d.num_perm, d.lsh_min_recall)
    return {"num_perm": d.num_perm, "bands": bands, "rows": rows, "seed": d.seed, "ngram": d.ngram,
            "char_ngram": d.char_ngram, "sketch": d.index_sketch}


def sketch_of(shingles: np.ndarray, k: int) -> bytes:
    """The k smallest of a sorted uint32 shingle-hash set."""
    return shingles[:k].astype("<u4").tobytes()


def sketch_jaccard(full: np.ndarray, sketch: np.ndarray, k: int) -> float:
    """Jaccard similarity of a full sorted set A and the bottom-k sketch S of a set B.

    |S| < k: S is B, exact. Else the k smallest of A u S are the k smallest of A u B; the share
    of them in both A and B (membership in B: in S, since they are among B's k smallest) is the
    bottom-k estimate."""
    if len(sketch) < k:
        inter = len(np.intersect1d(full, sketch, assume_unique=True))
        union = len(full) + len(sketch) - inter
        return inter / union if union else 0.0
    union_k = np.union1d(full[:k], sketch)[:k]
    both = np.isin(union_k, full, assume_unique=True) & np.isin(union_k, sketch, assume_unique=True)
    return float(both.sum()) / k


def prior_loc(run: int) -> int:
    """Location field of an earlier run's node: negative, so it never names a chunk."""
    return -1 - run


def prior_node(doc_id: str, run: int) -> tuple:
    """An earlier run's document as a node: it ranks like a reference (always the survivor,
    never removed) and is told apart from one by its negative location."""
    return (REFERENCE_RANK, 0, 0, doc_id, prior_loc(run), 0)


def is_prior(node) -> bool:
    return node[0] == REFERENCE_RANK and node[4] < 0


def prior_run(node) -> int:
    return -1 - node[4]


def read_manifest(folder: str | Path, flag: str = "--against") -> dict:
    """DIR -> its dedup index manifest; UserError naming the folder if it has none."""
    path = Path(folder) / FOLDER / MANIFEST
    if not path.is_file():
        raise UserError(f"{flag} {folder}: no dedup index there ({FOLDER}/{MANIFEST} missing); "
                        "re-run curate dedup or build-shards on it with this version to write one")
    try:
        m = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise UserError(f"{flag} {folder}: {FOLDER}/{MANIFEST} unreadable ({e}); re-run that output") from None
    if m.get("format") not in READS:
        raise UserError(f"{flag} {folder}: dedup index format {m.get('format')!r}, this version reads "
                        f"{' and '.join(map(repr, READS))}")
    return m


# Each earlier index is verified against with its own sketch size (``sketch_sizes``): another
# dedup.index_sketch than this run's is no reason to refuse it.
_PER_INDEX = frozenset({"sketch"})


def sketch_sizes(folders: tuple) -> tuple[int, ...]:
    """The bottom-k of each --against folder's index, in the folders' order."""
    return tuple(int(read_manifest(f)["params"]["sketch"]) for f in folders)


def check_compatible(folder: str | Path, manifest: dict, cfg: PipelineConfig, flag: str = "--against") -> None:
    ours, theirs = index_params(cfg), manifest.get("params", {})
    diff = [f"{k}={theirs.get(k)!r} (this run {v!r})" for k, v in ours.items() if theirs.get(k) != v and k not in _PER_INDEX]
    if diff:
        raise UserError(f"{flag} {folder}: its dedup index was made with other dedup settings: {', '.join(diff)}; "
                        "set them alike (dedup.* in the config) to compare")
    if not cfg.dedup.verify:
        raise UserError(f"{flag} needs dedup.verify=true (candidates are verified against the saved sketches)")
