"""Records that share one input id (issue 23's first finding, issue 25 item 1, issue 21 item 10):
dedup keys on the record, not the id. Equal id + equal text: an exact duplicate, removed and
counted; equal id + different text: renamed and counted (read metric duplicate_id)."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import tempfile

import apache_beam as beam
import pyarrow.parquet as pq
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline

from conftest import run_curate
from curation.config import PipelineConfig
from curation.document import Document
from curation.stats import assemble, check
from pipelines.dedup import Dedup


def _paragraphs(shared_data, n=6):
    text = (shared_data / "books" / "pg1342" / "1342-0.txt").read_text(encoding="utf-8", errors="replace")
    paras = [" ".join(p.split()) for p in text.split("\n\n") if len(p) > 600]
    return paras[:n]


def _run(docs):
    out_dir = tempfile.mkdtemp(prefix="dedup-ids-")

    def grab(name):
        def f(values, out_dir=out_dir, name=name):
            with open(os.path.join(out_dir, name + ".pkl"), "wb") as fh:
                pickle.dump(list(values), fh)
        return f

    with BeamTestPipeline() as p:
        r = p | beam.Create(docs) | Dedup(PipelineConfig())
        r["docs"] | "L1" >> beam.combiners.ToList() | "G1" >> beam.Map(grab("kept"))
        r["duplicates"] | "L2" >> beam.combiners.ToList() | "G2" >> beam.Map(grab("dups"))
        r["rejected"] | "L3" >> beam.combiners.ToList() | "G3" >> beam.Map(grab("rejected"))
        r["counts"] | beam.CombinePerKey(sum) | "L4" >> beam.combiners.ToList() | "G4" >> beam.Map(grab("counts"))
    got = {}
    for name in ("kept", "dups", "rejected", "counts"):
        with open(os.path.join(out_dir, name + ".pkl"), "rb") as fh:
            got[name] = pickle.load(fh)
    shutil.rmtree(out_dir)
    stats = assemble(got["counts"])
    check(stats)
    return got["kept"], got["dups"], got["rejected"], stats


def test_pcollection_equal_ids(shared_data):
    t = _paragraphs(shared_data)
    t[1] = " ".join(t[1].split()[:60])  # fewer words: by the keep policy t[0]'s record keeps the id
    docs = [
        Document("b", t[0], "web", {"source_file": "a.warc.gz", "record_offset": 0}),
        Document("b", t[1], "web", {"source_file": "a.warc.gz", "record_offset": 900}),
        Document("c", t[0], "web", {"source_file": "a.warc.gz", "record_offset": 1800}),
        # one record read twice under two roots (--web d --web d/web): same id and text
        Document("same", t[2], "web", {"source_file": "web/x.warc.gz", "record_offset": 0}),
        Document("same", t[2], "web", {"source_file": "x.warc.gz", "record_offset": 0}),
        # the same record twice, equal in everything
        Document("twin", t[3], "web", {"source_file": "x.warc.gz", "record_offset": 50}),
        Document("twin", t[3], "web", {"source_file": "x.warc.gz", "record_offset": 50}),
        Document("alone", t[4], "web", {}),
    ]
    kept, dups, rejected, stats = _run(docs)
    kept_ids = sorted(d.id for d in kept)
    renamed = [d for d in kept if d.id.startswith("b~")]
    assert len(renamed) == 1 and renamed[0].text == t[1] and renamed[0].metadata["original_id"] == "b"
    assert kept_ids == sorted(["alone", "b", renamed[0].id, "same", "twin"])
    assert [d for d in kept if d.id == "b"][0].text == t[0]
    assert sorted((r["doc_id"], r["kept_id"], r["kind"]) for r in dups) == [
        ("c", "b", "exact"), ("same", "same", "exact"), ("twin", "twin", "exact")]
    d = stats["stages"]["dedup"]
    assert d["removed"] == {"dedup/exact": 3} and d["in"] == 8 and d["out"] == 5
    assert len(rejected) == len(dups) == 3  # stats, rejected/ and duplicates/ agree
    assert stats["stages"]["read"]["metrics"] == {"duplicate_id": 1}


def _write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


def _digest(folder):
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*.parquet")):
        h.update(p.relative_to(folder).as_posix().encode() + p.read_bytes())
    return h.hexdigest()


def test_curate_dedup_equal_ids_and_two_workers_are_deterministic(tmp_path, shared_data):
    t = _paragraphs(shared_data)
    t[1] = " ".join(t[1].split()[:60])
    rows = [{"id": "b", "text": t[0]}, {"id": "b", "text": t[1]}, {"id": "c", "text": t[0]},
            {"id": "same", "text": t[2]}, {"id": "same", "text": t[2]}, {"id": "k", "text": t[3]}]
    inp = tmp_path / "docs.jsonl"
    _write_jsonl(inp, rows)
    digests = []
    for i in range(2):
        out = tmp_path / f"out{i}"
        r = run_curate("dedup", "--input", str(inp), "--output", str(out), "--direct_num_workers=2")
        assert r.returncode == 0, r.stderr[-2000:]
        digests.append(_digest(out))
    assert digests[0] == digests[1]
    docs = pq.read_table(out / "documents").to_pylist()
    ids = sorted(d["id"] for d in docs)
    assert len(ids) == len(set(ids)) == 4 and "b" in ids and "same" in ids and "k" in ids
    assert [d for d in docs if d["id"] == "b"][0]["text"] == t[0]
    dups = pq.read_table(out / "duplicates").to_pylist()
    assert sorted((r["doc_id"], r["kept_id"]) for r in dups) == [("c", "b"), ("same", "same")]
    st = json.loads((out / "stats.json").read_text())
    assert st["accounting"]["ok"]
    assert sum(st["stages"]["dedup"]["removed"].values()) == len(dups) == 2
    assert st["stages"]["read"]["metrics"].get("duplicate_id") == 1


def test_build_shards_reading_one_warc_twice_keeps_each_document_once(tmp_path, sample_data):
    out = tmp_path / "out"
    r = run_curate("build-shards", "--web", str(sample_data), "--web", str(sample_data / "web"),
                   "--output", str(out), "--emit", "documents")
    assert r.returncode == 0, r.stderr[-2000:]
    docs = pq.read_table(out / "documents").to_pylist()
    assert len({d["id"] for d in docs}) == len(docs) and len({d["text"] for d in docs}) == len(docs)
    st = json.loads((out / "stats.json").read_text())
    assert st["accounting"]["ok"] and st["stages"]["read"]["in"] == 2 * 96
    removed = sum(st["stages"]["dedup"]["removed"].values())
    assert removed == pq.read_table(out / "duplicates").num_rows >= len(docs)

