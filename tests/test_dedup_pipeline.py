"""The Dedup transform on Beam (TestPipeline + assert_that) over real text with word edits."""

from __future__ import annotations

import os
import pickle
import random
import shutil
import tempfile

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.util import assert_that, equal_to

from curation.config import PipelineConfig, replace_path
from curation.document import Document
from curation.errors import AccountingError
from curation.stats import assemble, check
from pipelines.batched import PartitionBuffer
from pipelines.dedup import Dedup


def _paragraphs(shared_data, book="pg1342/1342-0.txt", n=30, min_chars=600):
    text = (shared_data / "books" / book).read_text(encoding="utf-8", errors="replace")
    paras = [" ".join(p.split()) for p in text.split("\n\n") if len(p) > min_chars]
    assert len(paras) >= n
    return paras[:n]


def _edit(text: str, n_words: int, rng: random.Random) -> str:
    words = text.split()
    for _ in range(n_words):
        words[rng.randrange(len(words))] = rng.choice(["lorem", "ipsum", "dolor", "amet"])
    return " ".join(words)


def _run(docs, cfg=None, reference=None):
    """Run Dedup and return (kept ids, duplicates rows, stats) via assert_that-free collection."""
    cfg = cfg or PipelineConfig()
    out_dir = tempfile.mkdtemp(prefix="dedup-test-")

    def grab(name):
        # Results leave the pipeline through files: the runner pickles functions, so a closure
        # over a local dict would fill a copy.
        def f(values, out_dir=out_dir, name=name):
            with open(os.path.join(out_dir, name + ".pkl"), "wb") as fh:
                pickle.dump(list(values), fh)

        return f

    with BeamTestPipeline() as p:
        ref = p | "Ref" >> beam.Create(reference) if reference else None
        r = p | beam.Create(docs) | Dedup(cfg, reference=ref)
        r["docs"] | "Ids" >> beam.Map(lambda d: d.id) | "L1" >> beam.combiners.ToList() | "G1" >> beam.Map(grab("kept"))
        r["duplicates"] | "L2" >> beam.combiners.ToList() | "G2" >> beam.Map(grab("dups"))
        reasons = r["rejected"] | "RIds" >> beam.Map(lambda d: (d.id, d.metadata["reason"]))
        reasons | "L3" >> beam.combiners.ToList() | "G3" >> beam.Map(grab("rejected"))
        r["counts"] | beam.CombinePerKey(sum) | "L4" >> beam.combiners.ToList() | "G4" >> beam.Map(grab("counts"))
    got = {}
    for name in ("kept", "dups", "rejected", "counts"):
        with open(os.path.join(out_dir, name + ".pkl"), "rb") as fh:
            got[name] = pickle.load(fh)
    shutil.rmtree(out_dir)
    stats = assemble(got["counts"])
    check(stats)
    return sorted(got["kept"]), {d["doc_id"]: d for d in got["dups"]}, dict(got["rejected"]), stats["stages"]["dedup"]


def test_assert_that_near_copies_collapse_to_one(shared_data):
    rng = random.Random(1)
    paras = _paragraphs(shared_data, n=10)
    docs = [Document(f"p{i}", t, "books") for i, t in enumerate(paras)]
    docs += [Document(f"q{i}", _edit(t, 1, rng), "books") for i, t in enumerate(paras)]
    # q{i} has the same word count; the id decides: p{i} < q{i}.
    with BeamTestPipeline() as p:
        r = p | beam.Create(docs) | Dedup(PipelineConfig())
        assert_that(r["docs"] | beam.Map(lambda d: d.id), equal_to([f"p{i}" for i in range(10)]))
        assert_that(
            r["duplicates"] | beam.Map(lambda d: (d["doc_id"], d["kept_id"], d["kind"])),
            equal_to([(f"q{i}", f"p{i}", "near") for i in range(10)]),
            label="Lineage",
        )


def test_edits_exact_copies_and_unrelated_text(shared_data):
    rng = random.Random(2)
    paras = _paragraphs(shared_data, n=30)
    others = _paragraphs(shared_data, "pg84/84-0.txt", n=20)
    docs = [Document(f"a{i:02d}", t, "books") for i, t in enumerate(paras)]
    docs += [Document(f"b{i:02d}", _edit(t, 2, rng), "books") for i, t in enumerate(paras[:20])]  # ~2% edits
    docs += [Document(f"c{i:02d}", t.upper().replace(" ", "  "), "books") for i, t in enumerate(paras[:10])]  # exact after normalising
    docs += [Document(f"d{i:02d}", t, "books") for i, t in enumerate(others)]
    kept, dups, rejected, st = _run(docs)
    assert kept == sorted([f"a{i:02d}" for i in range(30)] + [f"d{i:02d}" for i in range(20)])
    assert {k: v["kind"] for k, v in dups.items() if k.startswith("c")} == {f"c{i:02d}": "exact" for i in range(10)}
    assert all(dups[f"b{i:02d}"]["kept_id"] == f"a{i:02d}" and dups[f"b{i:02d}"]["similarity"] >= 0.8 for i in range(20))
    assert set(rejected) == set(dups)
    assert st["in"] == 80 and st["out"] == 50 and st["removed"] == {"dedup/exact": 10, "dedup/near": 20}


def test_similarity_below_threshold_is_kept(shared_data):
    rng = random.Random(3)
    para = max(_paragraphs(shared_data, n=40), key=len)
    heavy = _edit(para, len(para.split()) // 8, rng)  # ~12% of words: 5-gram Jaccard far below 0.8
    kept, dups, _, _ = _run([Document("x", para, "web"), Document("y", heavy, "web")])
    assert kept == ["x", "y"] and not dups


def test_dedup_is_within_a_source_and_keep_policy(shared_data):
    para = _paragraphs(shared_data, n=1)[0]
    docs = [
        Document("w1", para, "web"),
        Document("b1", para, "books"),
        Document("w2", para + " and one more sentence here", "web", {"quality_flags": 1}),
        Document("w3", para + " and one more", "web"),
    ]
    kept, dups, _, _ = _run(docs)
    # books and web each keep one; in web, w2 has more words but a quality flag: w3 wins.
    assert kept == ["b1", "w3"]
    assert dups["w1"]["kept_id"] == "w3" and dups["w2"]["kept_id"] == "w3"


def test_reference_always_wins_and_is_not_counted(shared_data):
    rng = random.Random(4)
    paras = _paragraphs(shared_data, n=6)
    corpus = [Document(f"c{i}", _edit(t, 1, rng), "web") for i, t in enumerate(paras)]
    corpus.append(Document("long", paras[0] + " " + paras[1], "web"))
    reference = [Document(f"r{i}", t, "eval") for i, t in enumerate(paras[:3])]
    kept, dups, _, st = _run(corpus, reference=reference)
    assert kept == ["c3", "c4", "c5", "long"]
    assert {k: v["kept_id"] for k, v in dups.items()} == {"c0": "r0", "c1": "r1", "c2": "r2"}
    assert st["in"] == 7 and st["out"] == 4


def test_bad_inputs_empty_single_word_huge_token_no_spaces(shared_data):
    zh = (shared_data / "langid" / "udhr2" / "cmn_hans.txt").read_text(encoding="utf-8")
    zh_paras = [p.strip() for p in zh.split("\n") if len(p.strip()) > 80][:4]
    docs = [
        Document("empty1", "", "web"),
        Document("empty2", "", "web"),
        Document("word1", "hello", "web"),
        Document("word2", "Hello!", "web"),
        Document("huge", "spam " * 2_000_000, "web"),
        Document("nospace", "x" * 5000, "web"),
        Document("zh0", zh_paras[0], "web"),
        Document("zh0b", zh_paras[0][:-3] + "你好吗", "web", {"lang": "zh"}),
        Document("zh1", zh_paras[1], "web"),
    ]
    kept, dups, _, st = _run(docs)
    assert kept == sorted(["empty1", "word1", "huge", "nospace", "zh0", "zh1"])
    assert dups["empty2"]["kind"] == "exact" and dups["word2"]["kind"] == "exact"
    assert dups["zh0b"]["kind"] == "near" and dups["zh0b"]["kept_id"] == "zh0"
    assert st["in"] == 9 and st["failed_total"] == 0


def test_ten_thousand_identical_documents_lose_all_but_one(shared_data):
    para = _paragraphs(shared_data, n=1)[0]
    docs = [Document(f"id{i:05d}", para, "web") for i in range(10_000)]
    kept, dups, _, st = _run(docs, replace_path(PipelineConfig(), "dedup.max_cc_rounds", 3))
    assert kept == ["id00000"]
    assert len(dups) == 9_999 and {d["kept_id"] for d in dups.values()} == {"id00000"}
    assert st["removed"] == {"dedup/exact": 9_999}


def _edited_copies(shared_data, n=6):
    rng = random.Random(11)
    paras = _paragraphs(shared_data, n=n)
    docs = [Document(f"orig{i}", p, "web") for i, p in enumerate(paras)]
    docs += [Document(f"near{i}", _edit(p, 2, rng), "web") for i, p in enumerate(paras)]
    docs += [Document(f"copy{i}", p, "web") for i, p in enumerate(paras)]
    return docs


def test_every_shuffle_record_sent_arrives(shared_data):
    """Each batched shuffle of dedup counts what it packed and what arrived: equal, and not zero."""
    *_, st = _run(_edited_copies(shared_data))
    assert st["metrics"]["shuffle_sent"] == st["metrics"]["shuffle_received"] > 0
    assert st["removed"] == {"dedup/exact": 6, "dedup/near": 6}


def test_a_batch_the_runner_drops_fails_the_run(shared_data, monkeypatch):
    """A runner that loses a batch between two steps (one DirectRunner run in four did, silently,
    at 100,000 documents: docs/benchmarks.md) gives fewer removals; the accounting must say so."""
    drain, dropped = PartitionBuffer.drain, []

    def lossy(self):
        out = drain(self)
        if out and not dropped:  # the first batch any step sends never reaches the next one
            dropped.append(out.pop(0))
        return out

    monkeypatch.setattr(PartitionBuffer, "drain", lossy)
    with pytest.raises(AccountingError, match=r"stage dedup: its shuffles sent \d+ records but \d+ arrived"):
        _run(_edited_copies(shared_data))
    assert dropped


@pytest.mark.parametrize("verify", [True, False])
def test_verify_off_uses_the_signature_estimate(shared_data, verify):
    rng = random.Random(5)
    paras = _paragraphs(shared_data, n=8)
    docs = [Document(f"a{i}", t, "web") for i, t in enumerate(paras)]
    docs += [Document(f"b{i}", _edit(t, 1, rng), "web") for i, t in enumerate(paras)]
    kept, dups, _, _ = _run(docs, replace_path(PipelineConfig(), "dedup.verify", verify))
    assert kept == [f"a{i}" for i in range(8)] and len(dups) == 8
