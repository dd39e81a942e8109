"""`curate dedup` reads files by chunk and never shuffles text: chunking loses and repeats no
row, chunk size changes no decision, output bytes are stable, and the batched shuffles and
LSH buckets agree with their plain definitions."""

from __future__ import annotations

import hashlib
import json
import random
from collections import defaultdict

import apache_beam as beam
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.util import assert_that, equal_to

from conftest import run_curate
from curation.docio import iter_documents, iter_range
from pipelines.batched import BatchedCoGroupByKey, BatchedGroupByKey
from curation.dedup.buckets import ALL_PAIRS_MAX, bucket_pairs
from curation.dedup.features import REC as _REC, REF_CODE as _REF_CODE
from pipelines.dedup_files import file_chunks


def _paras(shared_data, book="pg1342/1342-0.txt", n=40):
    text = (shared_data / "books" / book).read_text(encoding="utf-8", errors="replace")
    paras = [" ".join(p.split()) for p in text.split("\n\n") if len(p) > 500]
    return paras[:n]


def _messy_jsonl(path, shared_data):
    """Real paragraphs plus the rows users send: bad JSON, invalid UTF-8, blank lines, a 300 KB line."""
    paras = _paras(shared_data)
    with open(path, "wb") as f:
        for i, p in enumerate(paras):
            f.write(json.dumps({"id": f"p{i:02d}", "text": p}, ensure_ascii=False).encode() + b"\n")
            if i == 5:
                f.write(b"{not json\n")
            if i == 9:
                f.write(b'{"id": "bad-utf8", "text": "caf\xe9"}\n')
            if i == 13:
                f.write(b"\n\n")
            if i == 20:
                f.write(json.dumps({"id": "big", "text": "word " * 60_000}).encode() + b"\n")
        f.write(json.dumps({"id": "last", "text": "no newline at the end"}).encode())


def _rows(it):
    return [(d.id if d is not None else None, reason) for d, reason in it]


@pytest.mark.parametrize("chunk_bytes", [777, 4096, 100_000, 1 << 30])
def test_jsonl_chunks_cover_every_line_once(tmp_path, shared_data, chunk_bytes):
    path = tmp_path / "docs.jsonl"
    _messy_jsonl(path, shared_data)
    whole = _rows(iter_documents(str(path)))
    assert ("big", "") in whole and (None, "bad_json") in whole and (None, "decode") in whole
    chunks = file_chunks(str(path), "docs.jsonl", chunk_bytes)
    assert (len(chunks) > 1) == (chunk_bytes < path.stat().st_size)
    got = [r for c in chunks for r in _rows(iter_range(c.path, c.start, c.end))]
    assert got == whole


def test_parquet_chunks_are_row_groups(tmp_path, shared_data):
    paras = _paras(shared_data)
    path = tmp_path / "docs.parquet"
    pq.write_table(pa.table({"id": [f"p{i}" for i in range(len(paras))], "text": paras}), path, row_group_size=7)
    chunks = file_chunks(str(path), "docs.parquet", 8_000)
    assert len(chunks) > 1
    got = [r for c in chunks for r in _rows(iter_range(c.path, c.start, c.end))]
    assert got == _rows(iter_documents(str(path))) and len(got) == len(paras)
    gz = tmp_path / "docs.jsonl.gz"
    gz.write_bytes(b"")
    assert len(file_chunks(str(gz), "docs.jsonl.gz", 1)) == 1  # compressed: read whole


def _corpus(tmp_path, shared_data):
    """Two files; copies of a paragraph land in other files and far-apart chunks."""
    rng = random.Random(7)
    paras = _paras(shared_data, n=30) + _paras(shared_data, "pg84/84-0.txt", n=20)
    rows = [{"id": f"a{i:02d}", "text": p} for i, p in enumerate(paras)]
    for i, p in enumerate(paras[:15]):
        w = p.split()
        w[rng.randrange(len(w))] = "lorem"
        rows.append({"id": f"n{i:02d}", "text": " ".join(w)})
    for i, p in enumerate(paras[15:20]):
        rows.append({"id": f"x{i:02d}", "text": p.upper()})
    rng.shuffle(rows)
    d = tmp_path / "in"
    d.mkdir()
    for k in range(2):
        with open(d / f"part-{k}.jsonl", "w", encoding="utf-8") as f:
            for r in rows[k::2]:
                f.write(json.dumps(r) + "\n")
        (d / f"part-{k}.jsonl").open("a").write("{broken\n")
    return d


def _digest(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_chunk_size_changes_no_decision_and_output_is_stable(tmp_path, shared_data):
    inp = _corpus(tmp_path, shared_data)
    outs = {}
    tiny = ["--set", "dedup.chunk_bytes=3000"]
    for name, extra in [("one", []), ("tiny", tiny), ("tiny2", tiny), ("shuffled", [*tiny, "--set", "dedup.payloads=shuffle"])]:
        out = tmp_path / name
        r = run_curate("dedup", "--input", str(inp), "--output", str(out), *extra)
        assert r.returncode == 0, r.stderr[-3000:]
        assert not (out / ".dedup-payloads").exists()  # payload files go when the run is done
        outs[name] = out
    dups = {}
    for name, out in outs.items():
        rows = pq.read_table(out / "duplicates").to_pylist()
        dups[name] = {r["doc_id"]: (r["kept_id"], r["kind"]) for r in rows}
        kept = set(pq.read_table(out / "documents").column("id").to_pylist())
        assert kept == {f"a{i:02d}" for i in range(50)}  # ties in words go to the smaller id
        st = json.loads((out / "stats.json").read_text())
        assert st["accounting"]["ok"]
        assert st["stages"]["read"]["failed"] == {"read/bad_json": 2}
        assert st["stages"]["dedup"]["removed"] == {"dedup/near": 15, "dedup/exact": 5}
    assert dups["one"] == dups["tiny"] == {
        **{f"n{i:02d}": (f"a{i:02d}", "near") for i in range(15)}, **{f"x{i:02d}": (f"a{i + 15:02d}", "exact") for i in range(5)}}
    assert len(list((outs["tiny"] / "documents").glob("part-*.parquet"))) > 2
    assert _digest(outs["tiny"]) == _digest(outs["tiny2"])  # byte-identical reruns
    # Shingle sets read back from payload files or sent through the shuffle: the same output.
    assert _digest(outs["tiny"]) == _digest(outs["shuffled"])
    # Input order is kept inside a chunk.
    first = pq.read_table(outs["one"] / "documents" / "part-00000.parquet").column("id").to_pylist()
    order = [json.loads(line)["id"] for line in open(inp / "part-0.jsonl") if line.startswith("{\"")]
    assert first == [i for i in order if i in set(first)]


def test_payload_files_give_back_exactly_the_sets_written(tmp_path, shared_data):
    """Real shingle sets written per chunk, read back by pointer in shuffled batches: near
    pointers share a read, far ones (beyond the coalescing gap) do not, inline bytes pass."""
    from curation.dedup import normalize as nz
    from pipelines import payload_store as ps

    folder = str(tmp_path / ps.FOLDER)
    paras = _paras(shared_data, n=300) + _paras(shared_data, "pg84/84-0.txt", n=300)
    sets, ptrs = {}, []
    for idx in (0, 3):
        store = ps.ChunkPayloads(folder, idx)
        for k, p in enumerate(paras):
            pay = nz.word_shingle_hashes(nz.normalize(p), 5).tobytes()
            ptr = store.add(pay)
            if k % 7 == 0:  # a gap of 300 KB of filler makes the next read a separate one
                ptr = store.add(b"\0" * (300 << 10)) and store.add(pay)
            sets[ptr] = pay
            ptrs.append(ptr)
        store.write()
    rng = random.Random(1)
    for _ in range(5):
        batch = rng.sample(ptrs, 200) + [b"inline"]
        got = ps.resolve(folder, batch)
        assert set(got) == set(batch) - {b"inline"} and all(got[p] == sets[p] for p in got)
    with pytest.raises(ValueError):
        ps.resolve(None, ptrs[:1])
    ps.remove(folder)
    assert not (tmp_path / ps.FOLDER).exists()


def _naive_pairs(recs):
    """Definition: per band hash, per source (references join all): all pairs of a small group,
    a star from the smallest member of a large one."""
    buckets = defaultdict(list)
    for h, n, s in recs:
        buckets[h].append((n, s))
    out = set()
    for members in buckets.values():
        if len(members) < 2:
            continue
        refs = {n for n, s in members if s == _REF_CODE}
        by_src = defaultdict(set)
        for n, s in members:
            if s != _REF_CODE:
                by_src[s].add(n)
        for grp in by_src.values():
            grp = sorted(grp | refs)
            if len(grp) <= ALL_PAIRS_MAX:
                out |= {(x, y) for i, x in enumerate(grp) for y in grp[i + 1:]}
            else:
                out |= {(grp[0], x) for x in grp[1:]}
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bucket_pairs_match_the_definition(seed):
    rng = np.random.default_rng(seed)
    n = 5000
    a = np.empty(n, dtype=_REC)
    a["h"] = rng.integers(0, 1500, n)  # shared buckets, small and large
    a["n"] = rng.integers(0, 3000, n)
    a["s"] = rng.choice([_REF_CODE, 11, 13, 17], n, p=[0.05, 0.5, 0.3, 0.15])
    got = {tuple(p) for p in bucket_pairs(a).tolist()}
    assert got == _naive_pairs(zip(a["h"].tolist(), a["n"].tolist(), a["s"].tolist()))


def test_batched_group_and_cogroup_equal_the_plain_ones():
    from curation.dedup import plan
    from pipelines import batched

    assert plan.PARTITIONS == batched.PARTITIONS  # curate plan sizes a worker's partition with it
    rng = random.Random(3)
    kvs = [((rng.randrange(300), f"k{rng.randrange(50)}"), rng.randrange(10**6)) for _ in range(20_000)]
    other = [((rng.randrange(300), f"k{rng.randrange(50)}"), "x") for _ in range(500)]
    want = defaultdict(list)
    for k, v in kvs:
        want[k].append(v)
    want_co = defaultdict(lambda: {"a": [], "b": []})
    for k, v in kvs:
        want_co[k]["a"].append(v)
    for k, v in other:
        want_co[k]["b"].append(v)
    with BeamTestPipeline() as p:
        a = p | "A" >> beam.Create(kvs)
        b = p | "B" >> beam.Create(other)
        g = a | BatchedGroupByKey(partitions=7, flush=100) | beam.MapTuple(lambda k, vs: (k, sorted(vs)))
        assert_that(g, equal_to([(k, sorted(v)) for k, v in want.items()]))
        co = {"a": a, "b": b} | BatchedCoGroupByKey(partitions=5, flush=64) | beam.MapTuple(
            lambda k, d: (k, sorted(d["a"]), sorted(d["b"])))
        assert_that(co, equal_to([(k, sorted(d["a"]), sorted(d["b"])) for k, d in want_co.items()]), label="Co")


def test_reference_files_win_and_are_neither_written_nor_counted(tmp_path, shared_data):
    """`curate dedup --reference eval.jsonl`: corpus rows matching an eval document are removed in
    its favour; the eval rows themselves never reach documents/ or the counts."""
    rng = random.Random(11)
    paras = _paras(shared_data, n=12)
    corpus, ref = tmp_path / "corpus.jsonl", tmp_path / "eval.jsonl"
    with open(corpus, "w", encoding="utf-8") as f:
        for i, p in enumerate(paras):
            w = p.split()
            w[rng.randrange(len(w))] = "lorem"
            f.write(json.dumps({"id": f"c{i:02d}", "text": " ".join(w) if i < 4 else p}) + "\n")
    with open(ref, "w", encoding="utf-8") as f:
        for i, p in enumerate(paras[:6]):
            f.write(json.dumps({"id": f"eval{i}", "text": p}) + "\n")
    out = tmp_path / "out"
    r = run_curate("dedup", "--input", str(corpus), "--reference", str(ref), "--output", str(out))
    assert r.returncode == 0, r.stderr[-3000:]
    kept = sorted(pq.read_table(out / "documents").column("id").to_pylist())
    assert kept == [f"c{i:02d}" for i in range(6, 12)]
    dups = {d["doc_id"]: (d["kept_id"], d["kind"]) for d in pq.read_table(out / "duplicates").to_pylist()}
    assert dups == {**{f"c{i:02d}": (f"eval{i}", "near") for i in range(4)}, "c04": ("eval4", "exact"), "c05": ("eval5", "exact")}
    st = json.loads((out / "stats.json").read_text())
    assert st["accounting"]["ok"] and st["stages"]["dedup"]["in"] == 12 and st["stages"]["dedup"]["out"] == 6


def test_dedup_files_on_an_object_store(shared_data):
    """Inputs and output on an object store (tests/objectstore.py): a plain JSONL object split in
    byte ranges, a gzipped one read whole, Parquet by row group; every write goes through Beam's
    FileSystems and no temporary object is left."""
    import gzip
    import io

    from apache_beam.options.pipeline_options import PipelineOptions

    from curation.config import PipelineConfig, replace_path
    from curation.inputs import resolve_inputs
    from objectstore import MemStoreFileSystem
    from pipelines.graphs import dedup_files as build_dedup

    paras = _paras(shared_data, n=24)
    rows = [{"id": f"a{i:02d}", "text": p} for i, p in enumerate(paras)] + [{"id": f"x{i:02d}", "text": p.upper()} for i, p in enumerate(paras[:6])]
    jsonl = lambda rs: "".join(json.dumps(r) + "\n" for r in rs).encode()  # noqa: E731
    MemStoreFileSystem.put("memstore://dd/in/a.jsonl", jsonl(rows[:12]))
    MemStoreFileSystem.put("memstore://dd/in/b.jsonl.gz", gzip.compress(jsonl(rows[12:20])))
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows[20:]), buf, row_group_size=3)
    MemStoreFileSystem.put("memstore://dd/in/c.parquet", buf.getvalue())
    cfg = replace_path(PipelineConfig(), "dedup.chunk_bytes", 4000)
    p = beam.Pipeline(options=PipelineOptions(["--runner=DirectRunner"]))
    build_dedup(p, resolve_inputs(docs=["memstore://dd/in/"]), cfg, "memstore://dd/out")
    p.run().wait_until_finish()
    keys = MemStoreFileSystem.keys("memstore://dd/out/")
    assert not [k for k in keys if k.endswith(".tmp") or ".dedup-payloads" in k]
    kept = [r["id"] for k in sorted(keys) if "/documents/" in k
            for r in pq.read_table(io.BytesIO(MemStoreFileSystem.get(k))).to_pylist()]
    assert sorted(kept) == [f"a{i:02d}" for i in range(24)] and len([k for k in keys if "/documents/" in k]) > 3
    st = json.loads(MemStoreFileSystem.get("memstore://dd/out/stats.json"))
    assert st["accounting"]["ok"] and st["stages"]["dedup"]["removed"] == {"dedup/exact": 6}
