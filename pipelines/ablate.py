"""The `curate ablate` build: every variant's training set in one Beam pipeline, one tokenizer.

    Read | HoldOut (or --eval) ---------------------------------------------> eval documents
         | Decontaminate (Dedup with the eval documents as its reference set) -> raw
    raw | TrainTokenizer                                          (one tokenizer for every variant)
    raw | [LangId] | [Quality] | [Dedup] | [RedactPII]            (per variant; shared prefixes)
        | Tokenize | WriteShards(train)  + eval chunks | WriteShards(val)  -> DIR/variants/<name>/

Every variant starts from the same decontaminated raw set, so the evaluation set is neutral:
excluded from every variant, and chosen before (never by) the curated pipeline. The tokenizer is
trained on raw, the superset every variant filters, so it favours none of them. Each variant
folder is a complete build-shards output (manifest, tokenizer, stats) whose val split holds the
evaluation documents cut into chunks, so `curate train --shards` validates on the eval set.
"""

from __future__ import annotations

import dataclasses
import logging

import apache_beam as beam
from apache_beam.pvalue import AsSingleton

from curation.ablate import chunk_text
from curation.config import PipelineConfig
from curation.document import Document, id_hash64
from curation.tokenizer import Tokenizer
from pipelines.dedup import Dedup
from pipelines.langid import LangId
from pipelines.pii import RedactPII
from pipelines.quality import Quality
from pipelines.shards import WriteManifest, WriteShards
from pipelines.tokenize import Tokenize, save_tokenizer
from pipelines.transforms import COUNTS, DOCS, REJECTED, CountingDoFn, WriteStats, mark_rejected

log = logging.getLogger("curate")

HOLDOUT = "holdout"
DECONTAMINATE = "decontaminate"
EVAL = "eval"


# ---------------------------------------------------------------- evaluation split
def _eval_threshold(sizes: list, fraction: float) -> int:
    """Books of smallest id hash while they hold at most ``fraction`` of the books' bytes (at
    least one): the largest hash taken, or -1 when there are no books."""
    if not sizes:
        return -1
    sizes = sorted(sizes)
    budget = fraction * sum(n for _, n in sizes)
    taken, last = 0, sizes[0][0]
    for h, n in sizes:
        if taken + n > budget and taken > 0:
            break
        taken += n
        last = h
    return last


def _book_size(doc: Document):
    if doc.source == "books":
        yield id_hash64(doc.id), len(doc.text.encode("utf-8", "surrogatepass"))


class _HoldOutDoFn(CountingDoFn):
    def process(self, doc: Document, threshold: int):
        self.count(HOLDOUT, doc.source, "in")
        if doc.source == "books" and id_hash64(doc.id) <= threshold:
            self.count(HOLDOUT, doc.source, "removed", f"{HOLDOUT}/eval")
            yield beam.pvalue.TaggedOutput(EVAL, doc)
        else:
            self.count(HOLDOUT, doc.source, "out")
            yield doc


class HoldOutBooks(beam.PTransform):
    """Stage "holdout": whole books of smallest id hash up to ``fraction`` of the books' bytes
    become the evaluation set. Returns {"docs", "eval", "counts"}."""

    def __init__(self, fraction: float, label: str | None = None):
        super().__init__(label)
        self.fraction = fraction

    def expand(self, docs):
        threshold = (
            docs
            | "BookSizes" >> beam.FlatMap(_book_size)
            | "AllSizes" >> beam.combiners.ToList()
            | "Threshold" >> beam.Map(_eval_threshold, self.fraction)
        )
        res = docs | "Split" >> beam.ParDo(_HoldOutDoFn(), AsSingleton(threshold)).with_outputs(EVAL, COUNTS, main=DOCS)
        return {DOCS: res[DOCS], EVAL: res[EVAL], COUNTS: res[COUNTS]}


# ---------------------------------------------------------------- decontamination
def _reference_rooted(item):
    """(kept id, {dups, ref}) -> (doc id, duplicate row) for documents whose cluster an eval
    document won: those are contaminated. Other duplicates are within the training set and stay."""
    _, grouped = item
    if list(grouped["ref"]):
        for row in grouped["dups"]:
            yield row["doc_id"], row


class _DecideDecontamination(CountingDoFn):
    def process(self, item):
        _, grouped = item
        rows = list(grouped["hit"])
        for doc in grouped[DOCS]:
            self.count(DECONTAMINATE, doc.source, "in")
            if rows:
                row = rows[0]
                reason = f"{DECONTAMINATE}/{row['kind']}"
                self.count(DECONTAMINATE, doc.source, "removed", reason)
                out = doc.with_metadata(decontaminate={"eval_id": row["kept_id"], "similarity": row["similarity"]})
                yield beam.pvalue.TaggedOutput(REJECTED, mark_rejected(out, DECONTAMINATE, row["kind"], reason))
            else:
                self.count(DECONTAMINATE, doc.source, "out")
                yield doc


class DecontaminateEval(beam.PTransform):
    """Stage "decontaminate": remove training documents that are exact or near (Jaccard >=
    dedup.threshold) duplicates of an evaluation document.

    Runs the Dedup transform with the eval documents as its reference set (they always win and
    are never removed); a document is contaminated when its cluster's survivor is an eval
    document. Duplicates among training documents are left alone: that is the dedup stage's job,
    and the raw variant must keep them."""

    def __init__(self, config: PipelineConfig, reference, label: str | None = None):
        super().__init__(label)
        self.config = config
        self.reference = reference

    def expand(self, docs):
        dedup = docs | "Dedup" >> Dedup(self.config, reference=self.reference)
        # dedup's "duplicates" output only lists rows of removed documents; a reference never is.
        hits = (
            {
                "dups": dedup["duplicates"] | "ByKept" >> beam.Map(lambda r: (r["kept_id"], r)),
                "ref": self.reference | "RefIds" >> beam.Map(lambda d: (d.id, True)),
            }
            | "JoinReference" >> beam.CoGroupByKey()
            | "ReferenceRooted" >> beam.FlatMap(_reference_rooted)
        )
        res = (
            {DOCS: docs | "ById" >> beam.Map(lambda d: (d.id, d)), "hit": hits}
            | "JoinDocs" >> beam.CoGroupByKey()
            | "Decide" >> beam.ParDo(_DecideDecontamination()).with_outputs(REJECTED, COUNTS, main=DOCS)
        )
        return {DOCS: res[DOCS], REJECTED: res[REJECTED], COUNTS: res[COUNTS]}


# ---------------------------------------------------------------- variant stages
def _annotate_only(cfg: PipelineConfig) -> PipelineConfig:
    """Language ID that annotates but keeps every document: the quality rules still need
    ``lang`` (stop words, word segmentation), only the language *filter* is off."""
    lang = dataclasses.replace(cfg.langid, allowlist=[], min_score=0.0, min_score_by_lang={}, min_score_sources=[])
    return dataclasses.replace(cfg, langid=lang)


def _stage_transform(stage: str, cfg: PipelineConfig):
    if stage == "langid":
        return LangId(cfg)
    if stage == "langid_annotate":
        return LangId(_annotate_only(cfg))
    if stage == "quality":
        return Quality(cfg)
    if stage == "dedup":
        return Dedup(cfg)
    if stage == "pii":
        return RedactPII(cfg)
    raise ValueError(f"unknown stage {stage!r}")


class StageCache:
    """Applies stage sequences to raw, sharing common prefixes between variants: curated and
    no_dedup run language ID and the quality rules once."""

    def __init__(self, raw_docs, cfg: PipelineConfig):
        self.cfg = cfg
        self.outputs: dict[tuple, dict] = {(): {DOCS: raw_docs}}

    def apply(self, stages: tuple) -> list[dict]:
        """The stage outputs of ``stages`` in order (each a stage dict)."""
        chain = []
        for i in range(1, len(stages) + 1):
            key = stages[:i]
            if key not in self.outputs:
                prev = self.outputs[key[:-1]][DOCS]
                self.outputs[key] = prev | f"Stage[{'+'.join(key)}]" >> _stage_transform(key[-1], self.cfg)
            chain.append(self.outputs[key])
        return chain


# ---------------------------------------------------------------- writing a variant
class _SaveTokenizer(beam.DoFn):
    def __init__(self, output_dir: str):
        self.output_dir = output_dir

    def process(self, info: dict):
        save_tokenizer(Tokenizer(info["model"], info["kind"]), self.output_dir)
        yield info["file"]


def chunk_doc(doc: Document, max_bytes: int):
    for i, text in enumerate(chunk_text(doc.text, max_bytes)):
        yield Document(f"{doc.id}#{i:05d}", text, doc.source, dict(doc.metadata, eval_doc=doc.id))


class WriteVariant(beam.PTransform):
    """One variant's docs -> DIR/variants/<name>/: train shards of its documents, val shards of
    the evaluation chunks, the shared tokenizer, stats.json, and manifest.json last."""

    def __init__(self, config: PipelineConfig, vdir: str, tokenizer, eval_rows, counts: list, chain: list[str],
                 label: str | None = None):
        super().__init__(label)
        self.config = config
        self.vdir = vdir
        self.tokenizer = tokenizer
        self.eval_rows = eval_rows
        self.counts = counts
        self.chain = chain

    def expand(self, docs):
        shards = self.config.shards
        all_train = dataclasses.replace(self.config, shards=dataclasses.replace(shards, val_fraction=0.0))
        all_val = dataclasses.replace(self.config, shards=dataclasses.replace(shards, val_fraction=1.0))
        tokens = docs | "Tokenize" >> Tokenize(self.config, self.tokenizer)
        train = tokens[DOCS] | "WriteTrain" >> WriteShards(all_train, self.vdir, self.tokenizer)
        val = self.eval_rows | "WriteEval" >> WriteShards(all_val, self.vdir, self.tokenizer)
        saved = self.tokenizer | "SaveTokenizer" >> beam.ParDo(_SaveTokenizer(self.vdir))
        entries = (train, val) | "Entries" >> beam.Flatten()
        stats = (*self.counts, tokens[COUNTS]) | "Stats" >> WriteStats(self.vdir, self.chain, write=False)
        # The manifest waits for the tokenizer copy too (as a side input), so it stays the last write.
        gated = entries | "AfterTokenizer" >> beam.Map(lambda e, _: e, beam.pvalue.AsList(saved))
        return gated | "WriteManifest" >> WriteManifest(self.config, self.vdir, self.tokenizer, gated, stats)
