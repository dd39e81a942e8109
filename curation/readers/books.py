"""Plain-text books to one Document each, Project Gutenberg boiler-plate stripped. No Beam here.

Decoding: a BOM, else strict UTF-8, else the "Character set encoding:" line of a Gutenberg
header (a label that is no text codec, such as base64 or undefined, is ignored and recorded as
``charset_rejected``), else charset-normalizer's detection; a book none of these can read is a counted
failure (read/decode), never mojibake. Line ends become "\\n" (CRLF and CR files).

Gutenberg layout (every variant seen in ../shared/data/books and older files): the body starts
after "*** START OF THE/THIS PROJECT GUTENBERG EBOOK ... ***" or after
"*END*THE SMALL PRINT! ... *END*", and ends before "*** END OF THE/THIS PROJECT GUTENBERG ..."
or "End of (the) Project Gutenberg('s) EBook/Etext ...". Title, Author and Language are read from
the header into metadata; a "Produced by ..." paragraph right after the start marker is credits,
not text, and is dropped. A book is one document and is never truncated: an over-size book is
a counted skip (read/too_large).
"""

from __future__ import annotations

import os
import re

from curation.config import BooksConfig
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

_START = re.compile(
    r"^\s*\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG E(?:BOOK|TEXT)[^\n]*$"
    r"|^\s*\*END\*THE SMALL PRINT![^\n]*$",
    re.I | re.M,
)
_END = re.compile(
    r"^\s*\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG E(?:BOOK|TEXT)[^\n]*$"
    r"|^\s*End of (?:the )?Project Gutenberg(?:'s|’s)?\b[^\n]*$",
    re.I | re.M,
)
_FIELD = re.compile(r"^(Title|Author|Language|Release Date|Character set encoding):[ \t]*(.*)$", re.I | re.M)
_CREDITS = re.compile(r"^\s*(?:Produced by|E-text prepared by|Transcribed (?:from|by)|This (?:e-?text|story) was)\b", re.I)
_LANG_CODES = {
    "english": "en", "french": "fr", "german": "de", "dutch": "nl", "latin": "la", "spanish": "es",
    "italian": "it", "portuguese": "pt", "finnish": "fi", "swedish": "sv", "danish": "da", "russian": "ru",
    "chinese": "zh", "greek": "el", "polish": "pl", "hungarian": "hu", "esperanto": "eo", "norwegian": "no",
}


def declared_book_charset(data: bytes) -> str | None:
    """The "Character set encoding:" label of a Gutenberg header, as written."""
    m = re.search(rb"^Character set encoding:[ \t]*([A-Za-z0-9_\-]+)", data[:20_000], re.M | re.I)
    return m.group(1).decode("ascii") if m else None


def decode_book(data: bytes) -> tuple[str, str] | None:
    """(text, codec) or None when no encoding reads the bytes as text."""
    bom = bom_charset(data)
    if bom:
        return data.decode(bom, errors="replace").lstrip("\ufeff"), bom
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    label = declared_book_charset(data)
    declared = normalise_charset(label)  # None for a bogus label (base64, undefined ...): detection decides
    for codec in filter(lambda c: plausible_codec(c, data), [declared, normalise_charset(detect_charset(data, sample=200_000))]):
        try:
            return data.decode(codec), codec
        except UnicodeError:
            continue
    return None


def _header_fields(header: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _FIELD.finditer(header):
        key = m.group(1).lower().replace(" ", "_")
        out.setdefault(key, m.group(2).strip())
    return out


def strip_gutenberg(text: str) -> tuple[str, dict[str, str], bool]:
    """(body, header fields, whether a Gutenberg layout was found)."""
    start = None
    for m in _START.finditer(text):
        start = m  # the SMALL PRINT block follows the header: take the last start marker
        if not m.group(0).lstrip().startswith("*END*"):
            break
    if start is None:
        return text.strip("\n"), {}, False
    fields = _header_fields(text[: start.start()])
    end = _END.search(text, start.end())
    body = text[start.end(): end.start() if end else len(text)]
    # Credits, a repeated "Project Gutenberg Etext of" title and "***" rules often sit between
    # the marker and the text: drop such leading paragraphs (at most a few).
    paras = re.split(r"\n[ \t]*\n", body.strip("\n"))
    drop = 0
    while drop < min(5, len(paras) - 1):
        p = paras[drop].strip()
        if not (p.strip("*") == "" or _CREDITS.match(p) or "project gutenberg" in p.lower()):
            break
        drop += 1
    body = "\n\n".join(paras[drop:])
    return body.strip("\n"), fields, True


def read_book(path: str, relpath: str, cfg: BooksConfig, max_doc_chars: int = 100_000_000,
              opener: Opener = local_open) -> ReadOutcome:
    with opener(path) as f:
        data = f.read(cfg.max_file_bytes + 1)
    doc = Document(f"{relpath}#{content_hash(data, 12)}", "", "books",
                   {"source_file": relpath, "size_bytes": len(data)})
    if len(data) > cfg.max_file_bytes:
        return removed("too_large", doc)
    if not data.strip():
        return failed("empty_file", doc)
    # A BOM first (UTF-16 and UTF-32 text is full of NUL bytes), then the binary check.
    if not bom_charset(data) and looks_binary(data):
        return removed("binary", doc)
    decoded = decode_book(data)
    if decoded is None:
        return failed("decode", doc)
    text, codec = decoded
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    doc.metadata["charset"] = codec
    if is_bogus_charset(declared_book_charset(data)):  # counted by the read stage
        doc.metadata["charset_rejected"] = declared_book_charset(data)
    doc.metadata["title"] = os.path.splitext(os.path.basename(relpath))[0]
    if cfg.strip_gutenberg:
        text, fields, found = strip_gutenberg(text)
        doc.metadata["gutenberg"] = found
        for key in ("title", "author", "language", "release_date"):
            if fields.get(key):
                doc.metadata[key] = fields[key]
        lang = fields.get("language", "").split(",")[0].split(" and ")[0].strip().lower()
        if lang:
            doc.metadata["declared_lang"] = _LANG_CODES.get(lang, lang)
    if not text.strip():
        return removed("empty", doc)
    if len(text) > max_doc_chars:
        return removed("too_large", doc)
    doc.text = text
    return kept(doc)
