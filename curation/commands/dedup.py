"""`curate dedup`: exact and near-duplicate removal on documents you already have.

    curate dedup --input docs.jsonl --output DIR [--threshold 0.8] [--reference eval.jsonl] [--against DIR0 ...]

Writes the kept documents to DIR/documents/ (the document schema; Parquet parts, or JSONL with
--format jsonl), one row per removed document to DIR/duplicates/ (doc_id, cluster_id, kept_id,
similarity, kind, prior_run), DIR/dedup-index/ (what a later --against reads) and DIR/stats.json.
The same transform runs inside build-shards.
"""

from __future__ import annotations


from curation.commands import common


def add_parser(sub):
    p = sub.add_parser(
        "dedup",
        help="exact + MinHash-LSH near-duplicate removal on documents (JSONL or Parquet)",
        description="Remove exact duplicates (after normalisation) and near duplicates (true Jaccard of word "
        "5-gram shingles at or above --threshold) within each source; keep one document per cluster by the keep "
        "policy (docs/dedup.md). Arguments curate does not know are passed to Beam's PipelineOptions; unknown "
        "ones are an error.",
    )
    common.add_docs_input_flag(p)
    common.add_output_flags(p, formats=True)
    common.add_config_flags(p)
    p.add_argument("--threshold", type=float, metavar="J",
                   help="true Jaccard similarity at or above which two documents are duplicates (default 0.8)")
    p.add_argument("--reference", nargs="+", action="extend", default=[], metavar="PATH",
                   help="documents that always win and are never removed (decontamination: an eval set)")
    p.add_argument("--against", nargs="+", action="extend", default=[], metavar="DIR",
                   help="earlier curate dedup or build-shards outputs: documents duplicating one of theirs are removed "
                   "as dedup/exact_prior, dedup/near_prior or dedup/url_prior, reading only DIR/dedup-index/ (repeatable)")
    return p


def run(args) -> int:
    # Beam and the pipelines are imported here: `curate --help` must not pay for them.
    from curation.config import replace_path
    from curation.inputs import require_some_input, resolve_inputs
    from pipelines import graphs
    from pipelines.run import run_stage_graph

    common.setup_logging(args.debug)
    options = common.pipeline_options(args.beam_args)
    cfg = common.load_pipeline_config(args)
    if args.threshold is not None:
        cfg = replace_path(cfg, "dedup.threshold", args.threshold)
    inputs = common.resolve_input_flag(args.input)
    require_some_input(inputs)
    reference = resolve_inputs(docs=args.reference) if args.reference else None
    common.check_output_placement(args, {"docs": args.input})
    against = common.against_folders(args.against, cfg, "--against")
    out_dir = common.ensure_output_dir(args.output).resolve()
    st = run_stage_graph(graphs.dedup_files, options, str(out_dir), ("documents", "duplicates", "dedup-index"), inputs, cfg,
                         fmt=args.format, text_key=args.text_key, id_key=args.id_key,
                         reference_inputs=reference, against=against)["stages"].get("dedup", {})
    removed = st.get("removed", {})
    prior = sum(removed.get(f"dedup/{k}_prior", 0) for k in ("exact", "near", "url"))
    urls = removed.get("dedup/url", 0)
    print(f"dedup: {st.get('in', 0)} documents in, {removed.get('dedup/exact', 0)} exact and "
          f"{removed.get('dedup/near', 0)} near duplicates removed"
          + (f", {urls} older captures of a URL" if urls else "")
          + (f", {prior} duplicates of the --against outputs" if against else "")
          + f", {st.get('out', 0)} kept -> {out_dir}/documents/ (lineage in duplicates/, index in dedup-index/; "
          f"next: curate dedup --input NEW --against {out_dir})")
    return 0
