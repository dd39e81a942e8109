"""Stage "paragraphs" (``dedup.paragraphs.enabled``): repeated paragraphs kept in one document.

    kept documents --ParagraphKeys--> ((source, paragraph hash), (keep key, id))   no text
                   --group by paragraph--> (id, (hash, survivor id)) for each document that
                                           is not the paragraph's survivor
                   --join with the documents on id--> paragraphs removed, counted; a document
                                           left under ``min_words`` words: dedup/paragraphs_emptied

Memory is bounded by the shuffle: hashes travel in batches per partition (pipelines/batched.py),
a worker holds one partition, and no table of every paragraph is kept anywhere (no Bloom filter,
so no false positives: a paragraph is removed only where its 63-bit hash matched, and a hash
collision between two different paragraphs has a probability of about n^2 / 2^64).
"""

from __future__ import annotations

import apache_beam as beam

from curation.config import PipelineConfig
from curation.dedup.keep import node_key, word_count
from curation.dedup.paragraphs import paragraph_hashes, remove_paragraphs
from curation.document import Document
from pipelines.batched import BatchedCoGroupByKey, BatchedGroupByKey, Tally
from pipelines.transforms import COUNTS, DOCS, REJECTED, CountingDoFn, mark_rejected

STAGE = "paragraphs"
EMPTIED = "dedup/paragraphs_emptied"


class _Keys(beam.DoFn):
    def __init__(self, cfg: PipelineConfig):
        self.min_chars = cfg.dedup.paragraphs.min_chars
        self.priority = cfg.dedup.source_priority

    def process(self, doc: Document):
        hashes = paragraph_hashes(doc.text, self.min_chars)
        if hashes:
            key = node_key(doc, self.priority)
            for h in sorted(hashes):
                yield (doc.source, h), key


def _groups(item):
    """One paragraph's documents -> (id, (hash, survivor id)) for all but the keep policy's first."""
    (_, h), keys = item
    if len(keys) < 2:
        return
    keys = sorted(set(keys))
    for k in keys[1:]:
        yield k[3], (h, keys[0][3])


class _Apply(CountingDoFn):
    def __init__(self, cfg: PipelineConfig):
        p = cfg.dedup.paragraphs
        self.min_chars, self.min_words = p.min_chars, p.min_words

    def process(self, item):
        _, grouped = item
        removals = grouped["rm"]
        for doc in grouped[DOCS]:
            self.count(STAGE, doc.source, "in")
            if not removals:
                self.count(STAGE, doc.source, "out")
                yield doc
                continue
            text, chars, paras = remove_paragraphs(doc.text, {h for h, _ in removals}, self.min_chars)
            note = {"removed": len(paras), "chars_removed": chars, "kept_in": sorted({s for _, s in removals})[:5],
                    "paragraphs": [p[:200] for p in paras[:5]]}
            self.count(STAGE, doc.source, "metric", "chars_removed", n=chars)
            out = Document(doc.id, text, doc.source, {**doc.metadata, "dedup_paragraphs": note})
            if word_count(text) < self.min_words:
                self.count(STAGE, doc.source, "removed", EMPTIED)
                yield beam.pvalue.TaggedOutput(REJECTED, mark_rejected(out, STAGE, "paragraphs_emptied", EMPTIED))
            else:
                self.count(STAGE, doc.source, "out")
                yield out


def _size(doc) -> int:
    return len(doc.text)


class ParagraphDedup(beam.PTransform):
    """Documents (after document-level dedup) -> {"docs", "rejected", "counts"}."""

    def __init__(self, config: PipelineConfig, label: str | None = None):
        super().__init__(label)
        self.cfg = config

    def expand(self, docs):
        tally = Tally(STAGE)  # the shuffles' sent and received records, checked with the accounting
        removals = (docs | "ParagraphKeys" >> beam.ParDo(_Keys(self.cfg))
                    | "GroupParagraphs" >> BatchedGroupByKey(tally=tally) | "ParagraphGroups" >> beam.FlatMap(_groups))
        out = ({DOCS: docs | "ById" >> beam.Map(lambda d: (d.id, d)), "rm": removals}
               | "JoinParagraphs" >> BatchedCoGroupByKey(weigh={DOCS: _size}, tally=tally)
               | "ApplyParagraphs" >> beam.ParDo(_Apply(self.cfg)).with_outputs(REJECTED, COUNTS, main=DOCS))
        counts = (out[COUNTS], *tally.counts) | "FlattenCounts" >> beam.Flatten()
        return {DOCS: out[DOCS], REJECTED: out[REJECTED], COUNTS: counts}
