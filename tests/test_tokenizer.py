"""Tokenizer: lossless round trips, fixed special ids, deterministic training, reuse by path."""

from __future__ import annotations

import io
import os
import pickle
from pathlib import Path

import numpy as np
import pytest

from curation.config import TokenizerConfig
from curation.errors import ConfigError
from curation.tokenizer import (
    BOS_ID,
    EOS_ID,
    PAD_ID,
    UNK_ID,
    Tokenizer,
    dtype_for,
    train_sentencepiece,
    training_chunks,
)

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

TRICKY = [
    "line one\nline two\n\n\nafter blank lines\n",
    "\ttab\t\tdouble tab\n\t\tindented",
    "  two leading spaces",
    "trailing spaces   ",
    "many          spaces inside",
    "    def f(x):\n        return x  # code\n",
    "windows\r\nline\r\nends\r\n",
    "中文文本，日本語のテキスト、한국어 텍스트",
    "emoji 😀🎉👩‍👩‍👧 and flags 🇫🇷",
    "ｆｕｌｌ-width ＡＢＣ and the ﬁ ligature, NFKC would rewrite these",
    "digits 1234567890 and 3.14159",
    " ",
    "\n",
    "Ünïcödé çombining: e\u0301 vs é",
    "<EMAIL> wrote from <IP_ADDRESS>",
    "null\x00byte and bell\x07",
]


def book_texts() -> dict[str, str]:
    if not DATA.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared test data missing under CI: {DATA}")
        pytest.skip(f"shared test data not present: {DATA}")
    out = {}
    for p in sorted((DATA / "books").glob("pg*/*.txt")):
        raw = p.read_bytes()
        try:
            out[p.parent.name] = raw.decode("utf-8")
        except UnicodeDecodeError:
            out[p.parent.name] = raw.decode("latin-1")  # the -8 files are ISO-8859-1
    return out


@pytest.fixture(scope="module")
def books() -> dict[str, str]:
    return book_texts()


@pytest.fixture(scope="module")
def model(books) -> bytes:
    return train_sentencepiece(books.values(), TokenizerConfig(vocab_size=512), ["<EMAIL>", "<IP_ADDRESS>"])


@pytest.fixture(scope="module")
def tok(model) -> Tokenizer:
    return Tokenizer(model)


@pytest.mark.parametrize("text", TRICKY)
def test_round_trip_on_tricky_text(tok, text):
    ids = tok.encode(text)
    assert tok.decode(ids) == text
    doc = tok.encode_document(text)
    assert doc[0] == tok.bos_id and doc[-1] == tok.eos_id
    assert tok.decode(doc) == text


def test_round_trip_on_every_book(tok, books):
    for name, text in books.items():
        assert tok.decode(tok.encode(text)) == text, name


def test_special_ids_vocab_and_dtype(tok):
    assert (tok.pad_id, tok.unk_id, tok.bos_id, tok.eos_id) == (PAD_ID, UNK_ID, BOS_ID, EOS_ID) == (0, 1, 2, 3)
    assert tok.vocab_size == 512
    assert tok.dtype == "uint16" and tok.encode("abc").dtype == np.uint16
    assert dtype_for(65_536) == "uint16" and dtype_for(65_537) == "uint32"
    info = tok.info()
    assert info["kind"] == "sentencepiece" and info["file"] == "tokenizer/tokenizer.model"
    assert len(info["sha256"]) == 64


def test_user_defined_symbols_are_one_token(tok):
    assert len(tok.encode("<EMAIL>")) == 1
    assert tok.piece_id("<EMAIL>") is not None
    assert tok.piece_id("certainly-not-a-piece") is None


def test_training_is_deterministic_and_path_free(books, model):
    again = train_sentencepiece(books.values(), TokenizerConfig(vocab_size=512), ["<EMAIL>", "<IP_ADDRESS>"])
    assert again == model
    assert b"/tmp" not in model and os.getcwd().encode() not in model


def test_training_chunks_respect_the_limit_and_keep_all_text(books):
    text = next(iter(books.values()))
    for limit in (64, 1000, 16_384):
        chunks = list(training_chunks(text, limit))
        assert "".join(chunks) == text
        assert max(len(c.encode("utf-8")) for c in chunks) <= limit
    long_line = "é" * 10_000
    assert "".join(training_chunks(long_line, 100)) == long_line


def _chunks_by_reslicing(text, max_bytes):
    """The first training_chunks: the rest of a long line sliced off per piece (quadratic)."""
    buf, size = [], 0
    for line in text.splitlines(keepends=True):
        n = len(line.encode("utf-8", "surrogatepass"))
        if size + n > max_bytes and buf:
            yield "".join(buf)
            buf, size = [], 0
        while n > max_bytes:
            head, line = line[: max_bytes // 4], line[max_bytes // 4 :]
            yield head
            n = len(line.encode("utf-8", "surrogatepass"))
        if line:
            buf.append(line)
            size += n
    if buf:
        yield "".join(buf)


def test_training_chunks_of_long_lines_are_the_same_pieces_in_linear_time(books):
    text = next(iter(books.values()))
    mixed = text[:3000] + ("naïve 東京 \U0001f600 word " * 2000).strip() + "\n" + text[3000:6000] + "x" * 9001
    for limit in (64, 100, 4192):
        assert list(training_chunks(mixed, limit)) == list(_chunks_by_reslicing(mixed, limit))
    # One 20 MB line: the pieces are cut by position (re-slicing took minutes per 50 MB).
    one_line = "word " * 4_000_000
    pieces = training_chunks(one_line, 4192)
    assert sum(len(p) for p in pieces) == len(one_line)


def _langid_texts() -> list[str]:
    return [p.read_text(encoding="utf-8", errors="replace")[:5_000] for p in sorted((DATA / "langid").rglob("*")) if p.is_file()]


@pytest.mark.parametrize("settings", [dict(model_type="bpe"), dict(model_type="bpe", byte_fallback=False)])
def test_long_texts_are_encoded_in_pieces_with_the_same_ids(books, monkeypatch, settings):
    """A text over LONG_ENCODE characters is encoded span by span (bounded memory); the ids are
    the whole text's, on books, many scripts (CJK without spaces), runs of spaces and tabs, and
    characters the vocabulary lacks (runs of <unk> without byte fallback)."""
    import curation.tokenizer as tokenizer_module

    samples = _langid_texts()
    model = train_sentencepiece([*(t[:100_000] for t in books.values()), *samples], TokenizerConfig(vocab_size=5000, **settings))
    tok = Tokenizer(model)
    rare = "".join(chr(c) for c in range(0x4E00, 0x9FFF, 97))  # mostly not in a 2,000-piece vocabulary
    text = "".join([*TRICKY, *(t[:30_000] for t in books.values()), *samples, rare, " \t  \u2581 x" * 300, rare])
    monkeypatch.setattr(tokenizer_module, "LONG_ENCODE", 2_000)
    assert tok._cut_table is not None
    spans = list(tok._spans(text))
    assert len(spans) > 100 and spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    whole = tok._impl.encode(text, out_type="numpy").astype(tok.np_dtype)
    assert np.array_equal(tok.encode(text), whole)
    if settings.get("byte_fallback", True):  # a literal U+2581 decodes as a space (module docstring)
        assert tok.decode(tok.encode(text)) == text.replace("\u2581", " ")


def test_a_long_text_without_a_cut_place_is_one_span(tok, monkeypatch):
    """Characters the vocabulary lacks are never cut between: after LONG_ENCODE characters of
    searching, the rest of the text is one span, encoded as a whole."""
    import curation.tokenizer as tokenizer_module

    monkeypatch.setattr(tokenizer_module, "LONG_ENCODE", 2_000)
    text = "".join(chr(0x10400 + i % 80) for i in range(10_000))  # Deseret: not in a 512-piece vocabulary
    assert list(tok._spans(text)) == [(0, len(text))]
    assert np.array_equal(tok.encode(text), tok._impl.encode(text, out_type="numpy").astype(tok.np_dtype))


@pytest.mark.parametrize("model_type", ["bpe", "unigram"])
def test_long_texts_are_encoded_whole_when_spans_could_change_ids(books, monkeypatch, model_type):
    """A model (e.g. the user's own) whose normaliser adds a dummy prefix or folds whitespace
    would encode a span's first word differently, and a unigram model breaks ties by float
    sums that depend on where the text starts: such models get one call per text."""
    import sentencepiece as spm

    import curation.tokenizer as tokenizer_module

    text = "".join(books.values())[:200_000]
    out = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(text.splitlines()), model_writer=out, vocab_size=800,
                                   model_type=model_type, minloglevel=2)
    tok = Tokenizer(out.getvalue())
    spec = tokenizer_module.sentencepiece_spec(tok.model)
    assert spec["add_dummy_prefix"] is True and spec["model_type"] == model_type
    monkeypatch.setattr(tokenizer_module, "LONG_ENCODE", 2_000)
    assert tok._cut_table is None
    assert np.array_equal(tok.encode(text), tok._impl.encode(text, out_type="numpy").astype(tok.np_dtype))
    own = Tokenizer(train_sentencepiece([text], TokenizerConfig(vocab_size=800, model_type="unigram")))
    assert own._cut_table is None


def test_the_model_spec_reader_sees_curates_trainer_settings(model):
    from curation.tokenizer import sentencepiece_spec

    assert sentencepiece_spec(model) == {
        "model_type": "bpe", "normalizer": "identity", "add_dummy_prefix": False, "remove_extra_whitespaces": False, "escape_whitespaces": True,
    }
    with pytest.raises(ConfigError):
        sentencepiece_spec(b"\x0a\xff")


def test_load_by_path_pickle_and_vocab_file(tok, tmp_path):
    path = tok.save(tmp_path / "tokenizer")
    assert path.name == "tokenizer.model"
    vocab = (tmp_path / "tokenizer" / "tokenizer.vocab").read_text(encoding="utf-8").splitlines()
    assert len(vocab) == tok.vocab_size and vocab[0].startswith("<pad>\t")
    loaded = Tokenizer.from_file(path)
    assert loaded.sha256 == tok.sha256
    clone = pickle.loads(pickle.dumps(tok))
    assert clone.decode(clone.encode("héllo  wörld\n")) == "héllo  wörld\n"


def test_missing_or_broken_model_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        Tokenizer.from_file(tmp_path / "nope.model")
    bad = tmp_path / "bad.model"
    bad.write_bytes(b"not a model")
    with pytest.raises(ConfigError, match="not a sentencepiece model"):
        Tokenizer.from_file(bad)


def test_tokenizers_json_from_a_path(books, tmp_path):
    from tokenizers import Tokenizer as HFTokenizer
    from tokenizers import decoders, models, pre_tokenizers, trainers

    hf = HFTokenizer(models.BPE())
    hf.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    hf.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=600, special_tokens=["<pad>", "<unk>", "<s>", "</s>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    hf.train_from_iterator(list(books.values())[:3], trainer)
    path = tmp_path / "tokenizer.json"
    hf.save(str(path))
    t = Tokenizer.from_file(path)
    assert t.kind == "tokenizers" and t.info()["file"] == "tokenizer/tokenizer.json"
    assert (t.pad_id, t.unk_id, t.bos_id, t.eos_id) == (0, 1, 2, 3)
    text = "  spaces\tand\nnewlines 中文 😀"
    doc = t.encode_document(text)
    assert doc[0] == 2 and doc[-1] == 3 and t.decode(doc) == text
