"""Benchmark decontamination: 13-gram overlap after dedup's normalisation, counted per test set,
the matching n-gram kept in the rejected table; and `build-shards --decontaminate` end to end."""

from __future__ import annotations

import json

import apache_beam as beam
import pyarrow.parquet as pq
from apache_beam.testing.test_pipeline import TestPipeline as BeamPipeline

from curation import stats
from curation.cli import main
from curation.config import load_config
from curation.contamination import find_ngram, ngram_hashes
from curation.dedup.normalize import normalize
from curation.document import Document
from filter_data import book_documents
from pipelines.decontaminate import Decontaminate, names_of_test_sets
from pipelines.transforms import SumCounts

QUESTION = ("Which of the following best describes the role of the mitochondria in eukaryotic cells "
            "during aerobic respiration and the production of adenosine triphosphate?")


def test_match_survives_case_punctuation_and_unicode_forms():
    page = "Quiz answers. " + QUESTION.upper().replace(" the ", " the\u00a0") + " Answer: (B)."
    shared = set(ngram_hashes(QUESTION).tolist()) & set(ngram_hashes(page).tolist())
    assert shared
    assert find_ngram(page, min(shared)).split() == find_ngram(QUESTION, min(shared)).split()
    assert len(find_ngram(page, min(shared)).split()) == 13


def test_short_texts_and_other_n():
    assert len(ngram_hashes("Paris is the capital of France.")) == 0  # 6 words < 13
    assert len(ngram_hashes("Paris is the capital of France.", n=3)) == 4
    assert ngram_hashes("").dtype.name == "uint64"
    # zh: characters are the units.
    zh = "人人生而自由，在尊严和权利上一律平等。他们赋有理性和良心，并应以兄弟关系的精神相对待。"
    assert len(ngram_hashes(zh, char_n=25)) > 0 and not set(ngram_hashes(zh).tolist()) & set(ngram_hashes(QUESTION).tolist())


def test_names_of_test_sets():
    assert names_of_test_sets(["bench/mmlu.jsonl", "x/MMLU.jsonl.gz", "hellaswag.parquet", "dir/arc-easy/"]) == [
        "mmlu", "mmlu_2", "hellaswag", "arc_easy"]


def test_stage_removes_counts_and_keeps_the_ngram(tmp_path):
    books = {b.id: b for b in book_documents()}
    alice = books["pg11"].text
    passage = " ".join(alice.split()[5000:5040])  # 40 words quoted in a reading-comprehension set
    (tmp_path / "squad.jsonl").write_text(
        json.dumps({"id": "q1", "text": passage}) + "\n" + json.dumps({"id": "q2", "text": "Too short."}) + "\n{bad\n")
    (tmp_path / "mmlu.jsonl").write_text(json.dumps({"id": "m1", "text": QUESTION}) + "\n")
    cfg = load_config(overrides=[f"decontaminate.test_sets=[{tmp_path / 'squad.jsonl'}, {tmp_path / 'mmlu.jsonl'}]"])
    docs = [
        Document("alice", alice, "books"),
        Document("quiz", "Biology quiz. " + QUESTION + " (a) energy (b) storage", "web"),
        Document("pride", books["pg1342"].text, "books"),
    ]
    with BeamPipeline() as p:
        res = p | beam.Create(docs) | Decontaminate(cfg)
        counts = (res["counts"],) | SumCounts() | beam.combiners.ToList()

        def check_counts(c):
            st = stats.assemble(c)["stages"]["decontaminate"]
            assert (st["in"], st["out"]) == (3, 1)
            assert st["removed"] == {"decontaminate/squad": 1, "decontaminate/mmlu": 1}
            assert st["metrics"]["test_docs/squad"] == 2 and st["metrics"]["test_docs_too_short/squad"] == 1
            assert st["metrics"]["test_bad_records/squad"] == 1 and st["metrics"]["test_ngrams/mmlu"] == len(QUESTION.split()) - 12
            stats.check(stats.assemble(c))

        def check_rejected(rs):
            by_id = {d.id: d.metadata for d in rs}
            assert set(by_id) == {"alice", "quiz"}
            info = by_id["alice"]["decontaminate"]
            assert info["test_set"] == "squad" and info["matches"]["squad"] == 28
            assert info["ngram"] in normalize(passage) and len(info["ngram"].split()) == 13
            assert by_id["quiz"]["decontaminate"]["ngram"].startswith("which of the following")

        def check_kept(ids):
            assert ids == ["pride"], ids

        counts | "CheckCounts" >> beam.Map(check_counts)
        res["rejected"] | "AllRejected" >> beam.combiners.ToList() | "CheckRejected" >> beam.Map(check_rejected)
        res["docs"] | "Ids" >> beam.Map(lambda d: d.id) | "AllKept" >> beam.combiners.ToList() | "CheckKept" >> beam.Map(check_kept)


def test_build_shards_with_decontaminate(tmp_path, capsys):
    """The whole command on sample_data: a test set quoting one sample book removes that book."""
    from curation.commands.common import SAMPLE_DATA

    book = (SAMPLE_DATA / "books" / "lamplighters-apprentice.txt").read_text(encoding="utf-8")
    body = book.split("*** START OF")[1]
    quote = " ".join(body.split()[300:330])
    test = tmp_path / "lamp-qa.jsonl"
    test.write_text(json.dumps({"id": "t1", "text": f"Question: who said this? {quote}"}) + "\n")
    out = tmp_path / "out"
    rc = main(["build-shards", "--output", str(out), "--emit", "documents", "--decontaminate", str(test),
               "--config", str(SAMPLE_DATA / "config.yaml"), "--books", str(SAMPLE_DATA / "books"),
               "--web", str(SAMPLE_DATA / "web")])
    assert rc == 0
    st = json.loads((out / "stats.json").read_text())
    assert st["stage_order"].index("decontaminate") == st["stage_order"].index("dedup") + 1
    dc = st["stages"]["decontaminate"]
    assert dc["removed"] == {"decontaminate/lamp_qa": 1} and dc["in"] == st["stages"]["dedup"]["out"]
    assert st["stages"]["pii"]["in"] == dc["out"]
    rejected = pq.read_table(out / "rejected").to_pylist()
    hit = [r for r in rejected if r.get("reason") == "decontaminate/lamp_qa"]
    assert len(hit) == 1 and "lamplighter" in hit[0]["id"].lower()
    assert json.loads(hit[0]["metadata"])["decontaminate"]["ngram"]
    assert main(["build-shards", "--output", str(tmp_path / "o2"), "--decontaminate", str(tmp_path / "nope.jsonl")]) == 2
    assert "--decontaminate" in capsys.readouterr().err
