"""What paragraph dedup removes on real data (the "off until measured" decision of issue 23).

    python bench/dedup_paragraphs_real.py [--out DIR] [--min-chars 100 30]

Runs `curate build-shards --web ../shared/data/web --books ../shared/data/books --emit documents`
with `dedup.paragraphs.enabled` off, then on at each --min-chars (`dedup.paragraphs.min_chars`;
the shipped default first), and reports per source: documents in the
paragraphs stage, documents that lost a paragraph, documents removed as dedup/paragraphs_emptied,
characters removed against the characters kept with the option off, and every distinct removed
paragraph with the number of documents it was removed from (the list to read for false removals).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"


def _run(out: Path, on: bool, min_chars: int = 100) -> None:
    cmd = [sys.executable, "-m", "curation.cli", "build-shards", "--web", str(DATA / "web"), "--books", str(DATA / "books"),
           "--emit", "documents", "--output", str(out), "--no-resume",
           "--set", f"dedup.paragraphs.enabled={'true' if on else 'false'}", "--set", f"dedup.paragraphs.min_chars={min_chars}"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{r.stderr[-3000:]}")


def _docs(out: Path) -> list[dict]:
    rows = pq.read_table(out / "documents").to_pylist()
    for r in rows:
        r["metadata"] = json.loads(r["metadata"]) if isinstance(r["metadata"], str) else (r["metadata"] or {})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(ROOT / "bench" / "_work" / "paragraphs-real"))
    ap.add_argument("--min-chars", type=int, nargs="+", default=[100])
    args = ap.parse_args()
    base = Path(args.out)
    off = base / "off"
    if not (off / "stats.json").is_file():
        _run(off, False)
    chars_off = Counter()
    for d in _docs(off):
        chars_off[d["source"]] += len(d["text"])
    for m in args.min_chars:
        on = base / f"on-{m}"
        _run(on, True, m)
        print(f"\n=== dedup.paragraphs.min_chars = {m}")
        _report(on, chars_off)
    print(f"\noutputs -> {base}/")


def _report(on: Path, chars_off: Counter) -> None:
    st = json.loads((on / "stats.json").read_text())["stages"].get("paragraphs", {})
    touched, removed_paras = Counter(), defaultdict(Counter)
    for d in _docs(on):
        p = d["metadata"].get("dedup_paragraphs")
        if p:
            touched[d["source"]] += 1
            for text in p["paragraphs"]:
                removed_paras[d["source"]][text] += 1
    print(f"paragraphs stage: {json.dumps({k: st.get(k) for k in ('in', 'out', 'removed', 'metrics')})}")
    for source in sorted(chars_off):
        removed = st.get("by_source", {}).get(source, {}).get("metrics", {}).get("chars_removed", 0)
        print(f"\n{source}: {touched[source]} documents lost a paragraph; {removed:,} characters removed of "
              f"{chars_off[source]:,} kept with the option off ({removed / max(1, chars_off[source]):.2%})")
        for text, n in removed_paras[source].most_common():
            print(f"  x{n:<3} {text[:160]!r}")


if __name__ == "__main__":
    main()
