"""Rejected records that wait in files beside the run instead of in the runner's memory.

A crawl holds two records that are no page (request, metadata) for every response, and a bad
--docs file can hold millions of unreadable rows: each is a counted skip and a row of rejected/.
As elements, the DirectRunner held every one of them in memory until rejected/ was written
(7.4 KB of RSS per skipped record: 200k request records cost 2 GB). So the readers keep the
first ``SPOOL_AFTER`` rejects of a bundle as elements (a small run writes no spool file) and
write the rest, ``SPOOL_ROWS`` at a time, to ``<output>/.curate-spool/<uuid>.parquet``; the
PCollection carries a ``SpooledRejects`` pointer instead. The part writer (pipelines/parts.py)
reads the rows of its part from every spool file, so rejected/ is byte-identical whichever rows
waited where (bundle sizes differ between runners). The folder is removed when the run ends
(curation/outputs.py release, or ``remove`` for an output on an object store).

A spool file's rows are the rejected/ rows (document schema + stage, rule, reason) with their
placement key ``_key`` (id_hash64 of the id). A retried bundle writes a new file under a new
name; only the pointers of the committed bundle reach the writer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Iterable, Iterator

import apache_beam as beam
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from apache_beam.transforms.window import GlobalWindows

from curation import fs
from curation.document import Document, id_hash64, parquet_write_options, rejected_schema
from curation.outputs import SPOOL as FOLDER
from pipelines.transforms import REJECTED, CountingDoFn
SPOOL_AFTER = 1000  # rejects a bundle keeps as elements before it starts writing spool files
SPOOL_ROWS = 5000  # rows per spool file: what a reader holds at most (~10 KB of Python objects each)
SPOOL_ROW_GROUP = 512  # rows the part writer reads from one spool file at a time
KEY = "_key"


def spool_dir(out_dir: str) -> str:
    return f"{out_dir.rstrip('/')}/{FOLDER}"


def spool_schema() -> pa.Schema:
    return rejected_schema().append(pa.field(KEY, pa.uint64()))


def reject_row(doc: Document) -> dict:
    """The rejected/ row of a rejected Document (metadata as canonical JSON)."""
    row = doc.to_row()
    row["stage"] = str(doc.metadata.get("stage", ""))
    row["rule"] = str(doc.metadata.get("rule", ""))
    row["reason"] = str(doc.metadata.get("reason", ""))
    return row


def document_size(doc: Document) -> int:
    """The size estimate parts are counted by (pipelines/parts.py uses the same)."""
    return len(doc.text.encode("utf-8", "surrogatepass")) + 256


@dataclass(frozen=True)
class SpooledRejects:
    """A spool file in the rejected PCollection: ``size`` is the sum of document_size over its
    rows, so the number of parts does not depend on which rows were spooled."""

    path: str
    rows: int
    size: int


def write_spool(folder: str, docs: list[Document]) -> SpooledRejects:
    """One spool file, its rows sorted by (key, id) as in a part, in small row groups: the part
    writer merges the files and reads one row group of each at a time."""
    rows = sorted((dict(reject_row(d), **{KEY: id_hash64(d.id)}) for d in docs), key=lambda r: (r[KEY], r["id"]))
    path = f"{folder}/{uuid.uuid4().hex}.parquet"
    schema = spool_schema()
    table = pa.Table.from_pylist(rows, schema=schema)
    with fs.atomic_writer(path) as f:
        pq.write_table(table, f, row_group_size=SPOOL_ROW_GROUP, **parquet_write_options(schema))
    return SpooledRejects(path, len(rows), sum(document_size(d) for d in docs))


def spool_batches(ref: SpooledRejects, part: int, n_parts: int) -> Iterator[pa.Table]:
    """The rows of a spool file that fall in ``part``, in order, a row group at a time. A
    rejected/ part of a stage checkpoint (sorted the same way, without ``_key``) gets its key
    computed here."""
    with fs.open_read(ref.path) as f:
        groups = pq.ParquetFile(f).metadata.num_row_groups
    for g in range(groups):
        # Opened per row group: a merge of many files keeps none of them open (or buffered).
        with fs.open_read(ref.path) as f:
            table = pq.ParquetFile(f).read_row_group(g)
        if KEY in table.column_names:
            keys = table.column(KEY).to_numpy()
        else:
            keys = np.fromiter((id_hash64(i) for i in table.column("id").to_pylist()), dtype=np.uint64,
                               count=table.num_rows)
            table = table.append_column(pa.field(KEY, pa.uint64()), pa.array(keys, type=pa.uint64()))
        mine = keys % np.uint64(n_parts) == part
        if mine.any():
            yield table.filter(pa.array(mine))


def part_refs(directory: str) -> list[SpooledRejects]:
    """The rejected/ parts of a stage checkpoint as spool files: a resumed run re-reads them in
    the part writer instead of holding their rows as elements."""
    refs = []
    for path in sorted(fs.match(f"{directory.rstrip('/')}/part-*.parquet")):
        with fs.open_read(path) as f:
            text = pq.read_table(f, columns=["text"]).column("text")
        size = int(pc.sum(pc.binary_length(text)).as_py() or 0) + 256 * len(text)
        refs.append(SpooledRejects(path, len(text), size))
    return refs


class RejectSpooler:
    """What a reading DoFn does with its rejects: ``add`` returns what to emit now, ``finish``
    what to emit from finish_bundle. Without a folder (the library API, benchmarks) every reject
    stays an element."""

    def __init__(self, folder: str | None, tag: str):
        self.folder = folder
        self.tag = tag
        self.start()

    def start(self) -> None:
        self.seen = 0
        self.held: list[Document] = []

    def add(self, doc: Document) -> Iterable:
        self.seen += 1
        if self.folder is None or self.seen <= SPOOL_AFTER:
            yield beam.pvalue.TaggedOutput(self.tag, doc)
            return
        self.held.append(doc)
        if len(self.held) >= SPOOL_ROWS:
            # Written before the bundle commits, so every pointer sent has its file.
            yield beam.pvalue.TaggedOutput(self.tag, write_spool(self.folder, self.held))
            self.held = []

    def finish(self) -> Iterable:
        if self.held:
            ref = write_spool(self.folder, self.held)
            self.held = []
            yield beam.pvalue.TaggedOutput(self.tag, GlobalWindows.windowed_value(ref))


class SpoolingDoFn(CountingDoFn):
    """A CountingDoFn whose rejects go through a RejectSpooler: ``yield from self.reject(doc)``."""

    spool: str | None = None  # the folder; None keeps every reject an element

    def start_bundle(self):
        super().start_bundle()
        self._rejects = RejectSpooler(self.spool, REJECTED)

    def reject(self, doc: Document) -> Iterable:
        return self._rejects.add(doc)

    def finish_bundle(self):
        yield from self._rejects.finish()
        yield from super().finish_bundle()


def remove(folder: str) -> None:
    """Delete the spool folder (the run ended)."""
    try:
        fs.delete([folder.rstrip("/") + "/"] if fs.is_remote(folder) else [folder])
    except OSError:
        pass  # nothing was spooled; a leftover is cleared by the next run into this folder
