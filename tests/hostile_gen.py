"""Generators for the red-team regression suite (issue 25, tests/test_hostile_*.py).

Every hostile input is built here, in the test's temporary folder, from a few lines of Python:
nothing binary is committed, each generator is bounded in size (a few MB at most) and time.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

from make_hostile import good_record

BOOK = ("The harbour committee met on Tuesday to review the winter schedule for the ferry service. "
        "Members agreed that the early crossing should continue through February. ") * 40


SAMPLE_BOOKS = Path(__file__).resolve().parents[1] / "sample_data" / "books"


def books_folder(root: Path, n: int = 3) -> Path:
    """``n`` small plain-text books that pass the quality filters: the bundled sample books
    (sample_data/books), under new names."""
    root.mkdir(parents=True, exist_ok=True)
    sources = sorted(SAMPLE_BOOKS.glob("*.txt"))
    for i in range(n):
        data = sources[i % len(sources)].read_bytes() if sources else BOOK.encode()  # as stored: some are not UTF-8
        (root / f"book-{i}.txt").write_bytes(data + f"\n\nCopy {i}.\n".encode() if i >= len(sources) else data)
    return root


def single_member_warc_gz(path: Path, lying_length: int = 150_000_000) -> int:
    """Six WARC records compressed as ONE gzip member; the third claims ``lying_length`` bytes.
    Returns the number of records (6)."""
    recs = [good_record(i) for i in range(1, 7)]
    recs[2] = recs[2].replace(b"Content-Length: ", f"Content-Length: {lying_length}\r\nX-Was-Length: ".encode(), 1)
    path.write_bytes(gzip.compress(b"".join(recs), mtime=0))
    return len(recs)


def plain_warc_with_length(path: Path, value: str) -> None:
    """Three plain WARC records; the second's WARC Content-Length header replaced by ``value``."""
    recs = [good_record(i) for i in range(1, 4)]
    head, sep, rest = recs[1].partition(b"\r\n\r\n")
    lines = [ln if not ln.startswith(b"Content-Length:") else f"Content-Length: {value}".encode()
             for ln in head.split(b"\r\n")]
    recs[1] = b"\r\n".join(lines) + sep + rest
    path.write_bytes(b"".join(recs))


def per_record_members(plain: bytes) -> bytes:
    """A plain WARC recompressed the standard way: one gzip member per record."""
    recs = plain.split(b"WARC/1.0\r\n")[1:]
    return b"".join(gzip.compress(b"WARC/1.0\r\n" + r, mtime=0) for r in recs)


def deep_tree(root: Path, total_chars: int = 4600, name_len: int = 200) -> str:
    """A folder chain under ``root`` whose full path passes PATH_MAX (4096), built with dir_fd
    (the path itself can never be opened), with a source file at the bottom. Returns the
    relative path of the first folder the walk cannot enter, approximately: the deep chain's top."""
    fd = os.open(root, os.O_RDONLY)
    depth = 0
    try:
        while len(str(root)) + depth * (name_len + 1) < total_chars:
            name = "d" * name_len
            os.mkdir(name, dir_fd=fd)
            nfd = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = nfd
            depth += 1
        out = os.open("deep.py", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(out, b"print('too deep to reach')\n")
        os.close(out)
    finally:
        os.close(fd)
    return "d" * name_len


def surrogate_jsonl(path: Path) -> None:
    """JSONL rows carrying lone surrogates (valid JSON escapes) in text, id and another column."""
    rows = [
        '{"id": "ok-1", "text": "A clean row that must survive untouched, with several words in it."}',
        '{"id": "bad-\\ud800", "text": "Lone high surrogate \\ud800 in the text and the id of this row.", "tag": "x\\udfff"}',
        '{"id": "bad-2", "text": "A low one \\udc00 alone, then a valid pair \\ud83d\\ude00 that must stay."}',
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def yaml_bomb(path: Path, levels: int = 9) -> None:
    """The billion-laughs shape under plugins[].options: 9 levels of 9 aliases (387M nodes)."""
    lines = ["plugins:", "  - name: not_a_real_plugin", "    options:", '      a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"      a{i}: &a{i} [{refs}]")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))
