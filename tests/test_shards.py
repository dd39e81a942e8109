"""Shard writer, placement, manifest and verify, without Beam."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pyarrow.parquet as pq
import pytest

from curation import shards as sh
from curation.config import PipelineConfig, TokenizerConfig, to_dict
from curation.document import id_hash64
from curation.tokenizer import Tokenizer, train_sentencepiece
from pipelines.shards import _packed, _unpacked
from tests.test_tokenizer import book_texts


@pytest.fixture(scope="module")
def tok() -> Tokenizer:
    texts = book_texts()
    return Tokenizer(train_sentencepiece(texts.values(), TokenizerConfig(vocab_size=400), ["<EMAIL>"]))


@pytest.fixture(scope="module")
def rows(tok):
    out = []
    for name, text in book_texts().items():
        for i, part in enumerate(text.split("\n\n\n")):
            if part.strip():
                ids = tok.encode_document(part)
                out.append((f"{name}/{i}", "books", "en", "", ids, len(ids)))
    return sorted(out, key=lambda r: id_hash64(r[0]))


def build_dir(tmp_path: Path, tok: Tokenizer, rows, target_tokens=300_000, row_group_tokens=50_000, val_fraction=0.1):
    """A folder laid out like build-shards output, using only the plain-Python API."""
    tok.save(tmp_path / "tokenizer")
    totals = {"train": 0, "val": 0}
    for r in rows:
        totals[sh.split_of(id_hash64(r[0]), val_fraction)] += r[5]
    groups: dict = {}
    for r in rows:
        h = id_hash64(r[0])
        split = sh.split_of(h, val_fraction)
        idx = sh.shard_index(h, split, sh.shard_count(totals[split], target_tokens), val_fraction)
        groups.setdefault((split, idx), []).append(r)
    entries = []
    for split in sh.SPLITS:
        for ordinal, key in enumerate(sorted(k for k in groups if k[0] == split)):
            rel = sh.shard_path(split, ordinal)
            (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
            counts = sh.write_shard(groups[key], tmp_path / rel, dtype=tok.dtype, row_group_tokens=row_group_tokens)
            entries.append({"path": rel, "sha256": sh.sha256_file(tmp_path / rel), "bytes": (tmp_path / rel).stat().st_size,
                            "split": split, **counts})
    manifest = sh.build_manifest(tok.info(), entries, to_dict(PipelineConfig()))
    (tmp_path / sh.MANIFEST).write_text(sh.manifest_json(manifest), encoding="utf-8")
    return manifest


def test_placement_is_a_pure_function_of_the_id():
    hashes = [id_hash64(f"doc-{i}") for i in range(20_000)]
    val = [h for h in hashes if sh.split_of(h, 0.05) == "val"]
    assert 0.04 < len(val) / len(hashes) < 0.06
    for h in hashes[:2000]:
        split = sh.split_of(h, 0.05)
        assert 0 <= sh.shard_index(h, split, 7, 0.05) < 7
    # slices are ordered: a larger hash never lands in an earlier shard
    train = sorted(h for h in hashes if sh.split_of(h, 0.05) == "train")
    idx = [sh.shard_index(h, "train", 7, 0.05) for h in train]
    assert idx == sorted(idx) and set(idx) == set(range(7))
    assert sh.shard_count(0, 100) == 1 and sh.shard_count(101, 100) == 2


def test_shard_columns_row_groups_and_readers(tmp_path, tok, rows):
    path = tmp_path / "s.parquet"
    counts = sh.write_shard(rows, path, dtype=tok.dtype, row_group_tokens=100_000)
    total = sum(r[5] for r in rows)
    assert counts["documents"] == len(rows) and counts["tokens"] == total
    pf = pq.ParquetFile(path)
    assert pf.metadata.num_row_groups == counts["row_groups"] > 1
    assert str(pf.schema_arrow.field("input_ids").type.value_type) == "uint16"
    assert pf.metadata.row_group(0).column(0).compression == "ZSTD"
    # every row group but the last reaches the target, and none overshoots by more than a document
    biggest = max(r[5] for r in rows)
    rg_tokens = [pf.read_row_group(i, columns=["n_tokens"]).column(0).to_numpy().sum() for i in range(pf.num_row_groups)]
    assert all(100_000 <= t < 100_000 + biggest for t in rg_tokens[:-1])
    arrays = list(sh.iter_token_arrays(path))
    assert [a.tobytes() for a in arrays] == [r[4].tobytes() for r in rows]
    assert all(isinstance(a, np.ndarray) and a.dtype == np.uint16 for a in arrays)
    assert tok.decode(arrays[0]) != ""
    con = duckdb.connect()
    n_sum, list_sum = con.execute(f"select sum(n_tokens), sum(len(input_ids)) from read_parquet('{path}')").fetchone()
    assert n_sum == list_sum == total


def test_loss_mask_column(tmp_path, tok):
    ids = tok.encode_document("hello <EMAIL> there")
    path = tmp_path / "m.parquet"
    sh.write_shard([("d", "web", "", "", ids, len(ids))], path, dtype=tok.dtype, row_group_tokens=1000,
                   mask_ids=[tok.piece_id("<EMAIL>")])
    t = pq.read_table(path)
    mask = np.asarray(t.column("loss_mask")[0].as_py())
    assert mask[0] == 0 and mask.sum() == len(ids) - 2
    assert mask[list(ids).index(tok.piece_id("<EMAIL>"))] == 0


def test_writes_are_byte_identical(tmp_path, tok, rows):
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    sh.write_shard(rows, a, dtype=tok.dtype, row_group_tokens=100_000)
    sh.write_shard(rows, b, dtype=tok.dtype, row_group_tokens=100_000)
    assert a.read_bytes() == b.read_bytes()


def test_manifest_and_verify(tmp_path, tok, rows):
    m = build_dir(tmp_path, tok, rows)
    assert sh.verify(tmp_path) == []
    assert m["totals"]["train"]["shards"] >= 2 and m["totals"]["val"]["shards"] >= 1
    assert m["totals"]["tokens"] == sum(r[5] for r in rows) == m["sources"]["books"]["tokens"]
    text = (tmp_path / sh.MANIFEST).read_text()
    assert str(tmp_path) not in text
    assert json.loads(text)["fingerprint"] == sh.fingerprint(tok.sha256, m["shards"])
    # names are contiguous per split
    for split in sh.SPLITS:
        names = [s["path"] for s in m["shards"] if s["split"] == split]
        assert names == [sh.shard_path(split, i) for i in range(len(names))]


def test_verify_names_corruption(tmp_path, tok, rows):
    m = build_dir(tmp_path, tok, rows)
    victim = tmp_path / m["shards"][0]["path"]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    problems = sh.verify(tmp_path)
    assert problems and problems[0].startswith(m["shards"][0]["path"]) and "sha256" in problems[0]
    victim.unlink()
    assert sh.verify(tmp_path)[0] == f"{m['shards'][0]['path']}: missing"
    (tmp_path / "shards/train/shard-00099.parquet").write_bytes(b"x")
    assert any("not in the manifest" in p for p in sh.verify(tmp_path))


def test_verify_catches_a_wrong_count_and_tokenizer(tmp_path, tok, rows):
    build_dir(tmp_path, tok, rows)
    mp = tmp_path / sh.MANIFEST
    m = json.loads(mp.read_text())
    m["shards"][0]["tokens"] += 1
    mp.write_text(json.dumps(m))
    assert any("manifest says" in p and m["shards"][0]["path"] in p for p in sh.verify(tmp_path))
    (tmp_path / "tokenizer/tokenizer.model").write_bytes(b"changed")
    assert sh.verify(tmp_path)[0].startswith("tokenizer/tokenizer.model")


def test_rows_cross_the_shuffle_as_bytes_and_come_back_equal():
    """WriteShards packs ids as (dtype, bytes) for its shuffles (pipelines/shards.py): the row comes
    back equal, dtype included, for both token widths and an empty body."""
    for ids in (np.array([1, 7, 65_535, 2], dtype=np.uint16), np.array([1, 70_000, 2], dtype=np.uint32),
                np.zeros(0, dtype=np.uint16), np.arange(10, dtype=np.uint32)[::2]):
        row = ("doc", "web", "en", "http://x", ids, len(ids))
        packed = _packed(row)
        assert isinstance(packed[sh.IDS][1], bytes)
        back = _unpacked(packed)
        assert back[: sh.IDS] == row[: sh.IDS] and back[sh.IDS + 1 :] == row[sh.IDS + 1 :]
        assert back[sh.IDS].dtype == ids.dtype and np.array_equal(back[sh.IDS], ids)
