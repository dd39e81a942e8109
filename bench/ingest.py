"""WARC -> documents: reader choice (FastWARC vs warcio) and read + extract speed per core, next to
datatrove's WarcReader + Trafilatura measured in the same run.

    python bench/ingest.py [--rounds 2] [--skip-datatrove]

Inputs: the well-formed crawl files of ../shared/data/web (Common Crawl excerpt, ClueWeb quirks,
dolma's two wget crawls, the gov.uk crawl, whirlwind), linked under bench/_work/ingest_warcs.
Everything runs in one process on one core, one tool at a time, alternating A B A B; the best
round of each is reported, with ratios.

1. reader: every record through curation.readers.warc.iter_warc (parse, HTTP split, decode) with
   read.web.reader = fastwarc, then warcio: records/s and MB/s of compressed input.
2. read + extract, in-process: iter_warc + HtmlExtractor (curate's ExtractConfig): docs/s, MB/s.
3. read + extract on Beam (DirectRunner, one worker): the same through pipelines.read.
4. datatrove 0.10.1: WarcReader + Trafilatura + JsonlWriter, LocalPipelineExecutor with one
   worker, in bench/.venvs/datatrove (installed on first use), run by bench/_datatrove_ingest.py;
   and the F1 of its Trafilatura step on ../shared/data/extraction (bench/extract_quality.py
   gives ours).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))
from _peers import GOOD_WARCS, datatrove_python, link_warcs  # noqa: E402
SHARED = ROOT.parent / "shared" / "data"
WORK = ROOT / "bench" / "_work"
WARCS = WORK / "ingest_warcs"
FILES = GOOD_WARCS


def link_inputs() -> list[Path]:
    return link_warcs(WARCS, FILES)


def bench_reader(files, reader: str) -> dict:
    from curation.config import WebConfig
    from curation.readers.warc import iter_warc

    cfg = WebConfig(reader=reader)
    t0 = time.perf_counter()
    records = kept = 0
    for f in files:
        for o in iter_warc(str(f), f.name, cfg):
            records += 1
            kept += o.kept
    return {"records": records, "kept": kept, "seconds": time.perf_counter() - t0}


def bench_extract(files) -> dict:
    from curation.config import ReadConfig
    from curation.extract import HtmlExtractor
    from curation.readers.warc import iter_warc

    cfg = ReadConfig()
    ex = HtmlExtractor(cfg.extract)
    ex.setup()
    t0 = time.perf_counter()
    docs = 0
    for f in files:
        for o in iter_warc(str(f), f.name, cfg.web):
            if o.kept and ex.extract(o.doc.text, o.doc.metadata.get("url")).kind == "out":
                docs += 1
    return {"docs": docs, "seconds": time.perf_counter() - t0}


def bench_beam(files) -> dict:
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions

    from curation.config import ReadConfig
    from curation.inputs import resolve_inputs
    from pipelines.read import ReadAndExtract

    inputs = resolve_inputs(web=[str(f) for f in files])
    t0 = time.perf_counter()
    counted = WORK / "beam_docs.txt"
    with beam.Pipeline(options=PipelineOptions(["--direct_num_workers=1", "--direct_running_mode=in_memory"])) as p:
        (p | ReadAndExtract(inputs, ReadConfig()))["docs"] | beam.combiners.Count.Globally() | beam.Map(
            lambda n: counted.write_text(str(n))
        )
    return {"docs": int(counted.read_text()), "seconds": time.perf_counter() - t0}


def ensure_venv() -> Path:
    return datatrove_python()


def bench_datatrove(py: Path) -> dict:
    out = WORK / "datatrove_ingest"
    shutil.rmtree(out, ignore_errors=True)
    res = subprocess.run([str(py), str(ROOT / "bench" / "_datatrove_ingest.py"), "speed", str(WARCS), str(out)],
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--skip-datatrove", action="store_true")
    ap.add_argument("--skip-beam", action="store_true")
    args = ap.parse_args(argv)
    import logging

    logging.getLogger("curate").setLevel(logging.ERROR)
    for name in ("trafilatura", "htmldate", "justext", "apache_beam"):
        logging.getLogger(name).setLevel(logging.ERROR)
    files = link_inputs()
    mb = sum(f.stat().st_size for f in files) / 1e6
    print(f"inputs: {len(files)} files, {mb:.2f} MB compressed, {os.cpu_count()} cores on this machine, 1 used")

    runs: dict[str, list[dict]] = {}
    py = None if args.skip_datatrove else ensure_venv()
    for _ in range(args.rounds):
        for reader in ("fastwarc", "warcio"):
            runs.setdefault(f"reader {reader}", []).append(bench_reader(files, reader))
        runs.setdefault("curate read+extract", []).append(bench_extract(files))
        if py:
            runs.setdefault("datatrove read+extract", []).append(bench_datatrove(py))
        if not args.skip_beam:
            runs.setdefault("curate read+extract (Beam)", []).append(bench_beam(files))
    best = {k: min(v, key=lambda r: r["seconds"]) for k, v in runs.items()}

    print("\n1. reader (iter_warc: parse, HTTP split, decode), every record")
    for reader in ("fastwarc", "warcio"):
        r = best[f"reader {reader}"]
        print(f"  {reader:9s} {r['records'] / r['seconds']:9.0f} records/s  {mb / r['seconds']:7.2f} MB/s   "
              f"({r['records']} records, {r['kept']} kept)")
    ratio = best["reader warcio"]["seconds"] / best["reader fastwarc"]["seconds"]
    print(f"  fastwarc / warcio speed: {ratio:.2f}x")

    print("\n2. WARC -> documents (read + trafilatura), per core")
    for name in ("curate read+extract", "curate read+extract (Beam)", "datatrove read+extract"):
        if name in best:
            r = best[name]
            print(f"  {name:28s} {r['docs'] / r['seconds']:7.2f} docs/s  {mb / r['seconds']:6.3f} MB/s   ({r['docs']} docs, {r['seconds']:.1f} s)")
    if "datatrove read+extract" in best:
        d = best["datatrove read+extract"]
        for name in ("curate read+extract", "curate read+extract (Beam)"):
            if name in best:
                c = best[name]
                print(f"  ratio {name} / datatrove: {(c['docs'] / c['seconds']) / (d['docs'] / d['seconds']):.2f}x docs/s")
        q = subprocess.run([str(py), str(ROOT / "bench" / "_datatrove_ingest.py"), "quality", str(SHARED / "extraction")],
                           capture_output=True, text=True, check=True)
        dq = json.loads(q.stdout.strip().splitlines()[-1])
        print(f"\n3. extraction F1 on ../shared/data/extraction: datatrove's Trafilatura step {dq['f1']:.3f} "
              f"(P {dq['precision']:.3f}, R {dq['recall']:.3f}); curate's: python bench/extract_quality.py")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
