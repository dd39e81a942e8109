"""Readers: bytes in, Documents out, no Beam (docs/ingestion.md).

Every record or file a reader sees becomes exactly one ``ReadOutcome``: a kept Document
(``kind == "out"``) or a skip with a reason (``removed`` for data we choose not to keep, such as a
revisit record or a vendored file; ``failed`` for data we could not read, such as a truncated
record). The read stage counts one ``in`` per outcome, so in = out + removed + failed holds by
construction. Skipped Documents carry the same lineage metadata as kept ones and an empty text.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import BinaryIO, Callable

from curation.document import Document
from curation.fs import open_regular

Opener = Callable[[str], BinaryIO]

OUT, REMOVED, FAILED = "out", "removed", "failed"


@dataclass
class ReadOutcome:
    kind: str  # out | removed | failed
    reason: str  # "" when kind is out, else "read/<rule>"
    doc: Document

    @property
    def kept(self) -> bool:
        return self.kind == OUT


def kept(doc: Document) -> ReadOutcome:
    return ReadOutcome(OUT, "", doc)


def removed(rule: str, doc: Document) -> ReadOutcome:
    return ReadOutcome(REMOVED, f"read/{rule}", doc)


def failed(rule: str, doc: Document) -> ReadOutcome:
    return ReadOutcome(FAILED, f"read/{rule}", doc)


def local_open(path: str) -> BinaryIO:
    """A local regular file (a FIFO or a device is refused: fs.NotRegularFile, an OSError)."""
    return open_regular(path)


_CONTROL_BYTES = bytes(b for b in range(32) if b < 9 or 13 < b < 32)


def looks_binary(data: bytes, probe: int = 8192) -> bool:
    """NUL bytes or a high share of control characters in the first ``probe`` bytes.

    Text in any ASCII-compatible encoding (and UTF-8) never contains NUL; UTF-16 does, and
    counts as binary here because none of our inputs should be UTF-16 without a BOM."""
    head = data[:probe]
    if not head:
        return False
    if b"\x00" in head:
        return True
    # Delete the control bytes in C (bytes.translate) instead of looping in Python.
    control = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return control / len(head) > 0.1


# Labels Python resolves to a codec that is not a character encoding a page or a book can
# declare: byte transforms (base64, hex, zlib, bz2, uu, quopri) and rot13 fail the text-codec
# check below; these pass it but are no charset either: "undefined" raises on every byte (and
# charset="undefined" is a real templating bug on live pages), Python's own escapes, IDNA, and
# UTF-7, which the WHATWG Encoding Standard and every browser refuse.
_NOT_CHARSETS = frozenset({"undefined", "idna", "punycode", "raw-unicode-escape", "unicode-escape", "utf-7"})


def _clean_label(label: str) -> str:
    return label.strip().strip("\"'").lower()


def is_bogus_charset(label: str | None) -> bool:
    """True for a label Python knows that names no text encoding (base64, hex, rot13, zlib,
    undefined ...): a declaration to ignore and count, falling back to detection."""
    if not label:
        return False
    try:
        info = codecs.lookup(_clean_label(label))
    except LookupError:
        return False  # unknown labels are simply not recognised, as before
    return not info._is_text_encoding or info.name in _NOT_CHARSETS


def normalise_charset(label: str | None) -> str | None:
    """A Python text codec name for a declared charset label, or None if unknown or bogus.

    Follows the WHATWG Encoding Standard where it differs from Python: iso-8859-1, latin-1 and
    us-ascii are decoded as windows-1252 (browsers do, and pages rely on it for curly quotes).
    Only text codecs are returned (``is_bogus_charset``): ``bytes.decode("base64")`` raises
    LookupError and ``"undefined"`` raises UnicodeError, which would end a run."""
    if not label:
        return None
    label = _clean_label(label)
    if is_bogus_charset(label):
        return None
    if label in ("iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii", "ansi_x3.4-1968"):
        return "cp1252"
    if label in ("x-sjis", "shift-jis"):
        label = "shift_jis"
    if label in ("gb2312", "gbk"):
        return "gb18030"  # a superset: pages labelled gb2312 often use gbk characters
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


# UTF-32 first: its little-endian BOM begins with UTF-16's.
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_WIDE = ("utf-16", "utf-32")


def plausible_codec(codec: str | None, data: bytes, probe: int = 4096) -> bool:
    """False for a UTF-16/UTF-32 label on bytes without a single NUL: ASCII text labelled
    utf-16 (a real server misconfiguration) would decode to CJK mojibake."""
    if not codec:
        return False
    return not (codec.replace("_", "-").lower().startswith(_WIDE) and b"\x00" not in data[:probe])


def bom_charset(data: bytes) -> str | None:
    for bom, name in BOMS:
        if data.startswith(bom):
            return name
    return None


def detect_charset(data: bytes, sample: int = 64 * 1024) -> str | None:
    """charset-normalizer's best guess over the first ``sample`` bytes, or None."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:sample]).best()
    return best.encoding if best is not None else None
