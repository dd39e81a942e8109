"""The build-shards pipeline:

    Read | Extract | LangId | Quality | Dedup | RedactPII | TrainTokenizer | Tokenize | WriteShards

Every stage is a named composite transform returning kept docs, rejects and count events
(pipelines/transforms.py). Rejects, duplicate lineage and counts are written beside the shards;
stats.json is assembled from the counts as data and checked (in = out + removed + failed for
every stage, and each stage takes in what the previous let out) before the manifest, the
commit marker, is written last.
"""

from __future__ import annotations

import apache_beam as beam

from curation.config import PipelineConfig, to_dict
from pipelines.transforms import AssembleStats, COUNTS, DOCS, REJECTED, SumCounts

# The order stages see documents in; stats.json lists them in this order.
STAGE_CHAIN = ["read", "extract", "sample", "langid", "quality", "dedup", "decontaminate", "pii", "tokenize"]


from pipelines.dedup import duplicates_schema  # noqa: E402  (one schema for the duplicates table)


def read_inputs(p, inputs, cfg: PipelineConfig, text_key: str = "text", id_key: str = "id"):
    """Read every input kind; returns the usual stage dict (stages read and extract)."""
    from pipelines.docs_io import ReadDocuments

    parts = []
    if any(i.kind != "docs" for i in inputs):
        from pipelines.read import ReadAndExtract

        parts.append(p | "Read" >> ReadAndExtract([i for i in inputs if i.kind != "docs"], cfg.read))
    if any(i.kind == "docs" for i in inputs):
        parts.append(p | "ReadDocs" >> ReadDocuments(inputs, text_key, id_key))
    if len(parts) == 1:
        return parts[0]
    return {
        # "Inputs..." labels: build() has its own top-level FlattenRejected.
        k: tuple(x[k] for x in parts) | f"Inputs{k.capitalize()}" >> beam.Flatten()
        for k in (DOCS, REJECTED, COUNTS)
    }


def _flatten_outputs(parts: list[dict], label: str) -> dict:
    out = {}
    for k in (DOCS, REJECTED, COUNTS):
        out[k] = tuple(x[k] for x in parts) | f"{label}{k.capitalize()}" >> beam.Flatten()
    return out


def build(p, inputs, cfg: PipelineConfig, output_dir: str, text_key: str = "text", id_key: str = "id",
          keys: dict[str, str] | None = None, resume_from: str | None = None,
          sample: float | None = None, limit: int | None = None, emit: tuple[str, ...] = ("tokens",),
          documents_format: str = "parquet"):
    """Add the whole build-shards graph to pipeline ``p``; returns the final manifest PCollection.

    With ``keys`` (pipelines/checkpoint.py) every stage group is materialised under
    DIR/stages/ as it completes; with ``resume_from`` the graph starts after that group,
    reading its checkpoint instead of executing the stages before it.
    """
    from pipelines import checkpoint as ckpt
    from pipelines.dedup import Dedup
    from pipelines.docs_io import WriteParts
    from pipelines.quality import LangId, Quality, RedactPII
    from pipelines.write import Tokenize, TrainTokenizer, WriteDocumentsManifest, WriteManifest, WriteShards

    out = output_dir.rstrip("/")
    done = ckpt.GROUPS.index(resume_from) if resume_from else -1
    markers = []
    finished: list[dict] = []  # outputs of every group, for rejects and counts

    def group(name: str, live):
        idx = ckpt.GROUPS.index(name)
        if keys and idx <= done:
            return p | f"Resume{name.capitalize()}" >> ckpt.ReadCheckpoint(out, name, keys[name], with_docs=idx == done)
        outputs = live()
        if keys:
            markers.append(outputs | f"Checkpoint{name.capitalize()}" >> ckpt.MaterialiseStage(out, name, keys[name]))
        return outputs

    extract = group("extract", lambda: read_inputs(p, inputs, cfg, text_key, id_key))
    finished.append(extract)
    sampled = None
    if sample is not None or limit is not None:
        from pipelines.sample import Sample

        sampled = extract[DOCS] | "Sample" >> Sample(sample, limit)

    def _filter():
        lang = (sampled or extract)[DOCS] | "LangId" >> LangId(cfg)
        quality = lang[DOCS] | "Quality" >> Quality(cfg)
        parts = [lang, quality] if sampled is None else [sampled, lang, quality]
        return {
            DOCS: quality[DOCS],
            REJECTED: tuple(x[REJECTED] for x in parts) | "FilterRejected" >> beam.Flatten(),
            COUNTS: tuple(x[COUNTS] for x in parts) | "FilterCounts" >> beam.Flatten(),
        }

    filtered = group("filter", _filter)
    finished.append(filtered)
    dedup = group("dedup", lambda: filtered[DOCS] | "Dedup" >> Dedup(cfg))
    finished.append(dedup)
    deduped = dedup[DOCS]
    if cfg.decontaminate.test_sets:
        from pipelines.decontaminate import Decontaminate

        # Benchmark decontamination (--decontaminate): after dedup, before PII redaction.
        decontaminated = deduped | "Decontaminate" >> Decontaminate(cfg)
        finished.append(decontaminated)
        deduped = decontaminated[DOCS]
    pii = deduped | "RedactPII" >> RedactPII(cfg)
    curated = pii[DOCS]

    documents = None
    if "documents" in emit:
        # The curated text itself, in the document schema, sharded and named by our writer.
        documents = curated | "WriteDocuments" >> WriteParts(out, "documents", kind="documents", fmt=documents_format)
    stages = finished + [pii]
    if "tokens" in emit:
        tokenizer = curated | "TrainTokenizer" >> TrainTokenizer(cfg, out)
        tokens = curated | "Tokenize" >> Tokenize(cfg, tokenizer)
        shard_entries = tokens[DOCS] | "WriteShards" >> WriteShards(cfg, out, tokenizer)
        stages.append(tokens)

    rejected_written = (
        tuple(s[REJECTED] for s in stages) | "FlattenRejected" >> beam.Flatten()
        | "WriteRejected" >> WriteParts(out, "rejected", kind="rejected")
    )
    duplicates_written = dedup["duplicates"] | "WriteDuplicates" >> WriteParts(
        out, "duplicates", kind="rows", key_fn=lambda r: r["doc_id"], schema_fn=duplicates_schema
    )
    stats = (
        tuple(s[COUNTS] for s in stages)
        | "SumCounts" >> SumCounts()
        | "CollectCounts" >> beam.combiners.ToList()
        | "AssembleStats" >> beam.ParDo(
            AssembleStats(out, STAGE_CHAIN, write=False),
            beam.pvalue.AsList(rejected_written),
            beam.pvalue.AsList(duplicates_written),
            *[beam.pvalue.AsList(m) for m in markers],
        )
    )
    if "tokens" in emit:
        return shard_entries | "WriteManifest" >> WriteManifest(cfg, out, tokenizer, shard_entries, stats, documents=documents)
    return documents | "WriteManifest" >> WriteDocumentsManifest(cfg, out, documents, stats)


def resolved_config(cfg: PipelineConfig) -> dict:
    return to_dict(cfg)
