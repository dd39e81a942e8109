"""WARC/WET reader on the sample crawl, real crawl excerpts and every bad-input case of issue 3."""

from __future__ import annotations

import gzip
import zlib
from collections import Counter
from pathlib import Path

import pytest

from curation.config import WebConfig
from curation.readers.warc import decode_html, iter_warc

READERS = ["fastwarc", "warcio"]


def outcomes(path: Path, reader: str = "fastwarc", **cfg):
    return list(iter_warc(str(path), path.name, WebConfig(reader=reader, **cfg)))


def tally(outs) -> Counter:
    return Counter(o.reason or "out" for o in outs)


def members(path: Path) -> list[bytes]:
    """The gzip members of a multi-member file, as stored."""
    data = path.read_bytes()
    out, pos = [], 0
    while pos < len(data):
        d = zlib.decompressobj(31)
        d.decompress(data[pos:])
        end = len(data) - len(d.unused_data)
        out.append(data[pos:end])
        pos = end
    return out


def kept_urls(outs) -> list[str]:
    return [o.doc.metadata["url"] for o in outs if o.kept]


SAMPLE_KINDS = {
    "out": 42,
    "read/request": 46,
    "read/http_status": 2,  # the 404 and the 301
    "read/non_html": 2,  # image/png and application/pdf
    "read/revisit": 1,
    "read/metadata": 2,
    "read/warcinfo": 1,
}


@pytest.mark.parametrize("reader", READERS)
def test_sample_crawl_counts_every_record_by_kind(sample_data, reader):
    outs = outcomes(sample_data / "web" / "sample.warc.gz", reader)
    assert dict(tally(outs)) == SAMPLE_KINDS


def test_sample_lineage_and_charsets(sample_data):
    outs = {o.doc.metadata.get("url"): o for o in outcomes(sample_data / "web" / "sample.warc.gz") if o.kept}
    bees = outs["https://www.riverside-courier.example/2024/05/rooftop-bees"].doc
    assert bees.id.startswith("urn:uuid:") and bees.id == bees.metadata["warc_record_id"]
    m = bees.metadata
    assert m["domain"] == "www.riverside-courier.example" and m["crawl_date"].startswith("2024-05-14T")
    assert m["source_file"] == "sample.warc.gz" and m["record_offset"] > 0
    assert m["content_type"] == "text/html" and m["charset"] == "utf-8" and m["charset_source"] == "header"
    # windows-1252 declared only in a meta tag: the curly apostrophe survives.
    fr = outs["https://www.lejournaldusud.example/marche-provencal.html"].doc
    assert (fr.metadata["charset"], fr.metadata["charset_source"]) == ("cp1252", "meta")
    assert "C’est l’un des marchés" in fr.text
    es = outs["https://www.diariodelsur.example/siesta-trabajo.html"].doc
    assert es.metadata["charset_source"] == "detected" and "¿Sigue existiendo la siesta" in es.text
    # Content-Encoding: gzip is decoded.
    tides = outs["https://www.riverside-courier.example/2024/05/how-tides-work"].doc
    assert "<html" in tides.text and "tides are caused mainly by the gravity" in tides.text


def test_record_offsets_point_at_the_record(sample_data):
    path = sample_data / "web" / "sample.warc.gz"
    data = path.read_bytes()
    for o in outcomes(path)[:10]:
        off = o.doc.metadata["record_offset"]
        assert zlib.decompressobj(31).decompress(data[off:off + 4096]).startswith(b"WARC/1.1")


def test_common_crawl_excerpt(shared_data):
    outs = outcomes(shared_data / "web" / "resiliparse" / "warcfile.warc.gz")
    kept = [o for o in outs if o.kept]
    assert len(kept) == 16
    assert all(o.doc.metadata["url"].startswith("http") for o in kept)
    assert tally(outs)["read/request"] == 17 and tally(outs)["read/metadata"] == 16


def test_dolma_crawls_with_resource_records(shared_data):
    a = tally(outcomes(shared_data / "web" / "dolma" / "sample-0000.warc.gz"))
    b = tally(outcomes(shared_data / "web" / "dolma" / "sample-0001.warc.gz"))
    assert a["out"] == 22 and b["out"] == 15
    assert a["read/resource"] == 2 and a["read/metadata"] == 1


def test_wet_conversion_records_are_text(shared_data):
    outs = outcomes(shared_data / "web" / "cc-whirlwind" / "whirlwind.warc.wet.gz")
    kept = [o for o in outs if o.kept]
    assert len(kept) == 1 and kept[0].doc.metadata["extracted_by"] == "wet"
    assert "<" not in kept[0].doc.text[:200] and len(kept[0].doc.text.split()) > 100


def test_clueweb_quirks_and_stale_content_encoding(shared_data):
    # WARC/0.18 headers; bodies stored decoded although the header still says gzip; EUC-JP.
    outs = outcomes(shared_data / "web" / "resiliparse" / "clueweb-quirk.warc.gz")
    kept = [o for o in outs if o.kept]
    assert len(kept) == 29
    assert kept[0].doc.metadata["charset"] == "euc_jp" and "\ufffd" not in kept[0].doc.text[:2000]


def test_ukwa_crawls(shared_data):
    big = tally(outcomes(shared_data / "web" / "ukwa" / "BL-20140325121225068-00000-32090-opera-8443.warc.gz"))
    assert big["out"] + big["read/non_html"] + big["read/http_status"] + big["read/non_http"] == 65  # responses
    assert big["read/non_http"] == 3  # dns: records
    cut = outcomes(shared_data / "web" / "ukwa" / "IAH-20080430204825-00000-blackbook-truncated.warc.gz")
    assert sum(tally(cut).values()) == 23 and tally(cut)["out"] == 2


@pytest.mark.parametrize("reader", READERS)
def test_clipped_record_is_a_counted_failure(shared_data, reader):
    outs = outcomes(shared_data / "web" / "resiliparse" / "clipped.warc.gz", reader)
    assert [o.reason for o in outs] == ["read/truncated"]
    assert outs[0].doc.metadata["url"]  # lineage kept on the failure


# ------------------------------------------------------------------ damaged files built here
@pytest.mark.parametrize("reader", READERS)
def test_zero_byte_file(tmp_path, reader):
    p = tmp_path / "empty.warc.gz"
    p.write_bytes(b"")
    assert [o.reason for o in outcomes(p, reader)] == ["read/empty_file"]


@pytest.mark.parametrize("reader", READERS)
def test_gzip_cut_mid_member_keeps_every_record_before(sample_data, tmp_path, reader):
    ms = members(sample_data / "web" / "sample.warc.gz")
    p = tmp_path / "cut.warc.gz"
    p.write_bytes(b"".join(ms[:30]) + ms[30][:200])
    t = tally(outcomes(p, reader))
    assert t["read/truncated"] == 1
    assert t["out"] == 14 and t["read/request"] == 15  # every complete record before the cut


@pytest.mark.parametrize("reader", READERS)
def test_garbage_between_records_keeps_records_after(sample_data, tmp_path, reader):
    ms = members(sample_data / "web" / "sample.warc.gz")
    p = tmp_path / "garbage.warc.gz"
    p.write_bytes(b"".join(ms[:10]) + b"\x00GARBAGE\xff" * 40 + b"".join(ms[10:20]) + bytes(range(256)) * 2 + b"".join(ms[20:]))
    t = tally(outcomes(p, reader))
    assert t["read/garbage"] == 2
    assert {k: v for k, v in t.items() if k != "read/garbage"} == SAMPLE_KINDS


@pytest.mark.parametrize("reader", READERS)
def test_corrupt_member_loses_only_that_record(sample_data, tmp_path, reader):
    ms = members(sample_data / "web" / "sample.warc.gz")
    bad = ms[12][:40] + b"\x00" * 30 + ms[12][70:]  # member 12 is a response
    p = tmp_path / "corrupt.warc.gz"
    p.write_bytes(b"".join(ms[:12]) + bad + b"".join(ms[13:]))
    t = tally(outcomes(p, reader))
    assert t["read/garbage"] + t["read/corrupt_record"] == 1
    assert t["out"] == SAMPLE_KINDS["out"] - 1 and t["read/request"] == 46


@pytest.mark.parametrize("reader", READERS)
def test_plain_warc_with_garbage(sample_data, tmp_path, reader):
    raw = gzip.decompress((sample_data / "web" / "sample.warc.gz").read_bytes())
    cut = raw.find(b"WARC/1.1", 20000)
    p = tmp_path / "plain.warc"
    p.write_bytes(raw[:cut] + b"not a record\r\n" * 20 + raw[cut:])
    t = tally(outcomes(p, reader))
    assert t["read/garbage"] == 1 and t["out"] == SAMPLE_KINDS["out"]


def _warc_response(url: str, payload: bytes, ctype: str = "text/html; charset=utf-8", extra: str = "") -> bytes:
    http = (f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\n{extra}Content-Length: {len(payload)}\r\n\r\n").encode() + payload
    head = (f"WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\nWARC-Date: 2024-01-01T00:00:00Z\r\n"
            f"WARC-Record-ID: <urn:uuid:{abs(hash(url)):032x}>\r\nContent-Type: application/http;msgtype=response\r\n"
            f"Content-Length: {len(http)}\r\n\r\n").encode()
    return gzip.compress(head + http + b"\r\n\r\n", mtime=0)


PAGE = b"<html><head><title>t</title></head><body><p>" + b"A real sentence of text. " * 40 + b"</p></body></html>"


def test_binary_body_declared_html(tmp_path):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    p = tmp_path / "binary.warc.gz"
    p.write_bytes(_warc_response("http://a.example/ok1", PAGE) + _warc_response("http://a.example/img", png)
                  + _warc_response("http://a.example/ok2", PAGE))
    assert [o.reason or "out" for o in outcomes(p)] == ["out", "read/binary", "out"]


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_content_encodings(tmp_path, encoding):
    if encoding == "gzip":
        body = gzip.compress(PAGE)
    elif encoding == "deflate":
        body = zlib.compress(PAGE)
    else:
        brotli = pytest.importorskip("brotli")
        body = brotli.compress(PAGE)
    p = tmp_path / "enc.warc.gz"
    p.write_bytes(_warc_response("http://a.example/x", body, extra=f"Content-Encoding: {encoding}\r\n"))
    (o,) = outcomes(p)
    assert o.kept and "A real sentence of text." in o.doc.text


def test_undecodable_content_encoding_is_a_counted_failure(tmp_path):
    p = tmp_path / "bad.warc.gz"
    p.write_bytes(_warc_response("http://a.example/x", b"\x1f\x8b\x08garbage-not-gzip", extra="Content-Encoding: gzip\r\n"))
    assert [o.reason for o in outcomes(p)] == ["read/decode"]


def test_record_over_size_cap_is_never_read(tmp_path):
    p = tmp_path / "big.warc.gz"
    p.write_bytes(_warc_response("http://a.example/big", PAGE * 100) + _warc_response("http://a.example/ok", PAGE))
    assert [o.reason or "out" for o in outcomes(p, max_record_bytes=len(PAGE) * 10)] == ["read/too_large", "out"]


@pytest.mark.parametrize(
    "body,ctype,expect",
    [
        ("<meta charset='utf-8'>héllo".encode("utf-8"), "text/html", ("utf-8", "meta")),
        ("héllo ’".encode("cp1252"), "text/html; charset=ISO-8859-1", ("cp1252", "header")),
        ("\ufeffhéllo".encode("utf-8"), "text/html; charset=latin-1", ("utf-8", "bom")),
        ("<meta charset='utf-8'>".encode() + "Привет, мир! Это тест. ".encode("koi8_r") * 20, "text/html", ("koi8-r", "detected")),
        (b"<meta charset='x-unknown'>\xff\xfe\xfa invalid", "text/html; charset=bogus", None),
        # A UTF-8 page served as iso-8859-1: valid UTF-8 wins (decoding as labelled is mojibake).
        ("<p>Grüße, café, naïve</p>".encode("utf-8"), "text/html; charset=ISO-8859-1", ("utf-8", "detected")),
        ("<meta charset='windows-1251'><p>Привет</p>".encode("utf-8"), "text/html", ("utf-8", "detected")),
        ("<meta charset='windows-1251'><p>Привет</p>".encode("cp1251"), "text/html", ("cp1251", "meta")),
    ],
)
def test_charset_order(body, ctype, expect):
    text, codec, source = decode_html(body, ctype)
    assert isinstance(text, str)  # invalid bytes never raise
    if expect:
        assert (codec, source) == expect


def test_warc_gz_as_one_gzip_stream(sample_data, tmp_path):
    p = tmp_path / "single.warc.gz"
    p.write_bytes(gzip.compress(gzip.decompress((sample_data / "web" / "sample.warc.gz").read_bytes()), mtime=0))
    # Read as one inflated plain stream (curation/readers/warc.py), by either library: warcio,
    # which refuses such files record by record, reads every record too.
    assert dict(tally(outcomes(p, "fastwarc"))) == SAMPLE_KINDS
    assert dict(tally(outcomes(p, "warcio"))) == SAMPLE_KINDS
