"""Rejects past the first thousand of a bundle wait in spool files (pipelines/reject_spool.py):
rejected/ must be byte-identical whichever rows were spooled, ties and several parts included,
and the spool folder must be gone when the run ends."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import apache_beam as beam
import pyarrow.parquet as pq
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from curation import outputs
from curation.config import PipelineConfig
from curation.document import Document
from curation.inputs import resolve_inputs
from pipelines import graphs, parts, reject_spool
from pipelines.parts import WriteParts
from pipelines.reject_spool import write_spool
from pipelines.transforms import mark_rejected

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def crawl_with_requests(path: Path, pages: int) -> None:
    """A crawl as Common Crawl writes it: a request and a metadata record per page, and for the
    first three a response (real pages of ../shared/data/extraction)."""
    bodies = [gzip.decompress(p.read_bytes()) for p in sorted((SHARED / "extraction" / "html").iterdir())[:3]]
    with open(path, "wb") as f:
        w = WARCWriter(f, gzip=True)
        for i in range(pages):
            url = f"http://example.org/{i}"
            req = StatusAndHeaders(f"GET /{i} HTTP/1.1", [("Host", "example.org")], is_http_request=True)
            w.write_record(w.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=req))
            if i < len(bodies):  # a few pages to extract: the skips are what is tested
                resp = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
                w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(bodies[i]), http_headers=resp))
            w.write_record(w.create_warc_record(url, "metadata", payload=io.BytesIO(b"fetchTimeMs: 12\r\n")))


def run_extract(inputs, out: Path) -> None:
    p = beam.Pipeline(options=PipelineOptions(["--runner=DirectRunner"]))
    graphs.extract(p, inputs, PipelineConfig(), str(out))
    p.run().wait_until_finish()


def files(folder: Path) -> dict[str, bytes]:
    return {str(f.relative_to(folder)): f.read_bytes() for f in sorted(folder.rglob("*")) if f.is_file()}


def test_extract_rejected_identical_with_and_without_spooling(tmp_path, monkeypatch):
    warcs = tmp_path / "crawl"
    warcs.mkdir()
    crawl_with_requests(warcs / "a.warc.gz", 120)
    # The same file under two names: every skip has a twin with its id (ties in the part order).
    (warcs / "b.warc.gz").write_bytes((warcs / "a.warc.gz").read_bytes())
    inputs = resolve_inputs(web=[str(warcs)])

    monkeypatch.setattr(reject_spool, "SPOOL_AFTER", 10**9)
    run_extract(inputs, tmp_path / "held")
    monkeypatch.setattr(reject_spool, "SPOOL_AFTER", 0)
    monkeypatch.setattr(reject_spool, "SPOOL_ROWS", 7)  # many spool files, a partial one at finish_bundle
    spooled_out = tmp_path / "spooled"
    run_extract(inputs, spooled_out)

    held, spooled = files(tmp_path / "held" / "rejected"), files(spooled_out / "rejected")
    assert held == spooled and held
    assert (tmp_path / "held" / "stats.json").read_bytes() == (spooled_out / "stats.json").read_bytes()
    rows = pq.read_table(spooled_out / "rejected" / "part-00000.parquet").to_pylist()
    assert len(rows) == 2 * 2 * 120  # request and metadata records of both files, none lost
    assert {r["reason"] for r in rows} == {"read/request", "read/metadata"}
    # The spool files were written during the run; releasing the output removes them.
    assert any((spooled_out / outputs.SPOOL).iterdir())
    outputs.release(spooled_out)
    assert not (spooled_out / outputs.SPOOL).exists()


def rejected_doc(i: int, twin: int = 0) -> Document:
    doc = Document(f"doc-{i % 50}", "" if i % 3 else f"text {i} " * 20, "web",
                   {"source_file": f"f{twin}.warc.gz", "offset": i})
    return mark_rejected(doc, "read", "request", "read/request")


@pytest.mark.parametrize("fmt, fan_in", [("parquet", 64), ("jsonl", 64), ("parquet", 2)])
def test_writer_gives_the_same_parts_from_spool_files(tmp_path, monkeypatch, fmt, fan_in):
    docs = [rejected_doc(i, twin) for twin in range(2) for i in range(300)]  # ids repeat: ties
    spool = tmp_path / "spool"
    mixed = [write_spool(str(spool), docs[k:k + 41]) for k in range(0, 205, 41)] + docs[205:]
    monkeypatch.setattr(parts, "FAN_IN", fan_in)  # 2: five spool files go through two merge passes

    def write(elements, out):
        p = beam.Pipeline(options=PipelineOptions(["--runner=DirectRunner"]))
        _ = p | beam.Create(elements, reshuffle=False) | WriteParts(str(out), "rejected", kind="rejected", fmt=fmt,
                                                                     target_bytes=20_000)
        p.run().wait_until_finish()

    write(docs, tmp_path / "a")
    write(mixed, tmp_path / "b")
    a, b = files(tmp_path / "a" / "rejected"), files(tmp_path / "b" / "rejected")
    assert len(a) > 3 and a == b
    if fmt == "jsonl":
        rows = [json.loads(ln) for blob in a.values() for ln in blob.decode().splitlines()]
        assert len(rows) == len(docs) and isinstance(rows[0]["metadata"], dict)


def test_bad_rows_of_a_docs_file_spool_too(tmp_path, monkeypatch):
    path = tmp_path / "in" / "docs.jsonl"
    path.parent.mkdir()
    good = "".join(json.dumps({"id": f"g{i}", "text": "A sentence of ordinary words. " * 10}) + "\n" for i in range(5))
    path.write_text(good + "{not json\n" * 40)
    inputs = resolve_inputs(docs=[str(path.parent)])
    monkeypatch.setattr(reject_spool, "SPOOL_AFTER", 3)
    monkeypatch.setattr(reject_spool, "SPOOL_ROWS", 8)
    run_extract(inputs, tmp_path / "out")
    rows = [r for f in sorted((tmp_path / "out" / "rejected").glob("part-*")) for r in pq.read_table(f).to_pylist()]
    assert len(rows) == 40 and len({r["id"] for r in rows}) == 40
