"""`curate filter`: language ID and the quality rule sets on documents you already have.

    curate filter --input docs.jsonl --output DIR [--config FILE] [--set quality.c4.profile=datatrove]

Writes the kept documents to DIR/documents/ (Parquet parts, or JSONL with --format jsonl), the
removed ones to DIR/rejected/ with the stage, rule and reason that removed them and every rule
value computed so far (in metadata, under the filter's versioned name), and DIR/stats.json with
counts per stage, source and reason: "why was this document removed?" is one lookup.
"""

from __future__ import annotations


from curation.commands import common
from curation.textcut import summary_line


def add_parser(sub):
    p = sub.add_parser(
        "filter",
        help="language ID and quality filters on documents (JSONL or Parquet)",
        description="Annotate documents with language and rule values, keep or remove them by the rule sets "
        "(Gopher, C4, FineWeb, code and book rules, routed by source), and write kept documents, rejected "
        "documents with their reasons, and stats.json. Arguments curate does not know are passed to Beam's "
        "PipelineOptions; unknown ones are an error.",
    )
    common.add_docs_input_flag(p)
    common.add_output_flags(p, formats=True)
    common.add_config_flags(p)
    return p


def run(args) -> int:
    # Beam and the pipelines are imported here: `curate --help` must not pay for them.
    from curation import fasttext_model
    from curation.inputs import require_some_input
    from pipelines import graphs
    from pipelines.run import run_stage_graph

    common.setup_logging(args.debug)
    options = common.pipeline_options(args.beam_args)
    cfg = common.load_pipeline_config(args)
    inputs = common.resolve_input_flag(args.input)
    require_some_input(inputs)
    if cfg.langid.enabled:
        # A missing model fails here, before the pipeline starts (exit 2, one line).
        if cfg.langid.model_path:
            fasttext_model.load(cfg.langid.model_path)
        else:
            fasttext_model.lid176_path()
    common.check_output_placement(args, {"docs": args.input})
    out_dir = common.ensure_output_dir(args.output).resolve()
    stats = run_stage_graph(graphs.filter_documents, options, str(out_dir), ("documents", "rejected"), inputs, cfg,
                            fmt=args.format, text_key=args.text_key, id_key=args.id_key)
    st = stats["stages"]
    read, lang, qual = st.get("read", {}), st.get("langid", {}), st.get("quality", {})
    top = sorted({**lang.get("removed", {}), **qual.get("removed", {})}.items(), key=lambda kv: -kv[1])[:5]
    print(f"read {read.get('in', 0)} documents ({read.get('failed_total', 0)} bad records); "
          f"language ID removed {lang.get('removed_total', 0)}, quality removed {qual.get('removed_total', 0)}; "
          f"kept {qual.get('out', 0)} -> {out_dir}/documents/")
    if top:
        print("top reasons: " + ", ".join(f"{r} {n}" for r, n in top))
    cut = summary_line(stats)
    if cut:
        print(cut)
    return 0
