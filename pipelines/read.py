"""Stages "read" and "extract": every input kind to Documents (docs/ingestion.md).

    p | "ReadInputs" >> ReadInputs(inputs, config)      web, books, code and --docs inputs
      = ReadAndExtract(web, books, code) + ReadDocuments(docs), flattened
      -> {"docs", "rejected", "counts"}

Flow: Create(inputs) | Reshuffle | ListUnits | Reshuffle | ReadRecords | Reshuffle | Extract.
A code tree fans out into one unit per file before the second reshuffle, and the records of a
WARC file are reshuffled before extraction, so one big input does not pin one worker.

Counts cover two stages. ``read``: in = every record or file a reader saw (one ReadOutcome each),
out = what goes on to extract, removed read/<rule> (request, revisit, non_html, vendored ...),
failed read/<kind> (truncated, decode, garbage ...). ``extract``: in = what read let out, out =
documents; web HTML goes through curation/extract.py (removed extract/empty; failed extract/timeout,
extract/too_large, extract/too_deep; metrics engine/<name> and lines_joined), WET records, books
and code pass through (in = out), books with hard-wrapped paragraphs unwrapped
(curation/paragraphs.py; metric lines_joined).
Every skip is also a rejected Document (lineage metadata, empty text, stage/rule/reason); past the
first thousand of a bundle they wait in spool files, not in memory (pipelines/reject_spool.py).
"""

from __future__ import annotations

import logging
from importlib.metadata import version
from typing import Iterable

import apache_beam as beam

from curation import fs, progress
from curation.config import PipelineConfig, ReadConfig
from curation.document import Document
from curation.extract import HtmlExtractor
from curation.inputs import InputFile, display_path, expand_input
from curation.paragraphs import unwrap_document
from curation.readers import removed
from curation.readers.books import read_book
from curation.readers.code import CodeUnit, list_tree, read_code_file
from curation.readers.warc import iter_warc
from pipelines.parts import ReadDocuments
from pipelines.reject_spool import SpoolingDoFn
from pipelines.transforms import COUNTS, DOCS, REJECTED, CountingDoFn, mark_rejected

log = logging.getLogger("curate")

READ, EXTRACT = "read", "extract"


class _ListUnits(beam.DoFn):
    """A web or books file is one unit; a code tree becomes one unit per file."""

    def __init__(self, cfg: ReadConfig):
        self.cfg = cfg

    def process(self, inp: InputFile) -> Iterable:
        if inp.kind == "code":
            units = list_tree(inp.path, self.cfg.code, opener=fs.open_read)
        elif inp.kind in ("web", "books"):
            units = expand_input(inp)  # a remote folder or glob is listed here, at run time
        else:
            return
        for unit in units:
            progress.record(READ, "unit_listed")  # the live bar's total (curation/progress.py)
            yield unit

    def finish_bundle(self):
        progress.flush()


class _ReadUnitDoFn(SpoolingDoFn):
    def __init__(self, cfg: ReadConfig, spool: str | None = None):
        self.cfg = cfg
        self.spool = spool  # where skips past the first thousand of a bundle wait (pipelines/reject_spool.py)

    def _outcomes(self, unit):
        # fs.open_read gives the bytes as stored: the WARC reader handles gzip members itself
        # and needs to seek; remote files come through Beam's FileSystems.
        if isinstance(unit, CodeUnit):
            yield read_code_file(unit, self.cfg.code, opener=fs.open_read)
        elif unit.escapes_root():
            # A symlink under an input folder that resolves outside it: counted, never opened.
            meta = {"source_file": unit.relpath, "error": "symlink pointing out of its input folder: not followed"}
            yield removed("symlink", Document(f"{unit.relpath}#symlink", "", unit.kind, meta))
        elif unit.kind == "web":
            yield from iter_warc(unit.path, unit.relpath, self.cfg.web, self.cfg.max_doc_chars, opener=fs.open_read)
        else:
            yield read_book(unit.path, unit.relpath, self.cfg.books, self.cfg.max_doc_chars, opener=fs.open_read)

    def process(self, unit) -> Iterable:
        source = "code" if not isinstance(unit, InputFile) else unit.kind
        try:
            for o in self._outcomes(unit):
                src = o.doc.source
                self.count(READ, src, "in")
                if o.kept:
                    self.count(READ, src, "out")
                    if o.doc.metadata.get("charset_rejected"):  # a bogus declared charset, detection used
                        self.count(READ, src, "metric", "charset_rejected")
                    yield o.doc
                    continue
                self.count(READ, src, o.kind, o.reason)
                if o.kind == "removed":
                    log.debug("%s: %s", o.reason, o.doc.metadata.get("source_file", o.doc.id))
                rule = o.reason.split("/", 1)[1]
                yield from self.reject(mark_rejected(o.doc, READ, rule, o.reason))
            progress.record(READ, "unit_done")
        except OSError as e:
            progress.record(READ, "unit_done")
            # The file vanished or became unreadable after inputs were resolved: one counted failure.
            # A FIFO, device or socket (fs.NotRegularFile) is refused before a byte is read.
            where = getattr(unit, "relpath", None) or display_path(f"{unit.repo}/{unit.path}")
            rule = "special_file" if isinstance(e, fs.NotRegularFile) else "unreadable"
            log.warning("read/%s: %s: %s", rule, where, e)
            self.count(READ, source, "in")
            self.count(READ, source, "failed", f"read/{rule}")
            doc = Document(f"{where}#{rule}", "", source, {"source_file": where, "error": str(e)[:200]})
            yield beam.pvalue.TaggedOutput(REJECTED, mark_rejected(doc, READ, rule, f"read/{rule}"))


class _ExtractDoFn(CountingDoFn):
    def __init__(self, cfg: ReadConfig):
        self.cfg = cfg

    def setup(self):
        self.extractor = HtmlExtractor(self.cfg.extract)
        self.extractor.setup()
        traf = f"trafilatura-{version('trafilatura')}"
        self.versions = {"trafilatura": traf, "trafilatura-full": traf, "resiliparse": f"resiliparse-{version('resiliparse')}"}

    def process(self, doc: Document) -> Iterable:
        self.count(EXTRACT, doc.source, "in")
        if doc.source != "web" or doc.metadata.get("extracted_by") == "wet":
            # Books: hard-wrapped paragraphs to one line each (WET text is one line per block already).
            doc, joined = unwrap_document(doc) if doc.source == "books" else (doc, 0)
            if joined:
                self.count(EXTRACT, doc.source, "metric", "lines_joined", joined)
            self.count(EXTRACT, doc.source, "out")
            yield doc
            return
        try:
            res = self.extractor.extract(doc.text, doc.metadata.get("url") or None)
        except Exception as e:  # one page must not kill the run: count it, log one line
            kind = f"extract/error_{type(e).__name__}"
            log.warning("%s on %s: %s", kind, doc.metadata.get("url", doc.id), str(e)[:200])
            self.count(EXTRACT, doc.source, "failed", kind)
            yield beam.pvalue.TaggedOutput(REJECTED, mark_rejected(Document(doc.id, "", doc.source, doc.metadata), EXTRACT, "error", kind))
            return
        self.count(EXTRACT, doc.source, "metric", "html_bytes", len(doc.text))
        if res.kind != "out":
            self.count(EXTRACT, doc.source, res.kind, res.reason)
            if res.kind == "failed":
                log.warning("%s: %s (%d chars of HTML)", res.reason, doc.metadata.get("url", doc.id), len(doc.text))
            rejected = Document(doc.id, "", doc.source, dict(doc.metadata, html_chars=len(doc.text)))
            yield beam.pvalue.TaggedOutput(REJECTED, mark_rejected(rejected, EXTRACT, res.reason.split("/", 1)[1], res.reason))
            return
        self.count(EXTRACT, doc.source, "out")
        self.count(EXTRACT, doc.source, "metric", f"engine/{res.engine}")
        if res.joined_lines:
            self.count(EXTRACT, doc.source, "metric", "lines_joined", res.joined_lines)
        yield Document(doc.id, res.text, doc.source, dict(doc.metadata, extracted_by=self.versions[res.engine]))


class ReadAndExtract(beam.PTransform):
    """Inputs (web, books, code; "docs" inputs are ignored here) to extracted Documents."""

    def __init__(self, inputs: list[InputFile], config: ReadConfig, label: str | None = None, spool: str | None = None):
        super().__init__(label)
        self.inputs = sorted(i for i in inputs if i.kind in ("web", "books", "code"))
        self.config = config
        self.spool = spool

    def expand(self, pbegin):
        units = (
            pbegin
            | "Inputs" >> beam.Create(self.inputs)
            | "SpreadInputs" >> beam.Reshuffle()
            | "ListUnits" >> beam.ParDo(_ListUnits(self.config))
            | "SpreadUnits" >> beam.Reshuffle()
        )
        read = units | "ReadRecords" >> beam.ParDo(_ReadUnitDoFn(self.config, self.spool)).with_outputs(REJECTED, COUNTS, main=DOCS)
        ext = (
            read[DOCS]
            | "SpreadRecords" >> beam.Reshuffle()
            | "Extract" >> beam.ParDo(_ExtractDoFn(self.config)).with_outputs(REJECTED, COUNTS, main=DOCS)
        )
        return {
            DOCS: ext[DOCS],
            REJECTED: (read[REJECTED], ext[REJECTED]) | "FlattenRejected" >> beam.Flatten(),
            COUNTS: (read[COUNTS], ext[COUNTS]) | "FlattenCounts" >> beam.Flatten(),
        }


class ReadInputs(beam.PTransform):
    """Every input kind: web, books and code through ReadAndExtract, --docs files through
    ReadDocuments; one stage dict (stages read and extract)."""

    def __init__(self, inputs: list[InputFile], config: PipelineConfig, text_key: str = "text", id_key: str = "id",
                 label: str | None = None, spool: str | None = None):
        super().__init__(label)
        self.inputs = list(inputs)
        self.config = config
        self.text_key, self.id_key = text_key, id_key
        self.spool = spool  # a folder the workers can write: the skips of big inputs wait there

    def expand(self, pbegin):
        parts = []
        if any(i.kind != "docs" for i in self.inputs):
            parts.append(pbegin | "Read" >> ReadAndExtract(
                [i for i in self.inputs if i.kind != "docs"], self.config.read, spool=self.spool))
        if any(i.kind == "docs" for i in self.inputs):
            parts.append(pbegin | "ReadDocs" >> ReadDocuments(self.inputs, self.text_key, self.id_key,
                                                                      spool=self.spool))
        if len(parts) == 1:
            return parts[0]
        return {k: tuple(x[k] for x in parts) | f"Flatten{k.capitalize()}" >> beam.Flatten() for k in (DOCS, REJECTED, COUNTS)}
