"""`curate extract`: the read and extract stages on their own.

Takes the same inputs as build-shards (--web, --books, --code, --docs) and writes the documents
with their lineage metadata to DIR/documents/ (Parquet parts, or JSONL with --format jsonl),
the skipped records with their reasons to DIR/rejected/, and DIR/stats.json.
"""

from __future__ import annotations

import logging

from curation.commands import common
from curation.errors import UserError

log = logging.getLogger("curate")


def add_parser(sub):
    p = sub.add_parser(
        "extract",
        help="read web archives, books and code into documents (step 1 on its own)",
        description="Read WARC/WET files, books and source trees into documents in the project's schema, "
        "with lineage metadata, plus stats.json. Arguments curate does not know are passed to Beam's "
        "PipelineOptions; unknown ones are an error.",
    )
    common.add_input_flags(p)
    common.add_output_flags(p, formats=True)
    common.add_config_flags(p)
    p.add_argument("--text-key", default="text", help="text column of --docs inputs")
    p.add_argument("--id-key", default="id", help="id column of --docs inputs")
    return p


def run(args) -> int:
    # Beam and the pipelines are imported here: `curate --help` must not pay for them.
    from curation.config import load_config
    from curation.inputs import require_some_input, resolve_inputs
    from pipelines import graphs
    from pipelines.run import run_stage_graph

    common.setup_logging(args.debug)
    options = common.pipeline_options(args.beam_args)
    given = {k: getattr(args, k) for k in ("web", "books", "code", "docs")}
    if not any(given.values()):
        raise UserError("no inputs: give at least one of --web, --books, --code, --docs")
    cfg = load_config(args.config, args.overrides)
    inputs = resolve_inputs(**given)
    require_some_input(inputs)
    common.check_output_placement(args, given)
    out_dir = common.ensure_output_dir(args.output).resolve()
    stats = run_stage_graph(graphs.extract, options, str(out_dir), ("documents", "rejected"), inputs, cfg,
                            fmt=args.format, text_key=args.text_key, id_key=args.id_key)
    st = stats["stages"]
    read, ext = st.get("read", {}), st.get("extract", {})
    print(f"read {read.get('in', 0)} records: {read.get('out', 0)} to extract, "
          f"{read.get('removed_total', 0)} skipped, {read.get('failed_total', 0)} failed; "
          f"extracted {ext.get('out', 0)} documents ({ext.get('removed_total', 0)} empty, {ext.get('failed_total', 0)} failed) "
          f"-> {out_dir}/documents/")
    return 0
