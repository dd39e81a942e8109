"""curate on Dask (pipelines/dask_runner.py) against the DirectRunner, same run, same corpus.

    python bench/dask.py [--docs 20000 ...] [--memory-limit 400MiB] [--skip-chain]

Corpus: bench/dedup.py's (real sentences of ../shared/data/books, 40% near and exact copies).
For each size: `curate dedup` and the full chain (`curate build-shards --docs`) on the
DirectRunner (multi_processing, 2 workers), then on a local Dask cluster of 1 and of 2 worker
processes, then dedup on 2 Dask workers each limited to --memory-limit (well below the
DirectRunner's peak: Dask spills task results to disk past 60-70% of it). Reported: wall
seconds, docs/s, CPU seconds of the process tree, peak PSS of the whole tree and of its largest
process, and whether the outputs equal the DirectRunner's byte for byte (dedup: stats.json and
the removed ids; chain: the manifest fingerprint). Results: bench/_work/dask/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))
from dedup import _pss, make_corpus  # noqa: E402

WORK = ROOT / "bench" / "_work" / "dask"


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                ppid = int(open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(p))
    out, stack = [], [root]
    while stack:
        q = stack.pop()
        out.append(q)
        stack.extend(children.get(q, []))
    return out


def run(cmd: list[str]) -> dict:
    print("running:", " ".join(cmd[2:]), flush=True)
    """Wall, CPU seconds and peak PSS (tree and largest process), sampled every 0.2 s."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_tree, peak_proc, done = [0], {}, threading.Event()

    def sample():
        while not done.is_set():
            total = 0
            for pid in _tree(proc.pid):
                try:
                    v = _pss(pid)
                except OSError:
                    continue
                total += v
                peak_proc[pid] = max(peak_proc.get(pid, 0), v)
            peak_tree[0] = max(peak_tree[0], total)
            time.sleep(0.2)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    out, err = proc.communicate()
    done.set()
    th.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err[-3000:]}")
    m = {"seconds": round(time.time() - t0, 1),
         "cpu_seconds": round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 1),
         "peak_pss_mb": round(peak_tree[0] / 1e6), "peak_process_pss_mb": round(max(peak_proc.values(), default=0) / 1e6)}
    print("  ", m, flush=True)
    return m


RUNNERS = {
    "direct-2": ["--direct_num_workers=2", "--direct_running_mode=multi_processing"],
    "dask-1": ["--runner=DaskRunner", "--dask_workers=1"],
    "dask-2": ["--runner=DaskRunner", "--dask_workers=2"],
}
QUICK = ("direct-2", "dask-2")  # --quick: the 2-worker pair only


def dedup(corpus: Path, name: str, flags: list[str]) -> dict:
    import pyarrow.parquet as pq

    out = WORK / f"{corpus.name}-dedup-{name}"
    shutil.rmtree(out, ignore_errors=True)
    m = run([sys.executable, "-m", "curation.cli", "dedup", "--input", str(corpus / "parts"), "--output", str(out), *flags])
    m["stats"] = (out / "stats.json").read_bytes()
    m["removed"] = sorted(pq.read_table(out / "duplicates", columns=["doc_id"]).column("doc_id").to_pylist())
    return m


def chain(corpus: Path, name: str, flags: list[str]) -> dict:
    out = WORK / f"{corpus.name}-chain-{name}"
    shutil.rmtree(out, ignore_errors=True)
    m = run([sys.executable, "-m", "curation.cli", "build-shards", "--docs", str(corpus / "parts"), "--output", str(out),
             "--config", str(ROOT / "sample_data" / "config.yaml"), "--no-resume", *flags])
    m["fingerprint"] = json.loads((out / "manifest.json").read_text())["fingerprint"]
    m["stats"] = (out / "stats.json").read_bytes()
    return m


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, nargs="+", default=[20_000])
    # A worker holds ~260 MB (Beam, curate, the dedup DoFns) before its first task and Dask pauses it at
    # 80% of its limit: below ~350 MiB the limited run never starts a task.
    ap.add_argument("--memory-limit", default="600MiB", help="per Dask worker, for the memory-limited dedup run")
    ap.add_argument("--skip-chain", action="store_true")
    ap.add_argument("--skip-dedup", action="store_true", help="only the full chain (build-shards)")
    ap.add_argument("--quick", action="store_true", help="only DirectRunner and Dask with 2 workers")
    args = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    results = []
    for n in args.docs:
        corpus = make_corpus(n)
        runners = {k: v for k, v in RUNNERS.items() if not args.quick or k in QUICK}
        runs = {}
        if not args.skip_dedup:
            runs.update({f"dedup {k}": dedup(corpus, k, v) for k, v in runners.items()})
            runs[f"dedup dask-2 limit {args.memory_limit}"] = dedup(
                corpus, "dask-2-limited", RUNNERS["dask-2"] + [f"--dask_memory_limit={args.memory_limit}"])
        if not args.skip_chain:
            runs.update({f"chain {k}": chain(corpus, k, v) for k, v in runners.items()})
        base = {"dedup": runs.get("dedup direct-2"), "chain": runs.get("chain direct-2")}
        print(f"\n{n:,} documents")
        print(f"{'run':<32} {'s':>7} {'docs/s':>7} {'x direct':>8} {'cpu s':>7} {'PSS MB':>7} {'max proc':>8}  same output")
        for label, m in runs.items():
            kind = label.split()[0]
            b = base[kind]
            same = m["stats"] == b["stats"] and (m["removed"] == b["removed"] if kind == "dedup" else m["fingerprint"] == b["fingerprint"])
            print(f"{label:<32} {m['seconds']:>7.1f} {n / m['seconds']:>7.0f} {b['seconds'] / m['seconds']:>8.2f} "
                  f"{m['cpu_seconds']:>7.1f} {m['peak_pss_mb']:>7} {m['peak_process_pss_mb']:>8}  {same}")
            results.append({"docs": n, "run": label, "same_as_direct": same,
                            **{k: v for k, v in m.items() if k not in ("stats", "removed", "fingerprint")}})
    (WORK / "results.json").write_text(json.dumps(results, indent=1))
    print(f"\nresults: {WORK / 'results.json'}; the figures and commands are in docs/benchmarks.md (issue 20)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
