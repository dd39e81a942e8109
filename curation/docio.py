"""Documents on disk: JSONL (plain, .gz, .zst) and Parquet, in the project's document schema.

Reading accepts other column names (``text_key``, ``id_key``); a row without an id gets a
content hash, so ids stay stable when the data moves. Bad rows are reported to the caller as
``(None, reason)`` so they can be counted, never raised deep in a worker.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
from pathlib import Path
from typing import Any, Iterator

from curation import fs
from curation.document import Document, content_hash, parquet_write_options

PARQUET_SUFFIXES = (".parquet",)


def _open_binary(path: str) -> io.BufferedIOBase:
    low = path.lower()
    remote = fs.open_read(path) if fs.is_remote(path) else None
    raw = remote if remote is not None else fs.open_regular(path)  # never a FIFO or a device
    if low.endswith(".gz"):
        return gzip.open(raw, "rb")
    if low.endswith(".zst") or low.endswith(".zstd"):
        import zstandard

        return io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(raw, closefd=True))
    return raw


_SURROGATE = re.compile("[\ud800-\udfff]")


def _repair(value: Any, fixed: list[int]) -> Any:
    """``value`` with every lone surrogate (valid JSON, ``"\\ud800"``, but not Unicode text: Parquet,
    hashing and UTF-8 reject it) replaced by U+FFFD; ``fixed[0]`` counts the replacements."""
    if isinstance(value, str):
        if _SURROGATE.search(value):
            value, n = _SURROGATE.subn("\ufffd", value)
            fixed[0] += n
        return value
    if isinstance(value, dict):
        return {_repair(k, fixed): _repair(v, fixed) for k, v in value.items()}
    if isinstance(value, list):
        return [_repair(v, fixed) for v in value]
    return value


def row_to_document(row: dict[str, Any], text_key: str = "text", id_key: str = "id", default_source: str = "docs") -> Document:
    """Map a user's row to a Document; other columns are kept in metadata. Lone surrogates in
    any column are replaced by U+FFFD and the document says so (metadata ``repaired_lone_surrogates``: how many)."""
    fixed = [0]
    row = _repair(row, fixed)
    doc = _row_to_document(row, text_key, id_key, default_source)
    if fixed[0]:
        doc.metadata["repaired_lone_surrogates"] = fixed[0]
    return doc


def _row_to_document(row: dict[str, Any], text_key: str, id_key: str, default_source: str) -> Document:
    text = row.get(text_key)
    if not isinstance(text, str):
        raise ValueError(f"no string column '{text_key}'")
    meta = row.get("metadata") or {}
    if isinstance(meta, str):
        try:
            meta = json.loads(meta) if meta else {}
        except json.JSONDecodeError:
            meta = {"metadata": meta}
    meta = dict(meta) if isinstance(meta, dict) else {"metadata": meta}
    for k, v in row.items():
        if k not in (text_key, id_key, "source", "metadata") and k not in meta:
            meta[k] = v if isinstance(v, (str, int, float, bool, type(None), list, dict)) else str(v)
    doc_id = row.get(id_key)
    doc_id = str(doc_id) if doc_id not in (None, "") else content_hash(text)
    return Document(doc_id, text, str(row.get("source") or default_source), meta)


MAX_LINE_CHARS = 100_000_000  # read.max_doc_chars: a longer JSONL line is skipped as too_large, never held whole


def iter_documents(path: str, text_key: str = "text", id_key: str = "id",
                   max_line_chars: int = MAX_LINE_CHARS) -> Iterator[tuple[Document | None, str]]:
    """Yield ``(document, "")`` for good rows and ``(None, reason)`` for bad ones.

    Reasons: ``bad_json`` (a line that is not a JSON object), ``bad_row`` (no text column),
    ``too_large`` (a line longer than ``max_line_chars``: memory per document is bounded),
    ``decode`` (a line that is not valid UTF-8), ``truncated`` (a compressed stream cut short: the
    rows before the cut are kept), ``unreadable`` (a file that cannot be opened)."""
    yield from iter_range(path, 0, -1, text_key, id_key, max_line_chars)


def splittable(path: str) -> bool:
    """Plain JSONL splits by byte range and Parquet by row group; compressed JSONL is read whole."""
    low = path.lower()
    return low.endswith(PARQUET_SUFFIXES) or low.endswith((".jsonl", ".json"))


def parquet_row_groups(path: str) -> list[int]:
    """Uncompressed byte size of each row group (what a chunk of row groups costs to read)."""
    import pyarrow.parquet as pq

    md = pq.ParquetFile(fs.open_read(path) if fs.is_remote(path) else path).metadata
    return [md.row_group(i).total_byte_size for i in range(md.num_row_groups)]


class BadRow(str):
    """A bad row's reason (``bad_json``, ``decode``, ...), still a plain string for counting, that
    also says where the row is: ``line`` (1-based; known when the file is read from its start),
    ``offset`` (the byte where the line starts) or, in Parquet, ``row_group`` and ``row``."""

    def __new__(cls, reason: str, **where: int | None):
        self = super().__new__(cls, reason)
        self.where = {k: v for k, v in where.items() if v is not None}
        return self

    def locator(self) -> str:
        """``line-12@3456`` or ``rg-0-row-7``: unique within one file."""
        w = self.where
        if "row" in w:
            return f"rg-{w.get('row_group', 0)}-row-{w['row']}"
        if "line" in w:
            return f"line-{w['line']}@{w.get('offset', 0)}"
        return f"byte-{w['offset']}" if "offset" in w else "bad"


def iter_range(path: str, start: int, end: int, text_key: str = "text", id_key: str = "id",
               max_line_chars: int = MAX_LINE_CHARS) -> Iterator[tuple[Document | None, str]]:
    """The rows of one chunk of a file, with iter_documents' reasons for bad ones.

    Plain JSONL: the lines that *start* at a byte offset in [start, end) (Hadoop's rule, so
    adjacent ranges split a file without losing or repeating a line). Parquet: row groups
    [start, end). ``end`` -1: to the end of the file (compressed JSONL is always read whole)."""
    if path.lower().endswith(PARQUET_SUFFIXES):
        yield from _iter_parquet(path, text_key, id_key, start, end)
        return
    try:
        f = _open_binary(path)
    except OSError:
        yield None, "unreadable"
        return
    with f:
        pos = 0
        lineno = 0 if start == 0 else None  # line numbers only when counted from the file's start
        if start > 0:
            f.seek(start - 1)
            pos = start - 1
            # Finish the line that began before this range (or the newline just before it), in
            # bounded pieces: that line may be a 100 MB one.
            while piece := f.readline(1 << 20):
                pos += len(piece)
                if piece.endswith(b"\n"):
                    break
        while end < 0 or pos < end:
            line_start = pos
            if lineno is not None:
                lineno += 1

            def bad(reason: str) -> BadRow:
                return BadRow(reason, line=lineno, offset=line_start)

            try:
                raw = f.readline(max_line_chars + 1)
                pos += len(raw)
                if len(raw) > max_line_chars and not raw.endswith(b"\n"):
                    # Skip the rest of the oversized line in bounded chunks.
                    while (rest := f.readline(1 << 20)) and not rest.endswith(b"\n"):
                        pos += len(rest)
                    pos += len(rest)
                    yield None, bad("too_large")
                    continue
            except Exception:  # gzip EOFError/BadGzipFile, zstd's ZstdError, OSError: the stream is cut
                yield None, bad("truncated")
                return
            if not raw:
                return
            try:
                line = raw.decode("utf-8")  # per line: one bad byte costs one row, not the file
            except UnicodeDecodeError:
                yield None, bad("decode")
                continue
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                yield None, bad("bad_json")
                continue
            if not isinstance(obj, dict):
                yield None, bad("bad_json")
                continue
            try:
                yield row_to_document(obj, text_key, id_key), ""
            except ValueError:
                yield None, bad("bad_row")


def _iter_parquet(path: str, text_key: str, id_key: str, start: int = 0, end: int = -1) -> Iterator[tuple[Document | None, str]]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(fs.open_read(path))  # local: a regular file only (fs.open_regular)
    except Exception:
        yield None, "unreadable"
        return
    for rg in range(start, pf.num_row_groups if end < 0 else min(end, pf.num_row_groups)):
        try:
            table = pf.read_row_group(rg)
        except Exception:
            yield None, "unreadable"
            continue
        for i, row in enumerate(table.to_pylist()):
            try:
                yield row_to_document(row, text_key, id_key), ""
            except ValueError:
                yield None, BadRow("bad_row", row_group=rg, row=i)


def write_documents_file(path: str | os.PathLike, docs: list[Document], fmt: str = "parquet",
                         extra_columns: list[str] | None = None) -> None:
    """Write one part file atomically (temporary name, then rename)."""
    import pyarrow as pa  # only writers of Parquet parts need pyarrow here
    import pyarrow.parquet as pq

    from curation.document import parquet_schema, rejected_schema

    with fs.atomic_writer(str(path)) as f:
        if fmt == "jsonl":
            for d in docs:
                row = d.to_dict()
                for c in extra_columns or []:
                    row[c] = d.metadata.get(c, "")
                f.write((json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
            return
        schema = rejected_schema() if extra_columns else parquet_schema()
        rows = [d.to_row() for d in docs]
        for r, d in zip(rows, docs):
            for c in extra_columns or []:
                r[c] = str(d.metadata.get(c, ""))
        table = pa.Table.from_pylist(rows, schema=schema)
        pq.write_table(table, f, row_group_size=max(1, min(len(rows), 10_000)), **parquet_write_options(schema))


def read_documents_dir(directory: str | os.PathLike) -> list[Document]:
    """All documents of a DIR/documents/ (or rejected/) folder, in file order. For tests and tools."""
    out: list[Document] = []
    for p in sorted(Path(directory).glob("*")):
        if p.name.startswith(".") or not p.is_file():
            continue
        for doc, reason in iter_documents(str(p)):
            if doc is not None:
                out.append(doc)
    return out
