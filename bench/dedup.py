"""Dedup quality and speed: curate vs datatrove vs a one-process datasketch MinHashLSH, same run.

    python bench/dedup.py [--docs 20000] [--speed 10000 100000] [--workers 2] [--one-process]
                          [--skip-datatrove] [--skip-textdedup] [--skip-datasketch]

Corpus (ground truth travels with it, bench/_work/dedup/corpus-N/truth.jsonl): documents of 2-4 KB
built from real sentences of the ten Project Gutenberg books in ../shared/data/books (each
original a distinct random draw of sentences); 60% originals, the rest copies of a random
original: 15% exact copies (whitespace changed), 85% with word edits (substitute / insert /
delete real words) at a rate drawn from 0.5-6%, each copy's true word-5-gram Jaccard to its
original recorded (an implementation independent of curate's: lowercase \\w+ tokens).

Quality (at --docs): a group is an original plus its copies with true J >= 0.8; it should lose
all but one member. precision = correct removals / removals, recall = correct / expected.
Pair recall per Jaccard band >= 0.8: share of copies for which the copy and its original did not
both survive; below 0.8: share of copies removed (should be low).
Speed: wall time, docs/s and peak RSS and PSS summed over the process tree (sampled every 0.1 s), each
tool alone, then curate alone at each --speed size for docs/s flatness. Ratios are reported
against datatrove (defaults, 14 x 8, LocalPipelineExecutor with --workers), text-dedup 0.4.0
(bench/_textdedup.py: 250 permutations, threshold 0.8, --num_proc --workers) and datasketch.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
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
from _peers import datatrove_python  # noqa: E402
from _textdedup import run_textdedup  # noqa: E402
SHARED = ROOT.parent / "shared" / "data"
WORK = ROOT / "bench" / "_work" / "dedup"
THRESHOLD = 0.8
BANDS = [(0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.0), (1.0, 1.01)]
PARTS = 4


# ------------------------------------------------------------------ corpus with ground truth
def _sentences() -> list[str]:
    out = []
    for f in sorted((SHARED / "books").glob("*/*.txt")):
        raw = f.read_bytes()
        text = raw.decode("utf-8") if not f.stem.endswith("-8") else raw.decode("latin-1")
        for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
            if 6 <= len(s.split()) <= 80:
                out.append(s)
    if len(out) < 10_000:
        sys.exit(f"too few sentences under {SHARED / 'books'}")
    return out


def true_jaccard(a: str, b: str, n: int = 5) -> float:
    def grams(t):
        w = re.findall(r"\w+", t.lower())
        return {tuple(w[i : i + n]) for i in range(max(1, len(w) - n + 1))}

    x, y = grams(a), grams(b)
    return len(x & y) / len(x | y) if x or y else 1.0


def _edit(text: str, rate: float, vocab: list[str], rng: random.Random) -> str:
    words = text.split()
    for _ in range(max(1, round(rate * len(words)))):
        i = rng.randrange(len(words))
        op = rng.random()
        if op < 0.6:
            words[i] = rng.choice(vocab)
        elif op < 0.8 and len(words) > 10:
            del words[i]
        else:
            words.insert(i, rng.choice(vocab))
    return " ".join(words)


def make_corpus(n: int, seed: int = 0) -> Path:
    d = WORK / f"corpus-{n}-{seed}"
    if (d / "truth.jsonl").is_file():
        return d
    rng = random.Random(seed)
    sents = _sentences()
    vocab = sorted({w for s in sents[:20_000] for w in s.split() if w.isalpha()})
    n_orig = int(n * 0.6)
    docs, truth = [], []
    for i in range(n_orig):
        target, parts, size = rng.randint(2000, 4000), [], 0
        while size < target:
            s = sents[rng.randrange(len(sents))]
            parts.append(s)
            size += len(s) + 1
        docs.append((f"o{i:07d}", " ".join(parts)))
        truth.append({"id": f"o{i:07d}", "group": f"o{i:07d}", "role": "original", "j": 1.0})
    for k in range(n - n_orig):
        gi = rng.randrange(n_orig)
        gid, text = docs[gi]
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


# ------------------------------------------------------------------ measuring
def _pss(pid: int) -> int:
    for line in open(f"/proc/{pid}/smaps_rollup"):
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0


def _tree_rss(root: int, cpu: dict | None = None) -> tuple[int, int]:
    """(RSS, PSS) summed over the process tree. RSS counts a shared library's pages once per
    process that maps it (Beam, pyarrow and numpy in each of curate's 3 processes); PSS splits
    shared pages between the processes: the tree's real footprint. ``cpu``: pid -> the largest
    user + system clock ticks seen for it (the workers of Beam and datatrove are not always
    waited for by their parent, so the tree's rusage misses them)."""
    children: dict[int, list[int]] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            stat = open(f"/proc/{p}/stat").read()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(p))
    rss = pss = 0
    stack = [root]
    while stack:
        q = stack.pop()
        try:
            rss += int(open(f"/proc/{q}/statm").read().split()[1]) * page
            pss += _pss(q)
            if cpu is not None:
                fields = open(f"/proc/{q}/stat").read().rsplit(")", 1)[1].split()
                cpu[q] = max(cpu.get(q, 0), int(fields[11]) + int(fields[12]))
        except (OSError, ValueError, IndexError):
            pass
        stack.extend(children.get(q, []))
    return rss, pss


def run_measured(cmd: list[str], env=None, cwd=None) -> dict:
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)
    peak = [0, 0]
    ticks: dict = {}
    done = threading.Event()

    def sample():
        while not done.is_set():
            rss, pss = _tree_rss(proc.pid, ticks)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
            time.sleep(0.1)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    out, err = proc.communicate()
    done.set()
    th.join()
    wall = time.time() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err[-3000:]}")
    # CPU-seconds of the whole process tree, the per-core figure on a machine other work shares:
    # the larger of the waited-for descendants' rusage and the sum over every process sampled
    # (a worker's last 0.1 s before it exits can be missed by the sampling).
    cpu = max((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime), sum(ticks.values()) / os.sysconf("SC_CLK_TCK"))
    return {"seconds": wall, "cpu_s": round(cpu, 2), "peak_rss_mb": peak[0] / 1e6, "peak_pss_mb": peak[1] / 1e6, "stdout": out}


# ------------------------------------------------------------------ the tools
def run_curate(corpus: Path, workers: int, extra: list[str] = (), mode: str = "multi_processing",
               tree: Path | None = None) -> tuple[dict, set[str]]:
    """``curate dedup`` of this checkout, or of another ``tree`` (a baseline worktree)."""
    import pyarrow.parquet as pq

    out = corpus / "out-curate"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "curation.cli", "dedup", "--input", str(corpus / "parts"), "--output", str(out), *extra]
    if workers > 1 and mode != "in_memory":
        cmd += [f"--direct_num_workers={workers}", f"--direct_running_mode={mode}"]
    else:
        cmd += ["--direct_running_mode=in_memory"]
    # `python -m` puts the working directory first on sys.path: run in the tree itself.
    m = run_measured(cmd, env=dict(os.environ, PYTHONPATH=str(tree)) if tree else None, cwd=tree)
    removed = set(pq.read_table(out / "duplicates", columns=["doc_id"]).column("doc_id").to_pylist())
    return m, removed


def run_datasketch(corpus: Path) -> tuple[dict, set[str]]:
    m = run_measured([sys.executable, __file__, "_datasketch", str(corpus)])
    return m, set(json.loads(m["stdout"].strip().splitlines()[-1]))


def _datasketch_main(corpus: str) -> None:
    """One process: MinHash(128) per document (word 5-grams, MinHash.bulk), MinHashLSH(0.8);
    a document whose query finds an earlier one is removed, else inserted."""
    from datasketch import MinHash, MinHashLSH

    docs = []
    for f in sorted(Path(corpus, "parts").glob("*.jsonl")):
        for line in open(f, encoding="utf-8"):
            r = json.loads(line)
            docs.append((r["id"], r["text"]))
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=128)
    removed = []
    for s in range(0, len(docs), 1000):
        chunk = docs[s : s + 1000]
        sets = []
        for _, t in chunk:
            w = t.lower().split()
            sets.append({" ".join(w[i : i + 5]).encode() for i in range(max(1, len(w) - 4))})
        for (doc_id, _), mh in zip(chunk, MinHash.bulk(sets, num_perm=128)):
            if lsh.query(mh):
                removed.append(doc_id)
            else:
                lsh.insert(doc_id, mh)
    print(json.dumps(removed))


def ensure_venv() -> Path:
    return datatrove_python()


def run_datatrove(corpus: Path, workers: int, tokenizer: str = "spacy") -> tuple[dict, set[str]]:
    py = ensure_venv()
    work = corpus / "out-datatrove"
    shutil.rmtree(work, ignore_errors=True)
    m = run_measured([str(py), str(ROOT / "bench" / "_datatrove_minhash.py"), str(corpus / "parts"), str(work), str(workers),
                      tokenizer])
    m["stages"] = json.loads(m["stdout"].strip().splitlines()[-1])
    removed = set()
    for f in (work / "removed").glob("*.jsonl"):
        for line in open(f):
            removed.add(json.loads(line)["id"])
    return m, removed


# ------------------------------------------------------------------ scoring
def score(truth: list[dict], removed: set[str]) -> dict:
    members: dict[str, list[str]] = {}
    for t in truth:
        if t["role"] == "original" or t["j"] >= THRESHOLD:
            members.setdefault(t["group"], []).append(t["id"])
    expected = sum(len(m) - 1 for m in members.values())
    correct = sum(min(sum(1 for x in m if x in removed), len(m) - 1) for m in members.values())
    clusters = [m for m in members.values() if len(m) >= 3]
    one_left = sum(1 for m in clusters if sum(1 for x in m if x not in removed) == 1)
    bands = {}
    for lo, hi in BANDS:
        copies = [t for t in truth if t["role"] != "original" and lo <= t["j"] < hi]
        name = "exact" if lo == 1.0 else f"{lo:.1f}-{hi:.1f}"
        if lo >= THRESHOLD:
            # A duplicate pair is found when the copy and its original did not both survive.
            hit = sum(1 for t in copies if t["id"] in removed or t["group"] in removed)
            bands[name] = {"pairs": len(copies), "recall": round(hit / len(copies), 4) if copies else None}
        else:
            # Below the threshold the copy should survive: the share removed is a false-positive rate
            # (an upper bound: a copy may still be >= 0.8 to another copy of the same original).
            hit = sum(1 for t in copies if t["id"] in removed)
            bands[name] = {"pairs": len(copies), "removed": round(hit / len(copies), 4) if copies else None}
    return {
        "removed": len(removed),
        "expected": expected,
        "precision": round(correct / len(removed), 4) if removed else 1.0,
        "recall": round(correct / expected, 4) if expected else 1.0,
        "clusters_of_3_plus": len(clusters),
        "clusters_left_with_one": one_left,
        "pair_recall_by_jaccard": bands,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=20_000)
    ap.add_argument("--speed", type=int, nargs="*", default=[10_000])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-datatrove", action="store_true")
    ap.add_argument("--skip-textdedup", action="store_true")
    ap.add_argument("--skip-datasketch", action="store_true")
    ap.add_argument("--one-process", action="store_true",
                    help="also run curate in one process (--direct_running_mode=in_memory): the memory-bounded mode")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--datatrove-tokenizers", nargs="*", default=["spacy", "whitespace"],
                    help="datatrove's word tokenizer for its signatures: its default spaCy, and str.split (fair to curate)")
    ap.add_argument("--base-tree", type=Path, help="also run curate from this checkout (e.g. a worktree of the baseline)")
    ap.add_argument("--verify-cost", action="store_true",
                    help="also run curate with dedup.verify=false (MinHash estimate) and report the time ratio")
    args = ap.parse_args()

    corpus = make_corpus(args.docs, args.seed)
    truth = [json.loads(line) for line in open(corpus / "truth.jsonl")]
    results = {"docs": args.docs, "workers": args.workers, "cpu_count": os.cpu_count(), "tools": {}}
    runs = [("curate", lambda: run_curate(corpus, args.workers))]
    if args.base_tree:
        runs.append(("curate_base", lambda: run_curate(corpus, args.workers, tree=args.base_tree.resolve())))
    if args.one_process:
        runs.append(("curate_1proc", lambda: run_curate(corpus, 1, mode="in_memory")))
    if not args.skip_datasketch:
        runs.append(("datasketch_lsh_1proc", lambda: run_datasketch(corpus)))
    if not args.skip_datatrove:
        for tok in args.datatrove_tokenizers:
            name = "datatrove" if tok == "spacy" else f"datatrove_{tok}"
            runs.append((name, lambda tok=tok: run_datatrove(corpus, args.workers, tok)))
    if not args.skip_textdedup:
        runs.append(("textdedup", lambda: run_textdedup(corpus, args.workers, run_measured)))
    for name, fn in runs:
        m, removed = fn()
        m.pop("stdout", None)
        m["docs_per_s"] = round(args.docs / m["seconds"], 1)
        results["tools"][name] = {**m, **score(truth, removed)}
        print(name, json.dumps(results["tools"][name]), flush=True)
    tools = results["tools"]
    for base in ("datatrove", "datatrove_whitespace", "textdedup", "datasketch_lsh_1proc", "curate_base"):
        if base in tools:
            results[f"speedup_vs_{base}"] = round(tools["curate"]["docs_per_s"] / tools[base]["docs_per_s"], 2)
            results[f"cpu_speedup_vs_{base}"] = round(tools[base]["cpu_s"] / max(tools["curate"]["cpu_s"], 1e-9), 2)
            if "curate_1proc" in tools:
                results[f"speedup_1proc_vs_{base}"] = round(tools["curate_1proc"]["docs_per_s"] / tools[base]["docs_per_s"], 2)
    if args.verify_cost:
        m, removed = run_curate(corpus, args.workers, ["--set", "dedup.verify=false"])
        m.pop("stdout", None)
        m["docs_per_s"] = round(args.docs / m["seconds"], 1)
        tools["curate_verify_off"] = {**m, **score(truth, removed)}
        print("curate_verify_off", json.dumps(tools["curate_verify_off"]), flush=True)
        results["verify_time_share"] = round(1 - tools["curate_verify_off"]["seconds"] / tools["curate"]["seconds"], 3)
    results["speed"] = {}
    for n in args.speed:
        c = make_corpus(n, args.seed)
        m, _ = run_curate(c, args.workers)
        results["speed"][n] = {"seconds": round(m["seconds"], 1), "docs_per_s": round(n / m["seconds"], 1),
                               "peak_rss_mb": round(m["peak_rss_mb"]), "peak_pss_mb": round(m["peak_pss_mb"])}
        print("speed", n, results["speed"][n], flush=True)
    (WORK / f"results-{args.docs}.json").write_text(json.dumps(results, indent=2))
    print(json.dumps({k: v for k, v in results.items() if k != "tools"}, indent=2))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "_datasketch":
        _datasketch_main(sys.argv[2])
    else:
        main()
