"""Tokenizer and shard figures (issue 6), each beside its baseline measured in the same run.

1. Tokenizer training: time and peak RSS of train_sentencepiece at the default settings
   (vocab 32,000, BPE, byte fallback) on --train-mb megabytes of text, each size in its own
   child process so its peak RSS is its own (os.wait4).
2. Text -> shards, MB of UTF-8 text per second on one core: bare sentencepiece
   ``encode(text)`` (the baseline) vs curate's plain path (encode_document, hash order, Parquet
   write, sha256) vs the Beam path (documents Parquet -> Tokenize | WriteShards on the
   DirectRunner, one worker, start-up included).
   Runs alternate A B A B; the best of --repeats is kept.
3. Shards -> token batches, tokens per second on one core: iter_token_blocks into [batch, seq+1]
   int64 windows vs the same windows cut from a flat uint16 .bin (nanoGPT's format) in memory.

Text: real files, distinct, in a fixed order: ../shared/data books and UDHR translations, then
the Python standard library and installed packages (.py .txt .md .rst .c .h).

    python bench/shards.py --mb 20 --train-mb 20,200
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data"
EXTS = (".py", ".txt", ".md", ".rst", ".c", ".h")
# The text -> shards timings' clock: wall time, or with --cpu this process's CPU time (every
# thread: the DirectRunner with one worker runs in this process), for a machine other work shares.
CLOCK = time.perf_counter


def corpus(mb: float) -> list[tuple[str, str]]:
    """(id, text) pairs of real, distinct text up to ``mb`` megabytes."""
    roots = [DATA / "books", DATA / "langid" / "udhr2", Path(sysconfig.get_paths()["stdlib"]), Path(sysconfig.get_paths()["purelib"])]
    budget, out, seen = int(mb * 1e6), [], set()
    for root in roots:
        for dirpath, dirnames, files in os.walk(root):
            dirnames.sort()
            for f in sorted(files):
                if not f.endswith(EXTS):
                    continue
                p = Path(dirpath) / f
                try:
                    raw = p.read_bytes()
                except OSError:
                    continue
                if not raw or raw in seen or len(raw) > 2_000_000:
                    continue
                seen.add(raw)
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    text = raw.decode("latin-1")
                out.append((f"{root.name}/{p.relative_to(root).as_posix()}", text))
                budget -= len(raw)
                if budget <= 0:
                    return out
    return out


def text_bytes(docs) -> int:
    return sum(len(t.encode("utf-8")) for _, t in docs)


# ---------------------------------------------------------------- 1. training
def _train_child(mb: float, vocab: int, model_out: str) -> None:
    from curation.config import TokenizerConfig
    from curation.tokenizer import train_sentencepiece

    docs = corpus(mb)
    n = text_bytes(docs)
    t0 = time.perf_counter()
    model = train_sentencepiece((t for _, t in docs), TokenizerConfig(vocab_size=vocab))
    dt = time.perf_counter() - t0
    Path(model_out).write_bytes(model)
    print(json.dumps({"mb": n / 1e6, "documents": len(docs), "seconds": dt}))


def bench_training(mb: float, vocab: int, model_out: str, timeout: float) -> dict:
    proc = subprocess.Popen([sys.executable, __file__, "_train", str(mb), str(vocab), model_out], stdout=subprocess.PIPE, text=True)
    deadline = time.time() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.time() > deadline:
            proc.kill()
            os.wait4(proc.pid, 0)
            return {"mb": mb, "timed_out_after_s": timeout}
        time.sleep(0.2)
    out = json.loads(proc.stdout.read().strip().splitlines()[-1])
    out["peak_rss_mb"] = usage.ru_maxrss / 1024  # Linux reports KiB
    return out


# ---------------------------------------------------------------- 2. text -> shards
def bare_encode(sp, docs) -> float:
    t0 = CLOCK()
    for _, text in docs:
        sp.encode(text)
    return CLOCK() - t0


def curate_plain(tok, docs, out: Path) -> float:
    from curation import shards as sh
    from curation.document import id_hash64

    t0 = CLOCK()
    rows = []
    for doc_id, text in docs:
        ids = tok.encode_document(text)
        rows.append((doc_id, "bench", "", "", ids, len(ids)))
    rows.sort(key=lambda r: (id_hash64(r[0]), r[0]))
    path = out / "plain.parquet"
    sh.write_shard(rows, path, dtype=tok.dtype, row_group_tokens=4_000_000)
    sh.sha256_file(path)
    return CLOCK() - t0


def write_documents(docs, path: Path) -> None:
    """The corpus as a document Parquet file: what a finished stage hands to Tokenize."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from curation.document import Document, parquet_schema

    rows = [Document(i, t, "bench", {}).to_row() for i, t in docs]
    pq.write_table(pa.Table.from_pylist(rows, schema=parquet_schema()), path, compression="zstd")


def curate_beam(tok, docs_path: Path, out: Path) -> float:
    """ReadFromParquet | Tokenize | WriteShards; graph construction and runner start included,
    Beam's import not (a run pays it once)."""
    import apache_beam as beam

    from curation.config import PipelineConfig, ShardConfig
    from curation.document import Document
    from pipelines.options import pipeline_options
    from pipelines.shards import WriteShards
    from pipelines.tokenize import Tokenize, tokenizer_info

    cfg = PipelineConfig(shards=ShardConfig(val_fraction=0.0))
    t0 = CLOCK()
    # The options build-shards gets from its command line (pipelines/options.py), one worker.
    with beam.Pipeline(options=pipeline_options(["--direct_num_workers=1"])) as p:
        info = p | "Info" >> beam.Create([tokenizer_info(tok, str(out))])
        docs = p | beam.io.ReadFromParquet(str(docs_path)) | beam.Map(Document.from_dict)
        tokens = docs | Tokenize(cfg, info)
        _ = tokens["docs"] | WriteShards(cfg, str(out), info)
    return CLOCK() - t0


# ---------------------------------------------------------------- 3. shards -> batches
def batches_from_shard(path: Path, batch: int, seq: int) -> int:
    from curation.shards import iter_token_blocks

    need = batch * (seq + 1)
    carry = np.zeros(0, dtype=np.uint16)
    tokens = 0
    for values, offsets in iter_token_blocks(path):
        stream = values[offsets[0] : offsets[-1]]
        stream = np.concatenate([carry, stream]) if len(carry) else stream
        full = len(stream) // need * need
        for start in range(0, full, need):
            x = stream[start : start + need].astype(np.int64).reshape(batch, seq + 1)
            tokens += x.size
        carry = stream[full:]
    return tokens


def batches_from_bin(path: Path, batch: int, seq: int) -> int:
    data = np.fromfile(path, dtype=np.uint16)
    need = batch * (seq + 1)
    tokens = 0
    for start in range(0, len(data) // need * need, need):
        x = data[start : start + need].astype(np.int64).reshape(batch, seq + 1)
        tokens += x.size
    return tokens


def best(fn, repeats: int) -> float:
    return min(fn() for _ in range(repeats))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=20, help="text for the throughput figures (default 20)")
    ap.add_argument("--train-mb", default="20,200", help="comma-separated training sizes in MB (default 20,200)")
    ap.add_argument("--train-timeout", type=float, default=900, help="give up on one training size after this many seconds")
    ap.add_argument("--vocab", type=int, default=32_000)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--seq", type=int, default=1024)
    ap.add_argument("--cpu", action="store_true", help="time text -> shards in CPU-seconds of this process, not wall time")
    args = ap.parse_args()
    global CLOCK
    if args.cpu:
        CLOCK = time.process_time

    import apache_beam  # noqa: F401  (imported once, outside every timing)
    import sentencepiece as spm

    from curation import shards as sh
    from curation.tokenizer import Tokenizer

    work = Path(tempfile.mkdtemp(prefix="bench-shards-"))
    print(f"# bench/shards.py  cpu cores visible: {os.cpu_count()}  vocab {args.vocab}")
    model_path = work / "tokenizer.model"
    for mb in [float(x) for x in args.train_mb.split(",") if x]:
        path = model_path if not model_path.exists() else work / f"tokenizer-{mb:g}.model"
        r = bench_training(mb, args.vocab, str(path), args.train_timeout)
        if "timed_out_after_s" in r:
            print(f"train {mb:g} MB: did not finish in {r['timed_out_after_s']:.0f} s")
        else:
            print(f"train {r['mb']:.1f} MB ({r['documents']} docs): {r['seconds']:.1f} s, peak RSS {r['peak_rss_mb']:.0f} MB, "
                  f"{r['mb'] / r['seconds']:.2f} MB/s (2 threads)")
    if not model_path.exists():
        r = bench_training(min(args.mb, 20), args.vocab, str(model_path), args.train_timeout)

    tok = Tokenizer.from_file(model_path)
    sp = spm.SentencePieceProcessor(model_file=str(model_path))
    docs = corpus(args.mb)
    mb = text_bytes(docs) / 1e6
    sp.encode(docs[0][1])  # warm up
    write_documents(docs, work / "docs.parquet")
    write_documents([], work / "empty.parquet")
    times = {"bare": [], "plain": [], "beam": [], "beam_empty": []}
    for _ in range(args.repeats):  # A B C A B C: drift on a shared machine hits all alike
        times["bare"].append(bare_encode(sp, docs))
        times["plain"].append(curate_plain(tok, docs, work))
        times["beam"].append(curate_beam(tok, work / "docs.parquet", work / "beam"))
        times["beam_empty"].append(curate_beam(tok, work / "empty.parquet", work / "beam-empty"))
    t = {k: min(v) for k, v in times.items()}
    marginal = max(t["beam"] - t["beam_empty"], 1e-9)
    print(f"text -> shards on {mb:.1f} MB ({len(docs)} docs), one core, best of {args.repeats}:")
    print(f"  bare sentencepiece encode   {mb / t['bare']:6.2f} MB/s  (baseline)")
    print(f"  curate plain (shards.py)    {mb / t['plain']:6.2f} MB/s  {t['bare'] / t['plain']:.2f}x of bare")
    print(f"  curate Beam DirectRunner    {mb / t['beam']:6.2f} MB/s  {t['bare'] / t['beam']:.2f}x of bare, "
          f"start-up and graph included")
    print(f"    same graph on 0 documents {t['beam_empty']:6.2f} s fixed cost; per-byte rate after it "
          f"{mb / marginal:.2f} MB/s = {t['bare'] / marginal:.2f}x of bare")

    shard = work / "plain.parquet"
    flat = np.concatenate(list(sh.iter_token_arrays(shard)))
    flat.tofile(work / "tokens.bin")
    n = len(flat)
    loops = max(1, int(50_000_000 / max(n, 1)))

    def read_shard():
        t0 = time.perf_counter()
        for _ in range(loops):
            batches_from_shard(shard, args.batch, args.seq)
        return time.perf_counter() - t0

    def read_bin():
        t0 = time.perf_counter()
        for _ in range(loops):
            batches_from_bin(work / "tokens.bin", args.batch, args.seq)
        return time.perf_counter() - t0

    tr, tb = [], []
    for _ in range(args.repeats):
        tr.append(read_shard())
        tb.append(read_bin())
    rs, rb = n * loops / min(tr), n * loops / min(tb)
    print(f"shards -> [{args.batch}, {args.seq + 1}] int64 batches, {n:,} tokens x {loops} passes, one core:")
    print(f"  flat uint16 .bin (nanoGPT)  {rb / 1e6:7.1f} M tokens/s  (baseline)")
    print(f"  curate Parquet shard        {rs / 1e6:7.1f} M tokens/s  {rs / rb:.2f}x of .bin; goal 20 M/s: "
          f"{'met' if rs >= 20e6 else 'NOT met'}")
    print(f"  shard size {shard.stat().st_size / n:.2f} bytes/token (zstd) vs 2.00 for the .bin")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_train":
        _train_child(float(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    else:
        main()
