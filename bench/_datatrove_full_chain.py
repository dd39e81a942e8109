"""datatrove 0.10.1's whole web chain, for bench/chain.py (runs inside bench/.venvs/datatrove,
imports nothing from this project).

    python _datatrove_full_chain.py speed WARC_DIR OUT_DIR LID_MODEL WORKERS
    python _datatrove_full_chain.py extract PAGES.jsonl OUT.jsonl

speed: WarcReader -> Trafilatura -> LanguageFilter (English, score > 0.65) -> GopherRepetitionFilter
-> GopherQualityFilter -> C4QualityFilter -> JsonlWriter, all with datatrove's defaults, one task
per file, LocalPipelineExecutor with WORKERS workers. LanguageFilter fetches lid.176 over the
network the first time; here its model object is handed the local LID_MODEL file instead (the
same file curate uses), so its own predict() and filter() run unchanged. Prints one JSON line:
seconds, pages into extraction, extracted, timeouts, kept documents.

extract: the text datatrove's Trafilatura step returns for each page of PAGES.jsonl
({"key", "html"} per line), written as {"key", "text"} lines; bench/chain.py scores them with
bench/extract_quality.py's token P/R/F1.
"""

import json
import sys
import time
from pathlib import Path

from datatrove.pipeline.filters import LanguageFilter


class LocalLanguageFilter(LanguageFilter):
    """datatrove's LanguageFilter with the model read from a local file (no download)."""

    def __init__(self, model_path: str, **kw):
        super().__init__(**kw)
        self.model_path = model_path

    def run(self, data, rank: int = 0, world_size: int = 1):
        if self.model._model is None:  # loaded in the worker: fastText models do not pickle
            from fasttext.FastText import _FastText

            self.model._model = _FastText(self.model_path)
        return super().run(data, rank, world_size)


def _stat(stats: list, step: str, key: str) -> int:
    for s in stats:
        if step in s["name"]:
            v = s["stats"].get(key, 0)
            return int(v["total"] if isinstance(v, dict) else v)
    return 0


def _plain(name: str) -> str:
    """'🛢 - EXTRAC: ⛏ Trafilatura' -> 'EXTRAC: Trafilatura'."""
    return " ".join("".join(c for c in name.split(" - ")[-1] if c.isascii()).split())


def speed(warc_dir: str, out_dir: str, model: str, workers: int) -> None:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.extractors import Trafilatura
    from datatrove.pipeline.filters import C4QualityFilter, GopherQualityFilter, GopherRepetitionFilter
    from datatrove.pipeline.readers import WarcReader
    from datatrove.pipeline.writers import JsonlWriter

    files = sorted(p.name for p in Path(warc_dir).iterdir())
    t0 = time.perf_counter()
    LocalPipelineExecutor(
        pipeline=[
            WarcReader(warc_dir, glob_pattern="*.warc.gz"),
            Trafilatura(),
            LocalLanguageFilter(model, languages=["en"]),
            GopherRepetitionFilter(),
            GopherQualityFilter(),
            C4QualityFilter(),
            JsonlWriter(f"{out_dir}/docs", compression=None),
        ],
        tasks=len(files), workers=workers, logging_dir=f"{out_dir}/logs", skip_completed=False,
    ).run()
    seconds = time.perf_counter() - t0
    stats = json.loads(Path(out_dir, "logs", "stats.json").read_text())
    kept = sum(1 for f in Path(out_dir, "docs").glob("*.jsonl") for _ in open(f, encoding="utf-8"))
    print(json.dumps({
        "seconds": seconds,
        "pages": _stat(stats, "Trafilatura", "total"),
        "extracted": _stat(stats, "Trafilatura", "forwarded"),
        "timeouts": _stat(stats, "Trafilatura", "timeout"),
        "kept": kept,
        # wall seconds per step as datatrove times them, summed over tasks
        "step_s": {_plain(x["name"]): (x.get("time_stats") or {}).get("total", 0.0) for x in stats},
    }))


def extract(pages: str, out: str) -> None:
    from datatrove.pipeline.extractors import Trafilatura

    ex = Trafilatura()
    with open(pages, encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
        for line in src:
            page = json.loads(line)
            text = ex.extract(page["html"])  # the call its run() makes inside the sandbox
            dst.write(json.dumps({"key": page["key"], "text": text or ""}) + "\n")


if __name__ == "__main__":  # LocalPipelineExecutor spawns its workers: keep the guard
    if sys.argv[1] == "speed":
        speed(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        extract(sys.argv[2], sys.argv[3])
