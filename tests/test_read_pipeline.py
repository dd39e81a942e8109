"""The read + extract stages on Beam, `curate extract`, and the committed sample's determinism."""

from __future__ import annotations

import gzip
import json
import sys
from collections import Counter
from pathlib import Path

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.util import assert_that, equal_to

from curation import stats
from curation.config import ExtractConfig, ReadConfig
from curation.inputs import resolve_inputs
from pipelines.read import ReadAndExtract
from pipelines.transforms import SumCounts

from conftest import run_curate

SAMPLE_DOCS = 42 + 3 + 8  # web pages, books, code files


def _sample_inputs(sample_data: Path):
    return resolve_inputs(web=[str(sample_data / "web")], books=[str(sample_data / "books")], code=[str(sample_data / "code")])


def test_sample_read_and_extract_counts_add_up(sample_data):
    with BeamTestPipeline() as p:
        out = p | "Read" >> ReadAndExtract(_sample_inputs(sample_data), ReadConfig())
        counts = (out["counts"],) | SumCounts()

        def check(all_counts):
            s = stats.assemble(all_counts, order=["read", "extract"])
            stats.check(s, ["read", "extract"])
            read, ext = s["stages"]["read"], s["stages"]["extract"]
            assert read["in"] == 96 + 3 + 15 and read["out"] == SAMPLE_DOCS
            assert read["removed"]["read/request"] == 46 and read["removed"]["read/vendored"] == 2
            assert ext["in"] == SAMPLE_DOCS and ext["out"] == SAMPLE_DOCS
            assert ext["by_source"]["books"] == {**ext["by_source"]["books"], "in": 3, "out": 3}
            return True

        assert_that(counts, lambda x: check(x) and None)
        ids = out["docs"] | "Ids" >> beam.Map(lambda d: d.id)
        assert_that(ids | "Distinct" >> beam.Distinct() | "N" >> beam.combiners.Count.Globally(), equal_to([SAMPLE_DOCS]), label="UniqueIds")
        reasons = out["rejected"] | "Reason" >> beam.Map(lambda d: (d.metadata["stage"], d.metadata["reason"]))
        assert_that(reasons | "RejN" >> beam.combiners.Count.Globally(), equal_to([61]), label="Rejected")


def _warc_with_pages(path: Path, pages: list[bytes]) -> None:
    recs = []
    for i, html in enumerate(pages):
        http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html
        head = (f"WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: http://t.example/{i}\r\nWARC-Date: 2024-01-01T00:00:00Z\r\n"
                f"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{i:012d}>\r\nContent-Type: application/http;msgtype=response\r\n"
                f"Content-Length: {len(http)}\r\n\r\n").encode()
        recs.append(gzip.compress(head + http + b"\r\n\r\n", mtime=0))
    path.write_bytes(b"".join(recs))


def test_timeout_under_multi_threading(tmp_path):
    # A 0.5 MB link list: ~5 s of trafilatura work (superlinear), far over the 0.5 s limit.
    slow = ("<html><body>" + '<div><a href="/x">link text</a> some words here</div>' * 10000 + "</body></html>").encode()
    ok = ("<html><body><article><p>" + "A short page with plenty of words in it. " * 30 + "</p></article></body></html>").encode()
    _warc_with_pages(tmp_path / "t.warc.gz", [ok, slow, ok])
    inputs = resolve_inputs(web=[str(tmp_path / "t.warc.gz")])
    cfg = ReadConfig(extract=ExtractConfig(timeout_s=0.5))
    opts = ["--direct_running_mode=multi_threading", "--direct_num_workers=2"]
    with BeamTestPipeline(options=PipelineOptions(opts)) as p:
        out = p | "Read" >> ReadAndExtract(inputs, cfg)
        assert_that(out["docs"] | beam.Map(lambda d: d.metadata["url"]), equal_to(["http://t.example/0", "http://t.example/2"]))
        assert_that(out["rejected"] | beam.Map(lambda d: (d.metadata["url"], d.metadata["reason"])),
                    equal_to([("http://t.example/1", "extract/timeout")]), label="Timeout")


def test_curate_extract_command(sample_data, tmp_path):
    out = tmp_path / "ex"
    res = run_curate("extract", "--web", str(sample_data / "web"), "--books", str(sample_data / "books"),
                     "--format", "jsonl", "--output", str(out))
    assert res.returncode == 0, res.stderr[-3000:]
    s = json.loads((out / "stats.json").read_text())
    assert s["accounting"]["ok"] and s["stages"]["extract"]["out"] == 45
    rows = [json.loads(line) for f in sorted((out / "documents").glob("part-*.jsonl")) for line in f.read_text().splitlines()]
    assert len(rows) == 45 and Counter(r["source"] for r in rows) == {"web": 42, "books": 3}
    web = next(r for r in rows if r["metadata"].get("url", "").endswith("/rooftop-bees"))
    assert {"url", "domain", "warc_record_id", "crawl_date", "source_file", "record_offset", "content_type", "charset"} <= set(web["metadata"])
    assert "Margaret Oyelaran" in web["text"] and "We use cookies" not in web["text"]
    bad = run_curate("extract", "--web", str(tmp_path / "missing.warc.gz"), "--output", str(tmp_path / "x"))
    assert bad.returncode == 2 and "missing.warc.gz" in bad.stderr and "Traceback" not in bad.stderr


def test_make_sample_is_deterministic(sample_data, tmp_path):
    sys.path.insert(0, str(sample_data))
    try:
        import make_sample
    finally:
        sys.path.remove(str(sample_data))
    make_sample.main([str(tmp_path)])
    for sub in ("web", "books", "code"):
        made = sorted(p.relative_to(tmp_path) for p in (tmp_path / sub).rglob("*") if p.is_file())
        committed = sorted(p.relative_to(sample_data) for p in (sample_data / sub).rglob("*") if p.is_file())
        assert made == committed
        for rel in made:
            assert (tmp_path / rel).read_bytes() == (sample_data / rel).read_bytes(), rel
    total = sum(p.stat().st_size for p in sample_data.rglob("*") if p.is_file())
    assert total < 2_000_000
