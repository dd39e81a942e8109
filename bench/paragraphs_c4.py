"""How much kept text C4's line rules cut, before and after paragraph joining (issue 19 item 2).

    python bench/paragraphs_c4.py [--html DIR ...] [--limit N]

Inputs: HTML pages under each --html folder (for instance a documentation tree whose <p> text is
wrapped in the source: mdBook, Sphinx, rustdoc output), and the ten books of ../shared/data/books
(hard-wrapped plain text). For each page: extract (curate's previous settings without joining;
the shipped settings without joining; the shipped settings), run the C4 filter (TFDS profile)
and, over the documents C4 keeps, report the share of extracted characters its line rules
removed and the share of surviving lines that start in lower case (a line cut mid-sentence).
Books: the same C4 pass on the book text as read, and after curation/paragraphs.unwrap_text.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from curation.config import BooksConfig, C4Config, ExtractConfig  # noqa: E402
from curation.document import Document  # noqa: E402
from curation.extract import HtmlExtractor  # noqa: E402
from curation.paragraphs import unwrap_text  # noqa: E402
from curation.readers.books import read_book  # noqa: E402
from filters.c4 import C4  # noqa: E402


def c4_cut(texts: list[str]) -> dict:
    """Over the texts C4 keeps: share of characters removed, share of kept lines starting lower-case."""
    c4 = C4(C4Config())
    before = after = lines = lower = kept_docs = 0
    for t in texts:
        doc, verdict = c4.apply(Document("d", t, "web", {"lang": "en"}))
        if not verdict.keep:
            continue
        kept_docs += 1
        before += len(t)
        after += len(doc.text)
        for line in doc.text.splitlines():
            lines += 1
            lower += line[:1].islower()
    return {"docs": len(texts), "kept_by_c4": kept_docs, "cut_share": 1 - after / before if before else 0.0,
            "lower_start_share": lower / lines if lines else 0.0}


def row(name: str, r: dict) -> None:
    print(f"{name:52s} {r['docs']:5d} {r['kept_by_c4']:6d} {100 * r['cut_share']:9.1f}% {100 * r['lower_start_share']:12.1f}%")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--html", type=Path, nargs="*", default=[], help="folders of HTML pages (searched recursively)")
    ap.add_argument("--books", type=Path, default=REPO.parent / "shared" / "data" / "books")
    ap.add_argument("--limit", type=int, default=300, help="at most N pages per --html folder")
    args = ap.parse_args(argv)
    print(f"{'input / settings':52s} {'docs':>5s} {'kept':>6s} {'C4 cut':>10s} {'lower-start':>13s}")
    shipped = ExtractConfig()
    settings = [
        ("previous (fast, favor_recall), no joining", replace(shipped, fast=True, fast_fallback_ratio=0.0, join_wrapped_lines=False)),
        ("shipped, no joining", replace(shipped, join_wrapped_lines=False)),
        ("shipped (lines joined)", shipped),
    ]
    for folder in args.html:
        pages = sorted(folder.rglob("*.html"))[: args.limit]
        if not pages:
            print(f"no .html files under {folder}", file=sys.stderr)
            return 2
        html = [p.read_text(encoding="utf-8", errors="replace") for p in pages]
        for name, cfg in settings:
            ex = HtmlExtractor(cfg)
            ex.setup()
            texts = [r.text for r in (ex.extract(h) for h in html) if r.kind == "out"]
            row(f"{folder.name}: {name}", c4_cut(texts))
    books = sorted(args.books.glob("pg*/*.txt"))
    raw = [read_book(str(p), p.name, BooksConfig()).doc.text for p in books]
    if raw:
        row(f"{len(raw)} books: as read", c4_cut(raw))
        row(f"{len(raw)} books: paragraphs unwrapped", c4_cut([unwrap_text(t)[0] for t in raw]))
    print("C4 cut = characters C4's line rules removed from the documents it keeps; lower-start = kept lines "
          "beginning in lower case (cut mid-sentence). next: docs/bench-extract.md records the figures.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
