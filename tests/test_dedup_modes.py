"""Dedup beyond one batch (issue 23): the saved index and --against, URL dedup, on real text."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from conftest import run_curate
from curation.dedup.index import FOLDER, MANIFEST, read_manifest, sketch_jaccard
from curation.dedup.normalize import jaccard_sorted, shingle_hashes
from curation.dedup.url import normalize_url
from curation.document import Document
from curation.errors import UserError
from test_dedup_ids import _paragraphs, _run, _write_jsonl


def _corpus(shared_data, n_orig=80, seed=3):
    """Originals of 5-9 paragraphs of the books; copies exact or with word edits (true J known to
    be high); documents shuffled, so a copy and its original often fall in different halves."""
    import random

    rng = random.Random(seed)
    paras = []
    for f in sorted((shared_data / "books").glob("*/*.txt"))[:4]:
        text = f.read_text(encoding="utf-8", errors="replace")
        paras += [" ".join(p.split()) for p in text.split("\n\n") if 200 < len(p) < 2000]
    docs = []
    for i in range(n_orig):
        docs.append({"id": f"o{i:03d}", "text": " ".join(rng.sample(paras, rng.randint(5, 9)))})
    for k in range(n_orig // 2):
        w = docs[rng.randrange(n_orig)]["text"].split()
        for _ in range(rng.choice([0, 1, 3])):
            w[rng.randrange(len(w))] = rng.choice(["tea", "lamp", "river"])
        docs.append({"id": f"c{k:03d}", "text": " ".join(w)})
    rng.shuffle(docs)
    return docs


def test_second_half_against_first_equals_both_together_minus_the_first_own(tmp_path, shared_data):
    docs = _corpus(shared_data)
    half = len(docs) // 2
    paths = {}
    for name, rows in (("h1", docs[:half]), ("h2", docs[half:]), ("all", docs)):
        paths[name] = tmp_path / f"{name}.jsonl"
        _write_jsonl(paths[name], rows)
    removed = {}
    for name, extra in (("h1", []), ("h2", ["--against", str(tmp_path / "o-h1")]), ("all", [])):
        r = run_curate("dedup", "--input", str(paths[name]), "--output", str(tmp_path / f"o-{name}"), *extra)
        assert r.returncode == 0, r.stderr[-2000:]
        removed[name] = pq.read_table(tmp_path / f"o-{name}" / "duplicates").to_pylist()
    first_ids = {d["id"] for d in docs[:half]}
    prior = [r for r in removed["h2"] if r["kind"].endswith("_prior")]
    assert prior and all(r["kept_id"] in first_ids and r["prior_run"] == str(tmp_path / "o-h1") for r in prior)
    assert len(removed["h1"]) + len(removed["h2"]) == len(removed["all"])
    # The same documents of the second half go (a survivor of both halves together may be a
    # second-half document where the incremental run keeps the earlier one: compare clusters).
    together = {r["doc_id"]: r["kept_id"] for r in removed["all"]}
    gone = {r["doc_id"] for r in removed["h2"]}
    for r in removed["all"]:
        if r["doc_id"] not in first_ids:
            assert r["doc_id"] in gone or r["doc_id"] not in together
    index = pq.read_table(tmp_path / "o-h1" / "dedup-index").to_pylist()
    assert "text" not in index[0]
    assert len([r for r in index if r["kept_id"] is None]) == half - len(removed["h1"])
    # dedup.index_removed: each exact or near removal has a row too, named by its survivor
    assert sorted((r["id"], r["kept_id"]) for r in index if r["kept_id"]) == sorted(
        (r["doc_id"], r["kept_id"]) for r in removed["h1"] if r["kind"] in ("exact", "near") and r["doc_id"] != r["kept_id"])
    # build-shards --dedup-against reads the same index: the same prior removals among the
    # documents its quality stage lets through
    r = run_curate("build-shards", "--docs", str(paths["h2"]), "--dedup-against", str(tmp_path / "o-h1"),
                   "--output", str(tmp_path / "b-h2"), "--emit", "documents")
    assert r.returncode == 0, r.stderr[-2000:]
    built = pq.read_table(tmp_path / "b-h2" / "duplicates").to_pylist()
    st = json.loads((tmp_path / "b-h2" / "stats.json").read_text())
    assert st["accounting"]["ok"] and (tmp_path / "b-h2" / "dedup-index" / "_manifest.json").is_file()
    by_dedup = {r["doc_id"]: r["kept_id"] for r in prior}
    built_prior = [r for r in built if r["kind"].endswith("_prior")]
    assert built_prior and all(by_dedup.get(r["doc_id"]) == r["kept_id"] for r in built_prior)


def test_a_copy_of_a_document_the_earlier_run_removed_goes_as_a_prior_duplicate(tmp_path, shared_data):
    """The earlier run kept c1 over the original o; a new copy c2 is near o but not c1: both halves
    together remove it through o, and so does --against when the index holds o (a removed
    document's row, named by its survivor c1)."""
    o = " ".join(_paragraphs_long(shared_data)).split()

    def edit(lo, add=()):
        w = list(o)
        for k in range(11):  # 11 words, 25 apart: each edit replaces 5 shingles of the 5-grams
            w[lo + k * 25] = "lamplight"
        return " ".join(w + list(add))

    c1, c2 = edit(10, ["and", "so", "it", "ended"]), edit(340)  # c1 longer: the keep policy's survivor
    s = {k: shingle_hashes(t, 5, 5)[0] for k, t in (("o", " ".join(o)), ("c1", c1), ("c2", c2))}
    assert jaccard_sorted(s["o"], s["c1"]) > 0.8 and jaccard_sorted(s["o"], s["c2"]) > 0.8 > jaccard_sorted(s["c1"], s["c2"])
    _write_jsonl(tmp_path / "old.jsonl", [{"id": "o", "text": " ".join(o)}, {"id": "c1", "text": c1}])
    _write_jsonl(tmp_path / "new.jsonl", [{"id": "c2", "text": c2}])
    first = tmp_path / "first"
    r = run_curate("dedup", "--input", str(tmp_path / "old.jsonl"), "--output", str(first))
    assert r.returncode == 0, r.stderr[-2000:]
    assert [(d["doc_id"], d["kept_id"]) for d in pq.read_table(first / "duplicates").to_pylist()] == [("o", "c1")]
    index = {r["id"]: r["kept_id"] for r in pq.read_table(first / "dedup-index", columns=["id", "kept_id"]).to_pylist()}
    assert index == {"c1": None, "o": "c1"}
    # c2 is under the threshold to c1, the only document an index of kept documents would hold
    out = tmp_path / "new"
    r = run_curate("dedup", "--input", str(tmp_path / "new.jsonl"), "--output", str(out), "--against", str(first))
    assert r.returncode == 0, r.stderr[-2000:]
    got = [(d["doc_id"], d["kept_id"], d["kind"], round(d["similarity"], 6)) for d in pq.read_table(out / "duplicates").to_pylist()]
    assert got == [("c2", "c1", "near_prior", round(jaccard_sorted(s["o"], s["c2"]), 6))]  # similarity to o, exact


def _paragraphs_long(shared_data):
    text = (shared_data / "books" / "pg1342" / "1342-0.txt").read_text(encoding="utf-8", errors="replace")
    return [" ".join(p.split()) for p in text.split("\n\n") if len(p) > 600][:4]


def test_sketch_jaccard_is_exact_for_small_sets_and_close_for_large():
    import numpy as np

    rng = np.random.default_rng(0)
    a = np.unique(rng.integers(0, 2**32, 3000, dtype=np.uint64)).astype(np.uint32)
    b = np.unique(np.concatenate([a[:2400], rng.integers(0, 2**32, 600, dtype=np.uint64).astype(np.uint32)]))
    true = jaccard_sorted(np.sort(a), np.sort(b))
    assert abs(sketch_jaccard(np.sort(a), np.sort(b)[:128], 128) - true) < 0.15
    small = np.sort(b)[:100]
    assert sketch_jaccard(np.sort(a), small, 128) == jaccard_sorted(np.sort(a), small)


def test_url_normalisation():
    same = ["https://Example.COM:443/a/b?utm_source=x&b=2&a=1#top", "http://example.com/a/b?a=1&b=2",
            "HTTP://example.com.:80/a/b?b=2&gclid=123&a=1"]
    assert len({normalize_url(u) for u in same}) == 1
    assert normalize_url("http://example.com/A") != normalize_url("http://example.com/a")
    assert normalize_url("http://example.com") == normalize_url("http://example.com/")
    assert normalize_url("mailto:x@y") is None and normalize_url("http://[::1") is None


def test_two_captures_of_one_url_keep_the_newer(shared_data):
    t = _paragraphs(shared_data)
    docs = [
        Document("old", t[0], "web", {"url": "http://example.com/news?utm_source=feed", "crawl_date": "2023-01-05T10:00:00Z"}),
        Document("new", t[1][:400], "web", {"url": "https://example.com/news#top", "crawl_date": "2024-03-01T10:00:00Z"}),
        Document("other", t[2], "web", {"url": "https://example.com/other", "crawl_date": "2023-01-05T10:00:00Z"}),
        Document("book", t[3], "books", {"url": "https://example.com/news"}),  # another source: not grouped with web
    ]
    kept, dups, _, stats = _run(docs)
    assert sorted(d.id for d in kept) == ["book", "new", "other"]
    assert [(r["doc_id"], r["kept_id"], r["kind"]) for r in dups] == [("old", "new", "url")]
    assert stats["stages"]["dedup"]["removed"] == {"dedup/url": 1}


def test_footer_on_half_of_a_sites_pages_is_left_once(shared_data):
    from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
    import apache_beam as beam
    import os
    import pickle
    import tempfile

    from curation.config import PipelineConfig, replace_path
    from curation.stats import assemble, check
    from pipelines.dedup_paragraphs import ParagraphDedup

    paras = _paragraphs(shared_data, n=40)
    footer = ("This page is part of the Pride and Prejudice reading site; all text is in the public domain and "
              "may be copied freely. Contact the editors with corrections.")
    pages = []
    for i in range(10):
        body = paras[i * 4:(i + 1) * 4]
        lines = body + [footer] if i < 5 else body
        pages.append(Document(f"p{i}", "\n".join(lines), "web", {"url": f"https://site.example/{i}"}))
    pages.append(Document("short", footer + "\nHome", "web", {}))  # nothing left but a footer
    cfg = replace_path(PipelineConfig(), "dedup.paragraphs.enabled", True)
    out_dir = tempfile.mkdtemp(prefix="para-")
    with BeamTestPipeline() as p:
        r = p | beam.Create(pages) | ParagraphDedup(cfg)
        for name in ("docs", "rejected", "counts"):
            (r[name] | f"L{name}" >> beam.combiners.ToList()
             | f"W{name}" >> beam.Map(lambda v, n=name: pickle.dump(v, open(os.path.join(out_dir, n), "wb"))))
    got = {n: pickle.load(open(os.path.join(out_dir, n), "rb")) for n in ("docs", "rejected", "counts")}
    kept = {d.id: d for d in got["docs"]}
    assert sum(d.text.split("\n").count(footer) for d in kept.values()) == 1
    assert [d.id for d in got["rejected"]] == ["short"]
    for i in range(10):  # every other paragraph where it was
        assert [ln for ln in kept[f"p{i}"].text.split("\n") if ln != footer] == paras[i * 4:(i + 1) * 4]
    stats = assemble(_sum(got["counts"]))
    check(stats)
    st = stats["stages"]["paragraphs"]
    assert st["removed"] == {"dedup/paragraphs_emptied": 1} and st["out"] == 10
    assert st["metrics"]["chars_removed"] == 4 * (len(footer) + 1) + len(footer) + 1
    survivor = [d for d in kept.values() if footer in d.text.split("\n")][0]
    assert all(d.metadata["dedup_paragraphs"]["kept_in"] == [survivor.id] for d in kept.values()
               if "dedup_paragraphs" in d.metadata)


def _sum(counts):
    from collections import Counter

    c = Counter()
    for k, n in counts:
        c[k] += n
    return c.items()


def test_new_key_filter_passes_every_shared_key_and_few_others():
    import numpy as np

    from pipelines.dedup_index import KeyBloom, doc_keys, may_match

    rng = np.random.default_rng(1)
    new = [(rng.bytes(16), rng.integers(0, 2**63, 21, dtype=np.uint64).astype("<u8").tobytes()) for _ in range(2000)]
    fn = KeyBloom()
    halves = [fn.create_accumulator(), fn.create_accumulator()]  # two workers' accumulators, merged
    for i, (e, b) in enumerate(new):
        halves[i % 2] = fn.add_input(halves[i % 2], doc_keys(e, b).tobytes())
    acc = fn.merge_accumulators(halves)
    bits = np.frombuffer(fn.extract_output(acc), dtype=np.uint8)
    assert all(may_match(bits, doc_keys(e, b"")) for e, _ in new[:300])  # exact key shared
    assert all(may_match(bits, doc_keys(b"\0" * 16, b[8:16])) for _, b in new[:300])  # one band shared
    others = [doc_keys(rng.bytes(16), rng.integers(0, 2**63, 21, dtype=np.uint64).astype("<u8").tobytes())
              for _ in range(2000)]
    assert sum(may_match(bits, k) for k in others) <= 2
    assert fn.extract_output(fn.create_accumulator()) is None


def test_an_index_with_other_hash_settings_is_refused_and_another_sketch_size_is_not(tmp_path):
    import pytest

    from curation.config import PipelineConfig
    from curation.dedup.index import check_compatible, index_params
    from curation.errors import UserError

    cfg = PipelineConfig()
    check_compatible(tmp_path, {"params": {**index_params(cfg), "sketch": 1024}}, cfg)  # verified with its own k
    with pytest.raises(UserError, match="num_perm=256"):
        check_compatible(tmp_path, {"params": {**index_params(cfg), "num_perm": 256}}, cfg)


def test_verification_compares_every_payload_of_an_earlier_survivor(shared_data):
    """An earlier survivor and a document it removed are one node with two payloads (its row and
    the removed one's, dedup.index_removed): the new document near the removed one is found,
    whichever payload arrives last."""
    import numpy as np

    from curation.dedup.index import prior_node
    from pipelines.dedup import _VerifyAtCentre

    t = _paragraphs_long(shared_data)
    near = shingle_hashes(t[0] + " " + t[1], 5, 5)[0]
    new = shingle_hashes(t[0] + " " + t[1] + " a few more words here", 5, 5)[0]
    far = shingle_hashes(t[2] + " " + t[3], 5, 5)[0]
    centre = (1, 0, -100, "new", 0, 0)
    prior = prior_node("kept-earlier", 0)
    for order in ((near, far), (far, near)):
        incoming = [(True, centre, "web", new.tobytes())] + [(False, prior, "web", s[:1024].tobytes()) for s in order]
        verify = _VerifyAtCentre(0.8, True, None, (1024,))
        verify.start_bundle()
        out = list(verify._centre(incoming, {}))
        assert [e for e in out if isinstance(e, tuple)] == [(centre, prior)]
        assert np.isclose(max(v.value[1][1] for v in out if not isinstance(v, tuple)), jaccard_sorted(new, near))


def test_index_format_tags_read_and_refused(tmp_path):
    """/2 added removed rows; /1 indexes (all rows kept) are still read, an unknown tag is refused."""
    (tmp_path / FOLDER).mkdir()
    for tag, ok in (("curate-dedup-index/1", True), ("curate-dedup-index/2", True), ("curate-dedup-index/9", False)):
        (tmp_path / FOLDER / MANIFEST).write_text(json.dumps({"format": tag, "params": {}, "parts": []}))
        if ok:
            assert read_manifest(tmp_path)["format"] == tag
        else:
            with pytest.raises(UserError, match="this version reads"):
                read_manifest(tmp_path)
