"""`curate ablate`: build raw, curated and single-stage-off training sets from the same inputs with
one tokenizer, train the same model on each with the same seeds, and compare validation bits per
byte on an evaluation set that none of them contains (docs/ablate.md)."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import sys
import time
from pathlib import Path

from curation.commands import common
from curation.errors import AccountingError, ConfigError, UserError

log = logging.getLogger("curate")
BUILD = "build.json"


def add_parser(sub):
    from curation.ablate import DEFAULT_VARIANTS, STAGES

    p = sub.add_parser(
        "ablate",
        help="train the same model on raw and on curated data and compare (bits per byte)",
        description="Build every variant's training set in one Beam pipeline with one shared tokenizer "
        "(raw = extraction only, curated = the full pipeline, no_dedup/no_quality/no_langid = one stage off), "
        "each decontaminated against the evaluation set; train the same preset for the same tokens with the "
        "same seeds on each; write DIR/ablate.json, DIR/ablate.html and print a table. "
        "With no inputs it runs on the bundled sample_data/.",
    )
    common.add_input_flags(p)
    p.add_argument("--eval", nargs="+", action="extend", default=[], metavar="PATH",
                   help="evaluation documents you trust (JSONL[.gz|.zst] or Parquet); default: a held-out split "
                   "of the --books inputs, excluded from every variant")
    p.add_argument("--eval-fraction", type=float, default=0.1, metavar="F",
                   help="without --eval: hold out whole books of smallest id hash while they hold at most this "
                   "share of the books' bytes, at least one book (default: 0.1)")
    p.add_argument("--eval-windows", type=int, default=256, metavar="N",
                   help="validation windows evaluated at every point of every curve (default: 256)")
    p.add_argument("--eval-chunk-bytes", type=int, default=4096, metavar="B",
                   help="evaluation documents are cut on line ends into chunks of at most B bytes, so the "
                   "evaluated windows sample every document (default: 4096)")
    common.add_output_flags(p, formats=False)
    p.add_argument("--variants", default=",".join(DEFAULT_VARIANTS),
                   help=f"comma-separated, from: {', '.join(STAGES)} (default: {','.join(DEFAULT_VARIANTS)})")
    p.add_argument("--preset", default="tiny", help="training preset: tiny (CPU) or gpt2-124m (GPU) (default: tiny)")
    p.add_argument("--seeds", type=int, default=3, help="training seeds per variant (default: 3)")
    p.add_argument("--tokens", type=int, metavar="N",
                   help="training tokens per run, rounded up to whole steps (default: the preset's steps)")
    p.add_argument("--train-set", dest="train_overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a training config key, e.g. --train-set device=cpu (repeatable)")
    common.add_config_flags(p)
    p.add_argument("--text-key", default="text", help="text column of --docs and --eval inputs")
    p.add_argument("--id-key", default="id", help="id column of --docs and --eval inputs")
    p.add_argument("--rebuild", action="store_true", help="rebuild the training sets even if DIR holds a matching build")
    return p


def _build_key(inputs, eval_inputs, cfg, args, variants) -> str:
    from curation.config import to_dict
    from pipelines.checkpoint import inputs_fingerprint

    blob = {
        "inputs": inputs_fingerprint(inputs),
        "eval": inputs_fingerprint(eval_inputs) if eval_inputs else None,
        "config": to_dict(cfg),
        "variants": variants,
        "eval_fraction": None if eval_inputs else args.eval_fraction,
        "eval_chunk_bytes": args.eval_chunk_bytes,
        "keys": [args.text_key, args.id_key],
    }
    return hashlib.sha256(json.dumps(blob, sort_keys=True).encode()).hexdigest()[:16]


def _eval_description(out_dir: Path, held_out: bool, fraction: float) -> tuple[str, list[dict]]:
    import pyarrow.parquet as pq

    docs = []
    for part in sorted((out_dir / "eval" / "documents").glob("part-*.parquet")):
        t = pq.read_table(part, columns=["id", "text", "source"])
        for i, text, src in zip(t.column("id").to_pylist(), t.column("text").to_pylist(), t.column("source").to_pylist()):
            docs.append({"id": i, "source": src, "bytes": len(text.encode("utf-8", "surrogatepass"))})
    docs.sort(key=lambda d: d["id"])
    total = sum(d["bytes"] for d in docs)
    if held_out:
        what = f"{len(docs)} held-out book(s) ({total:,} bytes; smallest id hashes, at most {fraction:.0%} of the books' bytes or one book)"
    else:
        what = f"{len(docs)} --eval document(s) ({total:,} bytes)"
    return what, docs


def build(args, inputs, eval_inputs, cfg, out_dir: Path, variants: list[str], options) -> dict:
    """Run the Beam build unless DIR holds a finished one with the same key; returns build.json."""
    import apache_beam as beam
    import numpy as np

    from curation.ablate import PIECE_BYTES, piece_bytes
    from pipelines.ablate import build_ablation

    key = _build_key(inputs, eval_inputs, cfg, args, variants)
    record_path = out_dir / BUILD
    if not args.rebuild and record_path.is_file():
        try:
            record = json.loads(record_path.read_text(encoding="utf-8"))
        except ValueError:
            record = {}
        if record.get("key") == key and all((out_dir / "variants" / v / "manifest.json").is_file() for v in variants):
            log.info("ablate: reusing the training sets built in %s (same inputs, config and variants)", out_dir)
            return record
    record_path.unlink(missing_ok=True)
    for v in variants:  # manifests are commit markers: none may survive a failed rebuild
        (out_dir / "variants" / v / "manifest.json").unlink(missing_ok=True)
    for sub in ("eval", "decontaminated"):
        shutil.rmtree(out_dir / sub, ignore_errors=True)

    started = time.time()
    p = beam.Pipeline(options=options)
    build_ablation(p, inputs, cfg, str(out_dir), variants, eval_inputs=eval_inputs, eval_fraction=args.eval_fraction,
                   eval_chunk_bytes=args.eval_chunk_bytes, text_key=args.text_key, id_key=args.id_key)
    try:
        p.run().wait_until_finish()
    except Exception as e:  # Beam wraps worker exceptions; surface ours in one line
        msg = str(e)
        for marker, err in (("accounting mismatch", AccountingError), ("no documents left to train the tokenizer", ConfigError)):
            if marker in msg:
                raise err(msg[msg.index(marker):].splitlines()[0]) from None
        raise
    missing = [v for v in variants if not (out_dir / "variants" / v / "manifest.json").is_file()]
    if missing:
        raise UserError(f"variant {missing[0]} has no manifest: its training set is empty")
    what, eval_docs = _eval_description(out_dir, not eval_inputs, args.eval_fraction)
    if not eval_docs:
        raise UserError("the evaluation set is empty: pass --eval PATH or --books with at least one readable book")
    model = (out_dir / "tokenizer" / "tokenizer.model").read_bytes()
    np.save(out_dir / PIECE_BYTES, piece_bytes(model))
    record = {
        "key": key,
        "seconds": round(time.time() - started, 3),
        "inputs": [{"kind": i.kind, "path": i.path} for i in inputs],
        "eval_inputs": [i.path for i in eval_inputs],
        "eval_source": what,
        "eval_documents": eval_docs,
        "variants": variants,
        "argv": sys.argv[1:],
    }
    common.write_json_atomic(record_path, record)
    log.info("ablate: built %d training sets in %.1fs", len(variants), record["seconds"])
    return record


def run(args) -> int:
    from curation.ablate import AblateError, format_table, parse_variants, run_ablation
    from curation.commands.build_shards import OutputLock
    from curation.config import load_config
    from curation.inputs import require_some_input, resolve_inputs
    from curation.train import TrainError
    from curation.train.config import parse_set

    common.setup_logging(args.debug)
    options = common.pipeline_options(getattr(args, "beam_args", []) or [])
    try:
        variants = parse_variants(args.variants)
        train_overrides = parse_set(args.train_overrides)
    except (AblateError, TrainError) as e:
        raise ConfigError(str(e)) from None
    if args.seeds < 1:
        raise ConfigError(f"--seeds must be at least 1, got {args.seeds}")
    if args.tokens is not None and args.tokens < 1:
        raise ConfigError(f"--tokens must be positive, got {args.tokens}")
    if not 0.0 < args.eval_fraction < 1.0:
        raise ConfigError(f"--eval-fraction must be in (0, 1), got {args.eval_fraction}")
    if args.eval_windows < 1 or args.eval_chunk_bytes < 16:
        raise ConfigError("--eval-windows must be at least 1 and --eval-chunk-bytes at least 16")
    given, config_path = common.inputs_or_sample(args)
    cfg = load_config(config_path, args.overrides)
    inputs = resolve_inputs(**given)
    require_some_input(inputs)
    eval_inputs = resolve_inputs(docs=args.eval) if args.eval else []
    if args.eval and not eval_inputs:
        raise UserError("--eval: no JSONL or Parquet documents found")
    if not eval_inputs and not any(i.kind == "books" for i in inputs):
        raise UserError("no evaluation set: pass --eval PATH, or --books to hold out a split of the books")
    try:
        from curation.train.config import resolve

        resolve(args.preset, None, train_overrides)
    except TrainError as e:
        raise ConfigError(str(e)) from None
    out_dir = common.ensure_output_dir(args.output).resolve()

    with OutputLock(out_dir):
        record = build(args, inputs, eval_inputs, cfg, out_dir, variants, options)
        try:
            results = run_ablation(out_dir, variants, preset=args.preset, seeds=args.seeds, tokens=args.tokens,
                                   eval_windows=args.eval_windows, overrides=train_overrides, build=record)
        except (AblateError, TrainError) as e:
            raise UserError(str(e)) from None
    from curation import ablate_report

    page = ablate_report.write(out_dir, results)
    print(format_table(results))
    print(f"results: {out_dir / 'ablate.json'} | report: {page}")
    return 0
