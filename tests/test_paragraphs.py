"""Paragraphs, not source lines (issue 19 item 2): wrapped HTML text and hard-wrapped books and
--docs rows reach the line rules as one line per paragraph; structure the markup or layout
marks (pre, white-space: pre, <br> verse, list items, indented verse) keeps its lines."""

from __future__ import annotations

import json
import re
import textwrap

import pyarrow.parquet as pq
import pytest

from conftest import run_curate
from curation.config import BooksConfig, C4Config, ExtractConfig
from curation.document import Document
from curation.extract import HtmlExtractor
from curation.paragraphs import join_html_lines, unwrap_document, unwrap_text
from curation.readers.books import read_book
from filters.c4 import C4


@pytest.fixture(scope="module")
def alice(shared_data) -> str:
    return read_book(str(shared_data / "books" / "pg11" / "11-0.txt"), "11-0.txt", BooksConfig()).doc.text


def prose_paragraphs(book: str, n: int) -> list[str]:
    """n real prose paragraphs (one line each) of a hard-wrapped book, without its verse."""
    paras = [" ".join(p.split()) for p in re.split(r"\n\s*\n", book) if not p.startswith(" ")]
    # Ending in . ! ?: C4 counts a closing curly quote as no terminal punctuation (its rule, not wrapping).
    return [p for p in paras if len(p) > 300 and p.endswith((".", "!", "?"))][:n]


def wrapped_page(paragraphs: list[str]) -> str:
    """A documentation-style page (as static site generators write them): <p> text wrapped at
    79 columns, with inline markup in every paragraph (``<code>`` is what makes trafilatura keep
    the source's line breaks), a menu and a code block."""
    body = []
    for p in paragraphs:
        words = p.split()
        words[3] = f"<code>{words[3]}</code>"
        words[9] = f'<a href="/glossary#{len(body)}">{words[9]}</a>'
        body.append("<p>" + textwrap.fill(" ".join(words), 79, break_on_hyphens=False) + "</p>")
    code = "<pre><code>$ cargo new hello_world\n$ cd hello_world\n</code></pre>"
    return ("<!DOCTYPE html>\n<html><head><title>Chapter 1</title></head><body>\n"
            "<nav><ul><li><a href='/'>Home</a></li><li><a href='/ch1'>Chapter 1</a></li></ul></nav>\n"
            "<main><article><h1>Down the Rabbit-Hole</h1>\n" + "\n".join(body[:4]) + "\n" + code + "\n"
            + "\n".join(body[4:]) + "\n</article></main><footer>Built with a static site generator</footer></body></html>")


def c4_kept(text: str) -> str:
    doc, verdict = C4(C4Config()).apply(Document("d", text, "web", {"lang": "en"}))
    return doc.text if verdict.keep else ""


def test_wrapped_html_keeps_whole_sentences_through_c4(alice):
    paragraphs = prose_paragraphs(alice, 12)
    assert len(paragraphs) == 12
    html = wrapped_page(paragraphs)
    joined = HtmlExtractor(ExtractConfig())
    joined.setup()
    res = joined.extract(html)
    assert res.kind == "out" and res.joined_lines > 12 * 3
    kept = c4_kept(res.text)
    for p in paragraphs:  # every paragraph survives whole, as one line
        assert p in kept.splitlines(), p[:80]
    assert "$ cargo new hello_world\n$ cd hello_world" in res.text  # the code block keeps its lines
    # Without joining, the same page loses most of its sentences to the terminal-punctuation rule.
    raw = HtmlExtractor(ExtractConfig(join_wrapped_lines=False))
    raw.setup()
    before = c4_kept(raw.extract(html).text)
    assert sum(p in before.splitlines() for p in paragraphs) < 3
    assert len(before) < 0.6 * len(kept)


def test_markup_that_keeps_lines():
    html = ("<div><pre>line one\nline two</pre><p>wrapped\ntext here</p>"
            "<div style='white-space: pre-line'>Roses are red\nviolets are blue<div>inner\nkept</div>\nend</div>"
            "<p>after\nthe verse</p><textarea>a\nb</textarea><script>var a = 1;\nvar b = 2;</script></div>")
    out, joined = join_html_lines(html)
    assert "line one\nline two" in out and "Roses are red\nviolets are blue" in out and "inner\nkept</div>\nend" in out
    assert "a\nb" in out and "var a = 1;\nvar b = 2;" in out
    assert "wrapped text here" in out and "after the verse" in out
    assert joined == 2
    # Nested and unclosed pre-like elements: the outermost one decides, an unclosed one runs to the end.
    out, joined = join_html_lines("<p>a\nb</p><pre>x\n<pre>y\n</pre>z\n</pre><p>c\nd</p><pre>open\nto the end")
    assert out == "<p>a b</p><pre>x\n<pre>y\n</pre>z\n</pre><p>c d</p><pre>open\nto the end" and joined == 2


def test_br_verse_lists_and_headings_stay_lines():
    ex = HtmlExtractor(ExtractConfig())
    ex.setup()
    poem = "<p>How doth the little crocodile<br>\n  Improve his shining tail,<br>\nAnd pour the waters of the Nile<br>\nOn every golden scale!</p>"
    html = (f"<html><body><article><h2>A poem\nrecited</h2>{poem}<ul><li>first\nitem</li><li>second item</li></ul>"
            + "<p>" + "A plain sentence that the page wraps\nin its source. " * 12 + "</p></article></body></html>")
    lines = ex.extract(html).text.splitlines()
    assert lines[:5] == ["A poem recited", "How doth the little crocodile", "Improve his shining tail,",
                         "And pour the waters of the Nile", "On every golden scale!"]
    assert "- first item" in lines and "- second item" in lines
    assert any(line.count("wraps in its source.") == 12 for line in lines)


def test_hard_wrapped_book_is_unwrapped_and_verse_kept(alice):
    text, joined = unwrap_text(alice)
    assert joined > 1000
    for p in prose_paragraphs(alice, 40):
        assert p in text.splitlines(), p[:80]
    # The indented verse keeps its lines; a second pass changes nothing.
    assert "     ‘How doth the little crocodile\n      Improve his shining tail,\n" in text
    assert unwrap_text(text) == (text, 0)


def test_short_lines_lists_and_code_are_not_joined():
    lines = [f"- item number {i} of a list" for i in range(6)] + ["", "1. first", "2. second", "",
                                                                   "| a | b |", "| 1 | 2 |"]
    text = "\n".join(lines)
    assert unwrap_text(text) == (text, 0)
    verse = "\n".join(["Twinkle, twinkle, little bat!", "How I wonder what you’re at!", "Up above the world you fly,",
                       "Like a tea-tray in the sky."] * 3)
    assert unwrap_text(verse) == (verse, 0)
    # Extractor output (one paragraph per line, lines longer than any terminal) is never joined.
    flat = "\n".join(f"Paragraph {i} is one long line that an extractor wrote out in full. " * 6 for i in range(10))
    assert unwrap_text(flat) == (flat, 0)
    code = Document("c", textwrap.fill("word " * 200, 70), "code", {})
    assert unwrap_document(code) == (code, 0)


def extract_docs_rows(tmp_path, rows: list[dict], out) -> dict:
    """`curate extract --docs` over ``rows`` (one JSONL file) -> its documents by id."""
    src = tmp_path / "docs.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    res = run_curate("extract", "--docs", str(src), "--output", str(out))
    assert res.returncode == 0, res.stderr[-3000:]
    return {r["id"]: r for part in sorted((out / "documents").glob("part-*.parquet")) for r in pq.read_table(part).to_pylist()}


def test_cli_docs_rows_are_unwrapped_and_counted(tmp_path, alice):
    wrapped = "\n\n".join(textwrap.fill(p, 72, break_on_hyphens=False) for p in prose_paragraphs(alice, 6))
    rows = [{"id": "wrapped", "text": wrapped}, {"id": "flat", "text": "One line only. Nothing to join here."}]
    out = tmp_path / "out"
    docs = extract_docs_rows(tmp_path, rows, out)
    assert docs["wrapped"]["text"] == "\n\n".join(prose_paragraphs(alice, 6))
    assert json.loads(docs["wrapped"]["metadata"])["lines_joined"] == wrapped.count("\n") - 2 * 5
    assert docs["flat"]["text"] == rows[1]["text"]
    stats = json.loads((out / "stats.json").read_text())
    assert stats["stages"]["extract"]["metrics"]["lines_joined"] == wrapped.count("\n") - 2 * 5


def test_text_curate_extracted_is_not_unwrapped_again(tmp_path, alice):
    """A web page from `curate extract` read back by a stage command keeps the lines its HTML
    gave (build-shards never unwraps web text): only the user's own rows are unwrapped."""
    wrapped = "\n\n".join(textwrap.fill(p, 72, break_on_hyphens=False) for p in prose_paragraphs(alice, 3))
    rows = [{"id": "page", "text": wrapped, "source": "web", "metadata": {"extracted_by": "trafilatura 2.3.1"}},
            {"id": "wet", "text": wrapped, "source": "web", "metadata": {"extracted_by": "wet"}},
            {"id": "mine", "text": wrapped, "source": "web", "metadata": {}}]
    out = tmp_path / "out"
    docs = extract_docs_rows(tmp_path, rows, out)
    assert docs["page"]["text"] == docs["wet"]["text"] == wrapped
    assert docs["mine"]["text"] == "\n\n".join(prose_paragraphs(alice, 3))
