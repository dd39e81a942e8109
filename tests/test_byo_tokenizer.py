"""Bring your own tokenizer: a Hugging Face tokenizers file (built here with the tokenizers
library itself) drives build-shards; the manifest records it; the trainer refuses another one."""

from __future__ import annotations

import json

import pytest

from conftest import SAMPLE_DATA, run_curate

tokenizers = pytest.importorskip("tokenizers")


def _train_tokenizer_json(path, texts, vocab_size=600):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=False))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<pad>", "<unk>", "<s>", "</s>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(texts, trainer)
    tok.save(str(path))
    return path


@pytest.fixture(scope="module")
def hf_build(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("byo")
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in (SAMPLE_DATA / "books").glob("*.txt")]
    tok = _train_tokenizer_json(tmp / "tokenizer.json", texts)
    out = tmp / "out"
    res = run_curate("build-shards", "--books", str(SAMPLE_DATA / "books"), "--config", str(SAMPLE_DATA / "config.yaml"),
                     "--tokenizer", str(tok), "--output", str(out), "--emit", "documents,tokens")
    assert res.returncode == 0, res.stderr[-3000:]
    return tmp, tok, out


def test_manifest_records_the_users_tokenizer(hf_build):
    tmp, tok, out = hf_build
    m = json.loads((out / "manifest.json").read_text())
    t = m["tokenizer"]
    assert t["kind"] == "tokenizers"
    import hashlib

    assert t["sha256"] == hashlib.sha256(tok.read_bytes()).hexdigest()
    assert t["vocab_size"] == 600 and t["bos_id"] == 2 and t["eos_id"] == 3
    assert str(tmp) not in json.dumps(m), "the manifest must hold no absolute path"
    assert run_curate("inspect", str(out)).returncode == 0


def test_shards_decode_with_the_users_tokenizer(hf_build):
    import pyarrow.parquet as pq
    from tokenizers import Tokenizer

    from curation.docio import read_documents_dir

    _, tok_path, out = hf_build
    tok = Tokenizer.from_file(str(tok_path))
    docs = {d.id: d.text for d in read_documents_dir(out / "documents")}
    m = json.loads((out / "manifest.json").read_text())
    rows = [r for s in m["shards"] for r in pq.read_table(out / s["path"]).to_pylist()]
    assert rows and len(rows) == len(docs)
    for r in rows:
        assert tok.decode(r["input_ids"][1:-1], skip_special_tokens=False) == docs[r["doc_id"]]


def test_trainer_refuses_another_tokenizer(hf_build):
    tmp, tok, out = hf_build
    other = _train_tokenizer_json(tmp / "other.json", ["a completely different corpus " * 50], vocab_size=300)
    res = run_curate("train", "--shards", str(out), "--tokenizer", str(other), "--preset", "tiny", "--steps", "1",
                     "--out", str(tmp / "run"))
    assert res.returncode == 2
    assert "tokenizer mismatch" in res.stderr


def test_missing_tokenizer_file_exit_2(tmp_path):
    res = run_curate("build-shards", "--books", str(SAMPLE_DATA / "books"), "--tokenizer", str(tmp_path / "nope.json"),
                     "--output", str(tmp_path / "o"))
    assert res.returncode == 2 and "nope.json" in res.stderr
