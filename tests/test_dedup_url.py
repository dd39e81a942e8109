"""URL dedup (docs/dedup.md, "URL dedup") through the CLI: the same decisions in build-shards and in
`curate dedup` on the stage commands' documents, and against an earlier output's index."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow.parquet as pq

from conftest import run_curate
from test_dedup_ids import _paragraphs, _write_jsonl


def _warc_response(url: str, html: bytes, date: str, rid: int) -> bytes:
    http = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {len(html)}\r\n\r\n").encode() + html
    head = (f"WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\nWARC-Date: {date}\r\n"
            f"WARC-Record-ID: <urn:uuid:{rid:032x}>\r\nContent-Type: application/http;msgtype=response\r\n"
            f"Content-Length: {len(http)}\r\n\r\n").encode()
    return gzip.compress(head + http + b"\r\n\r\n", mtime=0)


def _crawl(shared_data: Path, path: Path) -> None:
    """Real news pages (../shared/data/extraction): one URL captured three times (the newest holds
    another article), one captured twice with the same page, two captured once."""
    truth = json.loads((shared_data / "extraction" / "ground-truth.json").read_text())
    keys = sorted(truth)[:5]
    html = [gzip.decompress((shared_data / "extraction" / "html" / f"{k}.html.gz").read_bytes()) for k in keys]
    caps = [("https://news.example/a?utm_source=feed", html[0], "2022-05-01T08:00:00Z"),
            ("http://NEWS.example:80/a#top", html[0], "2023-05-01T08:00:00Z"),
            ("https://news.example/a", html[1], "2024-05-01T08:00:00Z"),
            ("https://news.example/b", html[2], "2023-01-01T00:00:00Z"),
            ("https://news.example/b", html[2], "2023-06-01T00:00:00Z"),
            ("https://news.example/c", html[3], "2023-01-01T00:00:00Z"),
            ("https://news.example/d", html[4], "2023-01-01T00:00:00Z")]
    path.write_bytes(b"".join(_warc_response(u, h, d, 1000 + i) for i, (u, h, d) in enumerate(caps)))


def _url_rows(out: Path) -> list[tuple]:
    rows = pq.read_table(out / "duplicates").to_pylist()
    return sorted((r["doc_id"], r["kept_id"]) for r in rows if r["kind"] == "url")


def _ok(r):
    assert r.returncode == 0, f"{r.stdout[-2000:]}\n{r.stderr[-3000:]}"
    return r


def test_url_dedup_same_in_build_shards_and_stage_commands(tmp_path, shared_data):
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    _crawl(shared_data, crawl / "c.warc.gz")
    shards = tmp_path / "shards"
    _ok(run_curate("build-shards", "--web", str(crawl), "--output", str(shards), "--emit", "documents"))
    ext, filt, ded = tmp_path / "x", tmp_path / "f", tmp_path / "d"
    _ok(run_curate("extract", "--web", str(crawl), "--output", str(ext)))
    _ok(run_curate("filter", "--input", str(ext / "documents"), "--output", str(filt)))
    _ok(run_curate("dedup", "--input", str(filt / "documents"), "--output", str(ded)))
    removed = _url_rows(ded)
    # Record ids follow the captures' order (1000 + i): the 2022 and 2023 captures of /a go to the
    # 2024 one (another article), the older capture of /b to the newer.
    uid = "urn:uuid:{:032x}".format
    assert removed == _url_rows(shards) == sorted([(uid(1000), uid(1002)), (uid(1001), uid(1002)), (uid(1003), uid(1004))])
    for out in (shards, ded):
        kept = {json.loads(d["metadata"])["url"]: json.loads(d["metadata"])["crawl_date"]
                for d in pq.read_table(out / "documents").to_pylist()}
        assert kept == {"https://news.example/a": "2024-05-01T08:00:00Z", "https://news.example/b": "2023-06-01T00:00:00Z",
                        "https://news.example/c": "2023-01-01T00:00:00Z", "https://news.example/d": "2023-01-01T00:00:00Z"}
    for out in (shards, ded):
        st = json.loads((out / "stats.json").read_text())
        assert st["accounting"]["ok"] and st["stages"]["dedup"]["removed"].get("dedup/url") == 3
    r = _ok(run_curate("explain", removed[0][0], str(ded)))
    assert "url duplicate" in r.stdout and removed[0][1] in r.stdout


def test_url_already_in_the_earlier_index_is_a_prior_duplicate(tmp_path, shared_data):
    t = _paragraphs(shared_data, n=5)
    old = [{"id": "old-a", "text": t[0], "source": "web", "metadata": {"url": "https://site.example/a", "crawl_date": "2023-01-01"}},
           {"id": "old-b", "text": t[1], "source": "web", "metadata": {"url": "https://site.example/b", "crawl_date": "2023-01-01"}}]
    new = [{"id": "new-a", "text": t[2], "source": "web", "metadata": {"url": "http://SITE.example/a?utm_medium=x", "crawl_date": "2024-01-01"}},
           {"id": "new-a2", "text": t[3], "source": "web", "metadata": {"url": "https://site.example/a", "crawl_date": "2024-02-01"}},
           {"id": "new-c", "text": t[4], "source": "web", "metadata": {"url": "https://site.example/c", "crawl_date": "2024-01-01"}},
           {"id": "book", "text": t[1] + " More words.", "source": "books", "metadata": {"url": "https://site.example/b"}}]
    _write_jsonl(tmp_path / "old.jsonl", old)
    _write_jsonl(tmp_path / "new.jsonl", new)
    first, second = tmp_path / "first", tmp_path / "second"
    _ok(run_curate("dedup", "--input", str(tmp_path / "old.jsonl"), "--output", str(first)))
    r = _ok(run_curate("dedup", "--input", str(tmp_path / "new.jsonl"), "--output", str(second), "--against", str(first)))
    assert "2 duplicates of the --against outputs" in r.stdout
    dups = sorted((d["doc_id"], d["kept_id"], d["kind"], d["prior_run"]) for d in pq.read_table(second / "duplicates").to_pylist())
    assert dups == [("new-a", "old-a", "url_prior", str(first)), ("new-a2", "old-a", "url_prior", str(first))]
    kept = sorted(d["id"] for d in pq.read_table(second / "documents").to_pylist())
    assert kept == ["book", "new-c"]  # another source's URL is not grouped with web
    st = json.loads((second / "stats.json").read_text())
    assert st["accounting"]["ok"] and st["stages"]["dedup"]["removed"] == {"dedup/url_prior": 2}
