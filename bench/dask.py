"""curate on Dask (pipelines/dask_runner.py) against the DirectRunner, same run, same corpus.

    python bench/dask.py [--docs 20000 ...] [--memory-limit 400MiB] [--skip-chain] [--skip-dedup]
    python bench/dask.py --spill 700MiB --docs 100000 [--npartitions 32]

Corpus: bench/dedup.py's (real sentences of ../shared/data/books, 40% near and exact copies).
For each size: `curate dedup` and the full chain (`curate build-shards --docs`) on the
DirectRunner (multi_processing, 2 workers), then on a local Dask cluster of 1 and of 2 worker
processes, then dedup on 2 Dask workers each limited to --memory-limit (well below the
DirectRunner's peak: Dask spills task results to disk past 60-70% of it). Reported: wall
seconds, docs/s, CPU seconds of the process tree, peak PSS of the whole tree and of its largest
process, and whether the outputs equal the DirectRunner's byte for byte (dedup: stats.json and
the removed ids; chain: the manifest fingerprint and stats.json). Results:
bench/_work/dask/results.json.

--spill LIMIT: dedup on the DirectRunner in_memory (one process), then on a cluster started here
with Dask's own command line (a scheduler and two `dask worker --memory-limit LIMIT` processes),
reached through --dask_client_address with --dask_npartitions; afterwards each worker's spill
counters (SpillBuffer.cumulative_metrics: bytes and keys written to and read from its spill
directory), its peak PSS and its memory limit are read from Dask. Results:
bench/_work/dask/spill-corpus-N-0.json (one entry per limit; --reuse-direct keeps the DirectRunner run).
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

# This file is named dask.py: with bench/ on the path, `import distributed` would import it as dask.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

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


def _ticks(roots) -> int:
    """User + system clock ticks of the process trees under ``roots``."""
    total = 0
    for pid in (q for r in roots for q in _tree(r)):
        try:
            total += sum(int(x) for x in open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[11:13])
        except (OSError, ValueError):
            continue
    return total


def run(cmd: list[str], also: list[int] = ()) -> dict:
    """Wall, CPU seconds and peak PSS (tree and largest process), sampled every 0.2 s; ``also``:
    more processes (an external cluster's workers) whose peak PSS is reported per pid."""
    print("running:", " ".join(cmd[2:]), flush=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    ticks_before = _ticks(also)
    t0 = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_tree, peak_proc, done = [0], {}, threading.Event()

    def sample():
        while not done.is_set():
            total = 0
            for pid in [*_tree(proc.pid), *(q for p in also for q in _tree(p))]:
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
    if also:  # not children of this process: their CPU time from /proc
        m["cpu_seconds"] = round(m["cpu_seconds"] + (_ticks(also) - ticks_before) / os.sysconf("SC_CLK_TCK"), 1)
        m["peak_pss_mb_by_pid"] = {q: round(v / 1e6) for q, v in peak_proc.items()}
    print("  ", m, flush=True)
    return m


RUNNERS = {
    "direct-2": ["--direct_num_workers=2", "--direct_running_mode=multi_processing"],
    "dask-1": ["--runner=DaskRunner", "--dask_workers=1"],
    "dask-2": ["--runner=DaskRunner", "--dask_workers=2"],
}
QUICK = ("direct-2", "dask-2")  # --quick: the 2-worker pair only


def dedup(corpus: Path, name: str, flags: list[str], also: list[int] = ()) -> dict:
    import pyarrow.parquet as pq

    out = WORK / f"{corpus.name}-dedup-{name}"
    shutil.rmtree(out, ignore_errors=True)
    m = run([sys.executable, "-m", "curation.cli", "dedup", "--input", str(corpus / "parts"), "--output", str(out), *flags],
            also)
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


def dask_cluster(limit: str, folder: Path, workers: int = 2):
    """`dask scheduler` and `workers` one-thread `dask worker` processes limited to ``limit``,
    each spilling under its own folder. Returns (address, scheduler and worker processes)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    sched_file = folder / "scheduler.json"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": open(folder / "cluster.log", "w")}
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--dashboard-address", ":0", "--scheduler-file", str(sched_file)], **quiet)]
    deadline = time.monotonic() + 60
    while not sched_file.is_file() and time.monotonic() < deadline:
        time.sleep(0.2)
    address = json.loads(sched_file.read_text())["address"]
    for i in range(workers):
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers", "1", "--nthreads", "1",
             "--memory-limit", limit, "--name", f"w{i}", "--dashboard-address", ":0",
             "--local-directory", str(folder / f"w{i}")], **quiet))
    import distributed

    with distributed.Client(address, timeout=60) as client:
        client.wait_for_workers(workers, timeout=120)
    return address, procs


def _spill_state(dask_worker):
    data = dask_worker.data
    return {"memory_limit": dask_worker.memory_manager.memory_limit, "pid": os.getpid(),
            "rss_now": dask_worker.monitor.get_process_memory(),
            "spill": {f"{label} {unit}": v for (label, unit), v in getattr(data, "cumulative_metrics", {}).items()
                      if label in ("disk-write", "disk-read")}}


def _direct_baseline(corpus: Path, reuse: bool) -> dict:
    """The DirectRunner in_memory dedup, or (``reuse``) the one a previous --spill run measured."""
    import pyarrow.parquet as pq

    out, saved = WORK / f"{corpus.name}-dedup-direct-1", WORK / f"spill-{corpus.name}.json"
    if reuse and saved.is_file() and (out / "stats.json").is_file():
        m = json.loads(saved.read_text())["direct in_memory"]
        m["stats"] = (out / "stats.json").read_bytes()
        m["removed"] = sorted(pq.read_table(out / "duplicates", columns=["doc_id"]).column("doc_id").to_pylist())
        print(f"DirectRunner in_memory: reusing the run in {saved}", flush=True)
        return m
    return dedup(corpus, "direct-1", ["--direct_running_mode=in_memory"])


def spill(n: int, limit: str, npartitions: int, reuse_direct: bool = False) -> dict:
    """The memory-limited run of the issue: dedup on the DirectRunner in one process, then on two
    workers each limited to ``limit``; Dask's own spill counters afterwards."""
    import distributed

    corpus = make_corpus(n)
    runs = {"direct in_memory": _direct_baseline(corpus, reuse_direct)}
    address, procs = dask_cluster(limit, WORK / f"cluster-{n}")
    try:
        with distributed.Client(address, timeout=60) as client:
            baseline = client.run(lambda dask_worker: dask_worker.monitor.get_process_memory())
        m = dedup(corpus, "dask-2-spill", ["--runner=DaskRunner", f"--dask_client_address={address}",
                                           f"--dask_npartitions={npartitions}"], also=[p.pid for p in procs[1:]])
        with distributed.Client(address, timeout=60) as client:
            m["workers"] = client.run(_spill_state)
            m["baseline_rss"] = baseline
        log_text = (WORK / f"cluster-{n}" / "cluster.log").read_text(errors="replace")
        m["log"] = {"paused": log_text.count("Pausing worker"), "unpaused": log_text.count("Resuming worker"),
                    "restarted": log_text.count("Restarting worker"),  # its nanny also logs "Worker process ... killed"
                    "unmanaged-memory warnings": log_text.count("Unmanaged memory use is high")}
        runs[f"dask-2 limit {limit} npartitions {npartitions}"] = m
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
    base = runs["direct in_memory"]
    print(f"\n{n:,} documents, dedup")
    for label, r in runs.items():
        same = r["stats"] == base["stats"] and r["removed"] == base["removed"]
        print(f"{label:<44} {r['seconds']:>7.1f} s {n / r['seconds']:>6.0f} docs/s  cpu {r['cpu_seconds']:>6.1f} s  "
              f"peak PSS {r['peak_pss_mb']} MB (largest process {r['peak_process_pss_mb']} MB)  same output: {same}")
        r["same_as_direct"] = same
    for addr, w in m["workers"].items():
        print(f"  worker {addr}: limit {w['memory_limit'] / 2**20:.0f} MiB, RSS before the job "
              f"{m['baseline_rss'][addr] / 1e6:.0f} MB, after {w['rss_now'] / 1e6:.0f} MB, "
              f"peak PSS {m['peak_pss_mb_by_pid'].get(w['pid'], '?')} MB, spill {w['spill']}")
    print(f"  cluster log ({WORK / f'cluster-{n}' / 'cluster.log'}): {m['log']}")
    out = {k: {x: y for x, y in r.items() if x not in ("stats", "removed")} for k, r in runs.items()}
    saved = WORK / f"spill-{corpus.name}.json"
    if saved.is_file():  # keep the runs of earlier limits beside this one
        out = {**json.loads(saved.read_text()), **out}
    saved.write_text(json.dumps(out, indent=1, default=str))
    print(f"\nresults: {saved}; the figures and commands are in docs/benchmarks.md (issue 20)")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, nargs="+", default=[20_000])
    # A worker holds ~260 MB (Beam, curate, the dedup DoFns) before its first task and Dask pauses it at
    # 80% of its limit: below ~350 MiB the limited run never starts a task.
    ap.add_argument("--memory-limit", default="600MiB", help="per Dask worker, for the memory-limited dedup run")
    ap.add_argument("--skip-chain", action="store_true")
    ap.add_argument("--skip-dedup", action="store_true", help="only the full chain (build-shards)")
    ap.add_argument("--quick", action="store_true", help="only DirectRunner and Dask with 2 workers")
    ap.add_argument("--spill", metavar="LIMIT", help="only the memory-limited dedup on an external 2-worker cluster")
    ap.add_argument("--npartitions", type=int, default=32, help="--dask_npartitions of the --spill run")
    ap.add_argument("--reuse-direct", action="store_true", help="--spill: the DirectRunner run of an earlier --spill run")
    args = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    if args.spill:
        for n in args.docs:
            spill(n, args.spill, args.npartitions, args.reuse_direct)
        return 0
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
