"""Does `curate dedup --against` cost grow with the new batch or with the earlier corpus?

    python bench/dedup_against_scaling.py [--docs 100000] [--new 5000] [--workers 2]

Corpus: bench/dedup.py's generator (the same four parts bench/dedup_incremental.py uses). The
new batch is the first NEW documents of part 3; the earlier outputs are `curate dedup` of part 0,
of parts 0-1 and of parts 0-2 (indexes of 1/4, 1/2 and 3/4 of the corpus). In one run: the new
batch deduplicated alone (the baseline), then against each index, alternating with a second
run of the baseline so drift on a noisy machine shows. Reports wall and CPU seconds of the
process tree and the ratio of each against-run to the baseline beside the index size.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from dedup import make_corpus  # noqa: E402
from dedup_incremental import _dedup, _half, _index_bytes, _removed  # noqa: E402


def _new_batch(corpus: Path, n: int) -> Path:
    d = corpus / f"scaling-new-{n}"
    if not d.is_dir():
        d.mkdir()
        with open(corpus / "parts" / "part-03.jsonl", encoding="utf-8") as src, open(d / "new.jsonl", "w", encoding="utf-8") as dst:
            for i, line in enumerate(src):
                if i >= n:
                    break
                dst.write(line)
    return d


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--new", type=int, default=5_000)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    corpus = make_corpus(a.docs)
    new = _new_batch(corpus, a.new)
    indexes = {}
    for name, parts in (("q1", [0]), ("q2", [0, 1]), ("q3", [0, 1, 2])):
        out = corpus / f"scaling-o-{name}"
        if not (out / "dedup-index" / "_manifest.json").is_file():
            print(f"earlier output {name}: parts {parts}", flush=True)
            _dedup(_half(corpus, f"scaling-{name}", parts), out, a.workers)
        indexes[name] = out
    rows = []
    for name in ("alone", "q1", "alone", "q2", "alone", "q3"):
        extra = [] if name == "alone" else ["--against", str(indexes[name])]
        print(f"new batch {a.new:,}: {name}", flush=True)
        m = _dedup(new, corpus / f"scaling-run-{name}", a.workers, extra)
        row = {"run": name, "wall_s": round(m["seconds"], 1), "cpu_s": round(m["cpu"], 1),
               "removed": len(_removed(corpus / f"scaling-run-{name}"))}
        if name != "alone":
            ib, idocs = _index_bytes(indexes[name])
            row.update(index_docs=idocs, index_mb=round(ib / 1e6, 1))
        rows.append(row)
    base = [r for r in rows if r["run"] == "alone"]
    base_wall = sum(r["wall_s"] for r in base) / len(base)
    base_cpu = sum(r["cpu_s"] for r in base) / len(base)
    for r in rows:
        r["wall_vs_alone"] = round(r["wall_s"] / base_wall, 2)
        r["cpu_vs_alone"] = round(r["cpu_s"] / base_cpu, 2)
    print(json.dumps({"docs": a.docs, "new": a.new, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
