"""Main-text extraction quality and speed on three annotated sets of different origins.

    python bench/extract_quality.py [--sets extraction,extraction-readability,extraction-newspaper]
                                    [--limit N] [--quick] [--json OUT.json]

Sets (../shared/data): extraction/ (181 scrapinghub news pages), extraction-readability/ (127
pages of Mozilla Readability's tests: blogs, docs, several languages), extraction-newspaper/ (132
pages of newspaper3k's tests). Settings are chosen by the mean and the worst set, never one.

Score: token-level precision, recall and F1 per page (lower-cased \\w+ runs compared as
multisets, as the scrapinghub benchmark compares tokens), averaged over the pages of a set.
Speed: CPU seconds per page (process time, one thread, pages in a fixed order), shown as pages/s
per core and as a ratio to the first row. The baseline row, trafilatura's defaults on the raw
bytes, runs first and again last: the spread between the two is the noise of the run.

Rows: trafilatura's defaults on raw bytes (its own decoding) and on curate's decoded text;
curate's shipped settings (curation.config.ExtractConfig, through curation.extract.HtmlExtractor
with its limits and line joining); the settings it replaced; the candidates the choice was made
from; resiliparse alone; and datatrove 0.10.1's Trafilatura step (its arguments:
favor_precision, include_comments=False, deduplicate=True) run on the same trafilatura here.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
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

SETS = ["extraction", "extraction-readability", "extraction-newspaper"]
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


def load(data_root: Path, sets: list[str], limit: int | None):
    """[(set, key, raw bytes, decoded html, url or None, gold text)] in a fixed order."""
    pages = []
    for name in sets:
        data = data_root / name
        truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
        for key in sorted(truth)[:limit]:
            raw = gzip.decompress((data / "html" / f"{key}.html.gz").read_bytes())
            url = truth[key].get("url")
            url = None if url in (None, "None", "") else url
            pages.append((name, key, raw, decode_html(raw, "")[0], url, truth[key]["articleBody"]))
    return pages


def run_variant(name: str, fn, pages, sets: list[str]) -> dict:
    per_set: dict[str, list] = {s: [] for s in sets}
    engines: Counter = Counter()
    cpu = 0.0
    for set_name, _key, raw, html, url, gold in pages:
        t0 = time.process_time()
        text, engine = fn(raw, html, url)
        cpu += time.process_time() - t0
        engines[engine] += 1
        per_set[set_name].append(prf(text, gold))
    row = {"variant": name, "cpu_s": cpu, "pages": len(pages), "engines": dict(engines), "sets": {}}
    for s, scores in per_set.items():
        row["sets"][s] = {k: statistics.fmean(x[i] for x in scores) for i, k in enumerate(("precision", "recall", "f1"))}
    f1s = [row["sets"][s]["f1"] for s in sets]
    row["mean_f1"], row["worst_f1"] = statistics.fmean(f1s), min(f1s)
    row["pages_per_cpu_s"] = len(pages) / cpu if cpu else float("inf")
    return row


def variants(quick: bool):
    import trafilatura

    def curate(cfg: ExtractConfig):
        ex = HtmlExtractor(cfg)
        ex.setup()

        def fn(raw, html, url):
            res = ex.extract(html, url)
            return res.text, res.engine or res.reason
        return fn

    def traf_raw(raw, html, url):
        return trafilatura.extract(raw, url=url) or "", "trafilatura"

    ours = ExtractConfig()
    rows = [
        ("trafilatura defaults, raw bytes", traf_raw),
        ("trafilatura defaults, curate's decoding", lambda raw, html, url: (trafilatura.extract(html, url=url) or "", "trafilatura")),
        ("curate: ExtractConfig() (shipped)", curate(ours)),
        ("curate: engine=resiliparse-first", curate(replace(ours, engine="resiliparse-first"))),
        ("curate before: fast, favor_recall, no fallback", curate(replace(ours, fast=True, fast_fallback_ratio=0.0, join_wrapped_lines=False))),
        ("curate with trafilatura's defaults", curate(replace(ours, favor_recall=False, include_comments=True, join_wrapped_lines=False))),
    ]
    if not quick:
        rows += [
            ("  candidate: fast + fallback 0.5", curate(replace(ours, fast=True, fast_fallback_ratio=0.5))),
            ("  candidate: fast + fallback 0.7", curate(replace(ours, fast=True, fast_fallback_ratio=0.7))),
            ("  candidate: full, no comments, no favor_recall", curate(replace(ours, favor_recall=False))),
            ("  candidate: full, favor_precision, no comments", curate(replace(ours, favor_recall=False, favor_precision=True))),
            ("  candidate: shipped without line joining", curate(replace(ours, join_wrapped_lines=False))),
            ("resiliparse main content alone", lambda raw, html, url: (HtmlExtractor._resiliparse(html, False), "resiliparse")),
            ("datatrove 0.10.1 Trafilatura step's arguments", lambda raw, html, url: (
                trafilatura.extract(html, favor_precision=True, include_comments=False, deduplicate=True) or "", "trafilatura")),
        ]
    rows.append(("trafilatura defaults, raw bytes (again)", traf_raw))
    return rows


def print_table(rows: list[dict], sets: list[str], n_pages: int, data_root: Path) -> None:
    import trafilatura

    base = rows[0]
    short = {s: s.replace("extraction-", "").replace("extraction", "scrapinghub") for s in sets}
    print(f"{n_pages} pages from {data_root} ({', '.join(sets)}); trafilatura {trafilatura.__version__}")
    head = " ".join(f"{short[s][:11]:>11s}" for s in sets)
    print(f"{'variant':48s} {head} {'mean':>6s} {'worst':>6s} {'dMean':>6s} {'pages/s':>8s} {'speed':>6s}  engines")
    for r in rows:
        cells = " ".join(f"{r['sets'][s]['f1']:11.4f}" for s in sets)
        engines = ", ".join(f"{k} {v}" for k, v in sorted(r["engines"].items()))
        print(f"{r['variant']:48s} {cells} {r['mean_f1']:6.4f} {r['worst_f1']:6.4f} {r['mean_f1'] - base['mean_f1']:+6.4f} "
              f"{r['pages_per_cpu_s']:8.1f} {r['pages_per_cpu_s'] / base['pages_per_cpu_s']:6.2f}  {engines}")
    print("F1 per set = mean token F1 over its pages; pages/s = pages per CPU second (one core); "
          "speed and dMean relative to the first row.")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data", help="folder holding the sets")
    ap.add_argument("--sets", default=",".join(SETS), help="comma-separated set folders under --data")
    ap.add_argument("--limit", type=int, default=None, help="first N pages of each set only (quick check)")
    ap.add_argument("--quick", action="store_true", help="shipped settings and baselines only, no candidates")
    ap.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = ap.parse_args(argv)
    sets = [s for s in args.sets.split(",") if s]
    missing = [s for s in sets if not (args.data / s / "ground-truth.json").is_file()]
    if missing:
        print(f"no ground-truth.json under {', '.join(str(args.data / s) for s in missing)}", file=sys.stderr)
        return 2
    for name in ("trafilatura", "htmldate", "justext", "readability"):
        logging.getLogger(name).setLevel("ERROR")
    pages = load(args.data, sets, args.limit)
    rows = []
    todo = variants(args.quick)
    for i, (name, fn) in enumerate(todo, 1):
        print(f"[{i}/{len(todo)}] {name} ...", file=sys.stderr, flush=True)
        rows.append(run_variant(name, fn, pages, sets))
    print_table(rows, sets, len(pages), args.data)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
        print(f"rows written to {args.json}")
    print("next: record the table in docs/bench-extract.md; change settings in curation/config.py (ExtractConfig)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
