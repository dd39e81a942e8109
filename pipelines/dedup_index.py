"""DIR/dedup-index/ on Beam: written beside every dedup output, read by a later ``--against``.

    kept documents' index rows --WriteParts--> dedup-index/part-NNNNN.parquet
                               --IndexManifest--> dedup-index/manifest.json (parts, sha256, params)
    --against DIR ... --ReadPriorIndex--> exact records and sketch payloads of always-winning
                                          nodes (curation/dedup/index.py), never any text

The rows travel no further than the join that decides each document: an earlier run costs this
run one read of its index (about 0.5 KB per document) and its share of the exact and LSH
shuffles, not a pass over its text (docs/dedup.md, "Incremental").
"""

from __future__ import annotations

import apache_beam as beam
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


class _PriorRecords(beam.DoFn):
    """One index part of an earlier run -> exact records (KEYS) and sketch payloads."""

    def __init__(self, cfg: PipelineConfig):
        self.exact = cfg.dedup.exact
        self.near = cfg.dedup.near

    def process(self, item):
        run, path = item
        with fs.open_read(path) as f:
            table = pq.read_table(f, columns=["id", "source", "exact", "bands", "sketch"])
        for row in table.to_pylist():
            node = prior_node(row["id"], run)
            handle = handle_of(row["id"], prior_loc(run), True)
            bands = row["bands"] if self.near else b""
            if self.near and bands:
                yield beam.pvalue.TaggedOutput(PAYLOAD, (handle, (node, row["source"], row["sketch"])))
            key = row["exact"] if self.exact else handle.to_bytes(8, "big") + b"p"
            yield (key, (node, row["source"], handle, bands))


class ReadPriorIndex(beam.PTransform):
    """--against folders -> {KEYS, PAYLOAD} as the Featurizer gives them for new documents."""

    def __init__(self, against: tuple, cfg: PipelineConfig, label: str | None = None):
        super().__init__(label)
        self.parts = prior_parts(tuple(against), cfg)
        self.cfg = cfg

    def expand(self, pbegin):
        out = (pbegin | "PriorParts" >> beam.Create(self.parts) | "SpreadPriorParts" >> beam.Reshuffle()
               | "PriorRecords" >> beam.ParDo(_PriorRecords(self.cfg)).with_outputs(PAYLOAD, main=KEYS))
        return {KEYS: out[KEYS], PAYLOAD: out[PAYLOAD]}
