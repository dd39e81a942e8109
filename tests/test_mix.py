"""Mixing weights (curation/mix.py): repetition and sub-sampling of whole documents when shards are
written, and `curate train --shards DIR:WEIGHT` over several folders."""

from __future__ import annotations

import json
import shutil
import sysconfig
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from curation import mix
from curation import shards as sh
from tests.conftest import run_curate

CODE_MODULES = ("textwrap", "shlex", "fnmatch", "colorsys", "bisect", "heapq", "glob", "string", "calendar", "difflib")


def _rows(build: Path) -> list[dict]:
    out = []
    for e in sh.read_manifest(build)["shards"]:
        t = pq.read_table(build / e["path"], columns=["doc_id", "source", "lang", "n_tokens"])
        out += [{**r, "split": e["split"]} for r in t.to_pylist()]
    return out


def _tokens(rows: list[dict], **where) -> int:
    return sum(r["n_tokens"] for r in rows if all(r[k] == v for k, v in where.items()))


# ---------------------------------------------------------------------------------- the rule
def test_fractional_weights_keep_that_share_of_documents_and_val_is_never_up_sampled():
    ids = [f"doc-{i}" for i in range(20_000)]
    for w in (0.25, 0.5, 1.5, 2.75):
        n = sum(mix.copies(i, w, "train") for i in ids)
        assert abs(n / len(ids) - w) < 0.02, (w, n)
    assert all(mix.copies(i, 3.0, "train") == 3 for i in ids[:100])
    assert all(mix.copies(i, 3.0, "val") == 1 for i in ids[:100])  # capped at 1
    assert sum(mix.copies(i, 0.5, "val") for i in ids) < 0.52 * len(ids)  # still sub-sampled
    assert all(mix.copies(i, 0.0, s) == 0 for i in ids[:100] for s in ("train", "val"))
    assert [mix.copies(i, 0.5, "train") for i in ids[:50]] == [mix.copies(i, 0.5, "train") for i in ids[:50]]
    assert [mix.copies(i, 0.5, "train", seed=1) for i in ids[:200]] != [mix.copies(i, 0.5, "train") for i in ids[:200]]
    lo, hi = 1 << 60, 1 << 63
    assert all(lo <= mix.copy_hash(i, 5, k, lo, hi) < hi for i in ids[:100] for k in (1, 2, 3))
    assert mix.copy_hash("x", 12345, 0, lo, hi) == 12345


def test_bad_weight_is_a_config_error():
    res = run_curate("build-shards", "--output", "/nonexistent-never-written", "--set", "mix.weights.web=-1")
    assert res.returncode == 2 and "mix.weights.web" in res.stderr


# ------------------------------------------------------------------------------- sample_data
def test_weights_on_sample_data_move_token_shares(sample_build, tmp_path):
    out = tmp_path / "mixed"
    shutil.copytree(sample_build, out)  # the finished stage checkpoints are reused: only tokenize and shards rerun
    res = run_curate("build-shards", "--output", str(out), "--emit", "documents,tokens",
                     "--set", "mix.weights.web=3.0", "--set", "mix.weights.code=0.5")
    assert res.returncode == 0, res.stderr[-3000:]
    assert sh.verify(out) == []
    before, after = _rows(sample_build), _rows(out)
    m, m0 = sh.read_manifest(out), sh.read_manifest(sample_build)
    assert m["mix"]["weights"] == {"code": 0.5, "web": 3.0}
    assert m["mix"]["sources_before"] == m0["sources"]
    for src, c in m["sources"].items():  # sources: as written
        assert c == {"documents": sum(r["source"] == src for r in after), "tokens": _tokens(after, source=src)}
    # web x3 in train, once in val; books untouched; code: the documents whose hash draw is under 0.5
    assert _tokens(after, source="web", split="train") == 3 * _tokens(before, source="web", split="train")
    assert _tokens(after, source="web", split="val") == _tokens(before, source="web", split="val")
    assert _tokens(after, source="books") == _tokens(before, source="books")
    kept_code = {r["doc_id"] for r in before if r["source"] == "code" and mix.copies(r["doc_id"], 0.5, r["split"])}
    assert {r["doc_id"] for r in after if r["source"] == "code"} == kept_code
    assert 0 < len(kept_code) < sum(r["source"] == "code" for r in before)
    share = {s: _tokens(after, source=s) / sum(r["n_tokens"] for r in after) for s in ("web", "code")}
    share0 = {s: _tokens(before, source=s) / sum(r["n_tokens"] for r in before) for s in ("web", "code")}
    assert share["web"] > share0["web"] and share["code"] < share0["code"]
    # every copy stays in its document's split; val documents appear once
    counts = Counter((r["doc_id"], r["split"]) for r in after)
    split_of = {r["doc_id"]: r["split"] for r in before}
    assert all(split_of[d] == s for d, s in counts)
    assert all(n == 1 for (d, s), n in counts.items() if s == "val")
    # an export carries the weights and still equals the manifest's counts
    exp = run_curate("export", str(out), "--format", "megatron", "--output", str(tmp_path / "exp"))
    assert exp.returncode == 0, exp.stderr[-2000:]
    info = json.loads((tmp_path / "exp" / "export.json").read_text())
    assert info["mix"] == m["mix"] and info["splits"]["train"]["tokens"] == m["totals"]["train"]["tokens"]


# ------------------------------------------------------------------------------ shared data
def test_source_and_language_weights_on_shared_books_and_stdlib_code(shared_data, tmp_path):
    from curation.docio import read_documents_dir

    code = tmp_path / "code"
    code.mkdir()
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for name in CODE_MODULES:
        shutil.copy(stdlib / f"{name}.py", code / f"{name}.py")
    books = [str(shared_data / "books" / b) for b in ("pg11", "pg22367", "pg31894")]  # en, de, la
    out = tmp_path / "mixed"
    res = run_curate("build-shards", "--output", str(out), "--books", *books, "--code", str(code),
                     "--emit", "documents,tokens", "--set", "tokenizer.vocab_size=1000",
                     "--set", "tokenizer.sample_bytes=3000000", "--set", "shards.val_fraction=0",
                     "--set", "mix.languages.de=2.0", "--set", "mix.weights.code=0.25")
    assert res.returncode == 0, res.stderr[-3000:]
    m = sh.read_manifest(out)
    curated = read_documents_dir(out / "documents")  # every document before weighting
    written = Counter(r["doc_id"] for r in _rows(out))
    for d in curated:
        w = mix.weight(d.source, d.metadata.get("lang", ""), {"code": 0.25}, {"de": 2.0})
        assert written[d.id] == mix.copies(d.id, w, "train"), (d.id, d.source, w)
    assert any(d.metadata.get("lang") == "de" and written[d.id] == 2 for d in curated)
    n_code = sum(d.source == "code" for d in curated)
    assert 0 < sum(written[d.id] for d in curated if d.source == "code") < n_code
    before, after = m["mix"]["sources_before"], m["sources"]
    assert before["code"]["documents"] == n_code
    share = {k: c["code"]["tokens"] / sum(v["tokens"] for v in c.values()) for k, c in (("before", before), ("after", after))}
    assert share["after"] < share["before"] / 2
    assert after["books"]["tokens"] > before["books"]["tokens"]  # the German book twice


# -------------------------------------------------------------------- train over several folders
def test_train_loader_mixes_several_folders_by_weight(sample_build, tmp_path):
    from curation.train.data import ShardIndex, load_shards

    other = tmp_path / "other"
    shutil.copytree(sample_build, other)
    single = ShardIndex(load_shards(str(sample_build)), "train")
    assert single.doc_weight is None
    m = load_shards([f"{sample_build}:2", f"{other}:0.5"])
    index = ShardIndex(m, "train")
    n = single.n_docs
    order = index.order(seed=0, epoch=0, shuffle=True, shuffle_row_groups=4)
    per_doc = np.bincount(order, minlength=2 * n)
    assert (per_doc[:n][single.doc_len > 0] == 2).all()  # weight 2: twice per epoch
    assert 0 < (per_doc[n:] > 0).sum() < n and per_doc[n:].max() == 1  # weight 0.5: about half, once
    val = ShardIndex(m, "val")
    val_order = val.order(seed=0, epoch=0, shuffle=False, shuffle_row_groups=4)
    assert np.bincount(val_order).max() == 1  # val: never up-sampled
    assert m.fingerprint != load_shards([f"{sample_build}:1", f"{other}:2"]).fingerprint


def test_train_refuses_folders_with_different_tokenizers(sample_build, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(sample_build, other)
    tok = other / "tokenizer" / "tokenizer.model"
    data = bytearray(tok.read_bytes())
    data[-1] ^= 1
    tok.write_bytes(bytes(data))
    manifest = json.loads((other / "manifest.json").read_text())
    manifest["tokenizer"]["sha256"] = sh.sha256_file(tok)
    (other / "manifest.json").write_text(json.dumps(manifest))
    res = run_curate("train", "--shards", f"{sample_build}:2", "--shards", f"{other}:1", "--preset", "tiny",
                     "--steps", "1", "--out", str(tmp_path / "run"))
    assert res.returncode == 2 and "another tokenizer" in res.stderr, res.stderr[-2000:]
