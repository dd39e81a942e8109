"""Text repair before language ID: ftfy, control characters, NFC; counted when something changed."""

from __future__ import annotations

import pickle
import unicodedata

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline as BeamPipeline

from curation import stats
from curation.config import PipelineConfig, RepairConfig
from curation.document import Document
from filter_data import book_documents
from filters import registry
from filters.repair import Repair
from pipelines.langid import LangId
from pipelines.transforms import SumCounts


def _fix(text: str, **cfg) -> tuple[str, dict]:
    doc, verdict = Repair(RepairConfig(**cfg)).apply(Document("d", text, "web"))
    assert verdict.keep
    return doc.text, verdict.values


def test_mojibake_fixed():
    # UTF-8 read as cp1252: what a page with a wrong charset header turns into.
    broken = "The café’s crème brûlée — perfect.".encode("utf-8").decode("cp1252")
    assert broken == "The cafÃ©â€™s crÃ¨me brÃ»lÃ©e â€” perfect."
    text, values = _fix(broken)
    assert text == "The café’s crème brûlée — perfect."
    assert values == {"changed": 1, "ftfy": 1}
    # Read as Latin-1 instead, the same bytes leave C1 controls: ftfy must see them before
    # control characters are removed.
    text, values = _fix("“perfect” naïve".encode("utf-8").decode("latin-1"))
    assert text == "“perfect” naïve" and values == {"changed": 1, "ftfy": 1}


def test_correct_text_is_left_alone():
    # Curly quotes, full-width forms, HTML entities and CJK are correct text, not damage.
    for text in ["“Quoted” — it’s fine.", "ＡＢＣ１２３ and 東京都", "Write &amp; in HTML for &.", "plain ASCII text\n\twith a tab"]:
        assert _fix(text) == (text, {})


def test_control_characters_and_line_breaks():
    text, values = _fix("Line one\r\nLine two\rLine three\x0cPage\x00 with\x07 bells\x1b.")
    assert text == "Line one\nLine two\nLine three\nPage with bells."
    assert values["control_chars"] == 1 and values["changed"] == 1


def test_nfc_normalisation():
    decomposed = unicodedata.normalize("NFD", "Ångström naïve résumé")
    text, values = _fix(decomposed)
    assert text == "Ångström naïve résumé" and values == {"changed": 1, "normalized": 1}
    assert _fix(decomposed, normalization="none")[0] == decomposed


def test_real_books_change_little():
    """Project Gutenberg books are clean: repair keeps their words (Candide arrives as cp1252)."""
    rep = Repair()
    for book in book_documents():
        doc, _ = rep.apply(book)
        assert len(doc.text) >= 0.99 * len(book.text), book.id


def test_routing_and_pickling():
    chain = registry.langid_filters(PipelineConfig())
    assert [f.name for f in chain] == ["repair_v1", "langid_v1"]  # repair runs before language ID
    rep = chain[0]
    code = Document("x.py", "s = 'caf\u00c3\u00a9'\r\n", "code")
    assert not rep.applies_to(code)  # source code stays byte-exact
    rep.setup()
    clone = pickle.loads(pickle.dumps(rep))
    assert clone.apply(Document("d", "caf\u00c3\u00a9", "web"))[0].text == "café"


def test_counted_in_the_langid_stage_even_when_language_id_drops():
    cfg = PipelineConfig()
    docs = [
        Document("kept", "The café’s menu was long and varied. ".encode("utf-8").decode("cp1252") * 10, "web"),
        Document("short", "Caf\u00c3\u00a9!", "web"),  # repaired, then too short for language ID
        Document("clean", "Nothing to repair in this sentence at all, it is plain. " * 4, "web"),
    ]
    with BeamPipeline() as p:
        res = p | beam.Create(docs) | LangId(cfg)
        counts = (res["counts"],) | SumCounts() | beam.combiners.ToList()

        def check(c):
            st = stats.assemble(c)["stages"]["langid"]
            assert st["metrics"]["repair_v1/changed"] == 2, st
            assert st["metrics"]["repair_v1/ftfy"] == 2 and st["removed"] == {"langid/langid_too_short": 1}

        counts | beam.Map(check)
