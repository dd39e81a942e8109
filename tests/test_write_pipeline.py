"""TrainTokenizer | Tokenize | WriteShards | WriteManifest on Beam, with real book text."""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

import apache_beam as beam
import duckdb
import pyarrow.parquet as pq
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.util import assert_that, equal_to

from curation import shards as sh
from curation import stats as stats_mod
from curation.commands import inspect as inspect_cmd
from curation.config import PipelineConfig, ShardConfig, TokenizerConfig
from curation.document import Document
from pipelines.transforms import COUNTS, DOCS, REJECTED, SumCounts
from pipelines.shards import WriteManifest, WriteShards
from pipelines.tokenize import Tokenize, TrainTokenizer
from tests.test_tokenizer import TRICKY, book_texts


def documents() -> list[Document]:
    docs = []
    for name, text in book_texts().items():
        # chapters-ish pieces: enough documents for several shards and a validation split
        for i, part in enumerate(text.split("\n\n\n\n")):
            docs.append(Document(f"books/{name}/{i}", part, "books", {"lang": "en"}))
    for i, text in enumerate(TRICKY):
        docs.append(Document(f"web/tricky/{i}", text, "web", {"lang": "xx", "url": f"https://example.org/{i}"}))
    docs.append(Document("web/empty", "", "web", {}))
    return docs


CONFIG = PipelineConfig(
    tokenizer=TokenizerConfig(vocab_size=400, sample_bytes=2_000_000),
    shards=ShardConfig(target_tokens=250_000, row_group_tokens=60_000, val_fraction=0.1),
)


def run_pipeline(out: Path, cfg: PipelineConfig = CONFIG, options: list[str] | None = None) -> None:
    with beam.Pipeline(options=PipelineOptions(options or [])) as p:
        docs = p | beam.Create(documents())
        tokenizer = docs | "TrainTokenizer" >> TrainTokenizer(cfg, str(out))
        tokens = docs | "Tokenize" >> Tokenize(cfg, tokenizer)
        entries = tokens[DOCS] | "WriteShards" >> WriteShards(cfg, str(out), tokenizer)
        stats = (
            (tokens[COUNTS],)
            | SumCounts()
            | beam.combiners.ToList()
            | beam.Map(lambda counts: stats_mod.assemble(counts))
        )
        _ = entries | "WriteManifest" >> WriteManifest(cfg, str(out), tokenizer, entries, stats)
        rejected = tokens[REJECTED] | "RejectIds" >> beam.Map(lambda d: (d.id, d.metadata["reason"]))
        assert_that(rejected, equal_to([("web/empty", "tokenize/empty")]))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, None]:
    out = tmp_path_factory.mktemp("run1") / "out"
    return out, run_pipeline(out)


def test_output_verifies_and_counts_match(built):
    out, collected = built
    m = json.loads((out / "manifest.json").read_text())
    assert sh.verify(out) == []
    docs = documents()
    assert m["totals"]["documents"] == len(docs) - 1
    assert m["totals"]["train"]["shards"] >= 2 and m["totals"]["val"]["shards"] >= 1
    stats = json.loads((out / "stats.json").read_text())
    st = stats["stages"]["tokenize"]
    assert st["in"] == len(docs) and st["out"] == len(docs) - 1 and st["removed"] == {"tokenize/empty": 1}
    assert st["metrics"]["tokens"] == m["totals"]["tokens"]
    assert set(m["sources"]) == {"books", "web"}
    assert (out / "tokenizer" / "tokenizer.vocab").is_file()
    assert not list(out.rglob("*.tmp")) and not list(out.rglob(".*"))


def test_pyarrow_and_duckdb_agree_with_the_manifest(built):
    out, _ = built
    m = json.loads((out / "manifest.json").read_text())
    con = duckdb.connect()
    for s in m["shards"]:
        path = out / s["path"]
        t = pq.read_table(path)
        assert t.num_rows == s["documents"]
        assert sum(len(x) for x in sh.iter_token_arrays(path)) == s["tokens"]
        n_sum, list_sum, rows = con.execute(
            f"select sum(n_tokens), sum(len(input_ids)), count(*) from read_parquet('{path}')").fetchone()
        assert n_sum == list_sum == s["tokens"] and rows == s["documents"]


def test_decoded_shards_give_back_the_documents(built):
    from curation.tokenizer import Tokenizer

    out, _ = built
    tok = Tokenizer.from_file(out / "tokenizer" / "tokenizer.model")
    texts = {d.id: d.text for d in documents()}
    seen = 0
    for path in sorted((out / "shards").glob("*/*.parquet")):
        t = pq.read_table(path, columns=["doc_id", "url"])
        ids = t.column("doc_id").to_pylist()
        assert ids == sorted(ids, key=lambda i: __import__("curation.document").document.id_hash64(i))
        for doc_id, arr in zip(ids, sh.iter_token_arrays(path)):
            assert tok.decode(arr) == texts[doc_id]
            seen += 1
    assert seen == len(texts) - 1


@pytest.mark.parametrize("mode", ["multi_threading", pytest.param("multi_processing", marks=pytest.mark.slow)])
def test_two_runs_and_runners_give_the_same_bytes(built, tmp_path, mode):
    out, _ = built
    first = (out / "manifest.json").read_bytes()
    run_pipeline(tmp_path / "again", options=["--direct_num_workers=2", f"--direct_running_mode={mode}"])
    assert (tmp_path / "again" / "manifest.json").read_bytes() == first
    for p in sorted((out / "shards").glob("*/*.parquet")):
        assert (tmp_path / "again" / p.relative_to(out)).read_bytes() == p.read_bytes()


def test_reusing_the_model_by_path(built, tmp_path):
    out, _ = built
    model = out / "tokenizer" / "tokenizer.model"
    cfg = dataclasses.replace(CONFIG, tokenizer=dataclasses.replace(CONFIG.tokenizer, model_path=str(model)))
    run_pipeline(tmp_path / "reuse", cfg)
    m1 = json.loads((out / "manifest.json").read_text())
    m2 = json.loads((tmp_path / "reuse" / "manifest.json").read_text())
    assert m2["tokenizer"] == m1["tokenizer"]
    assert m2["fingerprint"] == m1["fingerprint"]
    assert m2["config"]["tokenizer"]["model_path"] == "tokenizer/tokenizer.model"  # never the absolute path


def test_inspect_summarises_and_detects_corruption(built, tmp_path, capsys):
    import shutil

    out, _ = built
    args = argparse.Namespace(dir=str(out), chars=80)
    assert inspect_cmd.run(args) == 0
    shown = capsys.readouterr().out
    assert "fingerprint" in shown and "verified" in shown and "sample" in shown
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    m = json.loads((copy / "manifest.json").read_text())
    victim = copy / m["shards"][-1]["path"]
    victim.write_bytes(victim.read_bytes()[:-10] + b"0123456789")
    assert inspect_cmd.run(argparse.Namespace(dir=str(copy), chars=80)) == 1
    err = capsys.readouterr().err
    assert "MISMATCH" in err and m["shards"][-1]["path"] in err
