"""Generate the hostile-input corpus (issues 3 and 10) into a folder, at test time.

    python tests/make_hostile.py DIR        # writes DIR/{web,books,code,outside}, prints the cases

Nothing binary is committed: every damaged archive, bomb and odd file name is built here from
a few lines of Python. ``make(DIR)`` returns the cases, each naming the input it lives in and the
outcomes a correct reader may give it (a counted reason, or "kept" for a record that must
survive next to the damage). The real truncated archives of ../shared/data/web are used by the
tests directly, not copied.

Layout:
    web/      WARC and WARC.gz files: cut mid-member, garbage between records, binary bodies,
              a zero-byte file, a 50 MB page, gzip bombs (> 1000x), 100,000-deep HTML,
              a 1 MB single line, NUL bytes, mixed encodings, an odd file name
    books/    an unknown encoding, zero bytes, NUL bytes, mixed encodings, a 1 MB line,
              odd file names, a symlink pointing out of the folder
    code/tree a source tree with symlink loops, symlinks out of the root, NUL bytes, mixed
              encodings, a 1 MB line, odd file names
    outside/  files only reachable through those symlinks: their marker must never be read
"""

from __future__ import annotations

import gzip
import os
import random
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

OUTSIDE_MARKER = "OUTSIDE-THE-ROOT-d41d8cd9"
GZIP_RATIO = 1000  # the bombs must expand more than this


@dataclass
class Case:
    name: str  # what the case is, for messages
    kind: str  # web | books | code
    source_file: bytes  # path relative to its input root, as bytes (names may not be UTF-8)
    expect: set[str] = field(default_factory=set)  # allowed reasons ("read/binary") or "kept"
    kept: int = 0  # good records in the same file that must survive


# ---------------------------------------------------------------------------- WARC building
_PARA = (
    "The harbour committee met on Tuesday to review the winter schedule for the ferry service. "
    "Members agreed that the early crossing should continue through February, and that the "
    "timetable would be posted at the terminal and in the weekly newsletter for residents. "
)


def article(title: str, paras: int = 6) -> str:
    body = "".join(f"<p>{_PARA} Paragraph {i} of the report on {title}.</p>\n" for i in range(paras))
    return (f"<!DOCTYPE html><html><head><title>{title}</title></head><body><article><h1>{title}</h1>\n"
            f"{body}</article></body></html>\n")


def _uuid(n: int) -> str:
    return f"urn:uuid:00000000-0000-4000-8000-{n:012d}"


def http_response(body: bytes, content_type: str = "text/html; charset=utf-8", status: str = "200 OK",
                  extra: str = "") -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n{extra}Content-Length: {len(body)}\r\n\r\n"
    return head.encode("ascii") + body


def warc_record(n: int, block: bytes, url: str | None = None, warc_type: str = "response") -> bytes:
    url = url or f"http://hostile.example/{n}"
    head = (
        f"WARC/1.0\r\nWARC-Type: {warc_type}\r\nWARC-Record-ID: <{_uuid(n)}>\r\n"
        f"WARC-Date: 2024-01-0{1 + n % 9}T00:00:00Z\r\nWARC-Target-URI: {url}\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(block)}\r\n\r\n"
    )
    return head.encode("ascii") + block + b"\r\n\r\n"


def good_record(n: int) -> bytes:
    return warc_record(n, http_response(article(f"report {n}").encode("utf-8")))


def gz(data: bytes) -> bytes:
    # mtime=0: the corpus is byte-identical every time it is generated.
    return gzip.compress(data, compresslevel=6, mtime=0)


def gzip_of_parts(parts: list[tuple[bytes, int]]) -> bytes:
    """One gzip member holding each ``(unit, copies)`` repeated, built without compressing the
    whole: a full flush makes each compressed block self-contained, so it can be repeated."""
    body, crc, size = [], 0, 0
    for unit, copies in parts:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        body.append((c.compress(unit) + c.flush(zlib.Z_FULL_FLUSH)) * copies)
        for _ in range(copies):
            crc = zlib.crc32(unit, crc)
        size += len(unit) * copies
    body.append(zlib.compressobj(9, zlib.DEFLATED, -15).flush())  # an empty final block
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03"
    return header + b"".join(body) + crc.to_bytes(4, "little") + (size & 0xFFFFFFFF).to_bytes(4, "little")


def _web(root: Path, cases: list[Case], rng: random.Random) -> None:
    web = root / "web"
    web.mkdir(parents=True)

    def add(name: str, data: bytes, expect: set[str], kept: int = 0, fname: bytes | None = None) -> None:
        fname = fname or f"{name}.warc.gz".encode()
        _write(os.path.join(os.fsencode(web), fname), data)
        cases.append(Case(name, "web", fname, expect, kept))

    members = [gz(good_record(i)) for i in range(1, 4)]
    add("control", b"".join(members), set(), kept=3)
    last = gz(good_record(4))
    add("gzip-cut-mid-member", b"".join(members) + last[: len(last) // 2], {"read/truncated"}, kept=3)
    garbage = bytes(rng.randrange(256) for _ in range(3000))
    add("garbage-between-members", members[0] + garbage + members[1], {"read/garbage", "read/corrupt_record"}, kept=2)
    plain = good_record(5) + b"\x00\xffgarbage between plain records\n" * 50 + good_record(6)
    add("garbage-between-plain", plain, {"read/garbage", "read/corrupt_record"}, kept=2, fname=b"garbage-between-plain.warc")
    noise = bytes(rng.randrange(256) for _ in range(20000))
    add("binary-body-as-html", gz(warc_record(7, http_response(noise))) + members[2], {"read/binary", "read/decode"}, kept=1)
    add("zero-byte", b"", {"read/empty_file"})
    # 50 MB of HTML in one record: over the extraction size cap (extract/too_large), never parsed.
    unit = ("<p>" + _PARA * 20 + "</p>\n").encode()
    big = b"<!DOCTYPE html><html><body>" + unit * (50_000_000 // len(unit) + 1) + b"</body></html>"
    add("html-50mb", gz(warc_record(8, http_response(big))), {"extract/too_large", "read/too_large"})
    # Content-Encoding gzip that inflates > 1000x: the decoder stops at read.web.max_record_bytes.
    bomb = gzip_of_parts([(b" " * (1 << 20), 200)])
    assert 200 * (1 << 20) / len(bomb) > GZIP_RATIO
    add("http-gzip-bomb", gz(warc_record(9, http_response(bomb, extra="Content-Encoding: gzip\r\n"))),
        {"read/too_large"})
    # The archive itself a bomb: one gzip member holding a 200 MB record (never read into memory).
    head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <{_uuid(10)}>\r\nWARC-Date: 2024-01-01T00:00:00Z\r\n"
            f"WARC-Target-URI: http://hostile.example/10\r\nContent-Type: application/http; msgtype=response\r\n"
            f"Content-Length: {200 << 20}\r\n\r\n").encode()
    arch = gzip_of_parts([(head, 1), (b" " * (1 << 20), 200), (b"\r\n\r\n", 1)])
    assert (200 << 20) / len(arch) > GZIP_RATIO
    add("warc-gzip-bomb", arch + members[0], {"read/too_large"}, kept=1)
    deep = "<!DOCTYPE html><html><body>" + "<div>" * 100_000 + "<p>" + _PARA + "</p>" + "</div>" * 100_000 + "</body></html>"
    add("html-nested-100000", gz(warc_record(11, http_response(deep.encode()))), {"extract/too_deep"})
    line = "<!DOCTYPE html><html><body><article><h1>One line</h1><p>" + (_PARA * 4000)[:1_000_000] + "</p></article></body></html>"
    add("html-1mb-line", gz(warc_record(12, http_response(line.encode()))), {"kept", "extract/timeout"})
    nul = article("nul bytes").encode().replace(b"harbour", b"harb\x00our")
    add("html-nul-bytes", gz(warc_record(13, http_response(nul))), {"read/binary", "kept"})
    mixed = (article("mixed part one").encode("utf-8").replace(b"harbour", "harbour caf\u00e9".encode("utf-8"))
             + article("mixed part two \u00e9t\u00e9").encode("latin-1"))
    add("html-mixed-encodings", gz(warc_record(14, http_response(mixed))), {"kept"})
    add("odd-file-name", gz(good_record(15)), set(), kept=1, fname=b"odd name\nwith newline \xff\xfe.warc.gz")


# ---------------------------------------------------------------------------- books
def _book(title: str, lines: int = 200) -> str:
    return f"{title}\n\n" + "".join(f"{_PARA} Line {i} of {title}.\n" for i in range(lines))


def _write(path: bytes, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)


def _books(root: Path, cases: list[Case]) -> None:
    books = os.fsencode(root / "books")
    os.makedirs(books)

    def add(name: str, fname: bytes, data: bytes, expect: set[str]) -> None:
        _write(os.path.join(books, fname), data)
        cases.append(Case(name, "books", fname, expect))

    add("book-control", b"control.txt", _book("Control").encode(), {"kept"})
    # EBCDIC: no BOM, not UTF-8, no declaration; decoded by detection or a counted read/decode.
    add("book-unknown-encoding", b"ebcdic.txt", _book("Unknown encoding").encode("cp500"), {"kept", "read/decode", "read/binary"})
    add("book-zero-bytes", b"empty.txt", b"", {"read/empty_file"})
    add("book-nul-bytes", b"nul.txt", _book("Nul").encode().replace(b"ferry", b"fe\x00rry"), {"read/binary"})
    mixed = _book("Mixed caf\u00e9").encode("utf-8") + _book("Mixed \u00e9t\u00e9 two").encode("latin-1")
    add("book-mixed-encodings", b"mixed.txt", mixed, {"kept", "read/decode"})
    add("book-1mb-line", b"one-line.txt", ("One line\n\n" + (_PARA * 4000)[:1_000_000] + "\n").encode(), {"kept"})
    add("book-name-spaces", b"a book with spaces.txt", _book("Spaces").encode(), {"kept"})
    add("book-name-newline", b"new\nline.txt", _book("Newline").encode(), {"kept"})
    add("book-name-invalid-utf8", b"bad\xff\xfename.txt", _book("Invalid name").encode(), {"kept"})
    # A symlink out of the folder: never read (a skip logged when the inputs are resolved).
    os.symlink(os.path.join("..", "outside", "secret.txt"), os.path.join(books, b"escape.txt"))


# ---------------------------------------------------------------------------- code
def _code(root: Path, cases: list[Case]) -> None:
    tree = os.fsencode(root / "code" / "tree")
    os.makedirs(os.path.join(tree, b"pkg"))

    def add(name: str, rel: bytes, data: bytes, expect: set[str]) -> None:
        _write(os.path.join(tree, rel), data)
        cases.append(Case(name, "code", b"tree/" + rel, expect))

    src = "def area(width, height):\n    return width * height\n\n\nprint(area(3, 4))\n"
    add("code-control", b"pkg/area.py", src.encode(), {"kept"})
    add("code-nul-bytes", b"pkg/nul.py", src.encode().replace(b"width", b"wi\x00dth"), {"read/binary"})
    add("code-mixed-encodings", b"pkg/mixed.py", ("# caf\u00e9\n").encode() + ("# \u00e9t\u00e9\n").encode("latin-1") + src.encode(),
        {"read/encoding"})
    add("code-1mb-line", b"pkg/data.py", b"DATA = '" + b"a" * 990_000 + b"'\n", {"kept"})
    add("code-empty", b"pkg/empty.py", b"", {"read/empty"})
    add("code-name-spaces", b"pkg/odd name.py", src.encode(), {"kept"})
    add("code-name-newline", b"pkg/new\nline.py", src.encode(), {"kept"})
    add("code-name-invalid-utf8", b"pkg/bad\xff.py", src.encode(), {"kept"})
    # Symlink loops, and symlinks (a file and a directory) pointing out of the root.
    os.symlink(b".", os.path.join(tree, b"pkg", b"loop"))
    os.makedirs(os.path.join(tree, b"a", b"b"))
    os.symlink(os.path.join(b"..", b"..", b"a"), os.path.join(tree, b"a", b"b", b"up"))
    os.symlink(os.path.join(b"..", b"..", b"outside"), os.path.join(tree, b"escape_dir"))
    os.symlink(os.path.join(b"..", b"..", b"outside", b"secret.py"), os.path.join(tree, b"escape.py"))
    for rel in (b"pkg/loop", b"a/b/up", b"escape_dir", b"escape.py"):
        cases.append(Case(f"code-symlink {rel.decode()}", "code", b"tree/" + rel, {"read/symlink"}))


def _outside(root: Path) -> None:
    out = root / "outside"
    out.mkdir()
    (out / "secret.txt").write_text(_book(OUTSIDE_MARKER))
    (out / "secret.py").write_text(f"SECRET = '{OUTSIDE_MARKER}'\nprint(SECRET)\n")


def make(root: str | os.PathLike) -> list[Case]:
    """Write the corpus under ``root`` (created; must not exist) and return its cases."""
    root = Path(root)
    root.mkdir(parents=True)
    rng = random.Random(10)
    cases: list[Case] = []
    _outside(root)
    _web(root, cases, rng)
    _books(root, cases)
    _code(root, cases)
    return cases


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/make_hostile.py DIR")
    for c in make(sys.argv[1]):
        print(f"{c.kind:5} {c.name:28} {c.source_file!r:48} {sorted(c.expect) or ['kept']} kept={c.kept}")
