"""Real training data for the quality-classifier tests, and a small model trained from it once
per process: the main text a person marked on news pages (../shared/data/extraction,
``articleBody``) against the rest of the same pages (menus, share buttons, footers,
"Got a news tip?"), which is exactly the boiler-plate a web quality classifier must score low."""

from __future__ import annotations

import atexit
import gzip
import json
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from curation.document import Document
from filter_data import data_dir


def _boilerplate_lines(raw: bytes, body: str) -> list[str]:
    import lxml.html

    tree = lxml.html.fromstring(raw)
    for bad in tree.xpath("//script|//style|//noscript|//template|//head"):
        bad.drop_tree()
    lines = []
    for el in tree.iter():
        if not isinstance(el.tag, str):  # comments and processing instructions
            continue
        for t in (el.text, el.tail):
            s = " ".join((t or "").split())
            if len(s.split()) >= 2 and s not in body:
                lines.append(s)
    return lines


@lru_cache(maxsize=4)
def article_pages(limit: int | None = None) -> tuple[list[Document], list[Document]]:
    """``(main texts, boiler-plate texts)``, one of each per page, sorted by page id."""
    root = data_dir("extraction")
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    pos, neg = [], []
    for key in sorted(truth)[:limit]:
        body = " ".join(truth[key]["articleBody"].split())
        raw = gzip.decompress((root / "html" / f"{key}.html.gz").read_bytes())
        lines = _boilerplate_lines(raw, body)
        if len(body.split()) >= 50 and len(lines) >= 5:
            pos.append(Document(f"{key}/main", truth[key]["articleBody"], "web", {"url": truth[key]["url"]}))
            neg.append(Document(f"{key}/boilerplate", "\n".join(lines), "web", {"url": truth[key]["url"]}))
    return pos, neg


@lru_cache(maxsize=1)
def small_model() -> Path:
    """A model trained on the first 80 pages (both sides), in a temporary folder removed at exit.
    Few documents need more epochs and a higher rate than the DCLM defaults to converge."""
    from curation.classifier import train

    out = Path(tempfile.mkdtemp(prefix="curate-classifier-"))
    atexit.register(shutil.rmtree, out, True)
    pos, neg = article_pages(None)
    train(pos[:80], neg[:80], out, holdout=0.0, epoch=25, lr=0.5, bucket=50_000)
    return out / "model.bin"
