"""`curate dedup` and `curate plan` as a user runs them (subprocess: real exit codes)."""

from __future__ import annotations

import json
import random

import pyarrow.parquet as pq

from conftest import run_curate


def _write_input(path, shared_data):
    text = (shared_data / "books" / "pg11" / "11-0.txt").read_text(encoding="utf-8")
    paras = [" ".join(p.split()) for p in text.split("\n\n") if len(p) > 400][:20]
    rng = random.Random(0)
    with open(path, "w", encoding="utf-8") as f:
        for i, p in enumerate(paras):
            f.write(json.dumps({"id": f"p{i:02d}", "text": p}) + "\n")
        for i, p in enumerate(paras[:5]):
            w = p.split()
            w[rng.randrange(len(w))] = "tea"
            f.write(json.dumps({"id": f"q{i:02d}", "text": " ".join(w)}) + "\n")
        f.write(json.dumps({"id": "x00", "text": paras[0].upper()}) + "\n")


def test_dedup_command_writes_documents_duplicates_and_stats(tmp_path, shared_data):
    inp = tmp_path / "docs.jsonl"
    _write_input(inp, shared_data)
    out = tmp_path / "out"
    r = run_curate("dedup", "--input", str(inp), "--output", str(out), "--threshold", "0.8")
    assert r.returncode == 0, r.stderr[-2000:]
    kept = pq.read_table(out / "documents").column("id").to_pylist()
    dups = pq.read_table(out / "duplicates").to_pylist()
    assert sorted(kept) == [f"p{i:02d}" for i in range(20)]
    assert {d["doc_id"]: (d["kept_id"], d["kind"]) for d in dups} == {
        **{f"q{i:02d}": (f"p{i:02d}", "near") for i in range(5)}, "x00": ("p00", "exact")}
    st = json.loads((out / "stats.json").read_text())
    assert st["accounting"]["ok"] and st["stages"]["dedup"]["removed"] == {"dedup/exact": 1, "dedup/near": 5}


def test_dedup_command_bad_flags_and_missing_input(tmp_path):
    r = run_curate("dedup", "--input", str(tmp_path / "nope.jsonl"), "--output", str(tmp_path / "o"))
    assert r.returncode == 2 and "nope.jsonl" in r.stderr and "Traceback" not in r.stderr
    (tmp_path / "a.jsonl").write_text('{"id": "a", "text": "x"}\n')
    r = run_curate("dedup", "--input", str(tmp_path / "a.jsonl"), "--output", str(tmp_path / "o"), "--treshold", "0.7")
    assert r.returncode == 2 and "--treshold" in r.stderr
    r = run_curate("dedup", "--input", str(tmp_path / "a.jsonl"), "--output", str(tmp_path / "o"), "--threshold", "1.5")
    assert r.returncode == 2 and "threshold" in r.stderr


def test_plan_prints_every_stage():
    r = run_curate("plan", "--docs", "1000000", "--mean-bytes", "3000")
    assert r.returncode == 0, r.stderr
    for stage in ("exact_group", "lsh_buckets", "verify", "components", "join_documents", "total shuffle", "output disk"):
        assert stage in r.stdout
    assert "21 bands x 6 rows" in r.stdout
    assert run_curate("plan", "--docs", "0").returncode == 2
