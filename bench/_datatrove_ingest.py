"""datatrove 0.10.1's WARC extraction stack, for bench/ingest.py (runs inside bench/.venvs/datatrove,
imports nothing from this project).

    python _datatrove_ingest.py speed WARC_DIR OUT_DIR        # WarcReader + Trafilatura + JsonlWriter
    python _datatrove_ingest.py quality EXTRACTION_DIR         # token P/R/F1 of its Trafilatura step

speed: one task per file, one worker (a per-core figure), datatrove's defaults (Trafilatura:
favour_precision=True, deduplicate=True, timeout=1 s in its sandbox process). Prints JSON.
"""

import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path


def speed(warc_dir: str, out_dir: str) -> None:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.extractors import Trafilatura
    from datatrove.pipeline.readers import WarcReader
    from datatrove.pipeline.writers import JsonlWriter

    files = sorted(p.name for p in Path(warc_dir).iterdir())
    t0 = time.perf_counter()
    LocalPipelineExecutor(
        pipeline=[WarcReader(warc_dir, glob_pattern="*.warc.gz"), Trafilatura(), JsonlWriter(f"{out_dir}/docs", compression=None)],
        tasks=len(files), workers=1, logging_dir=f"{out_dir}/logs", skip_completed=False,
    ).run()
    seconds = time.perf_counter() - t0
    docs = sum(1 for f in Path(out_dir, "docs").glob("*.jsonl") for _ in open(f, encoding="utf-8"))
    print(json.dumps({"docs": docs, "seconds": seconds}))


_TOKEN = re.compile(r"\w+", re.U)


def _prf(pred, gold):
    p = Counter(t.lower() for t in _TOKEN.findall(pred or ""))
    g = Counter(t.lower() for t in _TOKEN.findall(gold or ""))
    o = sum((p & g).values())
    pr = o / sum(p.values()) if p else 0.0
    rc = o / sum(g.values()) if g else 0.0
    return pr, rc, (2 * pr * rc / (pr + rc) if pr + rc else 0.0)


def quality(data: str) -> None:
    from datatrove.pipeline.extractors import Trafilatura

    ex = Trafilatura()
    truth = json.loads(Path(data, "ground-truth.json").read_text(encoding="utf-8"))
    scores, seconds = [], 0.0
    for key in sorted(truth):
        html = gzip.decompress(Path(data, "html", f"{key}.html.gz").read_bytes()).decode("utf-8", errors="replace")
        t0 = time.perf_counter()
        text = ex.extract(html)  # the same call its run() makes inside the sandbox
        seconds += time.perf_counter() - t0
        scores.append(_prf(text, truth[key]["articleBody"]))
    p, r, f = (statistics.fmean(s[i] for s in scores) for i in range(3))
    print(json.dumps({"precision": p, "recall": r, "f1": f, "ms_per_page": 1000 * seconds / len(scores)}))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "speed":
        speed(sys.argv[2], sys.argv[3])
    else:
        quality(sys.argv[2])
