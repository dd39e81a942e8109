"""`curate train-classifier`: a fastText quality classifier from good and bad documents.

    curate train-classifier --positive good.jsonl --negative bad.parquet --output DIR

Writes DIR/model.bin and DIR/report.json (held-out precision and recall); use the model with
``--set quality.classifier.model_path=DIR`` (docs/quality-signals.md).
"""

from __future__ import annotations

import logging

from curation.commands import common
from curation.errors import UserError

log = logging.getLogger("curate")


def add_parser(sub):
    p = sub.add_parser(
        "train-classifier",
        help="train a fastText quality classifier (DCLM recipe) and report held-out precision/recall",
        description="Train a fastText classifier with word-bigram features on positive (label hq) against "
        "negative (label lq) documents, hold out a hash-chosen share of each side, and write DIR/model.bin "
        "and DIR/report.json. The model scores documents in the quality stage via quality.classifier.model_path.",
    )
    for side, what in (("positive", "documents of the quality to keep"), ("negative", "documents to score low")):
        p.add_argument(f"--{side}", nargs="+", action="extend", default=[], required=True, metavar="DOCS",
                       help=f"{what}: JSONL[.gz|.zst] or Parquet files, directories or globs (repeatable)")
    p.add_argument("--text-key", default="text", help="column holding the text (default: text)")
    p.add_argument("--id-key", default="id", help="column holding the id (default: id; else a content hash)")
    common.add_output_flags(p, formats=False)
    p.add_argument("--holdout", type=float, default=0.1, help="share of each side held out for evaluation (default 0.1)")
    p.add_argument("--epoch", type=int, default=5, help="training epochs (default 5)")
    p.add_argument("--lr", type=float, default=0.1, help="learning rate (default 0.1)")
    p.add_argument("--word-ngrams", type=int, default=2, help="word n-gram features (default 2: bigrams, as DCLM)")
    p.add_argument("--dim", type=int, default=100, help="embedding size (default 100)")
    p.add_argument("--bucket", type=int, default=2_000_000,
                   help="hashed n-gram rows (default 2000000, fastText's; the model is bucket x dim x 4 bytes)")
    p.add_argument("--max-chars", type=int, default=100_000, help="characters of each document read (default 100000)")
    p.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    return p


def _documents(paths: list[str], text_key: str, id_key: str, flag: str):
    from curation.docio import iter_documents
    from curation.inputs import resolve_inputs

    inputs = resolve_inputs(docs=paths)
    if not inputs:
        raise UserError(f"{flag}: no document files found in {' '.join(paths)}")
    for inp in inputs:
        for doc, reason in iter_documents(inp.path, text_key, id_key):
            if doc is None:
                log.warning("train-classifier: skipped a bad record (%s) in %s", reason, inp.relpath)
                continue
            yield doc


def run(args) -> int:
    from curation import classifier

    common.setup_logging(args.debug)
    if args.epoch < 1 or args.dim < 1 or args.word_ngrams < 1 or args.max_chars < 1 or args.lr <= 0 or args.bucket < 1:
        raise UserError("--epoch, --dim, --word-ngrams, --bucket, --max-chars and --lr must be positive")
    out_dir = common.ensure_output_dir(args.output)
    report = classifier.train(
        _documents(args.positive, args.text_key, args.id_key, "--positive"),
        _documents(args.negative, args.text_key, args.id_key, "--negative"),
        out_dir, holdout=args.holdout, epoch=args.epoch, lr=args.lr, word_ngrams=args.word_ngrams,
        dim=args.dim, bucket=args.bucket, max_chars=args.max_chars,
    )
    docs = report["documents"]
    print(f"trained on {docs['train']['hq']} positive and {docs['train']['lq']} negative documents "
          f"in {report['train_seconds']:.1f} s -> {out_dir / classifier.MODEL_NAME}")
    if docs["train"]["hq"] + docs["train"]["lq"] < 10_000 and args.epoch <= 5:
        print("few training documents: if the held-out figures are near chance, try --epoch 25 --lr 0.5")
    held = report["held_out"]
    if held:
        print(f"held out {held['n']} documents: accuracy {held['accuracy']:.3f}, precision {held['precision']:.3f}, "
              f"recall {held['recall']:.3f}, F1 {held['f1']:.3f} at threshold 0.5 (more in {out_dir / classifier.REPORT_NAME})")
    else:
        print("no documents held out (--holdout 0)")
    return 0
