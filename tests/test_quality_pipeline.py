"""The LangId, Quality and RedactPII stages as Beam transforms, and `curate filter` end to end
on real documents: accounting holds, rejects carry stage/rule/reason and rule values."""

from __future__ import annotations

import json

import apache_beam as beam
import pyarrow.parquet as pq
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from conftest import run_curate
from curation.config import PipelineConfig
from curation.document import Document
from curation.stats import assemble, check
from filter_data import book_documents, data_dir, stdlib_documents
from pipelines.langid import LangId
from pipelines.pii import RedactPII
from pipelines.quality import Quality
from pipelines.transforms import SumCounts


def _docs() -> list[Document]:
    udhr = data_dir("langid/udhr2")
    web = [Document(f"udhr-{c}", "\n".join(ln.strip() for ln in (udhr / f"{c}.txt").read_text(encoding="utf-8").splitlines()), "web")
           for c in ("eng", "deu", "cmn_hans")]
    web.append(Document("spam", "Buy cheap watches online today at the best price with free shipping\n" * 40, "web"))
    web.append(Document("tiny", "Home | Login", "web"))
    books = [b for b in book_documents() if b.id in ("pg11", "pg31963")]
    code = stdlib_documents(3) + [Document("min.js", "var a=1;" * 300, "code")]
    return web + books + code


def test_stages_account_for_every_document():
    cfg = PipelineConfig()
    docs = _docs()
    with TestPipeline() as p:
        lang = p | beam.Create(docs) | "LangId" >> LangId(cfg)
        qual = lang["docs"] | "Quality" >> Quality(cfg)
        pii = qual["docs"] | "PII" >> RedactPII(cfg)
        counts = (lang["counts"], qual["counts"], pii["counts"]) | SumCounts() | beam.combiners.ToList()

        def check_counts(all_counts):
            (c,) = all_counts
            stats = assemble(c, order=["langid", "quality", "pii"])
            check(stats, ["langid", "quality", "pii"])
            st = stats["stages"]
            assert st["langid"]["in"] == len(docs) and st["langid"]["removed"] == {"langid/langid_too_short": 1}
            assert st["quality"]["removed"] == {"quality/code_max_line_length": 1, "quality/gopher_dup_line_frac": 1}
            assert st["pii"]["removed_total"] == 0 and st["pii"]["out"] == st["quality"]["out"]
            assert st["quality"]["metrics"]["c4_v1/lines_removed"] > 0

        assert_that(counts, check_counts, label="Counts")
        kept_ids = pii["docs"] | beam.Map(lambda d: d.id)
        assert_that(kept_ids, equal_to([d.id for d in docs if d.id not in ("spam", "tiny", "min.js")]), label="Kept")
        rejected = (lang["rejected"], qual["rejected"]) | beam.Flatten() | beam.Map(
            lambda d: (d.id, d.metadata["stage"], d.metadata["reason"]))
        assert_that(rejected, equal_to([("tiny", "langid", "langid/langid_too_short"),
                                        ("spam", "quality", "quality/gopher_dup_line_frac"),
                                        ("min.js", "quality", "quality/code_max_line_length")]), label="Rejected")


def test_curate_filter_command(tmp_path):
    src = tmp_path / "docs.jsonl"
    with open(src, "w", encoding="utf-8") as f:
        for d in _docs():
            f.write(json.dumps({"id": d.id, "text": d.text, "source": d.source}, ensure_ascii=False) + "\n")
    out = tmp_path / "out"
    res = run_curate("filter", "--input", str(src), "--output", str(out))
    assert res.returncode == 0, res.stderr[-3000:]
    stats = json.loads((out / "stats.json").read_text())
    assert stats["accounting"]["ok"]
    assert stats["stages"]["quality"]["removed"]["quality/gopher_dup_line_frac"] == 1
    kept = [r for f in sorted((out / "documents").glob("*.parquet")) for r in pq.read_table(f).to_pylist()]
    rejected = [r for f in sorted((out / "rejected").glob("*.parquet")) for r in pq.read_table(f).to_pylist()]
    assert {r["id"] for r in rejected} == {"spam", "tiny", "min.js"}
    spam = next(r for r in rejected if r["id"] == "spam")
    assert (spam["stage"], spam["reason"]) == ("quality", "quality/gopher_dup_line_frac")
    meta = json.loads(spam["metadata"])
    assert meta["lang"] == "en" and meta["gopher_repetition_v1"]["dup_line_frac"] > 0.3
    de = next(r for r in kept if r["id"] == "udhr-deu")
    assert json.loads(de["metadata"])["lang"] == "de"


def test_curate_filter_missing_input_exits_2(tmp_path):
    res = run_curate("filter", "--input", str(tmp_path / "nope.jsonl"), "--output", str(tmp_path / "o"))
    assert res.returncode == 2 and "nope.jsonl" in res.stderr
