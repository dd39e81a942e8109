"""Beam transforms for documents a user already has (--docs / --input) and for writing
document-schema Parquet/JSONL parts (documents/, rejected/) and row tables (duplicates/).

Part names and order come from our writer: part index = hash(id) mod parts, rows sorted by
hash(id) inside a part, so every runner writes byte-identical files.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import json
import math
import tempfile
import uuid
from typing import Any, Callable

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq

from curation import fs
from curation.docio import BadRow, iter_documents
from curation.document import Document, id_hash64, parquet_schema, parquet_write_options, rejected_schema
from curation.inputs import expand_input
from curation.paragraphs import unwrap_document
from pipelines.reject_spool import (KEY, SPOOL_ROW_GROUP, SpooledRejects, SpoolingDoFn, document_size, reject_row,
                                    spool_batches)
from pipelines.reject_spool import spool_schema as reject_spool_schema
from pipelines.transforms import COUNTS, DOCS, REJECTED, mark_rejected


def bad_row(relpath: str, reason: str) -> Document:
    """The rejected record for an unreadable row of a --docs/--input file (read/<reason>): its id
    and metadata say where the row is (line and byte offset, or Parquet row group and row), so two
    bad rows of one file never share an id (curation/docio.BadRow)."""
    where = getattr(reason, "where", {})
    locator = reason.locator() if isinstance(reason, BadRow) else "bad"
    doc = Document(f"{relpath}#{locator}", "", "docs", {"source_file": relpath, **where})
    return mark_rejected(doc, "read", str(reason), f"read/{reason}")


class _ReadDocsFileDoFn(SpoolingDoFn):
    def __init__(self, text_key: str, id_key: str, spool: str | None = None):
        self.text_key = text_key
        self.id_key = id_key
        self.spool = spool  # where unreadable rows past the first thousand of a bundle wait (reject_spool)

    def process(self, inp):
        for doc, reason in iter_documents(inp.path, self.text_key, self.id_key):
            self.count("read", "docs", "in")
            if doc is None:
                kind = f"read/{reason}"
                self.count("read", "docs", "failed", kind)
                yield from self.reject(bad_row(inp.relpath, reason))
                continue
            doc.metadata.setdefault("source_file", inp.relpath)
            fixed = doc.metadata.get("repaired_lone_surrogates")
            if isinstance(fixed, int) and fixed > 0:  # text altered at read: counted and shown (docio._repair)
                self.count("read", doc.source, "metric", "repaired/lone_surrogates", fixed)
            if doc.source != "docs":
                # A user's own source label: count the record under it so per-source sums hold.
                self.count("read", "docs", "in", n=-1)
                self.count("read", doc.source, "in")
            self.count("read", doc.source, "out")
            # Documents need no extraction; the extract stage passes them through, counted.
            self.count("extract", doc.source, "in")
            # Hard-wrapped paragraphs to one line each, before line rules; not text curate extracted
            # itself (web pages keep the lines their HTML gave, as in build-shards).
            doc, joined = (doc, 0) if "extracted_by" in doc.metadata else unwrap_document(doc)
            if joined:
                self.count("extract", doc.source, "metric", "lines_joined", joined)
            self.count("extract", doc.source, "out")
            yield doc


class ReadDocuments(beam.PTransform):
    """Read JSONL[.gz|.zst] / Parquet document files; counts stages read and extract."""

    def __init__(self, inputs: list, text_key: str = "text", id_key: str = "id", label: str | None = None,
                 spool: str | None = None):
        super().__init__(label)
        self.inputs = [i for i in inputs if i.kind == "docs"]
        self.text_key = text_key
        self.id_key = id_key
        self.spool = spool

    def expand(self, pbegin):
        res = (
            pbegin
            | "Files" >> beam.Create(self.inputs)
            # Remote folders and globs are listed here, at run time, so their files fan out.
            | "MatchFiles" >> beam.FlatMap(expand_input)
            | "SpreadFiles" >> beam.Reshuffle()
            | "ReadRows" >> beam.ParDo(_ReadDocsFileDoFn(self.text_key, self.id_key, self.spool)).with_outputs(REJECTED, COUNTS, main=DOCS)
        )
        docs = res[DOCS] | "SpreadDocs" >> beam.Reshuffle()
        return {DOCS: docs, REJECTED: res[REJECTED], COUNTS: res[COUNTS]}


# ---------------------------------------------------------------- writing parts
ROW_GROUP = 10_000  # rows per Parquet row group of a part


def _write_parquet_rows(path: str, rows: list[dict], schema) -> None:
    table = pa.Table.from_pylist(rows, schema=schema)
    with fs.atomic_writer(path) as f:
        pq.write_table(table, f, row_group_size=max(1, min(len(rows), ROW_GROUP)), **parquet_write_options(schema))


def jsonl_line(row: dict) -> bytes:
    return (json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def _write_jsonl_rows(path: str, rows: list[dict]) -> None:
    with fs.atomic_writer(path) as f:
        for r in rows:
            f.write(jsonl_line(r))


def file_info(path: str, rel: str, rows: int) -> dict:
    """What a written part reports (stats wait on it; inspect checks it): its size and sha256."""
    digest, size = fs.sha256_of(path)
    return {"path": rel, "rows": rows, "bytes": size, "sha256": digest}


def doc_row(doc: Document, kind: str) -> dict:
    return reject_row(doc) if kind == "rejected" else doc.to_row()


def _ties_in_order(keyed: list) -> list[dict]:
    """Rows sorted by key -> rows, those sharing a key (records with one id: the same record read
    twice, a reject and its copy) in the order of their content, so every run writes one order."""
    out, i = [], 0
    while i < len(keyed):
        j = i + 1
        while j < len(keyed) and keyed[j][0] == keyed[i][0]:
            j += 1
        run = [r for _, r in keyed[i:j]]
        if len(run) > 1:
            run.sort(key=_tie_key)
        out.extend(run)
        i = j
    return out


def _tie_key(row: dict) -> str:
    return json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)


FAN_IN = 64  # spool files merged at once (one row group of each is held); more go through merged files


def _merge_to_file(refs: list, part: int, n_parts: int, folder: str) -> SpooledRejects:
    """One sorted file (with ``_key``) of ``refs``' rows that fall in ``part``: a pass of the
    external merge when a part has more than FAN_IN spool files."""
    path = f"{folder}/{uuid.uuid4().hex}.parquet"
    rows = 0
    schema = reject_spool_schema()
    with pq.ParquetWriter(path, schema, **parquet_write_options(schema)) as writer:
        merged = _merged_rows([spool_batches(r, part, n_parts) for r in refs])
        for chunk in _chunks(merged, SPOOL_ROW_GROUP, keep_key=True):
            writer.write_table(chunk, row_group_size=SPOOL_ROW_GROUP)
            rows += chunk.num_rows
    return SpooledRejects(path, rows, 0)


def _part_runs(elems, part: int, n_parts: int, scratch: Callable[[], str]) -> list:
    """This part's rows as sorted runs of Arrow tables: its Documents (sorted here) and, for each
    spool file (sorted when written), the rows whose key falls in this part, a batch at a time.
    Past FAN_IN files, groups of them are first merged into files of their own in ``scratch()``
    (a local folder), so the final merge never holds more than FAN_IN row groups."""
    docs = sorted(((k, e) for k, e in elems if not isinstance(e, SpooledRejects)), key=lambda kv: kv[0])
    refs = sorted({e for _, e in elems if isinstance(e, SpooledRejects)}, key=lambda r: r.path)
    while len(refs) > FAN_IN:
        folder = scratch()
        refs = [_merge_to_file(refs[i:i + FAN_IN], part, n_parts, folder) for i in range(0, len(refs), FAN_IN)]
        part, n_parts = 0, 1  # the merged files hold this part's rows only
    runs = []
    if docs:
        rows = [dict(doc_row(d, "rejected"), **{KEY: k[0]}) for k, d in docs]
        runs.append([pa.Table.from_pylist(rows, schema=reject_spool_schema())])
    runs.extend(spool_batches(ref, part, n_parts) for ref in refs)
    return runs


def _merged_rows(runs):
    """(table, row) of every run's rows in (key, id) order, rows sharing both by their content
    (as ``_ties_in_order``): a k-way merge that holds one batch per run."""
    def rows(i, run):
        for t in run:
            for r, (k, d) in enumerate(zip(t.column(KEY).to_pylist(), t.column("id").to_pylist())):
                yield k, d, i, r, t

    for _, group in itertools.groupby(heapq.merge(*(rows(i, run) for i, run in enumerate(runs))), key=lambda x: x[:2]):
        group = [(t, r) for *_, r, t in group]
        if len(group) > 1:
            group.sort(key=lambda tr: _tie_key(tr[0].slice(tr[1], 1).drop_columns([KEY]).to_pylist()[0]))
        yield from group


def _chunks(rows, size: int, keep_key: bool = False):
    """Tables of ``size`` rows (the last one shorter) from (table, row) pairs."""
    rows = iter(rows)
    while piece := list(itertools.islice(rows, size)):
        tables, index, offsets, total = [], [], {}, 0
        for t, r in piece:
            if id(t) not in offsets:
                offsets[id(t)], total = total, total + t.num_rows
                tables.append(t)
            index.append(offsets[id(t)] + r)
        chunk = pa.concat_tables(tables).take(pa.array(index))
        yield (chunk if keep_key else chunk.drop_columns([KEY])).combine_chunks()


def _write_rejected_part(elems, part: int, n_parts: int, path: str, fmt: str) -> int:
    """Write one rejected/ part streaming, a row group at a time; how many rows (0: no file).
    The bytes are those of one ``pq.write_table`` of the whole part with the same row groups."""
    n = 0
    with contextlib.ExitStack() as stack:
        def scratch() -> str:
            return stack.enter_context(tempfile.TemporaryDirectory(prefix="curate-merge-"))

        out = writer = None
        for chunk in _chunks(_merged_rows(_part_runs(elems, part, n_parts, scratch)), ROW_GROUP):
            if out is None:
                out = stack.enter_context(fs.atomic_writer(path))
                if fmt != "jsonl":
                    schema = rejected_schema()
                    writer = stack.enter_context(pq.ParquetWriter(out, schema, **parquet_write_options(schema)))
            if writer is not None:
                writer.write_table(chunk, row_group_size=ROW_GROUP)
            else:
                for r in chunk.to_pylist():
                    r["metadata"] = json.loads(r["metadata"])
                    out.write(jsonl_line(r))
            n += chunk.num_rows
    return n


class _WritePartDoFn(beam.DoFn):
    def __init__(self, out_dir: str, subdir: str, fmt: str, kind: str, schema_fn: Callable | None):
        self.out_dir = out_dir.rstrip("/")
        self.subdir = subdir
        self.fmt = fmt
        self.kind = kind
        self.schema_fn = schema_fn

    def process(self, item, n_parts):
        part, elems = item
        ext = "jsonl" if self.fmt == "jsonl" else "parquet"
        path = f"{self.out_dir}/{self.subdir}/part-{part:05d}.{ext}"
        if self.kind == "rejected":
            rows = _write_rejected_part(elems, part, n_parts, path, self.fmt)
            if rows:  # else only spool files reached this part, none with a row of it: no file
                yield file_info(path, f"{self.subdir}/part-{part:05d}.{ext}", rows)
            return
        elems = sorted(elems, key=lambda kv: kv[0])
        if self.kind == "documents":
            rows = _ties_in_order([(k, doc_row(e, self.kind)) for k, e in elems])
            if self.fmt == "jsonl":
                for r in rows:
                    r["metadata"] = json.loads(r["metadata"])
            schema = parquet_schema()
        else:
            rows = _ties_in_order(elems)
            schema = self.schema_fn() if self.schema_fn else None
        if self.fmt == "jsonl":
            _write_jsonl_rows(path, rows)
        else:
            _write_parquet_rows(path, rows, schema)
        yield file_info(path, f"{self.subdir}/part-{part:05d}.{ext}", len(rows))


def _reject_size(e) -> int:
    return e.size if isinstance(e, SpooledRejects) else document_size(e)


def _place(e, key_fn, n: int):
    """(part, (sort key, element)); a spool file goes to every part: each reads its own rows."""
    if isinstance(e, SpooledRejects):
        for part in range(n):
            yield part, (None, e)
        return
    key = key_fn(e)
    h = id_hash64(key)
    yield h % n, ((h, key), e)


class WriteParts(beam.PTransform):
    """Write a PCollection as ``DIR/<subdir>/part-NNNNN.<ext>``.

    ``kind`` is "documents" or "rejected" (Document elements) or "rows" (dicts, with
    ``key_fn`` giving the id used for placement and ``schema_fn`` the Arrow schema).
    The number of parts follows the total size (``target_bytes`` each, at least one when the
    collection is not empty); an empty collection writes no part.
    """

    def __init__(self, out_dir: str, subdir: str, kind: str = "documents", fmt: str = "parquet",
                 target_bytes: int = 256 << 20, key_fn: Callable[[Any], str] | None = None,
                 schema_fn: Callable | None = None, size_fn: Callable[[Any], int] | None = None,
                 label: str | None = None):
        super().__init__(label)
        self.size_fn = size_fn  # bytes of one row, for the part count (rows: their JSON size unless given)
        self.out_dir = out_dir
        self.subdir = subdir
        self.kind = kind
        self.fmt = fmt
        self.target_bytes = target_bytes
        self.key_fn = key_fn
        self.schema_fn = schema_fn

    def expand(self, pcoll):
        key_fn = self.key_fn or (lambda d: d.id)
        kind = self.kind
        size_fn = self.size_fn or (_reject_size if kind == "rejected" else document_size if kind != "rows"
                                   else (lambda r: len(json.dumps(r)) + 16))
        target = self.target_bytes
        total = pcoll | "Size" >> beam.Map(size_fn) | "Total" >> beam.CombineGlobally(sum)
        n_parts = total | "Parts" >> beam.Map(lambda t: max(1, math.ceil(t / target)))
        keyed = pcoll | "Place" >> beam.FlatMap(_place, key_fn, n=beam.pvalue.AsSingleton(n_parts))
        return (
            keyed
            | "GroupPart" >> beam.GroupByKey()
            | "WritePart" >> beam.ParDo(
                _WritePartDoFn(self.out_dir, self.subdir, self.fmt, kind, self.schema_fn), n_parts=beam.pvalue.AsSingleton(n_parts)
            )
        )


# ---------------------------------------------------------------- reading our own parts back
def _read_part(path: str, kind: str):
    with fs.open_read(path) as f:
        if path.endswith(".jsonl"):
            for line in f.read().decode("utf-8").splitlines():
                row = json.loads(line)
                yield Document.from_dict(row) if kind != "rows" else row
            return
        table = pq.read_table(f)
    for row in table.to_pylist():
        yield Document.from_dict(row) if kind != "rows" else row


class ReadParts(beam.PTransform):
    """Read ``part-*`` files written by WriteParts (documents, rejected or rows)."""

    def __init__(self, directory: str, kind: str = "documents", label: str | None = None):
        super().__init__(label)
        self.directory = directory.rstrip("/")
        self.kind = kind

    def expand(self, pbegin):
        pattern = f"{self.directory}/part-*"
        files = fs.match(pattern)
        kind = self.kind
        return (
            pbegin
            | "Files" >> beam.Create(files)
            | "Read" >> beam.FlatMap(lambda p: _read_part(p, kind))
            | "Spread" >> beam.Reshuffle()
        )
