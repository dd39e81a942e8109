"""`curate dedup` on files: documents never cross a shuffle.

The input files are cut into chunks (plain JSONL by byte range, Parquet by row groups,
compressed JSONL whole). Each chunk is read once to featurise its documents (only ids, keys,
band hashes and shingle payloads leave the worker), and once more after the decisions are known:
the decisions are grouped by chunk, and the worker that re-reads a chunk streams its kept rows
to ``documents/part-<chunk>`` and its removed rows' lineage to ``duplicates/part-<chunk>``.
So no runner buffer ever holds document text, and no worker more than one output row group.

Output order is the input order within a chunk, chunks numbered in (path, offset) order: the
same bytes on every runner and rerun.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq

from curation import fs
from curation.config import PipelineConfig
from curation.dedup.features import FAILED, IDS, INDEX, KEYS, PAYLOAD, STAGE, Featurizer, node_loc, node_rec
from curation.dedup.index import FOLDER, index_schema
from curation.dedup.keep import node_id
from curation.docio import PARQUET_SUFFIXES, iter_range, parquet_row_groups, splittable
from curation.document import duplicates_schema, parquet_schema
from curation.inputs import expand_input
from curation.malloc import trim
from pipelines.batched import BatchedCoGroupByKey, Tally
from pipelines.dedup import (DUPLICATES, RENAMES, Decisions, add_prior, as_outputs, featurize_reference, flatten,
                             indexed_removal, removed_index_row)
from pipelines.dedup_index import write_index_manifest
from pipelines.dedup_url import UrlDecisions, url_record
from pipelines.parts import bad_row, doc_row, file_info, jsonl_line
from pipelines.payload_store import ChunkPayloads, payload_dir, remove
from pipelines.transforms import COUNTS, REJECTED, CountingDoFn

# Rows per output row group, and the bytes of text a writer buffers before it writes one.
_ROW_GROUP_ROWS = 10_000
_ROW_GROUP_BYTES = 4 << 20


@dataclass(frozen=True, order=True)
class Chunk:
    path: str
    start: int  # byte offset (plain JSONL) or first row group (Parquet); 0 for a whole file
    end: int  # exclusive; -1: to the end of the file
    relpath: str = ""
    idx: int = 0


def file_chunks(path: str, relpath: str, chunk_bytes: int) -> list[Chunk]:
    """One file's chunks (indices assigned later, over all files)."""
    if not splittable(path):
        return [Chunk(path, 0, -1, relpath)]
    try:
        if path.lower().endswith(PARQUET_SUFFIXES):
            sizes = parquet_row_groups(path)
            out, lo, acc = [], 0, 0
            for i, s in enumerate(sizes):
                if acc and acc + s > chunk_bytes:
                    out.append(Chunk(path, lo, i, relpath))
                    lo, acc = i, 0
                acc += s
            out.append(Chunk(path, lo, -1, relpath))
            return out
        size = fs.size(path)
    except Exception:  # unreadable: one whole-file chunk, whose reader counts it
        return [Chunk(path, 0, -1, relpath)]
    if size <= chunk_bytes:
        return [Chunk(path, 0, -1, relpath)]
    cuts = list(range(0, size, chunk_bytes))
    return [Chunk(path, lo, hi if hi < size else -1, relpath) for lo, hi in zip(cuts, cuts[1:] + [size])]


def plan_chunks(files, chunk_bytes: int) -> list[Chunk]:
    """All input files -> chunks numbered in (path, offset) order."""
    chunks = sorted(c for f in files for c in file_chunks(f.path, f.relpath, chunk_bytes))
    return [Chunk(c.path, c.start, c.end, c.relpath, i) for i, c in enumerate(chunks)]


# Documents featurised per call of the batched hashing path: enough to pay numpy's per-call cost
# once for hundreds of documents, few enough that their arrays stay a few MB.
FEATURIZE_BATCH = 256


class _FeaturizeChunk(CountingDoFn):
    """A chunk's rows -> Featurizer outputs; counts stages read and extract like ReadDocuments."""

    def __init__(self, cfg: PipelineConfig, text_key: str, id_key: str, payload_folder: str | None):
        self.featurizer = Featurizer(cfg, False)
        self.text_key = text_key
        self.id_key = id_key
        self.payload_folder = payload_folder

    def _outputs(self, docs: list, rows: list[int], chunk: Chunk, store: ChunkPayloads | None):
        for tag, key, value in self.featurizer.batch(docs, [chunk.idx] * len(docs), rows):
            if tag == PAYLOAD and store is not None:
                node, source, payload = value
                value = (node, source, store.add(payload))
            yield tag, key, value

    def process(self, chunk: Chunk, url_removed=None):
        store = ChunkPayloads(self.payload_folder, chunk.idx) if self.payload_folder else None
        good: Counter = Counter()  # per source; counted once per chunk, not per document
        # A record's row within its chunk tells apart records sharing an id (_WriteChunk counts alike).
        batch: list = []
        rows: list[int] = []
        for row, (doc, reason) in enumerate(iter_range(chunk.path, chunk.start, chunk.end, self.text_key, self.id_key)):
            if doc is None:
                self.count("read", "docs", "in")
                self.count("read", "docs", "failed", f"read/{reason}")
                yield beam.pvalue.TaggedOutput(REJECTED, bad_row(chunk.relpath, reason))
                continue
            good[doc.source] += 1
            if url_removed and (doc.id, (chunk.idx, row)) in url_removed:
                continue  # an older capture of a URL: its lineage row goes straight to the writer
            batch.append(doc)
            rows.append(row)
            if len(batch) >= FEATURIZE_BATCH:
                yield from as_outputs(self._outputs(batch, rows, chunk, store))
                batch, rows = [], []
        yield from as_outputs(self._outputs(batch, rows, chunk, store))
        if store is not None:
            store.write()  # before the bundle commits: verification reads it after a shuffle
        for source, n in sorted(good.items()):
            for stage in ("read", "extract"):
                self.count(stage, source, "in", n=n)
                self.count(stage, source, "out", n=n)


def chunk_urls(chunk: Chunk, text_key: str, id_key: str):
    """A chunk's documents that carry a URL -> URL records, the record being (chunk, row)."""
    for row, (doc, _) in enumerate(iter_range(chunk.path, chunk.start, chunk.end, text_key, id_key)):
        if doc is not None:
            yield from url_record(doc, (chunk.idx, row))


class _RowWriter:
    """Streams rows to ``path`` (Parquet row groups or JSONL lines) under a temporary name."""

    def __init__(self, path: str, fmt: str, schema):
        self.path, self.fmt, self.schema = path, fmt, schema
        self._target = fs.atomic_writer(path)  # entered now, left (renamed into place) by close()
        self.f = self._target.__enter__()
        self.writer = None
        self.rows: list[dict] = []
        self.held = 0
        self.count = 0

    def add(self, row: dict, size: int = 0) -> None:
        self.rows.append(row)
        self.held += size
        self.count += 1
        if len(self.rows) >= _ROW_GROUP_ROWS or self.held >= _ROW_GROUP_BYTES:
            self._flush()

    def _flush(self) -> None:
        if not self.rows:
            return
        if self.fmt == "jsonl":
            for r in self.rows:
                self.f.write(jsonl_line(r))
        else:
            if self.writer is None:
                # Dictionary pages only where values repeat: trying one for the text column builds
                # a hash table of every row's text before Parquet gives up on it.
                dict_cols = [c for c in ("source", "kind") if c in self.schema.names]
                self.writer = pq.ParquetWriter(self.f, self.schema, compression="zstd", use_dictionary=dict_cols)
            self.writer.write_table(pa.Table.from_pylist(self.rows, schema=self.schema), row_group_size=len(self.rows))
        self.rows, self.held = [], 0

    def close(self, rel: str) -> dict:
        self._flush()
        if self.writer is not None:
            self.writer.close()
        self._target.__exit__(None, None, None)
        return file_info(self.path, rel, self.count)


class _WriteChunk(CountingDoFn):
    """(chunk index, {chunk, dup, failed}) -> re-read the chunk; kept rows to documents/, lineage
    rows to duplicates/ (sorted by id); counts dedup in = out + removed + failed per source."""

    def __init__(self, out_dir: str, fmt: str, text_key: str, id_key: str, index_removed: bool = True):
        self.index_removed = index_removed
        self.out = out_dir.rstrip("/")
        self.fmt = fmt
        self.text_key = text_key
        self.id_key = id_key

    def process(self, item):
        idx, grouped = item
        if not grouped["chunk"]:
            return
        chunk = grouped["chunk"][0]
        dups = dict(grouped["dup"])  # (id, row) -> lineage row
        failed = dict(grouped[FAILED])
        renames = dict(grouped[RENAMES])
        index = dict(grouped[INDEX])
        index_rows = []
        ext = "jsonl" if self.fmt == "jsonl" else "parquet"
        rel = f"documents/part-{idx:05d}.{ext}"
        docs = None
        tally: Counter = Counter()  # (source, kind, reason); counted once per chunk
        for pos, (doc, _) in enumerate(iter_range(chunk.path, chunk.start, chunk.end, self.text_key, self.id_key)):
            if doc is None:
                continue  # counted by the featurising read
            rec = (doc.id, pos)
            tally[(doc.source, "in", "")] += 1
            if rec in renames:
                doc.metadata["original_id"] = doc.id
                doc.id = renames[rec]
            if rec in failed:
                tally[(doc.source, "failed", failed[rec])] += 1
            elif rec in dups:
                tally[(doc.source, "removed", f"{STAGE}/{dups[rec]['kind']}")] += 1
                if self.index_removed and rec in index and indexed_removal(dups[rec]):
                    index_rows.append(removed_index_row(doc.id, index[rec], dups[rec]["kept_id"]))
            else:
                tally[(doc.source, "out", "")] += 1
                if docs is None:
                    docs = _RowWriter(f"{self.out}/{rel}", self.fmt, parquet_schema())
                doc.metadata.setdefault("source_file", chunk.relpath)
                row = doc_row(doc, "documents")
                if self.fmt == "jsonl":
                    row["metadata"] = json.loads(row["metadata"])
                docs.add(row, len(doc.text))
                if rec in index:
                    index_rows.append({"id": doc.id, **index[rec]})
        for (source, kind, reason), n in sorted(tally.items()):
            self.count(STAGE, source, kind, reason, n=n)
        if docs is not None:
            yield docs.close(rel)
        trim()  # the chunk's rows and row groups are freed: give the pages back
        if index_rows:
            irel = f"{FOLDER}/part-{idx:05d}.parquet"
            w = _RowWriter(f"{self.out}/{irel}", "parquet", index_schema())
            for r in index_rows:
                w.add(r)
            yield beam.pvalue.TaggedOutput(INDEX, w.close(irel))
        if dups:
            drel = f"duplicates/part-{idx:05d}.parquet"
            w = _RowWriter(f"{self.out}/{drel}", "parquet", duplicates_schema())
            for rec in sorted(dups):
                w.add(dups[rec])
            yield beam.pvalue.TaggedOutput(DUPLICATES, w.close(drel))


class DedupFiles(beam.PTransform):
    """Input files -> dedup written under ``out_dir`` (documents/, duplicates/). Returns
    {"documents": file infos, "duplicates": file infos, "rejected": unreadable rows, "counts"}."""

    def __init__(self, inputs: list, config: PipelineConfig, out_dir: str, fmt: str = "parquet",
                 text_key: str = "text", id_key: str = "id", reference=None, against: tuple = (),
                 label: str | None = None):
        super().__init__(label)
        self.against = tuple(against)
        self.inputs = [i for i in inputs if i.kind == "docs"]
        self.cfg = config
        self.out_dir = out_dir
        self.fmt = fmt
        self.text_key = text_key
        self.id_key = id_key
        self.reference = reference

    def expand(self, pbegin):
        chunk_bytes = self.cfg.dedup.chunk_bytes
        chunks = (
            pbegin
            | "Files" >> beam.Create(self.inputs)
            # Remote folders and globs are listed here, at run time.
            | "MatchFiles" >> beam.FlatMap(expand_input)
            | "AllFiles" >> beam.combiners.ToList()
            | "Chunks" >> beam.FlatMap(plan_chunks, chunk_bytes)
            | "SpreadChunks" >> beam.Reshuffle()
        )
        d = self.cfg.dedup
        folder = payload_dir(self.out_dir) if d.near and d.payloads == "files" else None
        side, dups = [], []
        tally = Tally(STAGE)
        if d.url.enabled:
            # One more read of the input, for the URLs alone: a capture removed by URL dedup must
            # not survive a content cluster in place of the newest (as in build-shards).
            url_rows = (chunks | "UrlKeys" >> beam.FlatMap(chunk_urls, self.text_key, self.id_key)
                        | "UrlDecisions" >> UrlDecisions(self.cfg, self.against, tally))
            side = [beam.pvalue.AsDict(url_rows)]
            dups = [url_rows | "UrlRowsByChunk" >> beam.Map(lambda kv: (kv[0][1][0], ((kv[0][0], kv[0][1][1]), kv[1])))]
        feats = chunks | "Featurize" >> beam.ParDo(_FeaturizeChunk(self.cfg, self.text_key, self.id_key, folder),
                                                   *side).with_outputs(PAYLOAD, FAILED, IDS, INDEX, REJECTED, COUNTS, main=KEYS)
        keys, payloads = [feats[KEYS]], [feats[PAYLOAD]]
        if self.reference is not None:
            featurize_reference(self.reference, self.cfg, keys, payloads)
        add_prior(pbegin.pipeline, self.against, self.cfg, keys, payloads)
        dec = ((flatten(keys, "FlattenKeys"), flatten(payloads, "FlattenPayloads"), feats[IDS])
               | "Decisions" >> Decisions(self.cfg, folder, prior_runs=self.against))
        written = (
            {
                "chunk": chunks | "ChunkByIndex" >> beam.Map(lambda c: (c.idx, c)),
                "dup": flatten([dec["rows"] | "RowsByChunk" >> beam.Map(lambda kv: (node_loc(kv[0]), _at(kv[0], kv[1]))), *dups],
                               "FlattenDups"),
                RENAMES: dec[RENAMES] | "RenamesByChunk" >> beam.Map(lambda kv: (node_loc(kv[0]), _at(kv[0], kv[1]))),
                FAILED: feats[FAILED] | "FailedByChunk" >> beam.MapTuple(lambda doc_id, v: (v[0], ((doc_id, v[1]), v[2]))),
                INDEX: feats[INDEX] | "IndexByChunk" >> beam.MapTuple(lambda doc_id, v: (v[0], ((doc_id, v[1]), v[2]))),
            }
            | "JoinChunks" >> BatchedCoGroupByKey(tally=tally)
            | "WriteChunks" >> beam.ParDo(_WriteChunk(self.out_dir, self.fmt, self.text_key, self.id_key,
                                                        d.index_removed)).with_outputs(
                DUPLICATES, INDEX, COUNTS, main="documents")
        )
        index = None
        if d.index:
            index = write_index_manifest(pbegin, self.out_dir, self.cfg, written[INDEX])
        counts = (feats[COUNTS], dec[COUNTS], written[COUNTS], *tally.counts) | "FlattenCounts" >> beam.Flatten()
        if folder is not None:
            # Every chunk is written, so verification is long over: the payload files can go.
            _ = (
                pbegin
                | "PayloadFolder" >> beam.Create([folder])
                | "RemovePayloads" >> beam.Map(_remove_after, beam.pvalue.AsList(written["documents"]),
                                               beam.pvalue.AsList(written[DUPLICATES]))
            )
        out = {"documents": written["documents"], DUPLICATES: written[DUPLICATES], REJECTED: feats[REJECTED], COUNTS: counts}
        if index is not None:
            out[INDEX] = index
        return out


def _at(node, value):
    """A decision keyed by its record within the chunk: (id, row) -> value."""
    return (node_id(node), node_rec(node)), value


def _remove_after(folder: str, documents, duplicates) -> None:
    """Runs once every chunk is written (its side inputs are the writers' outputs)."""
    remove(folder)
