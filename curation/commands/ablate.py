"""`curate ablate`: build raw, curated and single-stage-off training sets from the same inputs with
one tokenizer, train the same model on each with the same seeds, and compare validation bits per
byte on an evaluation set that none of them contains (docs/ablate.md)."""

from __future__ import annotations

import logging

from curation.commands import common
from curation.errors import ConfigError, UserError

log = logging.getLogger("curate")


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


def run(args) -> int:
    # Beam, torch and the pipelines are imported here, not at the top: the other commands and
    # `curate --help` must not pay for them.
    from curation import ablate_report
    from curation.ablate import AblateError, format_table, parse_variants
    from curation.config import load_config
    from curation.inputs import require_some_input, resolve_inputs
    from curation.lock import OutputLock
    from curation.train import TrainError
    from curation.train.ablate import run_ablation
    from curation.train.config import parse_set, resolve
    from pipelines.run import build_ablation

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
        resolve(args.preset, None, train_overrides)
    except TrainError as e:
        raise ConfigError(str(e)) from None
    out_dir = common.ensure_output_dir(args.output).resolve()

    with OutputLock(out_dir):
        record = build_ablation(inputs, eval_inputs, cfg, out_dir, variants, options, eval_fraction=args.eval_fraction,
                                eval_chunk_bytes=args.eval_chunk_bytes, text_key=args.text_key, id_key=args.id_key,
                                rebuild=args.rebuild)
        try:
            results = run_ablation(out_dir, variants, preset=args.preset, seeds=args.seeds, tokens=args.tokens,
                                   eval_windows=args.eval_windows, overrides=train_overrides, build=record)
        except (AblateError, TrainError) as e:
            raise UserError(str(e)) from None
    page = ablate_report.write(out_dir, results)
    print(format_table(results))
    print(f"results: {out_dir / 'ablate.json'} | report: {page}")
    return 0
