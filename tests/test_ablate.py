"""`curate ablate` on sample_data with the tiny preset: every variant is built with one tokenizer,
a planted near-duplicate of an evaluation document is decontaminated, and the results file has a
loss per variant and seed. The test checks the harness, not which variant wins: sample data is
too small to decide that."""

from __future__ import annotations

import json
import math

import numpy as np
import pyarrow.parquet as pq
import pytest

from curation import ablate
from curation.train import ablate as train_ablate
from curation.cli import main
from curation.document import Document, id_hash64

VARIANTS = list(ablate.STAGES)  # raw, curated, no_dedup, no_quality, no_langid
SEEDS = 2


def _alice(shared_data) -> str:
    """About 12 KB of a real book (Alice in Wonderland), whole lines."""
    text = (shared_data / "books" / "pg11" / "11-0.txt").read_text(encoding="utf-8")
    start = text.index("CHAPTER I. Down the Rabbit-Hole")
    body = text[start:start + 12_000]
    return body[:body.rindex("\n") + 1]


def _near_copy(text: str) -> str:
    """Every 100th word replaced: about 5% of the 5-word shingles change (Jaccard ~0.9 >= 0.8)."""
    words = text.split(" ")
    return " ".join("zebra" if i % 100 == 50 else w for i, w in enumerate(words)) + "\nA line added at the end.\n"


@pytest.fixture(scope="module")
def run(tmp_path_factory, shared_data, sample_data):
    work = tmp_path_factory.mktemp("ablate")
    alice = _alice(shared_data)
    eval_file = work / "eval.jsonl"
    eval_file.write_text(json.dumps({"id": "eval-alice", "text": alice}) + "\n", encoding="utf-8")
    planted = work / "planted.jsonl"
    rows = [{"id": "planted-near-dup", "text": _near_copy(alice)},
            {"id": "unrelated", "text": (sample_data / "books" / "uhrmacher-kellbach.txt").read_text(encoding="utf-8")}]
    planted.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = work / "out"
    argv = ["ablate", "--web", str(sample_data / "web"), "--books", str(sample_data / "books"),
            "--code", str(sample_data / "code"), "--docs", str(planted), "--eval", str(eval_file),
            "--config", str(sample_data / "config.yaml"), "--output", str(out),
            "--variants", ",".join(VARIANTS), "--seeds", str(SEEDS), "--tokens", "2048", "--eval-windows", "1000",
            "--eval-chunk-bytes", "2000", "--train-set", "threads=1"]
    assert main(argv) == 0
    return {"out": out, "alice": alice, "results": json.loads((out / "ablate.json").read_text())}


def _doc_ids(folder, split):
    ids = []
    for f in sorted((folder / "shards" / split).glob("shard-*.parquet")):
        ids += pq.read_table(f, columns=["doc_id"]).column(0).to_pylist()
    return ids


def test_every_variant_is_built_with_one_tokenizer(run):
    out = run["out"]
    shas = set()
    for v in VARIANTS:
        m = json.loads((out / "variants" / v / "manifest.json").read_text())
        shas.add(m["tokenizer"]["sha256"])
        assert m["totals"]["train"]["documents"] > 0 and m["totals"]["val"]["documents"] > 0
        assert (out / "variants" / v / m["tokenizer"]["file"]).is_file()
        stats = json.loads((out / "variants" / v / "stats.json").read_text())
        assert stats["accounting"]["ok"]
        expected = {"langid", "quality", "dedup", "pii"} - {"no_dedup": {"dedup"}, "no_quality": {"quality"}}.get(v, set())
        if v == "raw":
            expected = set()
        assert expected <= set(stats["stages"]) and not ({"langid", "quality", "dedup", "pii"} - expected) & set(stats["stages"])
    assert len(shas) == 1
    docs = {v: json.loads((out / "variants" / v / "manifest.json").read_text())["totals"]["train"]["documents"] for v in VARIANTS}
    # Switching a stage off can only keep more documents than the full pipeline; raw keeps the most.
    assert docs["raw"] == max(docs.values())
    assert all(docs[v] >= docs["curated"] for v in VARIANTS)
    no_langid = json.loads((out / "variants" / "no_langid" / "stats.json").read_text())
    assert not no_langid["stages"]["langid"]["removed"]  # annotated, nothing filtered


def test_planted_near_duplicate_of_an_eval_document_is_decontaminated(run):
    out = run["out"]
    removed = pq.read_table(next((out / "decontaminated").glob("part-*.parquet"))).to_pylist()
    assert [r["id"] for r in removed] == ["planted-near-dup"]
    assert removed[0]["reason"] == "decontaminate/near"
    assert json.loads(removed[0]["metadata"])["decontaminate"]["eval_id"] == "eval-alice"
    for v in VARIANTS:
        stats = json.loads((out / "variants" / v / "stats.json").read_text())
        assert stats["stages"]["decontaminate"]["removed"] == {"decontaminate/near": 1}
        assert run["results"]["variants"][v]["training_set"]["decontaminated"] == 1
        train_ids = _doc_ids(out / "variants" / v, "train")
        assert "planted-near-dup" not in train_ids and "unrelated" in train_ids
        assert not any(i.startswith("eval-alice") for i in train_ids)
        # The val split is the evaluation set, cut into chunks: the same in every variant.
        assert sorted({i.split("#")[0] for i in _doc_ids(out / "variants" / v, "val")}) == ["eval-alice"]


def test_results_have_a_loss_per_variant_and_seed(run, capsys):
    res = run["results"]
    assert set(res["variants"]) == set(VARIANTS) and len(res["seeds"]) == SEEDS
    for v in VARIANTS:
        runs = res["variants"][v]["runs"]
        assert sorted(runs) == sorted(str(s) for s in res["seeds"])
        for r in runs.values():
            assert math.isfinite(r["final_bpb"]) and r["final_bpb"] > 0 and r["curve"]
            assert r["curve"][-1]["bpb"] == r["final_bpb"]
        summary = res["summary"][v]
        assert summary["final_bpb"]["n"] == SEEDS
        if v != "raw":
            assert summary["vs"]["raw"]["verdict"] in ("better", "worse", "inconclusive")
    page = (run["out"] / "ablate.html").read_text()
    assert "<svg" in page and "<script" not in page and "curated" in page


def test_bits_per_byte_counts_every_byte_of_the_eval_set(run):
    """All eval windows are evaluated here, so the targets' bytes are exactly the eval text's."""
    out, alice = run["out"], run["alice"]
    cov = run["results"]["eval"]
    assert cov["windows"] == cov["windows_available"]
    assert cov["bytes"] == len(alice.encode("utf-8"))
    from curation.tokenizer import Tokenizer

    tok = Tokenizer.from_file(out / "tokenizer" / "tokenizer.model")
    table = np.load(out / ablate.PIECE_BYTES)
    for text in (alice, "tabs\tand  spaces\n\n  ünïcödé 漢字 🙂\n"):
        assert int(table[tok.encode(text)].sum()) == len(text.encode("utf-8"))
    r = next(iter(run["results"]["variants"]["curated"]["runs"].values()))
    assert r["final_bpb"] == pytest.approx(r["val_loss"] * cov["targets"] / cov["bytes"] / math.log(2))


def test_rerun_reuses_the_build_and_the_runs(run, capsys):
    out = run["out"]
    before = (out / "ablate.json").read_text()
    # Every (variant, seed) run is found finished with the same config and shards: nothing retrains.
    results = train_ablate.run_ablation(out, VARIANTS, preset="tiny", seeds=SEEDS, tokens=2048, eval_windows=1000,
                                  overrides={"threads": 1}, build=run["results"]["build"], echo=lambda m: None)
    assert json.dumps(results, sort_keys=True, indent=2) + "\n" == before


def test_chunks_keep_the_text_and_respect_the_size():
    text = "short line\n" * 50 + "x" * 5000 + "\nü" * 300
    chunks = ablate.chunk_text(text, 256)
    assert "".join(chunks) == text
    assert all(0 < len(c.encode()) <= 256 for c in chunks)


def test_paired_difference_verdicts():
    assert ablate.compare({1: 1.0, 2: 1.1, 3: 1.2}, {1: 1.5, 2: 1.6, 3: 1.7})["verdict"] == "better"
    assert ablate.compare({1: 1.6, 2: 1.4, 3: 1.5}, {1: 1.5, 2: 1.5, 3: 1.5})["verdict"] == "inconclusive"
    assert ablate.compare({1: 2.0}, {1: 1.0})["verdict"] == "inconclusive"  # one seed has no spread
    assert ablate.compare({1: 2.0, 2: 2.1}, {1: 1.0, 2: 1.0})["verdict"] == "worse"


def test_hold_out_takes_whole_books_by_hash_and_at_least_one():
    import apache_beam as beam
    from apache_beam.testing.test_pipeline import TestPipeline
    from apache_beam.testing.util import assert_that, equal_to

    from pipelines.ablate import HoldOutBooks, _eval_threshold

    docs = [Document(f"book-{i}", "word " * (100 * (i + 1)), "books", {}) for i in range(10)]
    docs.append(Document("page", "web text", "web", {}))
    by_hash = sorted(docs[:10], key=lambda d: id_hash64(d.id))
    sizes = [(id_hash64(d.id), len(d.text)) for d in docs[:10]]
    total = sum(n for _, n in sizes)
    want, acc = [], 0
    for d in by_hash:
        if want and acc + len(d.text) > 0.2 * total:
            break
        want.append(d.id)
        acc += len(d.text)
    assert _eval_threshold(sizes, 0.2) == id_hash64(want[-1])
    assert _eval_threshold(sizes, 1e-9) == id_hash64(by_hash[0].id)  # at least one book
    assert _eval_threshold([], 0.2) == -1
    with TestPipeline() as p:
        res = p | beam.Create(docs) | HoldOutBooks(0.2)
        assert_that(res["eval"] | "EvalIds" >> beam.Map(lambda d: d.id), equal_to(want), label="Eval")
        assert_that(res["docs"] | "KeptIds" >> beam.Map(lambda d: d.id),
                    equal_to([d.id for d in docs if d.id not in want]), label="Kept")


def test_bad_arguments_exit_2(tmp_path, capsys, sample_data):
    assert main(["ablate", "--output", str(tmp_path / "o"), "--variants", "raw,nope"]) == 2
    assert "unknown variant 'nope'" in capsys.readouterr().err
    assert main(["ablate", "--web", str(sample_data / "web"), "--output", str(tmp_path / "o")]) == 2
    assert "no evaluation set: pass --eval PATH" in capsys.readouterr().err
