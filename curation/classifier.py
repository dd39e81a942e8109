"""Train and evaluate a fastText quality classifier (the DCLM recipe, Li et al. 2024).

DCLM scores pages with a fastText classifier (Joulin et al. 2016) trained on "good" text
against random web text, with word bigram features and a few epochs. Here the two sides are
documents the user gives (JSONL/Parquet, curation/docio.py): ``hq`` (positive) and ``lq``
(negative). A fixed share of each side, chosen by a hash of the document id, is held out and
never trained on; precision and recall of ``hq`` on it are reported, at the 0.5 threshold and
over a few others, so a user can pick ``quality.classifier.threshold``.

The output folder holds ``model.bin`` (the fastText model: what ``quality.classifier.model_path``
names, or the folder itself) and ``report.json`` (counts, hyper-parameters, held-out figures).
Training uses one thread, a fixed seed and zero-filled matrices (curation/malloc.py says why
fastText 0.9.3 needs that): the same documents and parameters give the same model bytes.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Iterable

from curation.document import Document, id_hash64
from curation.errors import UserError

POSITIVE = "hq"
NEGATIVE = "lq"
MODEL_NAME = "model.bin"
REPORT_NAME = "report.json"
THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def prepare(text: str, max_chars: int = 100_000) -> str:
    """The one line fastText reads, in training and scoring alike: the first ``max_chars``
    characters, every run of whitespace (newlines included) one space."""
    return " ".join(text[:max_chars].split())


def model_file(path: str | Path) -> Path:
    """A model path as given in config: a .bin file, or a train-classifier folder."""
    p = Path(path)
    if p.is_dir():
        p = p / MODEL_NAME
    if not p.is_file():
        raise UserError(f"quality classifier model not found: {p} (train one with `curate train-classifier`)")
    return p


def is_held_out(doc_id: str, holdout: float) -> bool:
    """Deterministic split by id hash; salted so it is independent of shard and sample hashes."""
    return id_hash64(f"classifier-holdout/{doc_id}") % 10_000 < round(holdout * 10_000)


def split(docs: Iterable[Document], label: str, holdout: float, max_chars: int):
    """``(train, test)`` lists of ``(label, prepared text)``; documents with no text are skipped."""
    train, test = [], []
    for d in docs:
        line = prepare(d.text, max_chars)
        if line:
            (test if is_held_out(d.id, holdout) else train).append((label, line))
    return train, test


def evaluate(model, examples: list[tuple[str, str]], positive: str = POSITIVE,
             thresholds: Iterable[float] = THRESHOLDS) -> dict:
    """Accuracy, precision, recall and F1 of ``positive`` on held-out ``(label, line)`` pairs,
    at each threshold on its probability."""
    scores = []
    for label, line in examples:
        probs = dict(model.predict(line, k=-1))
        scores.append((label == positive, probs.get(positive, 0.0)))
    out = {"n": len(scores), "n_positive": sum(1 for y, _ in scores if y), "by_threshold": {}}
    for t in thresholds:
        tp = sum(1 for y, s in scores if y and s >= t)
        fp = sum(1 for y, s in scores if not y and s >= t)
        fn = sum(1 for y, s in scores if y and s < t)
        tn = len(scores) - tp - fp - fn
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        out["by_threshold"][f"{t:.1f}"] = {
            "accuracy": round((tp + tn) / len(scores), 4) if scores else 0.0,
            "precision": round(precision, 4), "recall": round(recall, 4),
            "f1": round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0,
            "tp": tp, "fp": fp, "fn": fn, "tn": tn,
        }
    out.update(out["by_threshold"].get("0.5", {}))
    return out


def train(positive: Iterable[Document], negative: Iterable[Document], output_dir: str | Path, *,
          holdout: float = 0.1, epoch: int = 5, lr: float = 0.1, word_ngrams: int = 2, dim: int = 100,
          bucket: int = 2_000_000, min_count: int = 1, max_chars: int = 100_000, seed: int = 0) -> dict:
    """Train on both sides minus the held-out share; write model.bin and report.json; return
    the report."""
    from curation import fasttext_model

    if not 0.0 <= holdout < 1.0:
        raise UserError(f"--holdout must be in [0, 1), got {holdout}")
    pos_train, pos_test = split(positive, POSITIVE, holdout, max_chars)
    neg_train, neg_test = split(negative, NEGATIVE, holdout, max_chars)
    if not pos_train or not neg_train:
        side = "--positive" if not pos_train else "--negative"
        raise UserError(f"{side}: no documents with text left to train on")
    # Interleave by a hash so fastText's SGD does not see one class, then the other.
    examples = sorted(pos_train + neg_train, key=lambda e: id_hash64(e[0] + e[1][:200]))
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    model = fasttext_model.train_supervised(
        examples, out / MODEL_NAME, epoch=epoch, lr=lr, word_ngrams=word_ngrams, dim=dim,
        bucket=bucket, min_count=min_count, seed=seed, threads=1,
    )
    seconds = time.perf_counter() - started
    report = {
        "model": MODEL_NAME,
        "labels": {"positive": POSITIVE, "negative": NEGATIVE},
        "documents": {"train": {POSITIVE: len(pos_train), NEGATIVE: len(neg_train)},
                      "held_out": {POSITIVE: len(pos_test), NEGATIVE: len(neg_test)}},
        "params": {"epoch": epoch, "lr": lr, "word_ngrams": word_ngrams, "dim": dim, "bucket": bucket, "min_count": min_count,
                   "max_chars": max_chars, "holdout": holdout, "seed": seed},
        "train_seconds": round(seconds, 3),
        "held_out": evaluate(model, pos_test + neg_test) if pos_test or neg_test else None,
    }
    (out / REPORT_NAME).write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return report
