"""The whole web chain, WARC -> documents -> language ID -> quality filters, curate against
datatrove's equivalent chain in the same run (issue 3 "Speed"; docs/contracts.md "Figures
restated": the 11.8 docs/s datatrove anchor covers this chain, not extraction alone).

    python bench/chain.py [--rounds 2] [--skip-datatrove] [--skip-beam] [--profile FILE]

Inputs: the WARC files of ../shared/data/web that datatrove can read to the end (the six of
bench/ingest.py). The two truncated ones (resiliparse/clipped, ukwa/*truncated*) raise EOFError
inside datatrove's WarcReader and abort its whole run; curate reads them as counted partial
reads, shown on its own line. The WET file is text already: no extraction to measure.

Chains (the same rules; each tool's own implementation):
  curate           iter_warc (FastWARC) -> HtmlExtractor (trafilatura, ExtractConfig) -> langid stage
                   (repair, lid.176, English only, score >= 0.65 on the whole text) -> quality stage
                   (Gopher quality, Gopher repetition, C4 with datatrove's profile; FineWeb off since
                   datatrove's chain here has none): in one process, and as a Beam pipeline
                   (pipelines.read.ReadAndExtract | pipelines.quality.LangId | Quality) on the
                   DirectRunner with 1 worker (in_memory) and 2 workers (multi_processing);
  curate default   the shipped config (every language kept, FineWeb on), in one process, speed only;
  datatrove 0.10.1 WarcReader -> Trafilatura -> LanguageFilter(en, 0.65; model from the same local
                   lid.176 file) -> GopherRepetition -> GopherQuality -> C4Quality -> JsonlWriter,
                   LocalPipelineExecutor with 1 and 2 workers, run by bench/_datatrove_full_chain.py in
                   bench/.venvs/datatrove (installed on first use).
Configurations alternate A B A B, each at most --rounds times; the best round of each is kept.

Figures: pages/s (HTML pages entering extraction, each tool's own count), MB/s of WARC input
(the same bytes for every chain: the like-for-like ratio), both per wall-clock second and per
CPU-second of the whole process tree (robust on a shared machine; for 2 workers the per-core
figure), kept documents; start-up (each Beam/datatrove run repeated on a one-page WARC) and the
rate net of it; where each tool's time goes by stage; then extraction F1 of both extractors on ../shared/data/extraction with
bench/extract_quality.py's scoring. --profile FILE writes cProfile stats of one in-process curate
run and prints where time goes.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # before bench/ (the script's folder), whose filters.py would shadow the package
sys.path.insert(1, str(ROOT / "bench"))
from _peers import GOOD_WARCS, datatrove_python, link_warcs  # noqa: E402

from curation import fasttext_model  # noqa: E402
from curation.config import PipelineConfig, from_mapping, to_dict  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
WORK = ROOT / "bench" / "_work"
WARCS = WORK / "chain_warcs"
ONE = WORK / "chain_warcs_one"  # one page: what a run costs before any real work (start-up)
HELPER = ROOT / "bench" / "_datatrove_full_chain.py"
GOOD = GOOD_WARCS
TINY = ["cc-whirlwind/whirlwind.warc.gz"]
TRUNCATED = ["resiliparse/clipped.warc.gz", "ukwa/IAH-20080430204825-00000-blackbook-truncated.warc.gz"]


def link_inputs(folder: Path = WARCS, rels: list[str] = GOOD) -> list[Path]:
    return link_warcs(folder, rels)


def same_chain_config() -> PipelineConfig:
    """datatrove's decisions (bench/filters.py's parity config), FineWeb off as in its chain here."""
    d = to_dict(PipelineConfig())
    d["langid"].update(allowlist=["en"], method="whole", min_chars=1, min_score=0.65, sources=["web"], min_score_sources=["web"])
    d["quality"]["c4"]["profile"] = "datatrove"
    d["quality"]["fineweb"]["enabled"] = False
    return from_mapping(PipelineConfig, d)


class Clock:
    """Wall time and CPU time of this process and all its descendants.

    RUSAGE_CHILDREN counts only children that were waited for, and a pool's workers are often
    not (datatrove's 2-worker pool showed under 2 CPU-seconds): so the descendants are also
    sampled from /proc every 0.25 s, and the larger of the two figures is kept (both are lower
    bounds). The sampler's own CPU is subtracted from this process's.
    """

    TICK = os.sysconf("SC_CLK_TCK")

    def __enter__(self):
        self._stop = threading.Event()
        self._seen: dict[int, float] = {}
        self._sampler_cpu = 0.0
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.wall = time.perf_counter()
        self._self0, self._child0 = self._rusage()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self._stop.set()
        self._thread.join()
        own, children = self._rusage()
        own -= self._self0 + self._sampler_cpu
        children -= self._child0
        self.cpu = own + max(children, sum(self._seen.values()))

    @staticmethod
    def _rusage() -> tuple[float, float]:
        s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return s.ru_utime + s.ru_stime, c.ru_utime + c.ru_stime

    def _sample(self) -> None:
        me = os.getpid()
        while True:
            t0 = time.thread_time()
            parent, cpu = {}, {}
            for d in os.listdir("/proc"):
                if not d.isdigit():
                    continue
                try:
                    with open(f"/proc/{d}/stat") as fh:
                        fields = fh.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue  # exited meanwhile
                parent[int(d)] = int(fields[1])
                cpu[int(d)] = (int(fields[11]) + int(fields[12])) / self.TICK  # utime + stime
            for pid in cpu:
                p, hops = parent.get(pid), 0
                while p and p != me and hops < 20:
                    p, hops = parent.get(p), hops + 1
                if p == me and pid != me:
                    self._seen[pid] = max(self._seen.get(pid, 0.0), cpu[pid])
            self._sampler_cpu += time.thread_time() - t0
            if self._stop.wait(0.25):
                return


# ---------------------------------------------------------------- curate, one process
def curate_in_process(files: list[Path], cfg: PipelineConfig) -> dict:
    from curation.extract import HtmlExtractor
    from curation.readers.warc import iter_warc
    from filters import registry
    from filters.base import run_chain

    ex = HtmlExtractor(cfg.read.extract)
    ex.setup()
    lid, quality = registry.langid_filters(cfg), registry.quality_filters(cfg)
    for f in lid + quality:
        f.setup()  # model loads, as a worker's setup(): outside the timed region
    pages = kept = failed = 0
    spent = dict.fromkeys(("read", "extract", "langid", "quality"), 0.0)  # CPU-s per stage
    cpu = time.process_time
    with Clock() as clock:
        for f in files:
            records = iter(iter_warc(str(f), f.name, cfg.read.web, cfg.read.max_doc_chars))
            while True:
                t0 = cpu()
                o = next(records, None)
                t1 = cpu()
                spent["read"] += t1 - t0
                if o is None:
                    break
                if not o.kept:
                    failed += o.kind == "failed"
                    continue
                pages += 1
                doc = o.doc
                res = ex.extract(doc.text, doc.metadata.get("url") or None)
                t2 = cpu()
                spent["extract"] += t2 - t1
                if res.kind != "out":
                    continue
                r = run_chain(type(doc)(doc.id, res.text, doc.source, doc.metadata), lid, "langid")
                t3 = cpu()
                spent["langid"] += t3 - t2
                if r.keep:
                    kept += run_chain(r.doc, quality, "quality").keep
                    spent["quality"] += cpu() - t3
    return {"pages": pages, "kept": kept, "read_failed": failed, "wall": clock.wall, "cpu": clock.cpu, "spent": spent}


# ---------------------------------------------------------------- curate on Beam
def curate_beam(files: list[Path], cfg: PipelineConfig, workers: int) -> dict:
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions

    from curation.inputs import resolve_inputs
    from pipelines.langid import LangId
    from pipelines.quality import Quality
    from pipelines.read import ReadAndExtract
    from pipelines.transforms import COUNTS, DOCS, SumCounts

    inputs = resolve_inputs(web=[str(f.resolve()) for f in files])  # the real files: a symlink out of its root is skipped
    out = WORK / f"chain_beam_counts_{workers}.json"
    out.unlink(missing_ok=True)
    mode = "in_memory" if workers == 1 else "multi_processing"
    opts = PipelineOptions([f"--direct_num_workers={workers}", f"--direct_running_mode={mode}"])

    def write(counts, path=str(out)):
        Path(path).write_text(json.dumps([[list(k), n] for k, n in counts]))

    with Clock() as clock:
        with beam.Pipeline(options=opts) as p:
            read = p | "Read" >> ReadAndExtract(inputs, cfg.read)
            lang = read[DOCS] | "LangId" >> LangId(cfg)
            qual = lang[DOCS] | "Quality" >> Quality(cfg)
            _ = (
                (read[COUNTS], lang[COUNTS], qual[COUNTS])
                | SumCounts()
                | beam.combiners.ToList()
                | beam.Map(write)
            )
    counts = {tuple(k): n for k, n in json.loads(out.read_text())}
    pages = sum(n for (stage, _s, kind, _r), n in counts.items() if stage == "extract" and kind == "in")
    kept = sum(n for (stage, _s, kind, _r), n in counts.items() if stage == "quality" and kind == "out")
    return {"pages": pages, "kept": kept, "wall": clock.wall, "cpu": clock.cpu}


# ---------------------------------------------------------------- datatrove
def ensure_venv() -> Path:
    return datatrove_python()


def datatrove_chain(py: Path, workers: int, folder: Path = WARCS) -> dict:
    out = WORK / f"datatrove_chain_{workers}_{folder.name}"
    shutil.rmtree(out, ignore_errors=True)
    with Clock() as clock:
        res = subprocess.run([str(py), str(HELPER), "speed", str(folder), str(out), str(fasttext_model.lid176_path()), str(workers)],
                             capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"datatrove chain failed:\n{res.stderr[-3000:]}")
    r = json.loads(res.stdout.strip().splitlines()[-1])
    # Its own wall time leaves out interpreter start and imports, like the Beam figures do not:
    # take the inner time (in its favour), CPU of the whole process tree.
    return {"pages": r["pages"], "kept": r["kept"], "timeouts": r["timeouts"], "wall": r["seconds"], "cpu": clock.cpu,
            "step_s": r["step_s"]}


# ---------------------------------------------------------------- extraction F1
def extraction_f1(py: Path | None) -> dict:
    sys.path.append(str(ROOT / "bench"))
    from extract_quality import load, prf

    from curation.config import ExtractConfig
    from curation.extract import HtmlExtractor

    pages = load(SHARED / "extraction", None)
    ex = HtmlExtractor(ExtractConfig())
    ex.setup()
    ours = {key: ex.extract(html, url).text for key, html, url, _ in pages}
    texts = {"curate": ours}
    if py:
        src, dst = WORK / "chain_f1_pages.jsonl", WORK / "chain_f1_datatrove.jsonl"
        with open(src, "w", encoding="utf-8") as fh:
            for key, html, _url, _ in pages:
                fh.write(json.dumps({"key": key, "html": html}) + "\n")
        subprocess.run([str(py), str(HELPER), "extract", str(src), str(dst)], check=True, capture_output=True)
        texts["datatrove"] = {r["key"]: r["text"] for r in map(json.loads, open(dst, encoding="utf-8"))}
    result = {}
    for tool, by_key in texts.items():
        scores = [prf(by_key[key], gold) for key, _h, _u, gold in pages]
        result[tool] = tuple(statistics.fmean(s[i] for s in scores) for i in range(3))
    return result


def profile(files: list[Path], cfg: PipelineConfig, path: Path) -> None:
    import cProfile
    import pstats

    cProfile.runctx("curate_in_process(files, cfg)", globals(), {"files": files, "cfg": cfg}, str(path))
    st = pstats.Stats(str(path))
    total = st.total_tt
    print(f"\nprofile of one in-process curate run ({total:.1f} s under cProfile), cumulative time:")
    wanted = [
        ("read (iter_warc)", "warc.py", "iter_warc"),
        ("extract (trafilatura.extract)", "core.py", "extract"),
        ("  html depth scan", "extract.py", "max_depth"),
        ("langid stage", "base.py", "run_chain"),
    ]
    for label, fname, func in wanted:
        cum = sum(v[3] for k, v in st.stats.items() if k[0].endswith(fname) and k[2] == func)
        print(f"  {label:32s} {cum:7.2f} s  {100 * cum / total:5.1f}%")
    for name in ("apply",):
        for k, v in sorted(st.stats.items(), key=lambda kv: -kv[1][3]):
            if k[2] == name and "/filters/" in k[0]:
                print(f"  filter {Path(k[0]).stem:25s} {v[3]:7.2f} s  {100 * v[3] / total:5.1f}%")
    st.sort_stats("tottime").print_stats(12)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--skip-datatrove", action="store_true")
    ap.add_argument("--skip-beam", action="store_true")
    ap.add_argument("--skip-f1", action="store_true")
    ap.add_argument("--profile", type=Path, help="write cProfile stats of one in-process curate run here")
    args = ap.parse_args(argv)
    logging.getLogger("curate").setLevel(logging.ERROR)
    for name in ("trafilatura", "htmldate", "justext", "apache_beam", "readability"):
        logging.getLogger(name).setLevel(logging.ERROR)

    files = link_inputs()
    mb = sum(f.stat().st_size for f in files) / 1e6
    print(f"inputs: {len(files)} WARC files, {mb:.2f} MB compressed; {os.cpu_count()} cores on this machine (shared)")
    same, default = same_chain_config(), PipelineConfig()
    if args.profile:
        profile(files, same, args.profile)
        return 0
    py = None if args.skip_datatrove else ensure_venv()

    tiny = link_inputs(ONE, TINY)
    plan = [("curate, 1 process", lambda: curate_in_process(files, same), 1)]
    if py:
        plan.append(("datatrove, 1 worker", lambda: datatrove_chain(py, 1), 1))
    if not args.skip_beam:
        plan.append(("curate Beam, 1 worker", lambda: curate_beam(files, same, 1), 1))
    if py:
        plan.append(("datatrove, 2 workers", lambda: datatrove_chain(py, 2), 2))
    if not args.skip_beam:
        plan.append(("curate Beam, 2 workers", lambda: curate_beam(files, same, 2), 2))
    plan.append(("curate default config, 1 process", lambda: curate_in_process(files, default), 1))
    # Start-up: the same runs on a one-page input (pipeline construction, worker start, imports).
    if py:
        plan.append(("datatrove, 1 worker, 1 page", lambda: datatrove_chain(py, 1, ONE), 1))
        plan.append(("datatrove, 2 workers, 1 page", lambda: datatrove_chain(py, 2, ONE), 2))
    if not args.skip_beam:
        plan.append(("curate Beam, 1 worker, 1 page", lambda: curate_beam(tiny, same, 1), 1))
        plan.append(("curate Beam, 2 workers, 1 page", lambda: curate_beam(tiny, same, 2), 2))
    runs: dict[str, list[dict]] = {}
    for r in range(args.rounds):
        for name, fn, _w in plan:
            res = fn()
            runs.setdefault(name, []).append(res)
            print(f"  round {r + 1}: {name:34s} {res['wall']:6.1f} s wall, {res['cpu']:6.1f} s CPU", flush=True)
    best = {k: min(v, key=lambda x: x["wall"]) for k, v in runs.items()}
    workers = {name: w for name, _f, w in plan}

    full = {k: v for k, v in best.items() if not k.endswith("1 page")}
    print(f"\nWARC -> extract -> language ID -> quality (best of {args.rounds} alternated rounds)")
    print(f"  {'chain':34s} {'pages':>5s} {'kept':>4s} {'pages/s':>8s} {'/core':>6s} {'MB/s/core':>9s} {'pages/CPU-s':>11s} {'MB/CPU-s':>8s}")
    for name, r in full.items():
        w = workers[name]
        extra = f"  ({r['timeouts']} timeouts)" if r.get("timeouts") else ""
        print(f"  {name:34s} {r['pages']:5d} {r['kept']:4d} {r['pages'] / r['wall']:8.2f} {r['pages'] / r['wall'] / w:6.2f} "
              f"{mb / r['wall'] / w:9.3f} {r['pages'] / r['cpu']:11.2f} {mb / r['cpu']:8.3f}{extra}")

    if "curate, 1 process" in full:
        spent = full["curate, 1 process"]["spent"]
        total = sum(spent.values())
        print("\nwhere curate's time goes (1 process, CPU-s by stage): " + ", ".join(
            f"{k} {v:.2f} s ({100 * v / total:.0f}%)" for k, v in spent.items()))
    if "datatrove, 1 worker" in full:
        steps = {k: v for k, v in full["datatrove, 1 worker"]["step_s"].items() if v}
        total = sum(steps.values())
        print("where datatrove's time goes (1 worker, its own step timers, wall s): " + ", ".join(
            f"{k} {v:.2f} s ({100 * v / total:.0f}%)" for k, v in steps.items()))

    # Start-up (the 1-page runs) taken off: the rate a long input would see.
    net = {}
    starts = [(k, k + ", 1 page") for k in full if k + ", 1 page" in best]
    if starts:
        print("\nstart-up (same run on a 1-page WARC) and the rate net of it")
        print(f"  {'chain':34s} {'start s':>7s} {'start CPU-s':>11s} {'net pages/s':>11s} {'net pages/CPU-s':>15s}")
        for k, k1 in starts:
            r, r1 = full[k], best[k1]
            dw, dc, dp = r["wall"] - r1["wall"], r["cpu"] - r1["cpu"], r["pages"] - r1["pages"]
            net[k] = {"pages": dp, "wall": dw, "cpu": dc}
            print(f"  {k:34s} {r1['wall']:7.1f} {r1['cpu']:11.1f} {dp / dw:11.2f} {dp / dc:15.2f}")

    if py:
        print("\nratios curate / datatrove (pages/s by each tool's own page count; MB/s: the same bytes, i.e. the time ratio)")
        pairs = (("curate, 1 process", "datatrove, 1 worker"), ("curate Beam, 1 worker", "datatrove, 1 worker"),
                 ("curate Beam, 2 workers", "datatrove, 2 workers"))
        for label, table in (("as run", full), ("net of start-up", net)):
            for ours, theirs in pairs:
                if ours in table and theirs in table:
                    o, t = table[ours], table[theirs]
                    print(f"  {label:16s} {ours:24s} vs {theirs:20s}  wall: pages/s {(o['pages'] / o['wall']) / (t['pages'] / t['wall']):5.2f}x"
                          f"  MB/s {t['wall'] / o['wall']:5.2f}x   per CPU-s: pages {(o['pages'] / o['cpu']) / (t['pages'] / t['cpu']):5.2f}x"
                          f"  MB {t['cpu'] / o['cpu']:5.2f}x")

    # The two truncated files datatrove cannot finish: curate's partial reads, one pass.
    trunc = [SHARED / "web" / rel for rel in TRUNCATED]
    t = curate_in_process(trunc, same)
    print(f"\ncurate on the truncated files datatrove aborts on: {t['pages']} pages extracted, {t['read_failed']} counted read failures")

    if not args.skip_f1:
        f1 = extraction_f1(py)
        print("\nextraction quality on ../shared/data/extraction (181 pages; bench/extract_quality.py's token P/R/F1)")
        for tool, (p, r, f) in f1.items():
            print(f"  {tool:10s} P {p:.3f}  R {r:.3f}  F1 {f:.3f}")
        if "datatrove" in f1:
            print(f"  F1 curate - datatrove: {f1['curate'][2] - f1['datatrove'][2]:+.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
