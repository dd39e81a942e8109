"""Export figures (issue 22): throughput of `curate export` beside reading the same shards, and
peak memory as the corpus grows.

Input: a build-shards output (default: build sample_data/ first with `curate build-shards
--output out/sample`), scaled by writing its documents N times under new ids (``ID~k``) into new
shards with curation/shards.py and a manifest from build_manifest, so each scale is a real,
verifiable build-shards folder of N x the sample's tokens.

Each measurement runs in its own child process, which reports its CPU seconds and peak RSS
(getrusage RUSAGE_SELF), so one run's memory is not another's:
  read      iter_blocks over every row group of both splits (what every export must do at least)
  verify    curation.shards.verify (sha256 + a full read: the check export runs first)
  FORMAT    curation.export.run.export to a new folder, verify included
Figures: tokens per CPU-second (per core; the export is one process) and the ratio to `read` and
to `verify + read`; peak RSS per scale (flat = memory independent of corpus size).

    python bench/export.py --shards out/sample --scales 10,100,1000 --json docs/bench-export.json
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from curation import shards as sh  # noqa: E402

FORMATS = ("megatron", "mds", "jsonl", "hf")

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {repo!r})
from pathlib import Path
from curation import shards as sh
from curation.export.read import iter_blocks
from curation.export.run import export
what, src, dst = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
t0, c0 = time.perf_counter(), time.process_time()
m = sh.read_manifest(src)
if what == "read":
    n = 0
    for split in sh.SPLITS:
        for b in iter_blocks(src, m, split):
            n += int(b.values[b.offsets[0]:b.offsets[-1]].sum() >= 0) * b.tokens
elif what == "verify":
    assert sh.verify(src) == []
else:
    export(src, dst, what, echo=lambda _: None)
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({{"wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0, "peak_rss_mb": ru.ru_maxrss / 1024}}))
"""


def scaled(src: Path, dst: Path, n: int) -> dict:
    """A build-shards folder holding every document of ``src`` n times (ids ID~k)."""
    import pyarrow.parquet as pq

    m = sh.read_manifest(src)
    cfg = m["config"].get("shards", {})
    shutil.copytree(src / "tokenizer", dst / "tokenizer")
    entries = []
    for split in sh.SPLITS:
        files = [e for e in m["shards"] if e["split"] == split]
        if not files:
            continue
        tables = [pq.read_table(src / e["path"]) for e in files]
        base = [(r["doc_id"], r["source"], r["lang"], r["url"]) for t in tables for r in t.select(["doc_id", "source", "lang", "url"]).to_pylist()]
        ids = [a for e in files for a in sh.iter_token_arrays(src / e["path"])]
        per = max(1, n // 10)  # copies per shard: at most 10 shards a split
        for first in range(0, n, per):
            rows = [(f"{d}~{k}", s, lang, url, a, len(a)) for k in range(first, min(n, first + per))
                    for (d, s, lang, url), a in zip(base, ids)]
            rel = sh.shard_path(split, first // per)
            (dst / rel).parent.mkdir(parents=True, exist_ok=True)
            counts = sh.write_shard(rows, str(dst / rel), dtype=m["tokenizer"]["dtype"],
                                    row_group_tokens=cfg.get("row_group_tokens", 4_000_000))
            entries.append({"path": rel, "sha256": sh.sha256_file(dst / rel), "bytes": (dst / rel).stat().st_size,
                            "split": split, **counts})
    manifest = sh.build_manifest(m["tokenizer"], entries, m["config"])
    (dst / sh.MANIFEST).write_text(sh.manifest_json(manifest))
    return manifest


def child(what: str, src: Path, dst: Path) -> dict:
    res = subprocess.run([sys.executable, "-c", CHILD.format(repo=str(REPO)), what, str(src), str(dst)],
                         capture_output=True, text=True, check=False)
    if res.returncode:
        raise SystemExit(f"{what} on {src} failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shards", default=str(REPO / "out" / "sample"), help="a build-shards output folder")
    ap.add_argument("--scales", default="10,100,1000", help="comma-separated multiples of the input (default 10,100,1000)")
    ap.add_argument("--formats", default=",".join(FORMATS), help="comma-separated formats (default: all four)")
    ap.add_argument("--repeats", type=int, default=2, help="runs per measurement; the fastest is kept")
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()
    src = Path(args.shards)
    sh.read_manifest(src)
    formats = [f for f in args.formats.split(",") if f]
    results = []
    with tempfile.TemporaryDirectory(prefix="curate-bench-export-") as td:
        for n in [int(x) for x in args.scales.split(",")]:
            folder = Path(td) / f"x{n}"
            m = scaled(src, folder, n)
            tokens = m["totals"]["tokens"]
            print(f"scale x{n}: {m['totals']['documents']:,} documents, {tokens:,} tokens", flush=True)
            row = {"scale": n, "documents": m["totals"]["documents"], "tokens": tokens}
            for what in ("read", "verify", *formats):
                runs = []
                for r in range(args.repeats):
                    out = Path(td) / f"out-{n}-{what}-{r}"
                    runs.append(child(what, folder, out))
                    shutil.rmtree(out, ignore_errors=True)
                best = min(runs, key=lambda x: x["cpu_s"])
                best["tokens_per_cpu_s"] = tokens / max(best["cpu_s"], 1e-9)
                row[what] = best
                print(f"  {what:<8} {best['wall_s']:7.2f} s wall {best['cpu_s']:7.2f} s CPU  "
                      f"{best['tokens_per_cpu_s'] / 1e6:7.2f} M tokens/CPU-s  peak RSS {best['peak_rss_mb']:6.0f} MB", flush=True)
            for fmt in formats:
                row[fmt]["vs_read"] = row["read"]["cpu_s"] / row[fmt]["cpu_s"]
                row[fmt]["vs_verify_read"] = (row["read"]["cpu_s"] + row["verify"]["cpu_s"]) / row[fmt]["cpu_s"]
            results.append(row)
    print("\nper scale: M tokens per CPU-second (ratio to read, to verify + read), peak RSS")
    for fmt in formats:
        print(f"{fmt:<9} " + " | ".join(
            f"x{r['scale']}: {r[fmt]['tokens_per_cpu_s'] / 1e6:.2f} ({r[fmt]['vs_read']:.2f}x, {r[fmt]['vs_verify_read']:.2f}x), "
            f"{r[fmt]['peak_rss_mb']:.0f} MB" for r in results))
    print("read      " + " | ".join(f"x{r['scale']}: {r['read']['tokens_per_cpu_s'] / 1e6:.2f}, {r['read']['peak_rss_mb']:.0f} MB"
                                  for r in results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
