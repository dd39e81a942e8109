"""Memory per skipped record: `curate extract` over crawls whose records are mostly skips.

    python bench/reject_memory.py [--records 50000 200000 600000] [--work DIR]

Each crawl is one WARC.gz of N request records (what a crawler writes before every response:
a counted skip and a row of rejected/) and 20 real pages (../shared/data/extraction). Each is
extracted twice by this checkout, in a fresh process each: as shipped (skips past the first
thousand of a bundle wait in spool files, pipelines/reject_spool.py) and with every skip held as
an element until rejected/ is written (SPOOL_AFTER set past N: what curate did before). Prints
peak RSS (the process's own, from wait4), wall and CPU seconds, KB per skipped record above the
smallest crawl, and whether rejected/ and stats.json are byte-identical between the two.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


def make_crawl(path: Path, requests: int, pages: int = 20) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    bodies = [gzip.decompress(p.read_bytes()) for p in sorted((SHARED / "extraction" / "html").iterdir())[:pages]]
    with open(path, "wb") as f:
        w = WARCWriter(f, gzip=True)
        for i in range(requests):
            url = f"http://example.org/{i}"
            h = StatusAndHeaders(f"GET /{i} HTTP/1.1", [("Host", "example.org")], is_http_request=True)
            w.write_record(w.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=h))
        for i, body in enumerate(bodies):
            h = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(f"http://example.org/page/{i}", "response", payload=io.BytesIO(body),
                                                http_headers=h))


def child(mode: str, crawl: str, out: str) -> None:
    """In the measured process: the CLI's extract, spooling as shipped or switched off."""
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]  # bench/filters.py
    from curation import cli
    from pipelines import reject_spool

    if mode == "held":
        reject_spool.SPOOL_AFTER = 1 << 62
    sys.exit(cli.main(["extract", "--web", crawl, "--output", out]))


def measure(mode: str, crawl: Path, out: Path) -> dict:
    t0 = time.time()
    proc = subprocess.Popen([sys.executable, __file__, "--child", mode, str(crawl), str(out)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{mode} run on {crawl} failed")
    return {"rss_mb": ru.ru_maxrss / 1024, "wall": time.time() - t0, "cpu": ru.ru_utime + ru.ru_stime}


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(folder.rglob("*")):
        if f.is_file():
            h.update(f.relative_to(folder).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:5])
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, nargs="+", default=[50_000, 200_000, 600_000])
    ap.add_argument("--work", default=None, help="a folder for the crawls and outputs (default: a temporary one)")
    args = ap.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="reject-memory-"))
    rows = []
    for n in args.records:
        crawl = work / f"crawl-{n}"
        crawl.mkdir(parents=True, exist_ok=True)
        if not (crawl / "a.warc.gz").exists():
            make_crawl(crawl / "a.warc.gz", n)
        res = {}
        for mode in ("spooled", "held"):
            out = work / f"out-{n}-{mode}"
            shutil.rmtree(out, ignore_errors=True)  # a --work folder reused: the outputs are this run's
            res[mode] = measure(mode, crawl, out)
            res[mode]["digest"] = digest(out / "rejected") + digest(out / "documents") + (out / "stats.json").read_text()
        same = res["spooled"]["digest"] == res["held"]["digest"]
        rows.append((n, res, same))
        print(f"{n:>9,} skips  spooled {res['spooled']['rss_mb']:7.0f} MB {res['spooled']['wall']:6.1f} s "
              f"{res['spooled']['cpu']:6.1f} CPU s | held {res['held']['rss_mb']:7.0f} MB {res['held']['wall']:6.1f} s "
              f"{res['held']['cpu']:6.1f} CPU s | outputs identical: {same}", flush=True)
    base_n, base = rows[0][0], rows[0][1]
    print("\n| skipped records | spooled: peak RSS | held (before): peak RSS | ratio | spooled: KB per record above "
          f"{base_n:,} | held: KB per record | wall spooled / held | identical |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for n, res, same in rows:
        per = {m: ((res[m]["rss_mb"] - base[m]["rss_mb"]) * 1024 / (n - base_n)) if n > base_n else float("nan")
               for m in ("spooled", "held")}
        print(f"| {n:,} | {res['spooled']['rss_mb']:.0f} MB | {res['held']['rss_mb']:.0f} MB | "
              f"{res['held']['rss_mb'] / res['spooled']['rss_mb']:.2f}x | {per['spooled']:.2f} | {per['held']:.2f} | "
              f"{res['spooled']['wall'] / res['held']['wall']:.2f}x | {same} |")


if __name__ == "__main__":
    main()
