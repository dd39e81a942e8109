"""Incremental dedup: `curate dedup --against` vs the new half alone vs both halves together.

    python bench/dedup_incremental.py [--docs 20000 100000] [--workers 2] [--corpus sentences|passages]
                                      [--variant 128:kept 128 512 ...]

Corpus ``sentences`` (the default): bench/dedup.py's generator (real Gutenberg sentences, 2-4 KB
documents, copies with word edits, true word-5-gram Jaccard recorded). ``passages``: contiguous
passages of 6-12 KB (1,000-2,200 words) of the ten books in ../shared/data/books, each the
original of several copies with the same edits: real running text, and documents longer than
any sketch size, so verification against the index is always an estimate. The four parts are
split in two halves (parts 0-1 first, 2-3 second; documents are shuffled over the parts, so
about half of the copies have their original in the other half). Per size, in one script run
(ratios against the runs beside them):

  first      curate dedup on the first half (writes DIR/dedup-index/), once per --variant
  alone      curate dedup on the second half alone                 (baseline for the cost)
  against    curate dedup on the second half --against first, once per --variant
  together   curate dedup on both halves

A variant is K (``dedup.index_sketch``, with ``dedup.index_removed=true``: the index holds the
removed documents too) or K:kept (``dedup.index_removed=false``: the kept documents only); the
first variant is the baseline of the per-variant ratios.

Reports wall and CPU seconds (the process tree), peak RSS, the index size per million
documents, removal counts (first + against should equal together: a cluster of n loses n-1
either way) and, per true-Jaccard band, recall of the pairs that cross the halves (a second-half
copy whose original is in the first half should go as a prior duplicate) and of the pairs within
the second half, beside the same figures of the together run; per band also the share of
cross pairs on which the against run and the together run agree (both removed or both kept),
and the precision of the against run's prior removals (true J >= the 0.8 threshold).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from dedup import BANDS, PARTS, SHARED, THRESHOLD, _edit, make_corpus, run_measured, true_jaccard  # noqa: E402

WORK = ROOT / "bench" / "_work" / "dedup"


def _book_texts() -> list[str]:
    out = []
    for f in sorted((SHARED / "books").glob("*/*.txt")):
        raw = f.read_bytes()
        out.append(raw.decode("utf-8") if not f.stem.endswith("-8") else raw.decode("latin-1"))
    return out


def make_passages(n: int, seed: int = 0) -> Path:
    """Originals: non-overlapping passages of 6-12 KB of the real books; the rest of the n
    documents copies of a random original (15% exact, else word edits at 0.5-6%)."""
    d = WORK / f"passages-{n}-{seed}"
    if (d / "truth.jsonl").is_file():
        return d
    rng = random.Random(seed)
    origs = []
    for text in _book_texts():
        words = text.split()
        i = 0
        while True:
            size = rng.randint(1000, 2200)
            if i + size > len(words):
                break
            origs.append(" ".join(words[i:i + size]))
            i += size
    vocab = sorted({w for t in origs[:50] for w in t.split() if w.isalpha()})
    docs = [(f"o{i:07d}", t) for i, t in enumerate(origs)]
    truth = [{"id": i, "group": i, "role": "original", "j": 1.0} for i, _ in docs]
    for k in range(max(0, n - len(origs))):
        gid, text = docs[rng.randrange(len(origs))]
        if rng.random() < 0.15:
            copy, role = text.replace(". ", ".  ", 3) + "\n", "exact"
        else:
            copy, role = _edit(text, rng.uniform(0.005, 0.06), vocab, rng), "near"
        cid = f"c{k:07d}"
        docs.append((cid, copy))
        truth.append({"id": cid, "group": gid, "role": role, "j": 1.0 if role == "exact" else true_jaccard(text, copy)})
    order = list(range(len(docs)))
    rng.shuffle(order)
    (d / "parts").mkdir(parents=True, exist_ok=True)
    files = [open(d / "parts" / f"part-{p:02d}.jsonl", "w", encoding="utf-8") for p in range(PARTS)]
    for pos, i in enumerate(order):
        files[pos % PARTS].write(json.dumps({"id": docs[i][0], "text": docs[i][1]}) + "\n")
    for f in files:
        f.close()
    with open(d / "truth.jsonl", "w") as f:
        for t in truth:
            f.write(json.dumps(t) + "\n")
    return d


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
    out = defaultdict(lambda: {"cross": 0, "cross_against": 0, "cross_together": 0, "cross_agree": 0, "within": 0,
                               "within_against": 0})
    for t in truth:
        if t["role"] == "original" or t["id"] in first:
            continue
        b = out[_band(t["j"])]
        if t["group"] in first:
            b["cross"] += 1
            a = t["id"] in removed_against
            tog = t["id"] in removed_together or t["group"] in removed_together
            b["cross_against"] += a
            b["cross_together"] += tog
            b["cross_agree"] += a == tog
        else:
            b["within"] += 1
            b["within_against"] += t["id"] in removed_against or t["group"] in removed_against
    return dict(sorted(out.items()))


def _precision(truth: list[dict], first: set[str], removed_against: dict) -> float | None:
    """Share of the against run's cross-half removals whose true J to their original is at least
    the threshold (a removal merged through a third document counts as false here)."""
    cross = [t for t in truth if t["role"] != "original" and t["id"] not in first and t["group"] in first
             and t["id"] in removed_against]
    return round(sum(t["j"] >= THRESHOLD for t in cross) / len(cross), 4) if cross else None


def _index_bytes(out: Path) -> tuple[int, int]:
    m = json.loads((out / "dedup-index" / "_manifest.json").read_text())
    return sum(p["bytes"] for p in m["parts"]), m["documents"]


def _options(variant: str) -> list[str]:
    k, _, kept = variant.partition(":")
    return ["--set", f"dedup.index_sketch={int(k)}", "--set", f"dedup.index_removed={'false' if kept == 'kept' else 'true'}"]


def _runs(n: int, corpus: Path, workers: int, variants: list[str], skip: set[str]) -> dict:
    first, second = _half(corpus, "first", [0, 1]), _half(corpus, "second", [2, 3])
    earlier = {}
    if skip and (corpus / "runs.json").is_file():
        earlier = json.loads((corpus / "runs.json").read_text())
    plan = [("alone", second, []), ("together", corpus / "parts", [])]
    for v in variants:
        opt = _options(v)
        plan += [(f"first-{v}", first, opt), (f"against-{v}", second, ["--against", str(corpus / f"o-first-{v}"), *opt])]
    runs = {}
    for name, inp, extra in plan:
        if (name in skip or name.split("-")[0] in skip) and name in earlier:
            runs[name] = earlier[name]
            continue
        print(f"[{n}] {name}", flush=True)
        runs[name] = _dedup(inp, corpus / f"o-{name}", workers, extra)
        runs[name].pop("stdout", None)
    (corpus / "runs.json").write_text(json.dumps(runs))
    return runs


def bench(n: int, workers: int, skip: set[str] = frozenset(), variants: list[str] = ("128",),
          kind: str = "sentences") -> dict:
    """``skip``: runs whose output from an earlier invocation is reused (its figures as recorded).
    The first of ``variants`` is the baseline of the per-variant ratios."""
    corpus = make_corpus(n) if kind == "sentences" else make_passages(n)
    runs = _runs(n, corpus, workers, list(variants), skip)
    truth = [json.loads(line) for line in open(corpus / "truth.jsonl")]
    first_ids = _ids(corpus / "half-first")
    rem = {k: _removed(corpus / f"o-{k}") for k in runs}
    res = {
        "docs": n, "corpus": kind, "first_docs": len(first_ids),
        "runs": {k: {"wall_s": round(v["seconds"], 1), "cpu_s": round(v["cpu"], 1),
                     "peak_pss_mb": round(v["peak_pss_mb"]), "removed": len(rem[k])} for k, v in runs.items()},
        "together_removed": len(rem["together"]),
        "variants": {},
    }
    base = variants[0]
    for v in variants:
        ib, idocs = _index_bytes(corpus / f"o-first-{v}")
        a, f = f"against-{v}", f"first-{v}"
        res["variants"][v] = {
            "against_vs_alone_cpu": round(runs[a]["cpu"] / runs["alone"]["cpu"], 2),
            "against_cpu_vs_base": round(runs[a]["cpu"] / runs[f"against-{base}"]["cpu"], 2),
            "first_plus_against_removed": len(rem[f]) + len(rem[a]),
            "prior_removed": sum(1 for v in rem[a].values() if v.endswith("_prior")),
            "index_rows": idocs,
            # per input document of the first half (kept and, with index_removed, removed ones)
            "index_bytes_per_input_doc": round(ib / len(first_ids)),
            "index_mb_per_million_input_docs": round(ib / len(first_ids)),
            "cross_precision": _precision(truth, first_ids, rem[a]),
            "recall_by_band": _recall(truth, first_ids, rem[a], rem["together"]),
        }
    print(json.dumps(res, indent=1), flush=True)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, nargs="+", default=[20_000])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--variant", nargs="+", default=["128"],
                    help="index variants to compare: K (dedup.index_sketch) or K:kept (index_removed off); the first is the baseline")
    ap.add_argument("--corpus", choices=("sentences", "passages"), default="sentences")
    ap.add_argument("--reuse", default="",
                    help="comma-separated runs to take from the previous invocation: alone, together, first, against "
                    "or one run (against-128:kept)")
    args = ap.parse_args()
    results = [bench(n, args.workers, set(filter(None, args.reuse.split(","))), args.variant, args.corpus) for n in args.docs]
    out = WORK / f"incremental-{args.corpus}.json"
    out.write_text(json.dumps(results, indent=1))
    print(f"results -> {out}")


if __name__ == "__main__":
    main()
