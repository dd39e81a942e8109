"""`curate build-shards`: inputs to tokenized Parquet shards, a manifest and stats."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from curation import fs
from curation.commands import common
from curation.errors import CurateError, UserError

log = logging.getLogger("curate")


def add_parser(sub):
    p = sub.add_parser(
        "build-shards",
        help="read, filter, deduplicate, tokenize and write shards (steps 1-5)",
        description="Run the whole curation pipeline on Beam (DirectRunner unless --runner is given). "
        "With no inputs it runs on the bundled sample_data/ with sample_data/config.yaml. "
        "Arguments curate does not know are passed to Beam's PipelineOptions; unknown ones are an error.",
    )
    common.add_input_flags(p)
    common.add_output_flags(p, formats=False)
    common.add_config_flags(p)
    p.add_argument("--text-key", default="text", help="text column of --docs inputs")
    p.add_argument("--id-key", default="id", help="id column of --docs inputs")
    p.add_argument("--sample", type=float, metavar="FRACTION",
                   help="keep a reproducible hash-based fraction of the documents (0 < FRACTION <= 1)")
    p.add_argument("--limit", type=int, metavar="N", help="keep the N documents with the smallest id hashes")
    p.add_argument("--tokenizer", metavar="PATH",
                   help="use this tokenizer instead of training one: a sentencepiece .model or a Hugging Face "
                   "tokenizers .json (same as --set tokenizer.model_path=PATH)")
    p.add_argument("--emit", default="tokens", metavar="LIST",
                   help="what to write: tokens (tokenizer, shards), documents (curated text in DIR/documents/), "
                   "or both: --emit documents,tokens (default: tokens)")
    p.add_argument("--format", choices=["parquet", "jsonl"], default="parquet", help="format of DIR/documents/ parts")
    p.add_argument("--decontaminate", action="append", default=[], metavar="PATH",
                   help="a test set (JSONL/Parquet documents; file, folder or glob): training documents sharing "
                   "a 13-gram with it are removed after dedup (repeatable, one test set each)")
    p.add_argument("--dedup-against", nargs="+", action="extend", default=[], metavar="DIR",
                   help="earlier curate outputs: documents that duplicate one of theirs are removed as "
                   "dedup/exact_prior, dedup/near_prior or dedup/url_prior, reading only DIR/dedup-index/ (repeatable)")
    p.add_argument("--no-resume", action="store_true",
                   help="ignore complete stage checkpoints under DIR/stages/ and run every stage")
    return p


def run(args) -> int:
    # Beam and the pipelines are imported here, not at the top: `curate --help` and the other
    # commands must not pay for importing Beam.
    from curation.config import load_config, replace_path
    from curation.inputs import require_some_input, resolve_inputs
    from curation.progress import format_stopped
    from curation.summary import format_summary, next_steps
    from pipelines.decontaminate import files_of_test_sets
    from pipelines.run import BuildRequest, build_shards

    common.setup_logging(args.debug)
    options = common.pipeline_options(args.beam_args)
    given, config_path = common.inputs_or_sample(args)
    overrides = list(args.overrides)
    if args.tokenizer:
        if not Path(args.tokenizer).is_file():
            raise UserError(f"--tokenizer {args.tokenizer}: no such file")
        overrides.append(f"tokenizer.model_path={Path(args.tokenizer).resolve()}")
    cfg = load_config(config_path, overrides)
    if args.decontaminate:
        cfg = replace_path(cfg, "decontaminate.test_sets", [*cfg.decontaminate.test_sets, *args.decontaminate])
        files_of_test_sets(cfg.decontaminate.test_sets)  # a missing test set: exit 2 before anything is written
    if args.sample is not None and not 0.0 < args.sample <= 1.0:
        raise UserError(f"--sample must be in (0, 1], got {args.sample}")
    if args.limit is not None and args.limit < 1:
        raise UserError(f"--limit must be at least 1, got {args.limit}")
    emit = tuple(sorted({e.strip() for e in args.emit.split(",") if e.strip()}))
    if not emit or set(emit) - {"documents", "tokens"}:
        raise UserError(f"--emit takes documents, tokens or documents,tokens; got '{args.emit}'")
    inputs = resolve_inputs(**given)
    require_some_input(inputs)
    common.check_output_placement(args, given)
    against = common.against_folders(args.dedup_against, cfg, "--dedup-against")
    if not fs.is_remote(args.output):
        common.ensure_output_dir(args.output)
    try:
        res = build_shards(BuildRequest(
            inputs, cfg, args.output, options, config_path=config_path, text_key=args.text_key, id_key=args.id_key,
            sample=args.sample, limit=args.limit, emit=emit, documents_format=args.format, resume=not args.no_resume,
            dedup_against=against))
    except CurateError as e:
        totals = getattr(e, "stage_totals", None)
        if totals:
            print("curate build-shards: where the run stopped:\n" + "\n".join(format_stopped(totals)), file=sys.stderr)
        raise
    except KeyboardInterrupt:
        print(f"curate build-shards: interrupted; the stages that finished are kept under {args.output}/stages/: "
              "re-run the same command to resume from them", file=sys.stderr)
        return 130
    if res.dry_run:
        print(res.dry_run)
    elif res.stats is not None and res.manifest is not None:
        print(format_summary(res.stats, res.manifest, res.seconds, durations=res.durations))
        val = res.manifest.get("totals", {}).get("val", {}).get("documents")
        if val == 0 and cfg.shards.val_fraction > 0 and res.manifest.get("shards"):
            log.warning("the validation split is empty: shards.val_fraction=%s of %d documents chose none; raise it "
                        "(--set shards.val_fraction=0.1) to measure validation loss", cfg.shards.val_fraction,
                        res.manifest["totals"].get("documents", 0))
        print(next_steps(args.output, res.manifest))
    return 0
