"""`curate explain DOC_ID DIR` on a removed, a duplicate and a kept document, and an unknown id."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import run_curate

from curation.explain import explain


@pytest.fixture(scope="module")
def built(tmp_path_factory, shared_data) -> Path:
    from fixture_build import build

    return build(shared_data / "books", tmp_path_factory.mktemp("explain") / "out")


def _rejected(built: Path, reason: str) -> dict:
    return next(r for r in pq.read_table(built / "rejected").to_pylist() if r["reason"] == reason)


def test_removed_document_names_stage_reason_values_and_origin(built):
    row = _rejected(built, "quality/gopher_short_doc")
    res = run_curate("explain", row["id"], str(built))
    assert res.returncode == 0, res.stderr
    meta = json.loads(row["metadata"])
    assert "REMOVED      at stage quality by gopher_quality_v1: quality/gopher_short_doc" in res.stdout
    assert f"file {meta['source_file']}, offset {meta['record_offset']}" in res.stdout
    assert f"n_words={meta['gopher_quality_v1']['n_words']}" in res.stdout
    assert '    lang = "' in res.stdout
    assert "KEPT" not in res.stdout


def test_duplicate_document_names_cluster_and_where_the_survivor_ended(built):
    dup = pq.read_table(built / "duplicates").to_pylist()[0]
    info = explain(dup["doc_id"], built)
    assert info["removed"]["reason"] == "dedup/exact"
    d = info["duplicate_of"]
    assert d["kept_id"] == dup["kept_id"] and d["cluster_id"] == dup["cluster_id"] and d["kind"] == "exact"
    assert d["cluster_size"] >= 2
    shard = d["survivor_shard"]
    ids = pq.read_table(built / shard["path"], columns=["doc_id"]).column("doc_id").to_pylist()
    assert ids[shard["row"]] == dup["kept_id"]
    # The survivor's own explanation lists the duplicates it was kept over.
    survivor = explain(dup["kept_id"], built)
    assert dup["doc_id"] in survivor["survivor_of"]["removed"]


def test_kept_document_names_shard_row_and_lineage(built):
    manifest = json.loads((built / "manifest.json").read_text())
    entry = next(e for e in manifest["shards"] if e["split"] == "train")
    table = pq.read_table(built / entry["path"], columns=["doc_id", "n_tokens"])
    row = 7
    doc_id = table.column("doc_id")[row].as_py()
    res = run_curate("explain", doc_id, str(built))
    assert res.returncode == 0, res.stderr
    assert f"KEPT         {entry['path']} row {row} (split train, {table.column('n_tokens')[row].as_py()} tokens" in res.stdout
    assert "came from    file " in res.stdout  # lineage from the dedup checkpoint
    info = json.loads(run_curate("explain", "--json", doc_id, str(built)).stdout)
    assert info["shard"]["row"] == row and info["removed"] is None


def test_unknown_id_exits_2_with_one_line(built):
    res = run_curate("explain", "no-such-document", str(built))
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [res.stderr.strip()]
    assert "no-such-document" in res.stderr and "Traceback" not in res.stderr


def test_not_an_output_folder_exits_2(tmp_path):
    res = run_curate("explain", "x", str(tmp_path))
    assert res.returncode == 2 and "stats.json" in res.stderr


def test_sample_build_removed_duplicate_and_kept(sample_build):
    rejected = pq.read_table(sample_build / "rejected").to_pylist()
    removed = next(r for r in rejected if r["stage"] not in ("dedup", "read"))
    info = explain(removed["id"], sample_build)
    assert info["removed"]["reason"] == removed["reason"] and info["shard"] is None
    assert info["origin"].get("source_file")

    dup = pq.read_table(sample_build / "duplicates").to_pylist()[0]
    info = explain(dup["doc_id"], sample_build)
    assert info["duplicate_of"]["kept_id"] == dup["kept_id"]

    manifest = json.loads((sample_build / "manifest.json").read_text())
    path = manifest["shards"][0]["path"]
    doc_id = pq.read_table(sample_build / path, columns=["doc_id"]).column("doc_id")[0].as_py()
    res = run_curate("explain", doc_id, str(sample_build))
    assert res.returncode == 0, res.stderr
    assert f"KEPT         {path} row 0 " in res.stdout
