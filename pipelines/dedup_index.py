"""DIR/dedup-index/ on Beam: written beside every dedup output, read by a later ``--against``.

    kept documents' index rows --WriteParts--> dedup-index/part-NNNNN.parquet
                               --IndexManifest--> dedup-index/manifest.json (parts, sha256, params)
    --against DIR ... --ReadPriorIndex--> exact records and sketch payloads of always-winning
                                          nodes (curation/dedup/index.py), never any text

An earlier run costs this run one scan of its index's hash columns, never its text: a Bloom
filter of the new documents' keys (exact key prefix and band hashes, ``FILTER_BITS`` bits, built
while they are featurised) lets through only the earlier rows that share a key with some new
document, so what crosses the shuffles and verification grows with the new documents and their
matches, not with the earlier corpus (docs/dedup.md, "Saved index and incremental dedup").
A false positive of the filter only ships one more earlier row; it never changes a decision.
"""

from __future__ import annotations

import apache_beam as beam
import numpy as np
import pyarrow.parquet as pq

from curation import fs
from curation.config import PipelineConfig
from curation.dedup.features import KEYS, PAYLOAD, handle_of
from curation.dedup.index import (FOLDER, FORMAT, MANIFEST, check_compatible, index_params, index_schema, prior_loc, prior_node,
                                  read_manifest, row_size)
from pipelines.parts import WriteParts


def _id(row: dict) -> str:
    return row["id"]


class _WriteManifest(beam.DoFn):
    def __init__(self, folder: str, params: dict):
        self.folder, self.params = folder, params

    def process(self, _, parts):
        parts = sorted(parts, key=lambda p: p["path"])
        fs.write_json(f"{self.folder}/{MANIFEST}", {
            "format": FORMAT, "params": self.params, "documents": sum(p["rows"] for p in parts), "parts": parts})
        yield f"{self.folder}/{MANIFEST}"


def write_index_manifest(pbegin, out_dir: str, cfg: PipelineConfig, parts, label: str = "IndexManifest"):
    """The manifest of DIR/dedup-index/, written once every part is (``parts``: file infos with
    paths relative to DIR; listed relative to the index folder)."""
    folder = f"{out_dir.rstrip('/')}/{FOLDER}"
    rel = parts | f"{label}Rel" >> beam.Map(lambda p: {**p, "path": p["path"].removeprefix(f"{FOLDER}/")})
    return (pbegin | f"{label}Start" >> beam.Create([None])
            | label >> beam.ParDo(_WriteManifest(folder, index_params(cfg)), beam.pvalue.AsList(rel)))


class WriteIndex(beam.PTransform):
    """Index rows (a PCollection of dicts) -> DIR/dedup-index/ parts and manifest."""

    def __init__(self, out_dir: str, cfg: PipelineConfig, label: str | None = None):
        super().__init__(label)
        self.out_dir, self.cfg = out_dir, cfg

    def expand(self, rows):
        parts = rows | "WriteIndexParts" >> WriteParts(self.out_dir, FOLDER, kind="rows", key_fn=_id,
                                                      schema_fn=index_schema, size_fn=row_size)
        return write_index_manifest(rows.pipeline, self.out_dir, self.cfg, parts)


def prior_parts(against: tuple, cfg: PipelineConfig) -> list[tuple[int, str]]:
    """(run index, part path) of every --against folder, checked at graph construction (a
    missing or incompatible index is one UserError line naming the folder)."""
    out = []
    for run, folder in enumerate(against):
        m = read_manifest(folder)
        check_compatible(folder, m, cfg)
        out.extend((run, f"{str(folder).rstrip('/')}/{FOLDER}/{p['path']}") for p in m["parts"])
    return out


# 2^27 bits (16 MB, a side input of every worker reading the earlier index): with 4 probes,
# a false-positive rate of 0.1% at 100k new documents (22 keys each) and ~6% at 1M.
FILTER_BITS = 1 << 27
_PROBES = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93], dtype=np.uint64)


def _positions(keys: np.ndarray) -> np.ndarray:
    """Bit positions of uint64 keys (multiplicative hashing, the top 27 bits)."""
    with np.errstate(over="ignore"):
        return ((keys[:, None] * _PROBES[None, :]) >> np.uint64(64 - 27)).ravel()


def doc_keys(exact: bytes, bands: bytes) -> np.ndarray:
    """A document's filter keys: the first 8 bytes of its exact key and its band hashes."""
    head = np.frombuffer(exact[:8].ljust(8, b"\0"), dtype="<u8")
    return np.concatenate([head, np.frombuffer(bands, dtype="<u8")]) if bands else head


def _new_keys(kv) -> bytes:
    key, (_, _, _, bands) = kv
    return doc_keys(key, bands).tobytes()


class KeyBloom(beam.CombineFn):
    """New documents' keys -> the filter's bytes (None: no new document)."""

    def create_accumulator(self):
        return None

    def add_input(self, acc, keys: bytes):
        if acc is None:
            acc = np.zeros(FILTER_BITS // 8, dtype=np.uint8)
        pos = _positions(np.frombuffer(keys, dtype="<u8"))
        np.bitwise_or.at(acc, pos >> np.uint64(3), (np.uint8(1) << (pos & np.uint64(7)).astype(np.uint8)))
        return acc

    def merge_accumulators(self, accs):
        out = None
        for a in accs:
            if a is not None:
                out = a.copy() if out is None else np.bitwise_or(out, a, out=out)
        return out

    def extract_output(self, acc):
        return None if acc is None else acc.tobytes()


def may_match(bits: np.ndarray, keys: np.ndarray) -> bool:
    """True if some key of the row may be a new document's key (all its probes set)."""
    pos = _positions(keys)
    hit = (bits[pos >> np.uint64(3)] >> (pos & np.uint64(7)).astype(np.uint8)) & 1
    return bool(hit.reshape(len(keys), len(_PROBES)).all(axis=1).any())


class _PriorRecords(beam.DoFn):
    """One index part of an earlier run -> exact records (KEYS) and sketch payloads of the rows
    that may share a key with a new document."""

    def __init__(self, cfg: PipelineConfig):
        self.exact = cfg.dedup.exact
        self.near = cfg.dedup.near

    def process(self, item, bloom):
        run, path = item
        if bloom is None:  # no new document: nothing to match
            return
        bits = np.frombuffer(bloom, dtype=np.uint8)
        with fs.open_read(path) as f:
            pf = pq.ParquetFile(f)
            extra = [c for c in ("kept_id",) if c in pf.schema_arrow.names]  # an index written before it had none
            table = pf.read(columns=["id", "source", "exact", "bands", "sketch", *extra])
        for row in table.to_pylist():
            if not may_match(bits, doc_keys(row["exact"], row["bands"] if self.near else b"")):
                continue
            # A removed document (dedup.index_removed) stands for its survivor: one node, its own handle.
            node = prior_node(row.get("kept_id") or row["id"], run)
            handle = handle_of(row["id"], prior_loc(run), True)
            bands = row["bands"] if self.near else b""
            if self.near and bands:
                yield beam.pvalue.TaggedOutput(PAYLOAD, (handle, (node, row["source"], row["sketch"])))
            key = row["exact"] if self.exact else handle.to_bytes(8, "big") + b"p"
            yield (key, (node, row["source"], handle, bands))


class ReadPriorIndex(beam.PTransform):
    """--against folders -> {KEYS, PAYLOAD} as the Featurizer gives them for new documents."""

    def __init__(self, against: tuple, cfg: PipelineConfig, new_keys, label: str | None = None):
        super().__init__(label)
        self.parts = prior_parts(tuple(against), cfg)
        self.cfg = cfg
        self.new_keys = new_keys  # the new documents' exact records (Featurizer KEYS)

    def expand(self, pbegin):
        bloom = (self.new_keys | "NewKeys" >> beam.Map(_new_keys)
                 | "NewKeyFilter" >> beam.CombineGlobally(KeyBloom()))
        out = (pbegin | "PriorParts" >> beam.Create(self.parts) | "SpreadPriorParts" >> beam.Reshuffle()
               | "PriorRecords" >> beam.ParDo(_PriorRecords(self.cfg), beam.pvalue.AsSingleton(bloom)).with_outputs(
                   PAYLOAD, main=KEYS))
        return {KEYS: out[KEYS], PAYLOAD: out[PAYLOAD]}
