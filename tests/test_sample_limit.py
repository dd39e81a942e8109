"""--sample and --limit take a reproducible, hash-chosen slice; dropped documents are counted."""

import json

from conftest import SAMPLE_DATA, run_curate
from curation.docio import read_documents_dir
from curation.document import id_hash64


def _docs_input(tmp_path, n=60):
    text = (SAMPLE_DATA / "books" / "lamplighters-apprentice.txt").read_text(encoding="utf-8", errors="replace")
    paras = [p for p in text.split("\n\n") if len(p.split()) > 20]
    rows = [{"doc_id": f"d{i:03d}", "body": " ".join(paras[i % len(paras)].split()) + f" (copy {i})"} for i in range(n)]
    f = tmp_path / "docs.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return f, [r["doc_id"] for r in rows]


def _run(tmp_path, name, docs, *flags):
    out = tmp_path / name
    res = run_curate("build-shards", "--docs", str(docs), "--text-key", "body", "--id-key", "doc_id", "--emit", "documents",
                     "--set", "dedup.near=false", "--set", "langid.enabled=false", "--set", "quality.gopher_quality.enabled=false",
                     "--set", "quality.c4.enabled=false", "--set", "quality.fineweb.enabled=false",
                     "--set", "quality.gopher_repetition.enabled=false", "--output", str(out), *flags)
    assert res.returncode == 0, res.stderr[-3000:]
    return out


def test_limit_keeps_the_smallest_hashes(tmp_path):
    docs, ids = _docs_input(tmp_path)
    out = _run(tmp_path, "limit", docs, "--limit", "10")
    kept = sorted(d.id for d in read_documents_dir(out / "documents"))
    assert kept == sorted(sorted(ids, key=lambda i: (id_hash64(i), i))[:10])
    st = json.loads((out / "stats.json").read_text())["stages"]["sample"]
    assert st["in"] == 60 and st["out"] == 10 and st["removed"] == {"sample/over_limit": 50}


def test_sample_is_reproducible(tmp_path):
    docs, ids = _docs_input(tmp_path)
    a = _run(tmp_path, "a", docs, "--sample", "0.3")
    b = _run(tmp_path, "b", docs, "--sample", "0.3")
    ka = sorted(d.id for d in read_documents_dir(a / "documents"))
    assert ka == sorted(d.id for d in read_documents_dir(b / "documents"))
    assert ka == sorted(i for i in ids if id_hash64(i) < 0.3 * 2**64)
    assert 5 <= len(ka) <= 35


def test_bad_values_exit_2(tmp_path):
    docs, _ = _docs_input(tmp_path)
    for flags in (["--sample", "1.5"], ["--limit", "0"]):
        res = run_curate("build-shards", "--docs", str(docs), "--output", str(tmp_path / "x"), *flags)
        assert res.returncode == 2, flags
