"""Books reader: encodings, Gutenberg boiler-plate, header metadata, never truncated."""

from __future__ import annotations

from pathlib import Path

import re

from curation.config import BooksConfig
from curation.readers.books import read_book, strip_gutenberg


def read(path: Path, **cfg):
    return read_book(str(path), path.name, BooksConfig(**cfg))


def shared_books(shared_data) -> list[Path]:
    return sorted(p for p in (shared_data / "books").glob("pg*/*.txt"))


def test_every_shared_book_is_read_and_stripped(shared_data):
    books = shared_books(shared_data)
    assert len(books) == 10
    for p in books:
        o = read(p)
        assert o.kept, (p, o.reason)
        # metadata.yaml uses custom tags (!lcc): read the language line(s) without a YAML loader.
        lang_block = re.search(r"^language:(.*(?:\n- .*)*)", (p.parent / "metadata.yaml").read_text(encoding="utf-8"), re.M)
        langs = re.findall(r"[a-z]{2}", lang_block.group(1))
        text = o.doc.text
        assert o.doc.metadata["gutenberg"] is True
        assert o.doc.metadata["declared_lang"] in langs, p
        assert "*** START OF" not in text and "*** END OF" not in text, p
        assert "START: FULL LICENSE" not in text and "Project Gutenberg-tm" not in text, p
        assert "\r" not in text and not text.startswith("\ufeff")
        assert len(text.split()) > 5000, p
        assert o.doc.id.startswith(p.name + "#")


def test_header_metadata_and_latin1_crlf(shared_data):
    o = read(shared_data / "books" / "pg4650" / "4650-8.txt")  # Candide: Latin-1 with CRLF
    m = o.doc.metadata
    assert (m["title"], m["author"], m["language"], m["charset"]) == ("Candide", "Voltaire", "French", "cp1252")
    assert "FIN DE CANDIDE" in o.doc.text[-200:]
    assert "Candide fut élevé" in o.doc.text or "élevé" in o.doc.text
    alice = read(shared_data / "books" / "pg11" / "11-0.txt")  # UTF-8 with BOM
    assert alice.doc.metadata["charset"] == "utf-8" and alice.doc.metadata["author"] == "Lewis Carroll"
    assert alice.doc.text.rstrip().endswith("THE END")


def test_a_book_is_never_truncated(shared_data):
    p = shared_data / "books" / "pg1342" / "1342-0.txt"  # Pride and Prejudice, ~120k words
    o = read(p)
    raw = p.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    start = raw.index("PRIDE AND PREJUDICE\n\nBy Jane Austen")
    end = raw.index("End of the Project Gutenberg EBook of Pride and Prejudice")  # first end marker
    assert o.doc.text == raw[start:end].strip("\n")
    assert read(p, max_file_bytes=1000).reason == "read/too_large"  # over the cap: skipped, not cut


def test_sample_books(sample_data):
    words = {}
    for p in sorted((sample_data / "books").iterdir()):
        o = read(p)
        assert o.kept and o.doc.metadata["gutenberg"], p
        assert "SMALL PRINT" not in o.doc.text and "FULL LICENSE" not in o.doc.text
        assert "written for the curate sample" not in o.doc.text
        words[p.name] = len(o.doc.text.split())
    assert min(words.values()) >= 1000, words  # survive the default books rule (min_words 1000)
    fr = read(sample_data / "books" / "meunier-durance-8.txt")
    assert fr.doc.metadata["charset"] == "cp1252" and "Il y avait autrefois" in fr.doc.text
    de = read(sample_data / "books" / "uhrmacher-kellbach.txt")  # oldest layout: SMALL PRINT, "End of ..."
    assert de.doc.metadata["author"] == "Anna Brenner" and de.doc.text.rstrip().endswith("der sie weitererzählt.")


def test_unknown_encoding_is_a_counted_failure(tmp_path):
    # High bytes no encoding reads as text, no NUL: neither UTF-8 nor a confident detection.
    data = bytes((0x80 + (i * 37) % 0x7F) if i % 3 else 0x41 + i % 26 for i in range(20000))
    p = tmp_path / "mystery.txt"
    p.write_bytes(b"Title: Mystery\r\nCharacter set encoding: X-UNKNOWN-7\r\n\r\n" + data)
    o = read(p)
    assert o.kind == "failed" and o.reason == "read/decode"
    assert o.doc.metadata["source_file"] == "mystery.txt" and o.doc.text == ""


def test_empty_and_binary_books(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blob.txt").write_bytes(bytes(range(256)) * 10)
    assert read(tmp_path / "empty.txt").reason == "read/empty_file"
    assert read(tmp_path / "blob.txt").reason == "read/binary"


def test_text_without_gutenberg_layout_is_kept_whole():
    text = "A plain essay.\n\nWith two paragraphs."
    assert strip_gutenberg(text) == (text, {}, False)
