"""Issue 19's filter cases: words as spaCy splits them, sentences as Punkt counts them, C4's
citation order, the fineweb2 profile, fastText scores equal to the binding's own predict,
routing of sources no list names, rule values that would make a rule undefined, and the crashes
(empty text under min_doc_words, a lone surrogate with repair off)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from curation import api, fasttext_model
from curation.config import C4Config, PipelineConfig, load_config
from curation.document import Document
from curation.errors import ConfigError
from filters import fineweb2
from filters.c4 import C4
from filters.gopher_quality import GopherQuality
from filters.registry import quality_filters
from filters.sentences import count_sentences
from filters.text import split, tokenize

REPO = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- words
def test_email_addresses_are_one_word_each():
    assert tokenize("Mail john.doe@example.com or j_smith+news@mail.example.co.uk.") == [
        "Mail", "john.doe@example.com", "or", "j_smith+news@mail.example.co.uk", "."]


def test_contact_page_with_addresses_is_not_a_repetition_drop():
    # Six addresses of one domain made the top 3-gram "@ example ." cover > 18% of the text.
    text = ("Contact the team. Press enquiries go to anna.berg@example.com, and questions about orders to "
            "carl.dahl@example.com. Our billing office answers at eva.fors@example.com within two days. For the "
            "developer programme write gustav.holm@example.com; partners reach ida.jansson@example.com. Anything "
            "else: karl.lund@example.com, or call the front desk during opening hours.")
    from filters.gopher_repetition import GopherRepetition

    _, v = GopherRepetition().apply(Document("c", text, "web"))
    assert v.keep, v


def test_programming_language_names_are_words():
    assert tokenize("Build it with C++ or C#, test in F# and g++.") == [
        "Build", "it", "with", "C++", "or", "C#", ",", "test", "in", "F#", "and", "g++", "."]
    readme = ("This C++ library builds with CMake. Run cmake and make, then link it from C++ or C# code. " * 8)
    _, v = GopherQuality().apply(Document("r", readme, "web"))
    assert v.keep and v.values["alpha_words_ratio"] >= 0.8, v


def test_abbreviations_with_periods_stay_whole():
    assert tokenize("e.g. at 5 a.m. the Ph.D. student from the U.S. left") == [
        "e.g.", "at", "5", "a.m.", "the", "Ph.D.", "student", "from", "the", "U.S.", "left"]


def test_cannot_and_gonna_split_as_spacy_does():
    assert tokenize("I cannot stay, gonna go. Wanna come? Gotta run") == [
        "I", "can", "not", "stay", ",", "gon", "na", "go", ".", "Wan", "na", "come", "?", "Got", "ta", "run"]


def test_an_ellipsis_is_not_a_word():
    sp = split("Well ... and then -- nothing …")
    assert "..." in sp.words and sp.content_word_counts == (4, len("Wellandthennothing"))


# ---------------------------------------------------------------- sentences and C4
def test_lower_case_sentences_count_as_punkt_counts_them():
    forum = "i tried that. it did not work. then i rebooted. now it works! thanks everyone."
    assert count_sentences(forum) == 5
    assert count_sentences("see e.g. the docs, cf. the faq. ok") == 2  # abbreviations do not end one
    assert count_sentences("J. R. R. Tolkien wrote it.") == 1  # initials neither
    assert count_sentences("wait... What? 3.5 percent.") == 3


def test_lower_case_forum_page_is_not_too_few_sentences():
    page = "i tried the update on my laptop. it did not work for me at all. then i rebooted the whole thing twice."
    _, v = C4().apply(Document("f", page, "web"))
    assert v.keep and v.values["sentences"] == 3, v


def test_c4_counts_words_after_cutting_citations_datatrove_before():
    line = "Paris is the capital.[1][2][3]"  # 4 words before the cut, 4 after: the count is what differs below
    text = "Paris is big [1] [2] [3] city.\nIt has many people living there today.\nThe river is long and wide."
    _, v_c4 = C4(C4Config(min_sentences=1)).apply(Document("a", text, "web"))
    _, v_dt = C4(C4Config(profile="datatrove", min_words_per_line=5, min_sentences=1)).apply(Document("a", text, "web"))
    assert v_c4.values.get("lines_removed_too_few_words") == 1  # "Paris is big city." has 4 words after the cut
    assert "lines_removed_too_few_words" not in v_dt.values  # datatrove counted 7 before it
    assert line  # the marker form C4 cuts


def test_c4_counts_the_characters_it_removes():
    text = "Home\nMenu\nThis is a real sentence with words.\nAnother real sentence is here.\nAnd a third one ends here."
    doc, v = C4().apply(Document("k", text, "web"))
    assert v.keep and v.values["chars_removed_no_terminal_punct"] == len("Home") + len("Menu")


# ---------------------------------------------------------------- fineweb2 profile
def test_packaged_table_is_what_the_script_makes(shared_data, tmp_path):
    out = tmp_path / "fineweb2.json"
    res = subprocess.run([sys.executable, "-m", "filters.fineweb2_table", str(shared_data / "fineweb2-configs"), str(out)],
                         capture_output=True, text=True, cwd=REPO)
    assert res.returncode == 0, res.stderr
    assert out.read_bytes() == fineweb2.PACKAGED_TABLE.read_bytes()
    table = json.loads(out.read_text())["languages"]
    assert "en" not in table and table["de"]["label"] == "deu_Latn" and table["zh"]["label"] == "cmn_Hani"
    assert table["de"]["max_non_alpha_words_ratio"] == 0.774


def test_german_prose_with_quotes_and_dashes_is_kept():
    para = ("Der Bürgermeister sagte am Montag, die Stadt habe „trotz aller Probleme“ sehr viel erreicht. "
            "Die neue Brücke über den Fluss – seit Jahren geplant – soll im Herbst eröffnet werden, wenn das Wetter mitspielt. "
            "Kritiker halten das Projekt für „zu teuer“, die Verwaltung verweist dagegen auf die Zuschüsse des Landes (und des Bundes). ")
    doc = Document("de", para * 4, "web", {"lang": "de", "lang_score": 0.99})
    # Counted over every token, punctuation included (datatrove's code), 78% are alphabetic:
    # under English's 0.80, above German's FineWeb-2 bar of 0.774.
    tokens = GopherQuality(load_config(overrides=["quality.gopher_quality.alpha_ratio_tokens=true"]).quality.gopher_quality)
    _, v = tokens.apply(doc)
    assert not v.keep and v.rule == "gopher_alpha_words" and v.values["alpha_words_ratio"] == 0.7846
    tokens_de = next(f for f in quality_filters(load_config(overrides=["quality.gopher_quality.alpha_ratio_tokens=true"]))
                     if f.name == "gopher_quality_v1")
    assert tokens_de.apply(doc)[1].keep
    # Counted over words (the default), punctuation marks are not words: every word has a letter.
    for gq in (GopherQuality(), next(f for f in quality_filters(PipelineConfig()) if f.name == "gopher_quality_v1")):
        _, v = gq.apply(doc)
        assert v.keep and v.values["alpha_words_ratio"] == 1.0, v
    # A page of prices and figures still fails.
    prices = "Price list 2019: item 4711 costs 12.99 and 7.50, item 4712 costs 1,299.00 or 24.50 per 100 units; " * 6
    assert GopherQuality().apply(Document("p", prices, "web"))[1].rule == "gopher_alpha_words"


def test_fineweb2_profile_recorded_and_no_c4_outside_english():
    de = ("Menü\nKontakt\nDie Stadt hat am Montag neue Pläne für den Bahnhof vorgestellt und die Bürger eingeladen, ihre "
          "Ideen bis zum Sommer einzubringen. Der Umbau soll drei Jahre dauern und wird vom Land gefördert. Während der "
          "Bauzeit fahren die Busse von einer provisorischen Haltestelle am Marktplatz ab. Anwohner befürchten mehr Lärm, "
          "die Verwaltung verspricht dagegen strenge Auflagen für die beteiligten Firmen und regelmäßige Informationsabende "
          "im Rathaus.\nImpressum")
    res = api.filter_documents([Document("d", de, "web", {"lang": "de", "lang_score": 0.99})], PipelineConfig(), stages=("quality",))
    doc = (res.kept + res.rejected)[0]
    assert doc.metadata["quality_profile"] == "fineweb2/deu_Latn"
    assert "c4_v1" not in doc.metadata  # C4 did not run
    ran = res.stats["stages"]["quality"]["by_source"]["web"]["metrics"]
    assert "rules_ran/c4_v1" not in ran and ran["rules_ran/gopher_quality_v1"] == 1
    off = load_config(overrides=["quality.fineweb2.enabled=false"])
    res = api.filter_documents([Document("d", de, "web", {"lang": "de", "lang_score": 0.99})], off, stages=("quality",))
    doc = (res.kept + res.rejected)[0]
    assert doc.metadata["quality_profile"] == "published" and "rules_ran/c4_v1" in res.stats["stages"]["quality"]["metrics"]


# ---------------------------------------------------------------- fastText
def _udhr_texts(shared_data: Path) -> list[str]:
    texts = []
    for name in ("eng", "deu_1996", "fra", "pol", "rus", "cmn_hans", "jpn", "arb", "spa", "nld", "tur", "hin"):
        path = shared_data / "langid" / "udhr2" / f"{name}.txt"
        if path.is_file():
            lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
            texts += ["\n".join(lines[i:i + 3]) for i in range(0, min(len(lines), 30), 3)]
    # Mixed-language snippets: where a missing end-of-line token moved scores across 0.65.
    texts += [a[:60] + " " + b[:60] for a, b in zip(texts[::7], texts[3::7])]
    return texts


def test_scores_equal_the_bindings_own_predict(shared_data):
    m = fasttext_model.load_lid176()
    texts = _udhr_texts(shared_data)
    assert len(texts) > 60
    folded = [t.replace("\r", " ").replace("\n", " ") for t in texts]
    labels, probs = m._m.predict(folded, k=3)  # the official wrapper (its list form works under numpy 2)
    for text, lbs, ps in zip(texts, labels, probs):
        ours = m.predict(text, k=3)
        assert [lb for lb, _ in ours] == [lb.removeprefix("__label__") for lb in lbs]
        assert [p for _, p in ours] == pytest.approx([min(float(p), 1.0) for p in ps], abs=1e-6)


# ---------------------------------------------------------------- routing
def test_docs_with_their_own_source_get_the_web_rules(tmp_path):
    from curation.docio import row_to_document

    spam = "BUY NOW cheap pills $$$ click click click best price " * 3
    good = ("The committee met on Tuesday to discuss the new budget for the library. Members agreed that the "
            "reading room needs longer opening hours, and that the children's section should get new books before the "
            "summer. The treasurer warned that heating costs rose sharply last winter, so the roof repairs may wait until "
            "next year. A volunteer offered to run a weekly reading club for teenagers, which the board welcomed. The "
            "next meeting will be held in the town hall, where residents can ask questions about the plans.")
    rows = [{"id": "spam", "text": spam, "source": "common-crawl"}, {"id": "good", "text": good, "source": "common-crawl"}]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "out"
    res = subprocess.run([sys.executable, "-m", "curation.cli", "filter", "--input", str(path), "--output", str(out),
                          "--format", "jsonl"], capture_output=True, text=True, cwd=REPO, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "source 'common-crawl' is named by no routing list: it gets the web rules" in res.stderr
    stats = json.loads((out / "stats.json").read_text())
    langid, quality = (stats["stages"][s]["by_source"]["common-crawl"] for s in ("langid", "quality"))
    assert langid["metrics"]["rules_ran/langid_v1"] == 2 and quality["out"] == 1
    assert quality["metrics"]["rules_ran/gopher_quality_v1"] == langid["out"]
    kept = [json.loads(ln) for p in sorted((out / "documents").glob("*.jsonl")) for ln in p.read_text().splitlines()]
    assert [(d["id"], d["source"]) for d in kept] == [("good", "common-crawl")]
    assert row_to_document(rows[0]).source == "common-crawl"


def test_routing_maps_a_source_to_none_or_books():
    spam = "click here " * 40
    none = load_config(overrides=["routing.raw=none"])
    res = api.filter_documents([Document("s", spam, "raw", {})], none)
    assert [d.id for d in res.kept] == ["s"] and "rules_ran/gopher_quality_v1" not in res.stats["stages"]["quality"]["metrics"]
    books = load_config(overrides=["routing.gutenberg=books", "langid.enabled=false"])
    res = api.filter_documents([Document("b", spam, "gutenberg", {})], books)
    assert res.rejected[0].metadata["reason"] == "quality/book_short" and res.rejected[0].source == "gutenberg"
    with pytest.raises(ConfigError, match="routing.raw must be web, books, code or none"):
        load_config(overrides=["routing.raw=nothing"])


# ---------------------------------------------------------------- config and crashes
@pytest.mark.parametrize("override, message", [
    ("quality.gopher_quality.min_doc_words=0", "min_doc_words must be at least 1"),
    ("quality.gopher_quality.min_alpha_words_ratio=-0.1", "must not be negative"),
    ("quality.fineweb.line_punct_thr=-1", "must not be negative"),
    ("quality.gopher_repetition.dup_line_frac=-0.3", "must not be negative"),
    ("quality.c4.min_sentences=-1", "must not be negative"),
    ("quality.gopher_quality.max_avg_word_length=2", "is below min_avg_word_length"),
])
def test_values_that_make_a_rule_undefined_are_rejected(override, message):
    with pytest.raises(ConfigError, match=message):
        load_config(overrides=[override])


def test_rejected_value_is_one_line_at_the_cli(tmp_path):
    res = subprocess.run([sys.executable, "-m", "curation.cli", "filter", "--input", str(tmp_path / "x.jsonl"), "--output",
                          str(tmp_path / "o"), "--set", "quality.gopher_quality.min_doc_words=0"],
                         capture_output=True, text=True, cwd=REPO, timeout=300)
    assert res.returncode == 2 and "min_doc_words must be at least 1" in res.stderr
    assert "Traceback" not in res.stderr


@pytest.mark.parametrize("text", ["", "... !!! ---", "   "])
def test_text_without_words_is_short_not_a_division_by_zero(text):
    _, v = GopherQuality().apply(Document("e", text, "web"))
    assert not v.keep and v.rule == "gopher_short_doc"


def test_lone_surrogate_with_repair_off_is_judged_not_raised():
    cfg = load_config(overrides=["quality.repair.enabled=false"])
    text = ("The council voted to extend the library's opening hours on weekends. \ud800 " * 12)
    res = api.filter_documents([Document("s", text, "web", {})], cfg)
    lang = res.stats["stages"]["langid"]
    assert lang["in"] == 1 and lang["failed"] == {}  # language ID read it (the surrogate as "?")
    assert (res.kept + res.rejected)[0].metadata["lang"] == "en"


# ---------------------------------------------------------------- changes to kept text are visible
def test_text_cut_from_kept_documents_in_stats_report_summary_and_explain(sample_build, tmp_path):
    import pyarrow.parquet as pq

    from curation.explain import explain, format_explanation
    from curation.report_html import write_report
    from curation.summary import format_summary

    stats = json.loads((sample_build / "stats.json").read_text())
    quality = stats["stages"]["quality"]
    assert quality["chars_removed"]["c4_v1"] > 0 and 0 < quality["kept_text_cut"]["c4_v1"] < 1
    assert quality["chars_removed"]["c4_v1/no_terminal_punct"] <= quality["chars_removed"]["c4_v1"] + quality["chars_removed"].get(
        "c4_v1/citations", 0)
    assert "text cut from kept documents: quality " in format_summary(stats)
    html = write_report(sample_build, tmp_path / "report.html").read_text()
    assert "Text cut from kept documents" in html and "c4_v1/no_terminal_punct" in html
    filtered = next(d for d in (sample_build / "stages").glob("filter-*") if (d / "_SUCCESS.json").is_file())
    rows = pq.read_table(filtered / "documents").to_pylist()
    cut = [r for r in rows if json.loads(r["metadata"]).get("c4_v1", {}).get("lines_removed")]
    for r in cut:
        info = explain(r["id"], sample_build)
        if info["shard"] is None:
            continue  # removed later (dedup)
        lines = info["removed_lines"]
        assert lines and len(lines) == json.loads(r["metadata"])["c4_v1"]["lines_removed"]
        assert all(ln["line"] not in r["text"].split("\n") for ln in lines)
        assert "lines cut" in format_explanation(info)
        break
    else:
        pytest.fail("no kept document with lines cut by C4 in the sample build")
