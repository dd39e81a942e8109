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
from pathlib import Path
from typing import Any, Iterator

from curation.document import Document, content_hash

PARQUET_SUFFIXES = (".parquet",)


def _open_text(path: str) -> io.TextIOBase:
    low = path.lower()
    if low.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="strict")
    if low.endswith(".zst") or low.endswith(".zstd"):
        import zstandard

        raw = open(path, "rb")
        return io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(raw, closefd=True), encoding="utf-8", errors="strict")
    return open(path, "r", encoding="utf-8", errors="strict")


def row_to_document(row: dict[str, Any], text_key: str = "text", id_key: str = "id", default_source: str = "docs") -> Document:
    """Map a user's row to a Document; other columns are kept in metadata."""
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


def iter_documents(path: str, text_key: str = "text", id_key: str = "id") -> Iterator[tuple[Document | None, str]]:
    """Yield ``(document, "")`` for good rows and ``(None, reason)`` for bad ones.

    Reasons: ``bad_json`` (a line that is not a JSON object), ``bad_row`` (no text column),
    ``decode`` (invalid UTF-8 or a broken compressed stream: the rest of the file is lost and
    says so), ``unreadable`` (Parquet that cannot be opened)."""
    if path.lower().endswith(PARQUET_SUFFIXES):
        yield from _iter_parquet(path, text_key, id_key)
        return
    try:
        f = _open_text(path)
    except OSError:
        yield None, "unreadable"
        return
    with f:
        lineno = 0
        while True:
            try:
                line = f.readline()
            except (UnicodeDecodeError, EOFError, OSError, Exception) as e:  # zstd raises its own ZstdError
                yield None, "decode" if isinstance(e, UnicodeDecodeError) else "truncated"
                return
            if not line:
                return
            lineno += 1
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                yield None, "bad_json"
                continue
            if not isinstance(obj, dict):
                yield None, "bad_json"
                continue
            try:
                yield row_to_document(obj, text_key, id_key), ""
            except ValueError:
                yield None, "bad_row"


def _iter_parquet(path: str, text_key: str, id_key: str) -> Iterator[tuple[Document | None, str]]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception:
        yield None, "unreadable"
        return
    for rg in range(pf.num_row_groups):
        try:
            table = pf.read_row_group(rg)
        except Exception:
            yield None, "unreadable"
            continue
        for row in table.to_pylist():
            try:
                yield row_to_document(row, text_key, id_key), ""
            except ValueError:
                yield None, "bad_row"


def write_documents_file(path: str | os.PathLike, docs: list[Document], fmt: str = "parquet", extra_columns: list[str] | None = None) -> None:
    """Write one part file atomically (temporary name, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    if fmt == "jsonl":
        with open(tmp, "w", encoding="utf-8") as f:
            for d in docs:
                row = d.to_dict()
                for c in extra_columns or []:
                    row[c] = d.metadata.get(c, "")
                f.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        from curation.document import parquet_schema, rejected_schema

        schema = rejected_schema() if extra_columns else parquet_schema()
        rows = [d.to_row() for d in docs]
        for r, d in zip(rows, docs):
            for c in extra_columns or []:
                r[c] = str(d.metadata.get(c, ""))
        table = pa.Table.from_pylist(rows, schema=schema)
        pq.write_table(table, tmp, compression="zstd", row_group_size=max(1, min(len(rows), 10_000)))
    os.replace(tmp, path)


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
