"""Documents a user already has: JSONL (plain, gz, zst) and Parquet, other column names, bad rows."""

import gzip
import json

import pyarrow as pa
import pyarrow.parquet as pq
import zstandard

from curation.docio import iter_documents, write_documents_file
from curation.document import Document, parquet_schema, parquet_write_options, rejected_schema
from pipelines.parts import _write_parquet_rows


def _rows():
    return [{"doc_id": "a", "content": "first text", "lang_hint": "en"}, {"doc_id": "b", "content": "second text"}]


def test_jsonl_variants_and_keys(tmp_path):
    lines = "".join(json.dumps(r) + "\n" for r in _rows()).encode()
    (tmp_path / "d.jsonl").write_bytes(lines)
    (tmp_path / "d.jsonl.gz").write_bytes(gzip.compress(lines))
    (tmp_path / "d.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(lines))
    pq.write_table(pa.Table.from_pylist(_rows()), tmp_path / "d.parquet")
    for name in ("d.jsonl", "d.jsonl.gz", "d.jsonl.zst", "d.parquet"):
        docs = [d for d, _ in iter_documents(str(tmp_path / name), text_key="content", id_key="doc_id")]
        assert [d.id for d in docs] == ["a", "b"], name
        assert docs[0].metadata["lang_hint"] == "en" and docs[0].source == "docs"


def test_bad_rows_are_reported_not_raised(tmp_path):
    f = tmp_path / "bad.jsonl"
    f.write_bytes(b'{"text": "ok"}\nnot json\n[1, 2]\n{"no_text": 1}\n{"text": "also ok"}\n\xff\xfe broken utf8\n')
    got = list(iter_documents(str(f)))
    reasons = [r for d, r in got if d is None]
    assert [d.text for d, _ in got if d is not None] == ["ok", "also ok"]
    assert reasons == ["bad_json", "bad_json", "bad_row", "decode"]
    # No id column: a content hash, stable across runs.
    assert got[0][0].id == list(iter_documents(str(f)))[0][0].id


def test_oversized_line_is_skipped_with_bounded_memory(tmp_path):
    f = tmp_path / "big.jsonl"
    with open(f, "w") as fh:
        fh.write(json.dumps({"id": "small", "text": "fine"}) + "\n")
        fh.write(json.dumps({"id": "huge", "text": "x" * 5_000_000}) + "\n")
        fh.write(json.dumps({"id": "after", "text": "kept"}) + "\n")
    got = list(iter_documents(str(f), max_line_chars=1_000_000))
    assert [(d.id if d else r) for d, r in got] == ["small", "too_large", "after"]


def test_truncated_gzip_keeps_what_came_before(tmp_path):
    data = gzip.compress("".join(json.dumps({"id": str(i), "text": f"row {i}"}) + "\n" for i in range(2000)).encode())
    f = tmp_path / "cut.jsonl.gz"
    f.write_bytes(data[: len(data) // 2])
    got = list(iter_documents(str(f)))
    assert got[-1] == (None, "truncated")
    assert len([d for d, _ in got if d]) > 100


def test_written_parts_read_back(tmp_path):
    docs = [Document("x", "text one", "web", {"lang": "en"}), Document("y", "text two\n\ttabs", "books", {})]
    write_documents_file(tmp_path / "p.parquet", docs)
    write_documents_file(tmp_path / "p.jsonl", docs, fmt="jsonl")
    for name in ("p.parquet", "p.jsonl"):
        back = [d for d, _ in iter_documents(str(tmp_path / name))]
        assert [(d.id, d.text, d.source, d.metadata) for d in back] == [(d.id, d.text, d.source, d.metadata) for d in docs]


def test_document_parts_keep_no_statistics_of_texts(tmp_path):
    """Min/max of a text column cost copies of the longest texts while a part is written (item 11
    of docs/robustness.md); the short columns keep theirs. Every document writer uses the same
    options: the part writer, rejected/'s streaming merge and its spool files."""
    docs = [Document("b", "beta " * 50, "web", {"lang": "en"}), Document("a", "alpha " * 50, "web", {})]
    write_documents_file(tmp_path / "d.parquet", docs)
    _write_parquet_rows(str(tmp_path / "p.parquet"), [d.to_row() for d in docs], parquet_schema())
    for name in ("d.parquet", "p.parquet"):
        group = pq.ParquetFile(tmp_path / name).metadata.row_group(0)
        stats = {group.column(i).path_in_schema: group.column(i).is_stats_set for i in range(group.num_columns)}
        assert stats == {"id": True, "text": False, "source": True, "metadata": False}, name
    assert parquet_write_options(rejected_schema())["write_statistics"] == ["id", "source", "stage", "rule", "reason"]
