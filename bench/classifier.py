"""Held-out accuracy, precision and recall of the fastText quality classifier (issue 13).

Data, all from ../shared/data and built with the project's own code:
- positive (hq): the article text a person marked on 181 news pages (extraction/ground-truth.json)
  and ~1500-word passages of the 10 Project Gutenberg books;
- negative (lq): the rest of those news pages (menus, share buttons, footers: boiler-plate).
A hash of the id holds out 20% of each side. Baseline in the same run: the majority class.

``--zeroing N`` then trains N more times each way, alternating: with fastText's matrices
zero-filled (curation/malloc.py, what the project does) and without (the baseline: leftover heap
contents in nine tenths of the input matrix). It prints the time ratio, whether the model bytes
repeat, and how many baseline runs stopped with "Encountered NaN.".

    python bench/classifier.py [--epoch 25 --lr 0.5] [--zeroing 5]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from classifier_data import article_pages  # noqa: E402
from curation import classifier, malloc  # noqa: E402
from curation.errors import UserError  # noqa: E402
from curation.document import Document  # noqa: E402
from filter_data import book_documents  # noqa: E402


def book_passages(words: int = 1500, per_book: int = 20) -> list[Document]:
    out = []
    for b in book_documents():
        toks = b.text.split()
        step = max(words, len(toks) // per_book)
        for i in range(0, len(toks) - words, step)[:per_book]:
            out.append(Document(f"{b.id}/{i}", " ".join(toks[i : i + words]), "books"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epoch", type=int, default=25)
    ap.add_argument("--lr", type=float, default=0.5)
    ap.add_argument("--bucket", type=int, default=200_000)
    ap.add_argument("--zeroing", type=int, default=0, metavar="N")
    args = ap.parse_args()
    main_text, boiler = article_pages(None)
    books = book_passages()
    pos, neg = main_text + books, boiler
    print(f"positive: {len(main_text)} article bodies + {len(books)} book passages; negative: {len(boiler)} boiler-plate pages")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        report = classifier.train(pos, neg, tmp, holdout=0.2, epoch=args.epoch, lr=args.lr, bucket=args.bucket)
        dt = time.perf_counter() - t0
    h = report["held_out"]
    majority = max(h["n_positive"], h["n"] - h["n_positive"]) / h["n"]
    print(f"train {sum(report['documents']['train'].values())} docs in {dt:.1f} s; held out {h['n']} "
          f"({h['n_positive']} positive)")
    print(f"held-out accuracy {h['accuracy']:.3f} (majority-class baseline {majority:.3f}, ratio {h['accuracy'] / majority:.2f}x)")
    print(f"precision {h['precision']:.3f}  recall {h['recall']:.3f}  F1 {h['f1']:.3f} at threshold 0.5")
    for t, m in h["by_threshold"].items():
        print(f"  threshold {t}: accuracy {m['accuracy']:.3f} precision {m['precision']:.3f} recall {m['recall']:.3f}")
    if args.zeroing:
        zeroing_cost(pos, neg, args)


@contextlib.contextmanager
def _not_zeroed():
    yield False  # as fastText 0.9.3 runs on its own; off glibc curate falls back to this too


def zeroing_cost(pos, neg, args) -> None:
    zeroed = malloc.zeroed_allocations
    runs = {"zeroed": [], "not zeroed": []}
    for _ in range(args.zeroing):
        for name, cm in (("zeroed", zeroed), ("not zeroed", _not_zeroed)):
            malloc.zeroed_allocations = cm
            with tempfile.TemporaryDirectory() as tmp:
                t0 = time.perf_counter()
                try:  # off glibc a run is retried up to 10 times: each try is counted
                    report = classifier.train(pos, neg, tmp, holdout=0.2, epoch=args.epoch, lr=args.lr, bucket=args.bucket)
                    digest = hashlib.sha256((Path(tmp) / "model.bin").read_bytes()).hexdigest()[:12]
                    runs[name].append((time.perf_counter() - t0, digest, report["held_out"]["accuracy"]))
                except UserError as e:
                    runs[name].append((time.perf_counter() - t0, "failed", str(e)))
    malloc.zeroed_allocations = zeroed
    for name, rs in runs.items():
        ok = [r for r in rs if r[1] != "failed"]
        print(f"{name}: {len(ok)}/{len(rs)} runs finished, {len({r[1] for r in ok})} distinct models, "
              f"accuracy {sorted({r[2] for r in ok})}, {sum(r[0] for r in rs):.1f} s in all")
    z = sum(r[0] for r in runs["zeroed"])
    b = sum(r[0] for r in runs["not zeroed"])
    print(f"time zeroed / not zeroed: {z / b:.2f}x (the baseline's time includes its NaN retries)")


if __name__ == "__main__":
    main()
