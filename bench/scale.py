"""Scale-out figure (issue 8): `curate build-shards` on inputs replicated 1x, 10x and 100x.

Each copy of a base document is a DISTINCT document (exact dedup would remove plain copies, near
dedup close ones): copy j of document i swaps about a third of its words with other words of
the same document, chosen by a hash of (i, j, position). The words, the language and the stop
words stay those of the real text, so language ID and the quality rules treat every copy alike,
while almost every 5-gram shingle changes (Jaccard far below the 0.8 threshold).

Base documents: whole paragraphs (at least ~300 words per document) of real English books from
../shared/data/books, written as --docs JSONL files of at most 500 documents each, so files fan
out across workers.

For every factor the whole command runs in a child process on the DirectRunner in
multi_processing mode with --workers workers; the bench samples the RSS of the whole process tree
(the CLI and every worker, from /proc) every 0.2 s. Reported per factor: documents in and kept,
wall seconds, docs/s, docs/s per worker, peak RSS of the tree, of the launcher (the CLI process),
per worker ((tree - launcher) / workers) and of the largest worker process. The baseline is the 1x run measured in the same invocation:
linear cost means the marginal seconds per document from 10x to 100x stay close to those from
1x to 10x (ratio ~1; below 1 is sub-linear).

    python bench/scale.py                        # 1x, 10x, 100x of 40 base documents, 2 workers
    python bench/scale.py --base 40 --factors 1,10,100 --workers 2 --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data"
BOOKS = ["pg11", "pg1342", "pg84"]  # English novels: Alice, Pride and Prejudice, Frankenstein
WORDS_PER_DOC = 300
DOCS_PER_FILE = 500


def base_documents(n: int) -> list[str]:
    """``n`` documents of whole paragraphs (one line each, at least ~300 words), taken
    round-robin from the books: line structure and sentence ends stay real, as C4's rules need."""
    docs_by_book: list[list[str]] = []
    for book in BOOKS:
        txt = next((DATA / "books" / book).glob("*.txt")).read_text(encoding="utf-8", errors="replace")
        # The body sits between Project Gutenberg's START and END markers.
        body = txt.replace("\r\n", "\n").split("*** START", 1)[-1].split("*** END", 1)[0]
        paras = [" ".join(p.split()) for p in body.split("\n\n")]
        paras = [p for p in paras if len(p.split()) >= 8][5:]  # past the title page
        docs, cur = [], []
        for para in paras:
            cur.append(para)
            if sum(len(x.split()) for x in cur) >= WORDS_PER_DOC:
                docs.append("\n".join(cur))
                cur = []
        docs_by_book.append(docs)
    return [docs_by_book[i % len(BOOKS)][i // len(BOOKS)] for i in range(n)]


def perturb(text: str, doc: int, copy: int) -> str:
    """Copy 0 is the text itself; copy j swaps ~1/3 of the words of each line with other words of
    that line. The last word of a line stays, so sentence ends and line counts do not change."""
    if copy == 0:
        return text
    from curation.document import id_hash64

    lines = []
    for ln, line in enumerate(text.split("\n")):
        words = line.split(" ")
        n = len(words) - 1
        for pos in range(n):
            h = id_hash64(f"{doc}/{copy}/{ln}/{pos}")
            if h % 3 == 0:
                other = (h >> 8) % n
                words[pos], words[other] = words[other], words[pos]
        lines.append(" ".join(words))
    return "\n".join(lines)


def write_inputs(folder: Path, base: list[str], factor: int) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for copy in range(factor):
        for i, text in enumerate(base):
            rows.append(json.dumps({"id": f"doc{i:05d}-copy{copy:04d}", "text": perturb(text, i, copy)}))
    for k in range(0, len(rows), DOCS_PER_FILE):
        (folder / f"part-{k // DOCS_PER_FILE:05d}.jsonl").write_text("\n".join(rows[k:k + DOCS_PER_FILE]) + "\n")
    return len(rows)


def _tree_rss(root: int) -> tuple[int, int, int]:
    """(sum over the tree, largest descendant, root) RSS in bytes of ``root`` and all its
    descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
            fields = stat[stat.rindex(")") + 2:].split()
            children.setdefault(int(fields[1]), []).append(int(d))
            rss[int(d)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
    total, biggest, todo = 0, 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        if pid != root:
            biggest = max(biggest, rss.get(pid, 0))
        todo.extend(children.get(pid, []))
    return total, biggest, rss.get(root, 0)


def run_build(inputs: Path, out: Path, workers: int) -> dict:
    cmd = [sys.executable, "-m", "curation.cli", "build-shards", "--docs", str(inputs), "--output", str(out),
           "--config", str(REPO / "sample_data" / "config.yaml"),
           f"--direct_num_workers={workers}", "--direct_running_mode=multi_processing"]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_sum = peak_one = peak_root = 0
    while proc.poll() is None:
        s, m, r = _tree_rss(proc.pid)
        peak_sum, peak_one, peak_root = max(peak_sum, s), max(peak_one, m), max(peak_root, r)
        time.sleep(0.2)
    stdout, stderr = proc.communicate()
    wall = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"build-shards failed ({proc.returncode}):\n{stderr[-3000:]}")
    stats = json.loads((out / "stats.json").read_text())["stages"]
    return {"wall_s": round(wall, 2), "kept": stats["tokenize"]["out"], "dedup_removed": stats["dedup"]["removed_total"],
            "peak_rss_tree_mb": round(peak_sum / 2**20, 1), "peak_rss_launcher_mb": round(peak_root / 2**20, 1),
            "peak_rss_worker_max_mb": round(peak_one / 2**20, 1)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", type=int, default=40, help="base documents (real text chunks)")
    ap.add_argument("--factors", default="1,10,100", help="replication factors, ascending; the first is the baseline")
    ap.add_argument("--workers", type=int, default=2, help="DirectRunner multi_processing workers")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args(argv)
    factors = [int(f) for f in args.factors.split(",")]
    base = base_documents(args.base)
    results = []
    with tempfile.TemporaryDirectory(prefix="curate-scale-") as td:
        for f in factors:
            n = write_inputs(Path(td) / f"in-{f}", base, f)
            r = run_build(Path(td) / f"in-{f}", Path(td) / f"out-{f}", args.workers)
            r.update(factor=f, docs=n, docs_per_s=round(n / r["wall_s"], 1),
                     docs_per_s_per_worker=round(n / r["wall_s"] / args.workers, 1),
                     # The tree holds the launcher (the CLI, which also runs Beam's bookkeeping) and the
                     # workers: per worker = (tree - launcher) / workers, at the tree's peak.
                     peak_rss_per_worker_mb=round(max(0.0, r["peak_rss_tree_mb"] - r["peak_rss_launcher_mb"]) / args.workers, 1))
            results.append(r)
            print(json.dumps(r), flush=True)
    print(f"\nbuild-shards, DirectRunner multi_processing, {args.workers} workers, {args.base} base documents of ~{WORDS_PER_DOC} words")
    print(f"{'factor':>6} {'docs':>7} {'kept':>7} {'wall s':>8} {'docs/s':>8} {'docs/s/worker':>14} {'RSS tree MB':>12} "
          f"{'launcher MB':>12} {'RSS/worker MB':>14} {'max worker MB':>14}")
    for r in results:
        print(f"{r['factor']:>6} {r['docs']:>7} {r['kept']:>7} {r['wall_s']:>8.1f} {r['docs_per_s']:>8.1f} "
              f"{r['docs_per_s_per_worker']:>14.1f} {r['peak_rss_tree_mb']:>12.1f} {r['peak_rss_launcher_mb']:>12.1f} "
              f"{r['peak_rss_per_worker_mb']:>14.1f} {r['peak_rss_worker_max_mb']:>14.1f}")
    marginal = []
    for a, b in zip(results, results[1:]):
        per_doc = (b["wall_s"] - a["wall_s"]) / (b["docs"] - a["docs"])
        marginal.append(per_doc)
        print(f"marginal cost {a['factor']}x -> {b['factor']}x: {per_doc * 1000:.2f} ms per document")
    if len(marginal) >= 2:
        print(f"linearity: marginal cost {factors[-2]}x->{factors[-1]}x / {factors[0]}x->{factors[1]}x = "
              f"{marginal[-1] / marginal[0]:.2f} (1.0 = linear, below 1 = sub-linear)")
    if args.json:
        Path(args.json).write_text(json.dumps({"workers": args.workers, "base": args.base, "results": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
