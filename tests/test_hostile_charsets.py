"""Issue 25 item 7: a bogus declared charset (base64, hex, rot13, zlib, undefined) in an HTTP
header, a <meta> tag or a Gutenberg header. Before: LookupError/UnicodeError out of the reader
ended the whole run with exit 1. Now only text codecs are accepted; the page or book is decoded
by detection, kept, and the rejected label is recorded and counted (read/<source>/metric/
charset_rejected)."""

from __future__ import annotations

import gzip
import json

import pytest

from conftest import run_curate
from curation.config import BooksConfig, WebConfig
from curation.readers import is_bogus_charset, normalise_charset
from curation.readers.books import read_book
from curation.readers.warc import decode_html, iter_warc

BOGUS = ["base64", "hex", "rot13", "zlib", "undefined"]
TEXT = "Grüße aus Köln: ein ganz gewöhnlicher Satz mit Umlauten, der lang genug ist. " * 12


def _response(url: str, body: bytes, ctype: str) -> bytes:
    http = f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
    head = (f"WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\nWARC-Date: 2024-01-01T00:00:00Z\r\n"
            f"WARC-Record-ID: <urn:uuid:{abs(hash(url)):032x}>\r\nContent-Type: application/http;msgtype=response\r\n"
            f"Content-Length: {len(http)}\r\n\r\n").encode()
    return gzip.compress(head + http + b"\r\n\r\n", mtime=0)


def _page(charset_meta: str | None, encoding: str) -> bytes:
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    return f"<html><head>{meta}<title>t</title></head><body><article><p>{TEXT}</p></article></body></html>".encode(encoding)


def _book(label: str, encoding: str) -> bytes:
    return (f"Title: Ein Buch\r\nLanguage: German\r\nCharacter set encoding: {label}\r\n\r\n"
            f"*** START OF THE PROJECT GUTENBERG EBOOK EIN BUCH ***\r\n\r\n{TEXT}\r\n\r\n"
            "*** END OF THE PROJECT GUTENBERG EBOOK EIN BUCH ***\r\n").encode(encoding)


@pytest.mark.parametrize("label", BOGUS + ["BASE64", "'rot13'", "uu", "bz2", "quopri", "utf-7", "unicode_escape"])
def test_bogus_labels_are_no_charset(label):
    assert is_bogus_charset(label) and normalise_charset(label) is None


@pytest.mark.parametrize("label", ["utf-8", "ISO-8859-1", "windows-1251", "shift_jis", "koi8-r", "x-unknown", ""])
def test_real_and_unknown_labels_are_not_bogus(label):
    assert not is_bogus_charset(label)


@pytest.mark.parametrize("label", BOGUS)
@pytest.mark.parametrize("where", ["header", "meta"])
@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_bogus_declaration_falls_back_to_detection(label, where, encoding):
    body = _page(label if where == "meta" else None, encoding)
    text, codec, source = decode_html(body, f"text/html; charset={label}" if where == "header" else "text/html")
    assert "Grüße aus Köln" in text and "\ufffd" not in text
    assert source == "detected" and not is_bogus_charset(codec)


@pytest.mark.parametrize("label", BOGUS)
def test_bogus_charset_web_record_is_kept_and_marked(tmp_path, label):
    p = tmp_path / "bogus.warc.gz"
    p.write_bytes(_response("http://a.example/h", _page(None, "cp1252"), f"text/html; charset={label}")
                  + _response("http://a.example/m", _page(label, "utf-8"), "text/html"))
    outs = list(iter_warc(str(p), p.name, WebConfig()))
    assert [o.kind for o in outs] == ["out", "out"]
    for o in outs:
        assert o.doc.metadata["charset_rejected"] == label and "Grüße aus Köln" in o.doc.text


@pytest.mark.parametrize("label", BOGUS)
@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_bogus_charset_book_is_read(tmp_path, label, encoding):
    p = tmp_path / "book.txt"
    p.write_bytes(_book(label, encoding))
    o = read_book(str(p), p.name, BooksConfig())
    assert o.kept, o.reason
    assert "Grüße aus Köln" in o.doc.text and o.doc.metadata["charset_rejected"] == label


def test_cli_run_with_bogus_charsets_completes_and_counts(tmp_path):
    web, books = tmp_path / "web", tmp_path / "books"
    web.mkdir()
    books.mkdir()
    (web / "bogus.warc.gz").write_bytes(b"".join(
        _response(f"http://a.example/{where}/{label}", _page(label if where == "meta" else None, "cp1252"),
                  f"text/html; charset={label}" if where == "header" else "text/html")
        for label in BOGUS for where in ("header", "meta")))
    for label in BOGUS:
        (books / f"{label}.txt").write_bytes(_book(label, "cp1252"))
    out = tmp_path / "out"
    res = run_curate("extract", "--web", str(web), "--books", str(books), "--output", str(out))
    assert res.returncode == 0, res.stderr[-3000:]
    assert "LookupError" not in res.stderr and "Traceback" not in res.stderr
    read = json.loads((out / "stats.json").read_text())["stages"]["read"]
    assert (read["in"], read["out"]) == (15, 15)
    assert read["by_source"]["web"]["metrics"]["charset_rejected"] == 10
    assert read["by_source"]["books"]["metrics"]["charset_rejected"] == 5
