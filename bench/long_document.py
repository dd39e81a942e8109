"""Memory per long document: one 50 MB single-line book through extract, filter and build-shards.

    python bench/long_document.py [--mb 50] [--books 500] [--commands build-shards extract filter] [--work DIR]
                                  [--modes new before base] [--base-tree DIR]

The book is word salad of ../shared/data/books (their words, drawn with a fixed seed, so it
passes the filters and no n-gram repeats); the same text is also cut at spaces into --books
books of equal size. Each command runs twice per input, in a fresh process each: as shipped, and
"before", with three item-11 fixes switched off in that process (long texts encoded by
sentencepiece in one call, tokenizer.LONG_ENCODE; dedup normalising a long text in one piece,
curation/dedup/normalize.py; DoFns with side inputs keeping their last element,
pipelines/beam_release.py). The fix to training chunks (linear, was quadratic in a line's
length: the tokenizer stage on this book did not finish in 30 minutes) stays on in both. build-shards runs the whole chain on the
DirectRunner in one process (the default); `extract` then `filter` are the stage commands
(filter reads extract's documents/). Prints peak RSS (the process's own, from wait4), wall and
CPU seconds, the peak above the same text in many books, and whether the outputs are
byte-identical between the two modes (build-shards: manifest fingerprint and stats.json;
stages: documents/, rejected/, stats.json). Mode "base" runs the code of another checkout
(--base-tree, e.g. a worktree of an earlier commit) unchanged, for fixes that have no switch
(Gopher repetition's counting, issue 25 item 11).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


def make_books(work: Path, mb: int, n_books: int) -> tuple[Path, Path]:
    one, many = work / "one", work / "many"
    if (one / "salad.txt").exists() and len(list(many.glob("*.txt"))) == n_books:
        return one, many
    words = []
    for f in sorted((SHARED / "books").glob("*/*.txt")):
        words += f.read_text(encoding="utf-8", errors="replace").split()
    rng = random.Random(0)
    out, n, target = [], 0, mb * 2**20
    while n < target:
        chunk = " ".join(rng.choices(words, k=100_000))
        out.append(chunk)
        n += len(chunk) + 1
    text = " ".join(out)[:target].rsplit(" ", 1)[0] + "."
    for d in (one, many):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    (one / "salad.txt").write_text(text, encoding="utf-8")
    step, pos = len(text) // n_books, 0
    for i in range(n_books):
        end = text.find(" ", pos + step) if i < n_books - 1 else len(text)
        end = len(text) if end < 0 else end
        (many / f"b{i:04d}.txt").write_text(text[pos:end].strip() + ".", encoding="utf-8")
        pos = end
    return one, many


def child(mode: str, argv: list[str]) -> None:
    """In the measured process: the CLI, with the fixes switched off for "before"."""
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]  # bench/filters.py
    from curation import cli, tokenizer
    from pipelines import beam_release, transforms  # noqa: F401  (transforms installs beam_release: undone below)

    if mode == "before":
        from apache_beam.options.value_provider import RuntimeValueProvider

        from curation.dedup import normalize

        tokenizer.LONG_ENCODE = 1 << 62
        normalize.normalize = normalize._normalize_piece  # shingle_hashes calls it by this name
        RuntimeValueProvider.set_runtime_options = beam_release._original
        RuntimeValueProvider.experiments = RuntimeValueProvider.experiments - {beam_release.FLAG}
    sys.exit(cli.main(argv))


BASE_TREE: Path | None = None  # --base-tree: the checkout mode "base" runs


def measure(mode: str, argv: list[str]) -> dict:
    t0 = time.time()
    tree = BASE_TREE if mode == "base" else ROOT
    proc = subprocess.Popen([sys.executable, __file__, "--child", "new" if mode == "base" else mode, *argv], cwd=tree,
                            env={**os.environ, "PYTHONPATH": str(tree)}, stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{mode}: curate {' '.join(argv)} failed")
    return {"rss_mb": ru.ru_maxrss / 1024, "wall": time.time() - t0, "cpu": ru.ru_utime + ru.ru_stime}


def digest(out: Path, command: str) -> str:
    if command == "build-shards":
        return json.loads((out / "manifest.json").read_text())["fingerprint"] + (out / "stats.json").read_text()
    h = hashlib.sha256()
    for sub in ("documents", "rejected"):
        for f in sorted((out / sub).rglob("*")):
            if f.is_file():
                h.update(f.relative_to(out).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest() + (out / "stats.json").read_text()


def run(command: str, books: Path, work: Path, tag: str, mode: str) -> dict:
    out = work / f"out-{command}-{tag}-{mode}"
    shutil.rmtree(out, ignore_errors=True)
    if command == "build-shards":
        argv = ["build-shards", "--books", str(books), "--output", str(out), "--no-resume"]
    elif command == "extract":
        argv = ["extract", "--books", str(books), "--output", str(out)]
    else:  # filter reads extract's documents (as shipped: the same for both modes)
        src = work / f"out-extract-{tag}-new"
        if not (src / "documents").exists():
            measure("new", ["extract", "--books", str(books), "--output", str(src)])
        argv = ["filter", "--input", str(src / "documents"), "--output", str(out)]
    res = measure(mode, argv)
    res["digest"] = digest(out, command)
    return res


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3:])
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=50)
    ap.add_argument("--books", type=int, default=500)
    ap.add_argument("--commands", nargs="+", default=["build-shards", "extract", "filter"])
    ap.add_argument("--work", default=None, help="a folder for the books and outputs (default: a temporary one)")
    ap.add_argument("--modes", nargs="+", default=["new", "before"], choices=["new", "before", "base"])
    ap.add_argument("--base-tree", type=Path, help="the checkout that mode base runs")
    args = ap.parse_args()
    global BASE_TREE
    BASE_TREE = args.base_tree.resolve() if args.base_tree else None
    if "base" in args.modes and BASE_TREE is None:
        ap.error("mode base needs --base-tree")
    modes = list(args.modes)
    if "new" not in modes:
        modes.insert(0, "new")
    work = Path(args.work or tempfile.mkdtemp(prefix="long-document-"))
    one, many = make_books(work, args.mb, args.books)
    size_mb = (one / "salad.txt").stat().st_size / 2**20
    print(f"one book of {size_mb:.1f} MB on one line; the same text as {args.books} books ({work})", flush=True)
    table = []
    for command in args.commands:
        res = {}
        for tag, books in (("one", one), ("many", many)):
            for mode in modes:
                res[tag, mode] = r = run(command, books, work, tag, mode)
                print(f"{command:12} {tag:4} {mode:6} peak {r['rss_mb']:7.0f} MB  wall {r['wall']:6.1f} s  "
                      f"CPU {r['cpu']:6.1f} s", flush=True)
        table.append((command, res))
    print(f"\n| command | mode | one {size_mb:.0f} MB line: peak RSS | {args.books} books: peak RSS | one minus many | "
          "(one minus many) / text | wall one / many | outputs equal new's (one, many) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for command, res in table:
        for mode in modes:
            o, m = res["one", mode], res["many", mode]
            same = tuple(res[t, "new"]["digest"] == res[t, mode]["digest"] for t in ("one", "many"))
            print(f"| {command} | {mode} | {o['rss_mb']:,.0f} MB | {m['rss_mb']:,.0f} MB | {o['rss_mb'] - m['rss_mb']:,.0f} MB | "
                  f"{(o['rss_mb'] - m['rss_mb']) / size_mb:.1f}x | {o['wall'] / m['wall']:.2f}x | {same[0]}, {same[1]} |")


if __name__ == "__main__":
    main()
