"""`curate plan`: RAM, disk and shuffle bytes per dedup stage for N documents, before running.

    curate plan --docs 1000000 --mean-bytes 3000 [--threshold 0.8] [--set dedup.verify=false]
"""

from __future__ import annotations

from curation.commands import common
from curation.errors import UserError


def add_parser(sub):
    p = sub.add_parser(
        "plan",
        help="estimate RAM, disk and shuffle bytes per dedup stage for N documents",
        description="Print, per dedup stage, the bytes shuffled, the most one worker holds, and what an "
        "in-process runner holds, from formulas of the document count, mean size and config (docs/dedup.md). "
        "Nothing runs and nothing is read.",
    )
    p.add_argument("--docs", type=int, required=True, metavar="N", help="number of documents")
    p.add_argument("--mean-bytes", type=int, default=3000, metavar="B", help="mean document size in bytes (default 3000)")
    p.add_argument("--threshold", type=float, metavar="J", help="dedup threshold (default: config)")
    p.add_argument("--duplicate-share", type=float, default=0.2, help="share of documents expected to be removed (default 0.2)")
    p.add_argument("--bytes-per-word", type=float, default=6.0, help="mean bytes per word incl. the space (default 6)")
    p.add_argument("--against-docs", type=int, default=0, metavar="M",
                   help="documents in the earlier outputs given with --against / --dedup-against (default 0)")
    common.add_config_flags(p)
    return p


def run(args) -> int:
    from curation.config import replace_path
    from curation.dedup.plan import Corpus, format_plan

    cfg = common.load_pipeline_config(args)
    if args.threshold is not None:
        cfg = replace_path(cfg, "dedup.threshold", args.threshold)
    if args.docs <= 0 or args.mean_bytes <= 0:
        raise UserError("--docs and --mean-bytes must be positive")
    if not 0.0 <= args.duplicate_share < 1.0:
        raise UserError(f"--duplicate-share must be in [0, 1), got {args.duplicate_share}")
    if args.against_docs < 0:
        raise UserError(f"--against-docs must be at least 0, got {args.against_docs}")
    corpus = Corpus(docs=args.docs, mean_bytes=args.mean_bytes, duplicate_share=args.duplicate_share,
                    bytes_per_word=args.bytes_per_word, against_docs=args.against_docs)
    print(format_plan(corpus, cfg.dedup))
    return 0
