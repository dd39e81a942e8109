"""WARC, WARC.gz (one gzip member per record, or one for the whole file) and WET files to
ReadOutcomes. No Beam here.

Kept: ``response`` records with HTTP 200 (config) and an HTML content type, as Documents whose
text is the decoded HTML (the extract stage turns it into main text), and WET ``conversion``
records, whose text is already extracted. Every other record is a counted skip by kind:
read/request, read/revisit, read/metadata, read/warcinfo, read/resource, read/non_html,
read/http_status, read/binary, read/too_large; and failures read/truncated, read/corrupt_record,
read/garbage, read/decode.

Robustness. Both WARC libraries stop at the first damaged byte (a gzip data error or an invalid
header) and fastwarc silently drops a member cut short at the end of a file. So the libraries only
parse; ``_resilient_records`` owns the file position: when a parse stops before the end of the
file, it scans forward for the next plausible record start (a gzip member whose first bytes
inflate to ``WARC/``, or a ``WARC/`` line in a plain file), reports the unreadable region as one
counted failure and restarts the parser there. Every good record before and after a damaged
region is kept.

Decoding. HTTP bodies are decoded from Content-Encoding (gzip, deflate, br) and dechunked when the
archiver kept ``Transfer-Encoding: chunked``. Charset: BOM, then the HTTP header, then the meta tag
in the first 4 KB, then detection (charset-normalizer); valid UTF-8 wins over a declared legacy
codec; a label that is no text codec (base64, rot13, undefined ...) is ignored and recorded as
``charset_rejected``; undecodable bytes become U+FFFD, never an exception.
"""

from __future__ import annotations

import gzip
import logging
import re
import zlib
from dataclasses import dataclass
from typing import BinaryIO, Iterator
from urllib.parse import urlsplit

from curation.config import WebConfig
from curation.document import Document, content_hash
from curation.readers import (
    Opener,
    ReadOutcome,
    bom_charset,
    detect_charset,
    failed,
    is_bogus_charset,
    kept,
    local_open,
    looks_binary,
    normalise_charset,
    plausible_codec,
    removed,
)

log = logging.getLogger("curate")

GZIP_MAGIC = b"\x1f\x8b\x08"
_SCAN_BLOCK = 1 << 20


@dataclass
class RawRecord:
    """One WARC record as the parser saw it: headers and the block, nothing decoded."""

    offset: int
    warc_type: str
    headers: dict[str, str]
    content_length: int
    block: bytes | None  # None when the record was over the size cap (never read)
    complete: bool = True
    framed: bool = True  # False: Content-Length is not a number, or the block does not end where it says


@dataclass
class Gap:
    """An unreadable region of the file: one counted failure."""

    offset: int
    reason: str  # truncated | corrupt_record | garbage
    detail: str = ""


# ------------------------------------------------------------------ parsers (one per library)
def _fastwarc_records(f: BinaryIO, max_bytes: int, size: int | None = None) -> Iterator[RawRecord]:
    from fastwarc.warc import ArchiveIterator

    # parse_http=False: we read the whole block to see whether it is complete, then split the
    # HTTP head ourselves (fastwarc's HeaderMap.parse consumes the payload buffer).
    for rec in ArchiveIterator(f, parse_http=False, quirks_mode=False, strict_mode=True):
        headers = {k: v for k, v in rec.headers.items()}
        n = rec.content_length
        if n > max_bytes:
            # A claim past the end of a plain stream is a lie, not a big record: truncated.
            yield RawRecord(rec.stream_pos, rec.headers.get("WARC-Type", str(rec.record_type)), headers, n, None,
                            complete=size is None or rec.stream_pos + n <= size)
            continue
        block = rec.reader.read()
        yield RawRecord(rec.stream_pos, rec.headers.get("WARC-Type", str(rec.record_type)), headers, n, block, len(block) >= n)


def _warcio_records(f: BinaryIO, max_bytes: int, size: int | None = None) -> Iterator[RawRecord]:
    from warcio.archiveiterator import ArchiveIterator

    it = ArchiveIterator(f, no_record_parse=True, check_digests=False)
    for rec in it:
        headers = {k: v for k, v in rec.rec_headers.headers}
        n = int(rec.length or 0)
        # get_record_offset() reads the record to its end: call it only after the block is read.
        if n > max_bytes:
            at = it.get_record_offset()
            yield RawRecord(at, rec.rec_type, headers, n, None, complete=size is None or at + n <= size)
            continue
        block = rec.raw_stream.read()
        yield RawRecord(it.get_record_offset(), rec.rec_type, headers, n, block, len(block) >= n)


PARSERS = {"fastwarc": _fastwarc_records, "warcio": _warcio_records}


# ------------------------------------------------------------------ resynchronisation
def _is_gzip_record_start(f: BinaryIO, at: int) -> bool:
    f.seek(at)
    head = f.read(8192)
    if not head.startswith(GZIP_MAGIC):
        return False
    try:
        return zlib.decompressobj(31).decompress(head, 16).startswith(b"WARC/")
    except zlib.error:
        return False


def _is_plain_record_start(f: BinaryIO, at: int) -> bool:
    f.seek(at)
    return f.read(6) in (b"WARC/1", b"WARC/0")


def _next_record_start(f: BinaryIO, start: int, size: int, gz: bool) -> int | None:
    """The first offset >= start where a record plausibly begins, else None."""
    needle = GZIP_MAGIC if gz else b"\nWARC/"
    pos = start
    while pos < size:
        f.seek(pos)
        buf = f.read(_SCAN_BLOCK + len(needle) + 2)
        if not buf:
            return None
        i = 0
        while True:
            j = buf.find(needle, i)
            if j < 0:
                break
            cand = pos + j + (0 if gz else 1)
            # Plain: the bytes after the needle are in the buffer (no seek back: the stream may
            # be a decompressing one, where seeking back means inflating from the start).
            plain_ok = buf[j + 1:j + 7] in (b"WARC/1", b"WARC/0") if j + 7 <= len(buf) else _is_plain_record_start(f, cand)
            if cand >= start and (_is_gzip_record_start(f, cand) if gz else plain_ok):
                return cand
            i = j + 1
        pos += _SCAN_BLOCK
    return None


def _gzip_member_end(f: BinaryIO, at: int, size: int) -> int:
    """Where the gzip member starting at ``at`` ends (``size`` if it never ends)."""
    f.seek(at)
    d = zlib.decompressobj(31)
    consumed = at
    try:
        while not d.eof:
            chunk = f.read(1 << 16)
            if not chunk:
                return size
            d.decompress(chunk, 1 << 16)
            while d.unconsumed_tail and not d.eof:
                d.decompress(d.unconsumed_tail, 1 << 16)
            consumed += len(chunk)
    except zlib.error:
        return at + 1
    return consumed - len(d.unused_data)


def _framed(f: BinaryIO, rec: RawRecord) -> bool:
    """Whether a plain record's block ends, as its Content-Length says, with the CRLF CRLF that
    closes every WARC record."""
    value = next((v for k, v in rec.headers.items() if k.lower() == "content-length"), "").strip()
    if not value.isdigit():
        return False
    f.seek(rec.offset)
    head = f.read(1 << 16)
    end = head.find(b"\r\n\r\n")
    if end < 0:
        return False
    f.seek(rec.offset + end + 4 + int(value))
    return f.read(4) == b"\r\n\r\n"


def _framed_member(f: BinaryIO, rec: RawRecord, max_bytes: int) -> bool:
    """``_framed`` for a record in its own gzip member: the member inflates to exactly the
    headers, Content-Length bytes and CRLF CRLF. A member too big to check is taken as framed."""
    value = next((v for k, v in rec.headers.items() if k.lower() == "content-length"), "").strip()
    if not value.isdigit():
        return False
    f.seek(rec.offset)
    d, out, limit = zlib.decompressobj(31), bytearray(), max_bytes + (1 << 20)
    try:
        while not d.eof and len(out) <= limit:
            chunk = f.read(1 << 16)
            if not chunk:
                break
            out += d.decompress(chunk, limit + 1 - len(out))
    except zlib.error:
        return False
    if not d.eof:
        return len(out) > limit
    end = out.find(b"\r\n\r\n")
    return end >= 0 and len(out) == end + 4 + int(value) + 4 and out.endswith(b"\r\n\r\n")


def _single_member_size(f: BinaryIO, size: int) -> int | None:
    """The inflated size of a .gz file that is one complete gzip member (the whole file compressed
    at once), else None (one member per record, the WARC standard's layout, or a cut member)."""
    f.seek(0)
    d = zlib.decompressobj(31)
    total = 0
    try:
        while not d.eof:
            chunk = f.read(1 << 16)
            if not chunk:
                break
            total += len(d.decompress(chunk, 1 << 20))
            while d.unconsumed_tail and not d.eof:
                total += len(d.decompress(d.unconsumed_tail, 1 << 20))
            if d.eof and (d.unused_data.strip(b"\0") or f.read(1)):
                return None  # a second member follows
    except zlib.error:
        return None
    finally:
        f.seek(0)
    return total if d.eof else None  # a member cut short: the member-wise path counts it truncated


def _resilient_records(f: BinaryIO, size: int, gz: bool, parser: str, max_bytes: int) -> Iterator[RawRecord | Gap]:
    parse = PARSERS[parser]
    pos = 0
    while pos < size:
        f.seek(pos)
        last: int | None = None
        error = ""
        held: RawRecord | None = None  # one record held back: the parse stopping after it may condemn it
        try:
            for rec in parse(f, max_bytes, None if gz else size):
                if held is not None:
                    yield held
                held, last = rec, rec.offset
        except Exception as e:  # both libraries raise a variety of types on damaged input
            error = f"{type(e).__name__}: {str(e)[:120]}"
        if held is not None:
            if error and held.complete and not (_framed_member(f, held, max_bytes) if gz else _framed(f, held)):
                # The parse failed right after a record whose Content-Length is not a number or
                # does not end at a record boundary: that record is the damage (one counted
                # failure, read/bad_length), not a good document plus a gap at the same place.
                held.framed, error = False, ""
            yield held
        nxt = _next_record_start(f, (last if last is not None else pos) + 1, size, gz)
        if last is None:
            starts = _is_gzip_record_start(f, pos) if gz else _is_plain_record_start(f, pos)
            reason = ("truncated" if nxt is None else "corrupt_record") if starts else "garbage"
            yield Gap(pos, reason, error)
        else:
            region = _gzip_member_end(f, last, size) if gz else None
            stop = size if nxt is None else nxt
            if region is not None and region < stop:
                # Bytes between the last good record and the next start: damaged data.
                starts = _is_gzip_record_start(f, region)
                reason = ("truncated" if nxt is None else "corrupt_record") if starts else "garbage"
                yield Gap(region, reason, error)
            elif region is None and error:
                yield Gap(last, "garbage" if nxt is not None else "truncated", error)
            elif error:
                # The parser gave up inside data we cannot split into members (warcio refuses a
                # WARC.gz compressed as one gzip stream): never lose the rest silently.
                yield Gap(last, "parse_error", error)
        if nxt is None:
            return
        pos = nxt


# ------------------------------------------------------------------ HTTP and charset
def _split_http(block: bytes) -> tuple[int | None, list[tuple[str, str]], bytes]:
    end = block.find(b"\r\n\r\n")
    sep = 4
    if end < 0:
        end = block.find(b"\n\n")
        sep = 2
    if end < 0:
        return None, [], b""
    lines = block[:end].decode("latin-1").splitlines()
    status = None
    if lines and lines[0].startswith("HTTP/"):
        parts = lines[0].split(None, 2)
        if len(parts) >= 2 and parts[1].isdigit():
            status = int(parts[1])
    headers = []
    for line in lines[1:]:
        k, colon, v = line.partition(":")
        if colon:
            headers.append((k.strip().lower(), v.strip()))
    return status, headers, block[end + sep:]


def _header(headers: list[tuple[str, str]], name: str) -> str:
    for k, v in headers:
        if k == name:
            return v
    return ""


def _dechunk(body: bytes) -> bytes:
    out = bytearray()
    pos = 0
    while pos < len(body):
        eol = body.find(b"\r\n", pos)
        if eol < 0:
            break
        size_field = body[pos:eol].split(b";")[0].strip()
        try:
            n = int(size_field, 16)
        except ValueError:
            return body  # not really chunked: keep the bytes as they are
        if n == 0:
            break
        out += body[eol + 2:eol + 2 + n]
        pos = eol + 2 + n + 2
    return bytes(out)


class DecodeError(Exception):
    pass


class DecodedTooLarge(DecodeError):
    """The decoded body would pass read.web.max_record_bytes (a decompression bomb, or just big)."""

    def __init__(self, max_bytes: int):
        super().__init__(f"decoded body over read.web.max_record_bytes ({max_bytes} bytes); decoding stopped there")


def _decode_content(body: bytes, encoding: str, max_bytes: int) -> bytes:
    enc = encoding.lower().strip()
    if enc in ("", "identity", "none"):
        return body
    if enc in ("gzip", "x-gzip") and not body.startswith(b"\x1f\x8b"):
        return body  # the archiver stored the decoded body but kept the header (ClueWeb, some CC)
    try:
        if enc in ("gzip", "x-gzip"):
            d = zlib.decompressobj(47)  # gzip or zlib header
        elif enc == "deflate":
            try:
                return _bounded(zlib.decompressobj(15), body, max_bytes)
            except zlib.error:
                d = zlib.decompressobj(-15)  # raw deflate, as some servers send it
        elif enc == "br":
            try:
                import brotli
            except ImportError:
                raise DecodeError("Content-Encoding br needs the brotli package") from None
            # Bounded like zlib below: the output buffer stops growing past the cap.
            out = brotli.Decompressor().process(body, output_buffer_limit=max_bytes + 1)
            if len(out) > max_bytes:
                raise DecodedTooLarge(max_bytes)
            return out
        else:
            raise DecodeError(f"unknown Content-Encoding {encoding!r}")
        return _bounded(d, body, max_bytes)
    except (zlib.error, OSError) as e:
        if body.lstrip()[:1] == b"<":
            return body  # declared deflate/br but stored decoded: markup, not compressed bytes
        raise DecodeError(f"Content-Encoding {encoding}: {e}") from None
    except Exception as e:  # brotli.error has no stable import path
        if type(e).__name__ == "error":
            raise DecodeError(f"Content-Encoding {encoding}: {e}") from None
        raise


def _bounded(d, body: bytes, max_bytes: int) -> bytes:
    # A decompression bomb stops at the cap instead of filling memory.
    out = d.decompress(body, max_bytes + 1)
    if len(out) > max_bytes:
        raise DecodedTooLarge(max_bytes)
    return out


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)""", re.I)
_CT_CHARSET = re.compile(r"charset\s*=\s*[\"']?([^\s;\"']+)", re.I)


def declared_charsets(body: bytes, header_content_type: str) -> list[tuple[str, str]]:
    """The charset labels a response declares, as written: [(label, "header" | "meta")]."""
    out = []
    m = _CT_CHARSET.search(header_content_type or "")
    if m:
        out.append((m.group(1), "header"))
    m = _META_CHARSET.search(body[:4096])
    if m:
        out.append((m.group(1).decode("ascii", "replace"), "meta"))
    return out


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def decode_html(body: bytes, header_content_type: str) -> tuple[str, str, str]:
    """(text, codec, source) where source is bom | header | meta | detected | fallback.

    Declarations are tried in order (HTTP header, then meta), with one exception: bytes with
    non-ASCII characters that are valid UTF-8 are UTF-8 whatever a page declares (legacy
    encodings essentially never produce valid UTF-8 by chance; a UTF-8 page labelled
    iso-8859-1 by its server is common, and decoding it as labelled gives mojibake). A bogus
    label (base64, hex, rot13, zlib, undefined: ``is_bogus_charset``) is ignored.
    """
    cs = bom_charset(body)
    if cs:
        return body.decode(cs, errors="replace").lstrip("\ufeff"), cs, "bom"
    candidates = [(normalise_charset(label), source) for label, source in declared_charsets(body, header_content_type)]
    utf8 = None  # decided once, only when a declaration names another codec
    for codec, source in candidates:
        if not plausible_codec(codec, body):  # unknown, or ASCII labelled utf-16: not to be trusted
            continue
        if codec != "utf-8" and not body.isascii():
            utf8 = _is_utf8(body) if utf8 is None else utf8
            if utf8:
                return body.decode("utf-8"), "utf-8", "detected"
        try:
            return body.decode(codec), codec, source
        except UnicodeError:
            continue  # declared wrongly: fall through to the next declaration or detection
    if utf8 is not False and _is_utf8(body):
        return body.decode("utf-8"), "utf-8", "detected"
    guess = normalise_charset(detect_charset(body))
    if guess:
        return body.decode(guess, errors="replace"), guess, "detected"
    codec = next((c for c, _ in candidates if plausible_codec(c, body)), "utf-8")
    return body.decode(codec, errors="replace"), codec, "fallback"


# ------------------------------------------------------------------ records to outcomes
def _record_id(h: dict[str, str], url: str, date: str, digest: str, block: bytes | None) -> str:
    rid = h.get("WARC-Record-ID", "").strip().strip("<>")
    if rid:
        return rid
    return "warc:" + content_hash(f"{url}|{date}|{digest or content_hash(block or b'')}")


def _lineage(rec: RawRecord, relpath: str) -> dict:
    h = rec.headers
    url = h.get("WARC-Target-URI", "").strip().strip("<>")
    return {
        "url": url,
        "domain": (urlsplit(url).hostname or "") if url else "",
        "warc_record_id": h.get("WARC-Record-ID", "").strip().strip("<>"),
        "warc_type": rec.warc_type,
        "crawl_date": h.get("WARC-Date", ""),
        "source_file": relpath,
        "record_offset": rec.offset,
    }


def _doc(rec: RawRecord, relpath: str, **extra) -> Document:
    meta = _lineage(rec, relpath)
    meta.update(extra)
    h = rec.headers
    doc_id = _record_id(h, meta["url"], meta["crawl_date"], h.get("WARC-Payload-Digest", ""), rec.block)
    return Document(doc_id, "", "web", meta)


SKIP_TYPES = {"request": "request", "revisit": "revisit", "metadata": "metadata", "warcinfo": "warcinfo",
              "resource": "resource", "continuation": "continuation"}


def record_outcome(rec: RawRecord, relpath: str, cfg: WebConfig, max_doc_chars: int) -> ReadOutcome:
    wtype = rec.warc_type.lower()
    if not rec.framed:
        length = next((v for k, v in rec.headers.items() if k.lower() == "content-length"), "")
        return failed("bad_length", _doc(rec, relpath, content_length=length[:40]))
    if wtype in SKIP_TYPES:
        return removed(SKIP_TYPES[wtype], _doc(rec, relpath))
    if wtype not in ("response", "conversion"):
        return removed("other_record", _doc(rec, relpath))
    if rec.block is None:
        if not rec.complete:  # claims more bytes than the file holds: the records after it are read on their own
            return failed("truncated", _doc(rec, relpath, content_length=rec.content_length))
        return removed("too_large", _doc(rec, relpath, content_length=rec.content_length))
    if not rec.complete or not any(k.lower() == "content-length" for k in rec.headers):
        # A header block cut before its Content-Length is a truncated record too.
        return failed("truncated", _doc(rec, relpath, content_length=rec.content_length, bytes_read=len(rec.block)))
    if wtype == "conversion":  # WET: the crawler's own text extraction
        text = rec.block.decode("utf-8", errors="replace")
        ctype = rec.headers.get("Content-Type", "text/plain")
        doc = _doc(rec, relpath, content_type=ctype, charset="utf-8", extracted_by="wet",
                   refers_to=rec.headers.get("WARC-Refers-To", "").strip("<>"))
        if len(text) > max_doc_chars:
            return removed("too_large", doc)
        doc.text = text
        return kept(doc)
    wct = rec.headers.get("Content-Type", "").lower()
    if not wct.startswith("application/http") and not rec.block.startswith(b"HTTP/"):
        return removed("non_http", _doc(rec, relpath, content_type=wct))  # dns:, ftp: and the like
    status, headers, body = _split_http(rec.block)
    ctype = _header(headers, "content-type")
    mime = ctype.split(";")[0].strip().lower()
    doc = _doc(rec, relpath, http_status=status, content_type=mime)
    if status is None:
        return failed("bad_http", doc)
    if cfg.require_http_200 and status != 200:
        return removed("http_status", doc)
    if _header(headers, "transfer-encoding").lower() == "chunked":
        body = _dechunk(body)
    if not mime and body.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        mime = "text/html"  # no Content-Type: sniff as browsers do
        doc.metadata["content_type"] = mime
    if mime not in cfg.html_content_types:
        return removed("non_html", doc)
    try:
        body = _decode_content(body, _header(headers, "content-encoding"), cfg.max_record_bytes)
    except DecodeError as e:
        doc.metadata["error"] = str(e)
        return removed("too_large", doc) if isinstance(e, DecodedTooLarge) else failed("decode", doc)
    if not bom_charset(body) and looks_binary(body):  # UTF-16/32 with a BOM is text, NULs and all
        return removed("binary", doc)
    text, codec, source = decode_html(body, ctype)
    doc.metadata.update(charset=codec, charset_source=source)
    bogus = [label for label, _ in declared_charsets(body, ctype) if is_bogus_charset(label)]
    if bogus:  # counted by the read stage (read/<source>/metric/charset_rejected)
        doc.metadata["charset_rejected"] = bogus[0]
    if rec.headers.get("WARC-Truncated"):
        doc.metadata["warc_truncated"] = rec.headers["WARC-Truncated"]
    if len(text) > max_doc_chars:
        return removed("too_large", doc)
    doc.text = text
    return kept(doc)


def iter_warc(path: str, relpath: str, cfg: WebConfig, max_doc_chars: int = 100_000_000,
              opener: Opener = local_open) -> Iterator[ReadOutcome]:
    """Every record of one WARC/WARC.gz/WET file as a ReadOutcome, damaged regions included."""
    with opener(path) as f:
        f.seek(0, 2)
        size = f.tell()
        f.seek(0)
        gz = f.read(3) == GZIP_MAGIC
        f.seek(0)
        if size == 0:
            log.warning("read/empty_file: %s has no bytes", relpath)
            yield failed("empty_file", Document(f"{relpath}#empty", "", "web", {"source_file": relpath}))
            return
        stream, where = f, "byte"
        inflated = _single_member_size(f, size) if gz else None
        if inflated is not None:
            # One gzip member for the whole file: records cannot be found by member, so the
            # inflated stream is read as a plain WARC (offsets are then offsets into it) and a
            # lying Content-Length cannot swallow the records after it.
            stream, size, gz, where = gzip.GzipFile(fileobj=f, mode="rb"), inflated, False, "inflated byte"
        for item in _resilient_records(stream, size, gz, cfg.reader, cfg.max_record_bytes):
            if isinstance(item, Gap):
                log.warning("read/%s: %s at %s %d (%s)", item.reason, relpath, where, item.offset, item.detail or "no parser error")
                meta = {"source_file": relpath, "record_offset": item.offset, "error": item.detail}
                yield failed(item.reason, Document(f"{relpath}@{item.offset}", "", "web", meta))
                continue
            out = record_outcome(item, relpath, cfg, max_doc_chars)
            if where != "byte":
                out.doc.metadata["offset_in"] = "inflated"
            if out.kind == "failed":
                log.warning("%s: %s record at %s %d of %s", out.reason, item.warc_type, where, item.offset, relpath)
            yield out
