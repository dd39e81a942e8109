"""Incremental dedup: `curate dedup --against` vs the new half alone vs both halves together.

    python bench/dedup_incremental.py [--docs 20000 100000] [--workers 2]

Corpus: bench/dedup.py's generator (real Gutenberg sentences, copies with word edits, true
word-5-gram Jaccard recorded). Its four parts are split in two halves (parts 0-1 first, 2-3
second; documents are shuffled over the parts, so about half of the copies have their original
in the other half). Per size, in one script run (ratios against the runs beside them):

  first      curate dedup on the first half (writes DIR/dedup-index/)
  alone      curate dedup on the second half alone                 (baseline for the cost)
  against    curate dedup on the second half --against first
  together   curate dedup on both halves

Reports wall and CPU seconds (the process tree), peak RSS, the index size per million
documents, removal counts (first + against should equal together: a cluster of n loses n-1
either way) and, per true-Jaccard band, recall of the pairs that cross the halves (a second-half
copy whose original is in the first half should go as a prior duplicate) and of the pairs within
the second half, beside the same figures of the together run.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from dedup import BANDS, make_corpus, run_measured  # noqa: E402


def _half(corpus: Path, name: str, parts: list[int]) -> Path:
    d = corpus / f"half-{name}"
    if not d.is_dir():
        d.mkdir()
        for p in parts:
            shutil.copy(corpus / "parts" / f"part-{p:02d}.jsonl", d / f"part-{p:02d}.jsonl")
    return d


def _dedup(inp: Path, out: Path, workers: int, extra: list[str] = ()) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "curation.cli", "dedup", "--input", str(inp), "--output", str(out), *extra]
    cmd += [f"--direct_num_workers={workers}", "--direct_running_mode=multi_processing"] if workers > 1 else \
        ["--direct_running_mode=in_memory"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    m = run_measured(cmd)  # exits with the command's stderr if it fails
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # reaped descendants: the workers too
    m["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return m


def _removed(out: Path) -> dict:
    import pyarrow.parquet as pq

    if not (out / "duplicates").is_dir():
        return {}
    t = pq.read_table(out / "duplicates", columns=["doc_id", "kind"]).to_pydict()
    return dict(zip(t["doc_id"], t["kind"]))


def _ids(folder: Path) -> set[str]:
    ids = set()
    for f in folder.glob("*.jsonl"):
        with open(f, encoding="utf-8") as fh:
            ids.update(json.loads(line)["id"] for line in fh)
    return ids


def _band(j: float) -> str:
    for lo, hi in BANDS:
        if lo <= j < hi:
            return f"{lo:.1f}-{min(hi, 1.0):.1f}"
    return "<0.5"


def _recall(truth: list[dict], first: set[str], removed_against: dict, removed_together: dict) -> dict:
    """Per band: copies in the second half whose original is in the first (cross) and whose
    original is in the second (within); share removed by the against run and by the together run
    (a pair where the together run removed the first-half member instead counts as found)."""
    out = defaultdict(lambda: {"cross": 0, "cross_against": 0, "cross_together": 0, "within": 0, "within_against": 0})
    for t in truth:
        if t["role"] == "original" or t["id"] in first:
            continue
        b = out[_band(t["j"])]
        if t["group"] in first:
            b["cross"] += 1
            b["cross_against"] += t["id"] in removed_against
            b["cross_together"] += t["id"] in removed_together or t["group"] in removed_together
        else:
            b["within"] += 1
            b["within_against"] += t["id"] in removed_against or t["group"] in removed_against
    return dict(sorted(out.items()))


def _index_bytes(out: Path) -> tuple[int, int]:
    m = json.loads((out / "dedup-index" / "_manifest.json").read_text())
    return sum(p["bytes"] for p in m["parts"]), m["documents"]


def bench(n: int, workers: int, skip: set[str] = frozenset()) -> dict:
    """``skip``: runs whose output from an earlier invocation is reused (its figures as recorded)."""
    corpus = make_corpus(n)
    first, second = _half(corpus, "first", [0, 1]), _half(corpus, "second", [2, 3])
    both = corpus / "parts"
    earlier = {}
    if skip and (corpus / "runs.json").is_file():
        earlier = json.loads((corpus / "runs.json").read_text())
    runs = {}
    for name, inp, extra in (("first", first, []), ("alone", second, []),
                             ("against", second, ["--against", str(corpus / "o-first")]), ("together", both, [])):
        if name in skip and name in earlier:
            runs[name] = earlier[name]
            continue
        print(f"[{n}] {name}", flush=True)
        runs[name] = _dedup(inp, corpus / f"o-{name}", workers, extra)
        runs[name].pop("stdout", None)
    (corpus / "runs.json").write_text(json.dumps(runs))
    truth = [json.loads(line) for line in open(corpus / "truth.jsonl")]
    first_ids = _ids(first)
    rem = {k: _removed(corpus / f"o-{k}") for k in runs}
    ib, idocs = _index_bytes(corpus / "o-first")
    res = {
        "docs": n, "first_docs": len(first_ids),
        "runs": {k: {"wall_s": round(v["seconds"], 1), "cpu_s": round(v["cpu"], 1),
                     "peak_pss_mb": round(v["peak_pss_mb"]), "removed": len(rem[k])} for k, v in runs.items()},
        "against_vs_alone": round(runs["against"]["seconds"] / runs["alone"]["seconds"], 2),
        "against_vs_together": round(runs["against"]["seconds"] / runs["together"]["seconds"], 2),
        "against_vs_alone_cpu": round(runs["against"]["cpu"] / runs["alone"]["cpu"], 2),
        "first_plus_against_removed": len(rem["first"]) + len(rem["against"]),
        "together_removed": len(rem["together"]),
        "prior_removed": sum(1 for k in rem["against"].values() if k.endswith("_prior")),
        "index_bytes_per_million_docs": round(ib / idocs * 1e6) if idocs else 0,
        "recall_by_band": _recall(truth, first_ids, rem["against"], rem["together"]),
    }
    print(json.dumps(res, indent=1), flush=True)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, nargs="+", default=[20_000])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--reuse", default="", help="comma-separated runs to take from the previous invocation (first,together)")
    args = ap.parse_args()
    results = [bench(n, args.workers, set(filter(None, args.reuse.split(",")))) for n in args.docs]
    out = ROOT / "bench" / "_work" / "dedup" / "incremental.json"
    out.write_text(json.dumps(results, indent=1))
    print(f"results -> {out}")


if __name__ == "__main__":
    main()
