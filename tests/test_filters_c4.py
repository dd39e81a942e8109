"""C4 line filtering rewrites the text and records what it removed; the two profiles differ
exactly where TFDS c4_utils and datatrove do."""

from __future__ import annotations

from curation.config import C4Config
from curation.document import Document
from filters.c4 import C4, count_sentences

PAGE = """Skip to main content
Home | News | Sport
Alice was beginning to get very tired of sitting by her sister on the bank. She had nothing to do.
Once or twice she had peeped into the book her sister was reading [1].
This website uses cookies to improve your experience, see our cookie policy.
Please enable JavaScript in your browser to view this page correctly.
But it had no pictures or conversations in it, "and what is the use of a book," thought Alice.
So she was considering in her own mind whether the pleasure would be worth the trouble.
Read more..."""


def test_line_filters_modify_text_and_record_counts():
    doc, verdict = C4().apply(Document("p", PAGE, "web"))
    assert verdict.keep
    kept = doc.text.split("\n")
    assert kept[0].startswith("Alice was beginning") and len(kept) == 4
    assert "[1]" not in doc.text and "cookie" not in doc.text.lower() and "JavaScript" not in doc.text
    v = verdict.values
    assert v["lines_removed"] == 5
    assert v["lines_removed_no_terminal_punct"] == 3 and v["lines_removed_policy"] == 1 and v["lines_removed_javascript"] == 1


def test_profiles():
    three_words = "Alice said yes.\nShe ran away.\nThe rabbit ran.\nIt was late.\nThe end came."
    assert not C4().apply(Document("p", three_words, "web"))[1].keep  # c4: 5 words per line
    dt = C4(C4Config(profile="datatrove"))
    assert dt.min_words == 3 and dt.min_sentences == 5
    assert dt.apply(Document("p", three_words, "web"))[1].keep
    assert C4(C4Config(profile="datatrove", min_sentences=6)).min_sentences == 6
    quoted = "He told me that he would come home early today, 'as promised'"
    assert not C4().apply(Document("q", quoted, "web"))[1].keep  # ' is no end mark in TFDS


def test_sentence_counting():
    assert count_sentences("Mr. Smith went to Washington. He arrived at 5 p.m. on time!") == 2
    assert count_sentences("") == 0
    assert count_sentences("No terminal mark") == 1


def test_cjk_lines_without_spaces():
    zh = "人人生而自由，在尊严和权利上一律平等。\n他们赋有理性和良心。\n并应以兄弟关系的精神相对待。\n"
    doc, verdict = C4().apply(Document("zh", zh, "web", {"lang": "zh"}))
    assert verdict.keep and doc.text.count("\n") == 2
