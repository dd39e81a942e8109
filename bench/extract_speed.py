"""Extraction speed per core, interleaved so that machine load hits every variant alike.

    python bench/extract_speed.py [--limit N] [--rounds R]

Pages: the three annotated sets of bench/extract_quality.py (same loader). For each page every
variant runs once, in an order that rotates from page to page, and its CPU time (process time,
one thread) is added to its total; R rounds repeat the pass. Reported: pages/s per core, MB of
HTML per second per core, and the ratio to trafilatura's defaults and to curate's previous
settings measured in the same loop. F1 per set for the same variants is bench/extract_quality.py.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from extract_quality import SETS, load  # noqa: E402

from curation.config import ExtractConfig  # noqa: E402
from curation.extract import HtmlExtractor  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--limit", type=int, default=None, help="first N pages of each set")
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args(argv)
    missing = [s for s in SETS if not (args.data / s / "ground-truth.json").is_file()]
    if missing:
        print(f"no ground-truth.json under {args.data}/{missing[0]}", file=sys.stderr)
        return 2
    for name in ("trafilatura", "htmldate", "justext", "readability"):
        logging.getLogger(name).setLevel("ERROR")
    import trafilatura

    pages = load(args.data, SETS, args.limit)

    def curate(cfg):
        ex = HtmlExtractor(cfg)
        ex.setup()
        return lambda raw, html, url: ex.extract(html, url).text

    shipped = ExtractConfig()
    variants = [
        ("trafilatura defaults, raw bytes", lambda raw, html, url: trafilatura.extract(raw, url=url)),
        ("curate previous: fast, favor_recall", curate(replace(shipped, fast=True, fast_fallback_ratio=0.0, join_wrapped_lines=False))),
        ("curate shipped: ExtractConfig()", curate(shipped)),
        ("curate: fast + fallback 0.7", curate(replace(shipped, fast=True, fast_fallback_ratio=0.7))),
        ("curate: engine=resiliparse-first", curate(replace(shipped, engine="resiliparse-first"))),
        ("resiliparse main content alone", lambda raw, html, url: HtmlExtractor._resiliparse(html, False)),
    ]
    cpu = [0.0] * len(variants)
    n = 0
    html_bytes = sum(len(p[2]) for p in pages) * args.rounds
    for r in range(args.rounds):
        for i, (_set, _key, raw, html, url, _gold) in enumerate(pages):
            k = len(variants)
            for j in range(k):
                v = (i + j + r) % k  # rotate the order page by page
                t0 = time.process_time()
                variants[v][1](raw, html, url)
                cpu[v] += time.process_time() - t0
            n += 1
            if n % 100 == 0:
                print(f"{n}/{len(pages) * args.rounds} pages", file=sys.stderr, flush=True)
    print(f"{len(pages)} pages x {args.rounds} rounds, {html_bytes / 1e6:.1f} MB of HTML; trafilatura {trafilatura.__version__}")
    print(f"{'variant':40s} {'pages/s':>8s} {'MB/s':>6s} {'ms/page':>8s} {'vs traf':>8s} {'vs prev':>8s}")
    for (name, _), c in zip(variants, cpu):
        print(f"{name:40s} {n / c:8.1f} {html_bytes / 1e6 / c:6.2f} {1000 * c / n:8.2f} {cpu[0] / c:8.2f} {cpu[1] / c:8.2f}")
    print("per core: CPU seconds of one thread; next: docs/bench-extract.md records the figures")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
