"""Dedup featurisation, per-document path vs the batched path (issue 24), same run, same docs.

    python bench/featurize.py [--docs 10000] [--repeats 3] [--batch 256]

Documents: bench/dedup.py's corpus (2-4 KB documents of real sentences from the ten books in
../shared/data/books, 40% near or exact copies). Both paths featurise every document with the
default DedupConfig (word 5-grams, 128 permutations, verification on) through
``Featurizer.__call__`` (one document per call, as before) and ``Featurizer.batch`` (lists of
--batch documents), alternating A B A B; CPU-seconds of this process beside wall time, the best
of --repeats kept. The outputs of both are compared record by record (they must be equal).
Stage split (normalise+shingle, MinHash, the rest) is measured on the same documents.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))
from dedup import make_corpus  # noqa: E402

from curation.config import PipelineConfig  # noqa: E402
from curation.dedup import batch_features as bf  # noqa: E402
from curation.dedup.features import Featurizer  # noqa: E402
from curation.dedup.normalize import shingle_hashes  # noqa: E402
from curation.document import Document  # noqa: E402


def load(n: int) -> list[Document]:
    docs = []
    for f in sorted((make_corpus(n) / "parts").glob("*.jsonl")):
        for line in f.open(encoding="utf-8"):
            row = json.loads(line)
            docs.append(Document(id=row["id"], text=row["text"], source="web", metadata={}))
    return docs


def timed(fn) -> tuple[float, float, object]:
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - w, time.process_time() - c, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch", type=int, default=256)
    a = ap.parse_args()
    docs = load(a.docs)
    f = Featurizer(PipelineConfig(), False)
    d = f.d
    print(f"featurize: {len(docs)} documents, {sum(len(x.text) for x in docs) / 1e6:.1f} M chars", file=sys.stderr)

    def per_doc():
        return [o for i, doc in enumerate(docs) for o in f(doc, i)]

    def batched():
        return [o for s in range(0, len(docs), a.batch)
                for o in f.batch(docs[s : s + a.batch], list(range(s, min(s + a.batch, len(docs)))))]

    best = {"per_document": (1e9, 1e9), "batched": (1e9, 1e9)}
    outs = {}
    for r in range(a.repeats):
        for name, fn in (("per_document", per_doc), ("batched", batched)):
            w, c, out = timed(fn)
            outs[name] = out
            best[name] = min(best[name], (w, c), key=lambda x: x[1])
            print(f"  repeat {r + 1}/{a.repeats} {name}: {w:.2f} s wall, {c:.2f} s CPU", file=sys.stderr)
    identical = outs["per_document"] == outs["batched"]
    texts = [x.text for x in docs]
    _, shingle_old, sets = timed(lambda: [shingle_hashes(t, d.ngram, d.char_ngram)[0] for t in texts])
    _, sig_old, _ = timed(lambda: [f.signer.signature(s) for s in sets])
    _, shingle_new, feats = timed(lambda: [x for s in range(0, len(texts), a.batch)
                                           for x in bf.shingle_hashes_batch(texts[s : s + a.batch], d.ngram, d.char_ngram,
                                                                            [None] * len(texts[s : s + a.batch]))])
    sets2 = [sh for sh, _ in feats]
    _, sig_new, _ = timed(lambda: [x for s in range(0, len(sets2), a.batch) for x in bf.signatures_batch(f.signer, sets2[s : s + a.batch])])
    n = len(docs)
    res = {
        "docs": n,
        "outputs_identical": identical,
        "per_document": {"wall_s": round(best["per_document"][0], 3), "cpu_s": round(best["per_document"][1], 3),
                         "ms_per_doc_cpu": round(best["per_document"][1] / n * 1e3, 4),
                         "shingle_ms": round(shingle_old / n * 1e3, 4), "minhash_ms": round(sig_old / n * 1e3, 4)},
        "batched": {"wall_s": round(best["batched"][0], 3), "cpu_s": round(best["batched"][1], 3),
                    "ms_per_doc_cpu": round(best["batched"][1] / n * 1e3, 4),
                    "shingle_ms": round(shingle_new / n * 1e3, 4), "minhash_ms": round(sig_new / n * 1e3, 4)},
    }
    res["speedup_cpu"] = round(best["per_document"][1] / best["batched"][1], 2)
    print(json.dumps(res, indent=2))
    print("featurize: figures above (JSON); compare with docs/benchmarks.md, issue 24", file=sys.stderr)
    if not identical:
        sys.exit("featurize: the batched outputs differ from the per-document ones")


if __name__ == "__main__":
    main()
