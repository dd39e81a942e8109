"""The graph of each command, composed from the stage transforms (one module per stage).

    build-shards  ReadInputs | [Sample] | LangId | Quality | Dedup | [Decontaminate] | RedactPII
                  | TrainTokenizer | Tokenize | WriteShards | WriteManifest
    extract       ReadInputs                        -> documents/, rejected/, stats.json
    filter        ReadDocuments | LangId | Quality  -> documents/, rejected/, stats.json
    dedup         DedupFiles                        -> documents/, duplicates/, rejected/, stats.json
    ablate        ReadInputs | HoldOut | Decontaminate | one training set per variant

Every stage returns ``{"docs", "rejected", "counts"}`` (pipelines/transforms.py). Rejects,
duplicate lineage and counts are written beside the output; stats.json is assembled from the
counts as data and checked (in = out + removed + failed for every stage, and each stage takes in
what the previous let out) before the manifest, the commit marker, is written last. Running a
graph (lock, resume, run.json, dry runs) is pipelines/run.py's business.
"""

from __future__ import annotations

import apache_beam as beam

from curation import mix
from curation.ablate import STAGES
from curation.config import PipelineConfig
from curation.document import duplicates_schema
from pipelines import checkpoint as ckpt
from pipelines.ablate import DECONTAMINATE, EVAL, HOLDOUT, DecontaminateEval, HoldOutBooks, StageCache, WriteVariant, chunk_doc
from pipelines.decontaminate import Decontaminate
from pipelines.dedup import DUPLICATES, Dedup
from pipelines.dedup_files import DedupFiles
from pipelines.dedup_index import WriteIndex
from pipelines.dedup_paragraphs import ParagraphDedup
from pipelines.langid import LangId
from pipelines.parts import ReadDocuments, WriteParts
from pipelines.pii import RedactPII
from pipelines.quality import Quality
from pipelines.read import ReadInputs
from pipelines.reject_spool import spool_dir
from pipelines.sample import Sample
from pipelines.shards import SourcesBeforeMix, WriteDocumentsManifest, WriteManifest, WriteShards
from pipelines.tokenize import Tokenize, TrainTokenizer
from pipelines.transforms import COUNTS, DOCS, REJECTED, WriteStats

# The order stages see documents in; stats.json lists them in this order.
STAGE_CHAIN = ["read", "extract", "sample", "langid", "quality", "dedup", "paragraphs", "decontaminate", "pii", "tokenize"]
EXTRACT_CHAIN = ["read", "extract"]
FILTER_CHAIN = ["read", "extract", "langid", "quality"]
DEDUP_CHAIN = ["read", "extract", "dedup"]


def _duplicates_key(row: dict) -> str:
    return row["doc_id"]


def flatten_stages(stages: list[dict], key: str, label: str):
    return tuple(s[key] for s in stages) | label >> beam.Flatten()


class Filter(beam.PTransform):
    """[Sample] | LangId | Quality as one stage dict (the "filter" checkpoint group)."""

    def __init__(self, config: PipelineConfig, sample: float | None = None, limit: int | None = None,
                 label: str | None = None):
        super().__init__(label)
        self.config, self.sample, self.limit = config, sample, limit

    def expand(self, docs):
        parts = []
        if self.sample is not None or self.limit is not None:
            parts.append(docs | "Sample" >> Sample(self.sample, self.limit))
            docs = parts[-1][DOCS]
        parts.append(docs | "LangId" >> LangId(self.config))
        parts.append(parts[-1][DOCS] | "Quality" >> Quality(self.config))
        return {DOCS: parts[-1][DOCS], REJECTED: flatten_stages(parts, REJECTED, "FilterRejected"),
                COUNTS: flatten_stages(parts, COUNTS, "FilterCounts")}


def _dedup_group(docs, cfg: PipelineConfig, against: tuple) -> dict:
    """Dedup, then paragraph dedup when enabled, as one stage dict (the "dedup" checkpoint group)."""
    dedup = docs | "Dedup" >> Dedup(cfg, against=against)
    if not cfg.dedup.paragraphs.enabled:
        return dedup
    para = dedup[DOCS] | "ParagraphDedup" >> ParagraphDedup(cfg)
    out = {**dedup, DOCS: para[DOCS],
           REJECTED: (dedup[REJECTED], para[REJECTED]) | "DedupGroupRejected" >> beam.Flatten(),
           COUNTS: (dedup[COUNTS], para[COUNTS]) | "DedupGroupCounts" >> beam.Flatten()}
    return out


class _Checkpointed:
    """Stage groups (pipelines/checkpoint.py) that are materialised under DIR/stages/ as they
    complete, or read back from there when a resumed run starts after them."""

    def __init__(self, p, out: str, keys: dict[str, str] | None, resume_from: str | None, index: bool = False):
        self.p, self.out, self.keys, self.index = p, out, keys, index
        self.done = ckpt.GROUPS.index(resume_from) if resume_from else -1
        self.markers: list = []

    def group(self, name: str, live):
        idx = ckpt.GROUPS.index(name)
        label = name.capitalize()
        if self.keys and idx <= self.done:
            return self.p | f"Resume{label}" >> ckpt.ReadCheckpoint(self.out, name, self.keys[name],
                                                                    with_docs=idx == self.done, index=self.index)
        outputs = live()
        if self.keys:
            self.markers.append(outputs | f"Checkpoint{label}" >> ckpt.MaterialiseStage(self.out, name, self.keys[name]))
        return outputs


def build_shards(p, inputs, cfg: PipelineConfig, output_dir: str, text_key: str = "text", id_key: str = "id",
                 keys: dict[str, str] | None = None, resume_from: str | None = None,
                 sample: float | None = None, limit: int | None = None, emit: tuple[str, ...] = ("tokens",),
                 documents_format: str = "parquet", dedup_against: tuple = ()):
    """Add the whole build-shards graph to pipeline ``p``; returns the final manifest PCollection.

    With ``keys`` every stage group is materialised under DIR/stages/ as it completes; with
    ``resume_from`` the graph starts after that group, reading its checkpoint instead."""
    out = output_dir.rstrip("/")
    groups = _Checkpointed(p, out, keys, resume_from, index=cfg.dedup.index)
    extract = groups.group("extract", lambda: p | "ReadInputs" >> ReadInputs(inputs, cfg, text_key, id_key,
                                                                            spool=spool_dir(out)))
    filtered = groups.group("filter", lambda: extract[DOCS] | "Filter" >> Filter(cfg, sample, limit))
    dedup = groups.group("dedup", lambda: _dedup_group(filtered[DOCS], cfg, dedup_against))
    stages = [extract, filtered, dedup]
    if cfg.decontaminate.test_sets:  # benchmark decontamination: after dedup, before PII redaction
        stages.append(stages[-1][DOCS] | "Decontaminate" >> Decontaminate(cfg))
    stages.append(stages[-1][DOCS] | "RedactPII" >> RedactPII(cfg))
    curated = stages[-1][DOCS]

    documents = None
    if "documents" in emit:  # the curated text itself, in the document schema
        documents = curated | "WriteDocuments" >> WriteParts(out, "documents", kind="documents", fmt=documents_format)
    if "tokens" in emit:
        tokenizer = curated | "TrainTokenizer" >> TrainTokenizer(cfg, out)
        stages.append(curated | "Tokenize" >> Tokenize(cfg, tokenizer))
        shard_entries = stages[-1][DOCS] | "WriteShards" >> WriteShards(cfg, out, tokenizer)
        before_mix = (stages[-1][DOCS] | "SourcesBeforeMix" >> SourcesBeforeMix()
                      if mix.active(cfg.mix.weights, cfg.mix.languages) else None)
    rejected = flatten_stages(stages, REJECTED, "FlattenRejected") | "WriteRejected" >> WriteParts(
        out, "rejected", kind="rejected")
    duplicates = dedup[DUPLICATES] | "WriteDuplicates" >> WriteParts(
        out, "duplicates", kind="rows", key_fn=_duplicates_key, schema_fn=duplicates_schema)
    written = [rejected, duplicates, *groups.markers]
    if "index" in dedup:  # DIR/dedup-index/ for a later --dedup-against
        written.append(dedup["index"] | "WriteDedupIndex" >> WriteIndex(out, cfg))
    stats = tuple(s[COUNTS] for s in stages) | "Stats" >> WriteStats(
        out, STAGE_CHAIN, wait_for=written, write=False)
    if "tokens" in emit:
        return shard_entries | "WriteManifest" >> WriteManifest(cfg, out, tokenizer, shard_entries, stats,
                                                                documents=documents, sources_before_mix=before_mix)
    return documents | "WriteManifest" >> WriteDocumentsManifest(cfg, out, documents, stats)


def extract(p, inputs, config: PipelineConfig, output_dir: str, fmt: str = "parquet", text_key: str = "text",
            id_key: str = "id"):
    """`curate extract`: read and extract every input; DIR/documents/, DIR/rejected/, DIR/stats.json."""
    out = output_dir.rstrip("/")
    res = p | "ReadInputs" >> ReadInputs(inputs, config, text_key, id_key, spool=spool_dir(out))
    docs = res[DOCS] | "WriteDocuments" >> WriteParts(out, "documents", kind="documents", fmt=fmt)
    rejected = res[REJECTED] | "WriteRejected" >> WriteParts(out, "rejected", kind="rejected", fmt=fmt)
    return (res[COUNTS],) | "Stats" >> WriteStats(out, EXTRACT_CHAIN, wait_for=[docs, rejected])


def filter_documents(p, inputs, config: PipelineConfig, output_dir: str, fmt: str = "parquet",
                     text_key: str = "text", id_key: str = "id"):
    """`curate filter`: documents -> LangId -> Quality; DIR/documents/ (kept), DIR/rejected/ (with
    stage, rule, reason and every rule value) and DIR/stats.json."""
    out = output_dir.rstrip("/")
    read = p | "ReadDocs" >> ReadDocuments(inputs, text_key, id_key, spool=spool_dir(out))
    lang = read[DOCS] | "LangId" >> LangId(config)
    quality = lang[DOCS] | "Quality" >> Quality(config)
    stages = [read, lang, quality]
    docs = quality[DOCS] | "WriteDocuments" >> WriteParts(out, "documents", kind="documents", fmt=fmt)
    rejected = flatten_stages(stages, REJECTED, "FlattenRejected") | "WriteRejected" >> WriteParts(
        out, "rejected", kind="rejected", fmt=fmt)
    return tuple(s[COUNTS] for s in stages) | "Stats" >> WriteStats(out, FILTER_CHAIN, wait_for=[docs, rejected])


def dedup_files(p, inputs, config: PipelineConfig, output_dir: str, fmt: str = "parquet", text_key: str = "text",
                id_key: str = "id", reference_inputs: list | None = None, against: tuple = ()):
    """`curate dedup`: input files -> DedupFiles; DIR/documents/ (kept), DIR/duplicates/ (lineage
    rows), DIR/rejected/ (unreadable rows) and DIR/stats.json. Removed documents are not written
    again: their text is in the input and duplicates/ names each one and its survivor."""
    out = output_dir.rstrip("/")
    reference = None
    if reference_inputs:
        reference = (p | "ReadReference" >> ReadDocuments(reference_inputs, text_key, id_key))[DOCS]
    dedup = p | "Dedup" >> DedupFiles(inputs, config, out, fmt, text_key, id_key, reference=reference, against=against)
    bad = dedup[REJECTED] | "WriteRejected" >> WriteParts(out, "rejected", kind="rejected", fmt=fmt)
    return (dedup[COUNTS],) | "Stats" >> WriteStats(out, DEDUP_CHAIN,
                                                   wait_for=[dedup["documents"], dedup[DUPLICATES], bad]
                                                   + ([dedup["index"]] if "index" in dedup else []))


def ablation(p, inputs, cfg: PipelineConfig, output_dir: str, variants: list[str], *, eval_inputs=(),
             eval_fraction: float = 0.1, eval_chunk_bytes: int = 4096, text_key: str = "text",
             id_key: str = "id") -> dict:
    """`curate ablate`'s build. Returns {variant: manifest PCollection}.

    ``eval_inputs``: --docs-kind InputFiles of the user's evaluation documents; empty: hold out
    ``eval_fraction`` of the books (by bytes, whole books, at least one)."""
    out = output_dir.rstrip("/")
    read = p | "ReadInputs" >> ReadInputs(inputs, cfg, text_key, id_key)
    base_counts, base_chain = [read[COUNTS]], list(EXTRACT_CHAIN)
    if eval_inputs:
        eval_docs = (p | "ReadEval" >> ReadDocuments(list(eval_inputs), text_key, id_key))[DOCS]
        train_docs = read[DOCS]
    else:
        held = read[DOCS] | "HoldOut" >> HoldOutBooks(eval_fraction)
        eval_docs, train_docs = held[EVAL], held[DOCS]
        base_counts.append(held[COUNTS])
        base_chain.append(HOLDOUT)
    decon = train_docs | "Decontaminate" >> DecontaminateEval(cfg, eval_docs)
    base_counts.append(decon[COUNTS])
    base_chain.append(DECONTAMINATE)
    raw = decon[DOCS]

    eval_docs | "WriteEvalDocs" >> WriteParts(out, "eval/documents", kind="documents")
    decon[REJECTED] | "WriteDecontaminated" >> WriteParts(out, "decontaminated", kind="rejected")

    tokenizer = raw | "TrainTokenizer" >> TrainTokenizer(cfg, out)
    eval_rows = (eval_docs | "ChunkEval" >> beam.FlatMap(chunk_doc, eval_chunk_bytes)
                 | "TokenizeEval" >> Tokenize(cfg, tokenizer))[DOCS]
    cache = StageCache(raw, cfg)
    manifests = {}
    for name in variants:
        outputs = cache.apply(STAGES[name])
        docs = outputs[-1][DOCS] if outputs else raw
        chain = base_chain + [("langid" if s == "langid_annotate" else s) for s in STAGES[name]] + ["tokenize"]
        counts = base_counts + [o[COUNTS] for o in outputs]
        manifests[name] = docs | f"Write[{name}]" >> WriteVariant(cfg, f"{out}/variants/{name}", tokenizer, eval_rows,
                                                                  counts, chain)
    return manifests
