"""`curate plan`: RAM, disk and shuffle bytes per dedup stage for N documents, before running.

    curate plan --documents 1000000 --mean-bytes 3000 [--threshold 0.8] [--set dedup.verify=false]

It ends by comparing the largest in-process stage and the disk the run needs with this
machine's memory and the free space where the output goes, and says what to change if they
do not fit.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

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
    p.add_argument("--documents", "--docs", dest="docs", type=int, required=True, metavar="N", help="number of documents")
    p.add_argument("--mean-bytes", type=int, default=3000, metavar="B", help="mean document size in bytes (default 3000)")
    p.add_argument("--threshold", type=float, metavar="J", help="dedup threshold (default: config)")
    p.add_argument("--duplicate-share", type=float, default=0.2, help="share of documents expected to be removed (default 0.2)")
    p.add_argument("--bytes-per-word", type=float, default=6.0, help="mean bytes per word incl. the space (default 6)")
    p.add_argument("--output", default=".", metavar="DIR",
                   help="where the run will write (default: here): its free space is compared with the estimate")
    p.add_argument("--against-docs", type=int, default=0, metavar="M",
                   help="documents in the earlier outputs given with --against / --dedup-against (default 0)")
    common.add_config_flags(p)
    return p


def memory_bytes() -> tuple[int | None, int | None]:
    """(total, available) RAM of this machine from /proc/meminfo (Linux), else sysconf; None unknown."""
    try:
        info = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines() if ":" in line)
        return int(info["MemTotal"].split()[0]) * 1024, int(info["MemAvailable"].split()[0]) * 1024
    except (OSError, KeyError, ValueError):
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"), None
    except (AttributeError, ValueError, OSError):
        return None, None


def fit_lines(corpus, dedup_cfg, output: str) -> list[str]:
    """Does the run fit this machine? The DirectRunner holds its largest stage in memory; the
    output, the shards and the scratch payload files need disk under --output."""
    from curation.dedup.plan import estimate, human, output_disk_bytes, payload_disk_bytes

    rows = estimate(corpus, dedup_cfg)
    peak = max(rows, key=lambda r: r.runner_bytes())
    # Shards: about one token per 4 bytes of kept text, stored as uint16 (2 bytes) plus framing.
    shards = corpus.docs * (1 - corpus.duplicate_share) * corpus.mean_bytes / 4 * 2
    disk = output_disk_bytes(corpus) + payload_disk_bytes(corpus, dedup_cfg) + shards
    total, avail = memory_bytes()
    where = Path(output)
    while not where.exists() and where != where.parent:
        where = where.parent
    free = shutil.disk_usage(where).free if where.exists() else None
    lines = [f"this machine: {human(total) if total else '? B'} RAM ({human(avail) if avail else '?'} available), "
             f"{human(free) if free is not None else '?'} free under {output}"]
    ram = avail or total
    if ram is None:
        lines.append(f"memory: unknown here; the DirectRunner's largest stage ({peak.stage}) holds {human(peak.runner_bytes())}")
    elif peak.runner_bytes() <= 0.8 * ram:
        lines.append(f"memory: fits (the DirectRunner's largest stage, {peak.stage}, holds {human(peak.runner_bytes())})")
    else:
        lines.append(f"memory: does NOT fit: the DirectRunner's largest stage, {peak.stage}, holds {human(peak.runner_bytes())}; "
                     "run on a cluster (--runner, docs/scale-out.md), build from a slice (--sample / --limit) or with "
                     "--set dedup.verify=false (signatures instead of shingle sets)")
    if free is None:
        lines.append(f"disk: {human(disk)} needed; {output} is not on a local disk")
    elif disk <= 0.9 * free:
        lines.append(f"disk: fits ({human(disk)} for documents, shards, duplicates and scratch payload files)")
    else:
        lines.append(f"disk: does NOT fit: about {human(disk)} needed under {output}, {human(free)} free; write to another "
                     "--output with more room, or build from a slice (--sample / --limit)")
    return lines


def run(args) -> int:
    from curation.config import replace_path
    from curation.dedup.plan import Corpus, format_plan

    cfg = common.load_pipeline_config(args)
    if args.threshold is not None:
        cfg = replace_path(cfg, "dedup.threshold", args.threshold)
    if args.docs <= 0 or args.mean_bytes <= 0:
        raise UserError("--documents and --mean-bytes must be positive")
    if not 0.0 <= args.duplicate_share < 1.0:
        raise UserError(f"--duplicate-share must be in [0, 1), got {args.duplicate_share}")
    if args.against_docs < 0:
        raise UserError(f"--against-docs must be at least 0, got {args.against_docs}")
    corpus = Corpus(docs=args.docs, mean_bytes=args.mean_bytes, duplicate_share=args.duplicate_share,
                    bytes_per_word=args.bytes_per_word, against_docs=args.against_docs)
    print(format_plan(corpus, cfg.dedup))
    print("\n".join(fit_lines(corpus, cfg.dedup, args.output)))
    return 0
