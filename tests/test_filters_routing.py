"""Default routing keeps good books, code and non-English text (docs/contracts.md "Routing"),
checked at the filter level on documents read straight from the files: at least 9 of the 10
Project Gutenberg books and 90% of a sample of standard-library modules survive language ID and
the quality rules, and so do the UDHR in several languages given as web pages."""

from __future__ import annotations

import pytest

from curation.config import PipelineConfig
from curation.document import Document
from filter_data import book_documents, data_dir, stdlib_documents
from filters import registry
from filters.base import run_chain

CFG = PipelineConfig()


@pytest.fixture(scope="module")
def chains():
    lid, quality = registry.langid_filters(CFG), registry.quality_filters(CFG)
    for f in lid + quality:
        f.setup()
    return lid, quality


def _survives(doc, chains):
    lid, quality = chains
    r = run_chain(doc, lid, "langid")
    if not r.keep:
        return r
    return run_chain(r.doc, quality, "quality")


def test_books_survive(chains):
    books = book_documents()
    assert len(books) == 10
    results = {b.id: _survives(b, chains) for b in books}
    kept = [k for k, r in results.items() if r.keep]
    assert len(kept) >= 9, {k: r.reason for k, r in results.items() if not r.keep}


def test_stdlib_modules_survive(chains):
    docs = stdlib_documents(300)
    results = [_survives(d, chains) for d in docs]
    dropped = {d.id: r.reason for d, r in zip(docs, results) if not r.keep}
    assert len(dropped) <= 0.1 * len(docs), dropped


@pytest.mark.parametrize("code", ["deu", "fra", "spa", "rus", "cmn_hans", "jpn", "arb", "hin", "tur", "vie"])
def test_non_english_web_text_survives(chains, code):
    raw = (data_dir("langid/udhr2") / f"{code}.txt").read_text(encoding="utf-8")
    # As an extractor would give it: lines stripped of the file's indentation, blank lines empty.
    text = "\n".join(line.strip() for line in raw.splitlines())
    r = _survives(Document(code, text, "web"), chains)
    assert r.keep, (r.reason, r.doc.metadata.get("lang"))
