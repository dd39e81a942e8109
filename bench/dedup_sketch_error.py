"""Verification against a saved index, alone: how often a pair is accepted per true-Jaccard band.

    python bench/dedup_sketch_error.py [--docs 20000] [--corpus sentences|passages] [--k 128 256 512 1024]

For every copy and its original in bench/dedup_incremental.py's corpus, curate's own shingle
sets (curation/dedup/normalize.py) give the exact Jaccard J; the original's bottom-k sketch
(curation/dedup/index.py) gives what `--against` verifies against. Per band of exact J, the share
of pairs accepted at the threshold (0.8):

  exact        J itself (what dedup of both halves together verifies)
  k=K          the sketch estimate at each K (``dedup.index_sketch``)
  k=K, -z sd   the estimate against a threshold lowered by z standard deviations of the
               estimator at the threshold, sqrt(t(1-t)/K): more recall above 0.8, paid for by
               pairs below it

This isolates the estimator from cluster structure (which documents an earlier run kept); the
end-to-end figures are bench/dedup_incremental.py's. No Beam: a few seconds per 10,000 pairs.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))
from curation.dedup.index import sketch_jaccard  # noqa: E402
from curation.dedup.normalize import jaccard_sorted, shingle_hashes  # noqa: E402
from dedup import THRESHOLD, make_corpus  # noqa: E402
from dedup_incremental import WORK, make_passages  # noqa: E402

BANDS = [(0.7, 0.75), (0.75, 0.8), (0.8, 0.82), (0.82, 0.85), (0.85, 0.9), (0.9, 1.01)]


def _band(j: float) -> str | None:
    for lo, hi in BANDS:
        if lo <= j < hi:
            return f"{lo:.2f}-{min(hi, 1.0):.2f}"
    return None


def measure(corpus: Path, ks: list[int], zs=(1.0, 2.0)) -> dict:
    texts = {}
    for f in sorted((corpus / "parts").glob("*.jsonl")):
        with open(f, encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                texts[r["id"]] = r["text"]
    sets = {}

    def shingles(doc_id):
        if doc_id not in sets:
            sets[doc_id] = shingle_hashes(texts[doc_id], 5, 5)[0]
        return sets[doc_id]

    rules = {"exact": None}
    for k in ks:
        rules[f"k={k}"] = (k, 0.0)
        for z in zs:
            rules[f"k={k}, -{z:g} sd"] = (k, z)
    out = defaultdict(lambda: defaultdict(int))
    for line in open(corpus / "truth.jsonl"):
        t = json.loads(line)
        if t["role"] != "near":
            continue
        a, b = shingles(t["id"]), shingles(t["group"])
        j = jaccard_sorted(a, b)
        band = _band(j)
        if band is None:
            continue
        out[band]["pairs"] += 1
        for name, rule in rules.items():
            if rule is None:
                out[band][name] += j >= THRESHOLD
                continue
            k, z = rule
            est = sketch_jaccard(a, b[:k], k)  # the new copy's full set against the original's sketch
            out[band][name] += est >= THRESHOLD - z * (THRESHOLD * (1 - THRESHOLD) / k) ** 0.5
    sizes = [len(s) for s in sets.values()]
    return {"corpus": corpus.name, "mean_shingles": round(float(np.mean(sizes))), "rules": list(rules),
            "bands": {b: dict(v) for b, v in sorted(out.items())}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=20_000)
    ap.add_argument("--corpus", choices=("sentences", "passages"), default="sentences")
    ap.add_argument("--k", type=int, nargs="+", default=[128, 256, 512, 1024])
    args = ap.parse_args()
    corpus = make_corpus(args.docs) if args.corpus == "sentences" else make_passages(args.docs)
    res = measure(corpus, args.k)
    print(f"{res['corpus']}: mean {res['mean_shingles']} shingles per document; share accepted at J >= {THRESHOLD}")
    print(f"{'rule':<18}" + "".join(f"{b:>12}" for b in res["bands"]))
    print(f"{'pairs':<18}" + "".join(f"{v['pairs']:>12}" for v in res["bands"].values()))
    for rule in res["rules"]:
        print(f"{rule:<18}" + "".join(f"{v[rule] / v['pairs']:>12.1%}" for v in res["bands"].values()))
    out = WORK / f"sketch-error-{args.corpus}-{args.docs}.json"
    out.write_text(json.dumps(res, indent=1))
    print(f"results -> {out}")


if __name__ == "__main__":
    main()
