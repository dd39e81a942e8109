"""text-dedup 0.4.0 as a dedup peer: its local (no Spark) MinHash on the bench corpus.

    python bench/_textdedup.py bench/_work/dedup/corpus-2000-0 [--workers 2]

Runs, in its own venv (bench/.venvs/textdedup, _peers.textdedup_python()):

    python -m text_dedup.minhash --path json --data_files 'CORPUS/parts/*.jsonl' --split train
        --column text --num_proc W --output OUT/output --cache_dir OUT/cache
        --ngram 5 --num_perm 250 --threshold 0.8

Settings and why:
- word 5-grams (--ngram 5, also its default), the unit of the corpus ground truth and of curate;
  its tokens are the lowercased text split at every \\W character, so ", " leaves an empty token
  in the n-grams (near, not equal, to the ground truth's \\w+ tokens);
- 250 permutations (--num_perm 250, its default and the issue's anchor);
- threshold 0.8 (its default is 0.7) to match curate and datatrove; from it text-dedup picks
  the LSH bands itself (optimal_param, equal false-positive/negative weights): 16 bands x 15
  rows at 0.8 / 250, so 240 of the 250 values are used;
- everything else at its defaults: sha1 hashes, 64-bit, min_length 5 (shorter documents are
  dropped; the bench corpus has none), seed 42. It does no Jaccard verification: every LSH
  candidate pair is unioned, and each union-find cluster keeps its lowest-index document.
- the four JSONL parts go in as one glob (--data_files takes a single string, which datasets
  expands); --split train is the name datasets gives a split built from data_files.

The measured command is text-dedup alone (JSON loading, hashing, clustering, save_to_disk) and
its worker processes; the cache and output live in CORPUS/out-textdedup, emptied before each
run, so every run starts cold. Removed ids = input ids minus the ids in its output dataset.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _peers import textdedup_python  # noqa: E402

PARTS = 4


def textdedup_command(py: Path, corpus: Path, out: Path, workers: int, threshold: float, num_perm: int) -> list[str]:
    return [
        str(py), "-m", "text_dedup.minhash",
        "--path", "json", "--data_files", str(corpus / "parts" / "*.jsonl"), "--split", "train",
        "--column", "text", "--num_proc", str(workers),
        "--output", str(out / "output"), "--cache_dir", str(out / "cache"),
        "--ngram", "5", "--num_perm", str(num_perm), "--threshold", str(threshold),
    ]


def _input_ids(corpus: Path) -> set[str]:
    parts = sorted((corpus / "parts").glob("*.jsonl"))
    if len(parts) != PARTS:
        sys.exit(f"expected {PARTS} parts under {corpus / 'parts'}, found {len(parts)}")
    ids = set()
    for f in parts:
        with open(f, encoding="utf-8") as fh:
            ids.update(json.loads(line)["id"] for line in fh)
    return ids


def _output_ids(folder: Path) -> list[str]:
    """ids of the dataset save_to_disk wrote: Arrow IPC streams, readable without datasets."""
    import pyarrow as pa

    files = sorted(folder.glob("data-*.arrow"))
    if not files:
        sys.exit(f"text-dedup wrote no data-*.arrow under {folder}")
    ids = []
    for f in files:
        with pa.memory_map(str(f)) as src:
            ids.extend(pa.ipc.open_stream(src).read_all().column("id").to_pylist())
    return ids


def run_textdedup(corpus: Path, workers: int, run_measured, threshold: float = 0.8,
                  num_perm: int = 250) -> tuple[dict, set[str]]:
    """(run_measured's metrics, removed ids) for text-dedup's MinHash on the corpus."""
    py = textdedup_python()
    out = corpus / "out-textdedup"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    # Offline, and its Hugging Face cache kept inside the run folder: nothing is fetched and
    # no earlier run's cache can make a later one faster. tqdm bars would only fill the pipe.
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "HF_HOME": str(out / "hf_home"),
           "TQDM_DISABLE": "1"}
    m = run_measured(textdedup_command(py, corpus, out, workers, threshold, num_perm), env=env)
    inputs = _input_ids(corpus)
    kept = _output_ids(out / "output")
    if len(kept) != len(set(kept)) or not set(kept) <= inputs:
        sys.exit(f"text-dedup output under {out} does not match the input ids")
    return m, inputs - set(kept)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    import dedup

    m, removed = run_textdedup(args.corpus.resolve(), args.workers, dedup.run_measured)
    truth = [json.loads(line) for line in open(args.corpus / "truth.jsonl")]
    print(json.dumps({"seconds": round(m["seconds"], 2), "peak_rss_mb": round(m["peak_rss_mb"]),
                      **dedup.score(truth, removed)}))


if __name__ == "__main__":
    main()
