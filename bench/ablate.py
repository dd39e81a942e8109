"""Does curation pay on ../shared/data? `curate ablate` raw vs curated, three seeds, tiny preset on CPU.

The baseline is the raw variant (extraction only), trained in the same run with the same preset,
tokens, seeds and tokenizer; the figure is curated's validation bits per byte on held-out books
and its paired difference to raw with the 95% t-interval over seeds (docs/bench-ablate.md).

    python bench/ablate.py                      # about 10 minutes on 2 CPU cores
    python bench/ablate.py --tokens 40960 --seeds 2 --variants raw,curated,no_dedup

On a machine without Beam (a GPU box), `--train-only DIR` trains on the variant folders an
earlier run built (copy DIR/variants, DIR/tokenizer and DIR/build.json there):

    python bench/ablate.py --train-only bench/_work/ablate --preset gpt2-124m --tokens 50000000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data"


def conditions() -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0, 0, 0)
    return (f"{os.cpu_count()} CPU cores, load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}, "
            f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")


def report(results: dict, seconds: float, before: str, after: str) -> None:
    from curation.ablate import format_table

    print(format_table(results))
    s = results["summary"]
    raw = s.get("raw", {}).get("final_bpb")
    print(f"\nconditions before: {before}\nconditions after:  {after}\nwall time: {seconds:.0f}s")
    if raw:
        print(f"baseline  raw      bpb {raw['mean']:.4f} ± {raw['std']:.4f} (std over {raw['n']} seeds)")
    for v, e in s.items():
        if v == "raw" or not e["final_bpb"]:
            continue
        fb, d = e["final_bpb"], e["vs"].get("raw")
        line = f"figure    {v:<8} bpb {fb['mean']:.4f} ± {fb['std']:.4f}"
        if d and raw:
            ci = "n/a" if d["ci95"] is None else f"{d['ci95']:.4f}"
            line += (f" | {v} - raw {d['mean']:+.4f} (per seed {', '.join(f'{x:+.4f}' for x in d['per_seed'].values())};"
                     f" 95% CI ± {ci}) -> {d['verdict']} | ratio {fb['mean'] / raw['mean']:.4f}x")
        print(line)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--output", default=str(REPO / "bench" / "_work" / "ablate"))
    ap.add_argument("--variants", default="raw,curated")
    ap.add_argument("--preset", default="tiny")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--tokens", type=int, default=40_960, help="per run (default: 20 tiny steps)")
    ap.add_argument("--eval-windows", type=int, default=64)
    # 32k ids make the tiny model's output layer most of a CPU step; ~4 MB of text needs fewer.
    ap.add_argument("--vocab", type=int, default=8192, help="tokenizer vocabulary (default: 8192)")
    ap.add_argument("--train-only", metavar="DIR", help="train on variant folders built earlier (no Beam needed)")
    ap.add_argument("--train-set", action="append", default=[], metavar="KEY=VALUE")
    args = ap.parse_args()

    before = conditions()
    t0 = time.perf_counter()
    if args.train_only:
        from curation import ablate
        from curation.train import ablate as train_ablate
        from curation.train.config import parse_set

        out = Path(args.train_only)
        build = json.loads((out / "build.json").read_text()) if (out / "build.json").is_file() else {}
        results = train_ablate.run_ablation(out, ablate.parse_variants(args.variants), preset=args.preset, seeds=args.seeds,
                                      tokens=args.tokens, eval_windows=args.eval_windows,
                                      overrides=parse_set(args.train_set), build=build)
    else:
        if not DATA.is_dir():
            print(f"shared data missing: {DATA}", file=sys.stderr)
            return 2
        from curation.cli import main as curate

        out = Path(args.output)
        argv = ["ablate", "--web", str(DATA / "web"), "--books", str(DATA / "books"), "--output", str(out),
                "--variants", args.variants, "--preset", args.preset, "--seeds", str(args.seeds),
                "--tokens", str(args.tokens), "--eval-windows", str(args.eval_windows),
                "--set", f"tokenizer.vocab_size={args.vocab}"]
        for kv in args.train_set:
            argv += ["--train-set", kv]
        rc = curate(argv)
        if rc:
            return rc
        results = json.loads((out / "ablate.json").read_text())
    report(results, time.perf_counter() - t0, before, conditions())
    return 0


if __name__ == "__main__":
    sys.exit(main())
