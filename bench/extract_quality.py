"""Main-text extraction quality on ../shared/data/extraction (181 news pages, human-marked bodies).

    python bench/extract_quality.py [--data ../shared/data/extraction] [--limit N]

Prints token-level precision, recall and F1 (mean over pages; tokens are lower-cased \\w+ runs,
compared as multisets) and ms per page for trafilatura's defaults and for curate's settings
(curation.config.ExtractConfig, run through curation.extract.HtmlExtractor with its limits), plus
the variants the choice was made from. One process, pages in a fixed order.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from curation.config import ExtractConfig  # noqa: E402
from curation.extract import HtmlExtractor  # noqa: E402
from curation.readers.warc import decode_html  # noqa: E402

_TOKEN = re.compile(r"\w+", re.U)


def tokens(text: str) -> Counter:
    return Counter(t.lower() for t in _TOKEN.findall(text or ""))


def prf(pred: str, gold: str) -> tuple[float, float, float]:
    p, g = tokens(pred), tokens(gold)
    overlap = sum((p & g).values())
    precision = overlap / sum(p.values()) if p else 0.0
    recall = overlap / sum(g.values()) if g else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def load(data: Path, limit: int | None):
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth)[:limit]:
        raw = gzip.decompress((data / "html" / f"{key}.html.gz").read_bytes())
        html, _, _ = decode_html(raw, "")
        pages.append((key, html, truth[key]["url"], truth[key]["articleBody"]))
    return pages


def run_variant(name: str, fn, pages) -> dict:
    scores, seconds = [], 0.0
    for _, html, url, gold in pages:
        t0 = time.perf_counter()
        text = fn(html, url)
        seconds += time.perf_counter() - t0
        scores.append(prf(text, gold))
    p, r, f = (statistics.fmean(s[i] for s in scores) for i in range(3))
    return {"variant": name, "precision": p, "recall": r, "f1": f, "ms_per_page": 1000 * seconds / len(pages)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "extraction")
    ap.add_argument("--limit", type=int, default=None, help="first N pages only (quick check)")
    ap.add_argument("--json", type=Path, help="also write the table as JSON here")
    args = ap.parse_args(argv)
    if not (args.data / "ground-truth.json").is_file():
        print(f"no ground-truth.json under {args.data}", file=sys.stderr)
        return 2
    import trafilatura

    for name in ("trafilatura", "htmldate", "justext", "readability"):
        __import__("logging").getLogger(name).setLevel("ERROR")
    pages = load(args.data, args.limit)

    def curate(cfg):
        ex = HtmlExtractor(cfg)
        ex.setup()
        return lambda html, url: ex.extract(html, url).text

    ours = ExtractConfig()
    variants = [
        ("trafilatura defaults", lambda html, url: trafilatura.extract(html, url=url) or ""),
        ("curate (ExtractConfig defaults)", curate(ours)),
        ("  variant fast=True", curate(replace(ours, fast=True))),
        ("  variant favor_precision", curate(replace(ours, favor_precision=True))),
        ("  variant favor_recall", curate(replace(ours, favor_recall=True))),
        ("  variant include_comments", curate(replace(ours, include_comments=True))),
        ("  variant fast + favor_precision", curate(replace(ours, fast=True, favor_precision=True))),
        ("  variant fast + favor_recall", curate(replace(ours, fast=True, favor_recall=True))),
        ("trafilatura defaults (again)", lambda html, url: trafilatura.extract(html, url=url) or ""),
    ]
    rows = [run_variant(name, fn, pages) for name, fn in variants]
    base = rows[0]
    print(f"{len(pages)} pages from {args.data}  (trafilatura {trafilatura.__version__})")
    print(f"{'variant':34s} {'P':>6s} {'R':>6s} {'F1':>6s} {'ms/page':>8s} {'F1/base':>8s} {'speed/base':>10s}")
    for r in rows:
        print(f"{r['variant']:34s} {r['precision']:6.3f} {r['recall']:6.3f} {r['f1']:6.3f} {r['ms_per_page']:8.1f} "
              f"{r['f1'] / base['f1']:8.3f} {base['ms_per_page'] / r['ms_per_page']:10.2f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
