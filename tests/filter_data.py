"""Real documents for the filter tests, read straight from ../shared/data and the stdlib."""

from __future__ import annotations

import os
import sysconfig
from pathlib import Path

import pytest

from curation.document import Document, id_hash64

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def data_dir(sub: str) -> Path:
    p = DATA / sub
    if not p.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared test data missing in CI: {p}")
        pytest.skip(f"shared test data missing: {p}", allow_module_level=True)
    return p


def strip_gutenberg(text: str) -> str:
    """The text between Project Gutenberg's START and END markers (what the books reader keeps)."""
    lines = text.splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.startswith("*** START OF")), -1)
    end = next((i for i, ln in enumerate(lines) if ln.startswith("*** END OF")), len(lines))
    return "\n".join(lines[start + 1 : end]).strip()


def book_documents() -> list[Document]:
    docs = []
    for d in sorted(data_dir("books").iterdir()):
        for txt in sorted(d.glob("*.txt")):
            raw = txt.read_bytes()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("cp1252")
            text = text.lstrip("\ufeff").replace("\r\n", "\n")
            docs.append(Document(d.name, strip_gutenberg(text), "books"))
    return docs


def stdlib_documents(n: int = 300) -> list[Document]:
    """A deterministic sample of the standard library's .py modules (tests excluded: they are
    data-heavy fixtures, not the modules the routing promise is about)."""
    root = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(
        p for p in root.rglob("*.py")
        if "site-packages" not in p.parts and "test" not in p.parts and "tests" not in p.parts and p.stat().st_size > 0
    )
    files.sort(key=lambda p: id_hash64(str(p.relative_to(root))))
    docs = []
    for p in files[:n]:
        text = p.read_text(encoding="utf-8", errors="replace")
        docs.append(Document(str(p.relative_to(root)), text, "code", {"language": "python"}))
    return docs
