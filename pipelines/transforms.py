"""Shared Beam plumbing: bundle-level counting, the one filter wrapper, rejects.

Stage convention: every stage is a composite PTransform whose ``expand`` returns a dict with at
least ``docs`` (kept Documents), ``rejected`` (Documents whose metadata holds stage, rule and
reason) and ``counts`` (``((stage, source, kind, reason), n)`` events, see curation/stats.py).
Counts are data, summed by the pipeline; Beam Metrics are used only for live progress.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Iterable, Sequence

import apache_beam as beam
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP
from apache_beam.utils.windowed_value import WindowedValue

from curation import progress
from curation.document import REJECT_REASON, REJECT_RULE, REJECT_STAGE, Document
from curation.stats import key as count_key

log = logging.getLogger("curate")

DOCS = "docs"
REJECTED = "rejected"
COUNTS = "counts"


class CountingDoFn(beam.DoFn):
    """A DoFn that tallies count events per bundle and emits them once in finish_bundle.

    Emitting one element per document per event would double the elements in flight; a
    retried bundle discards its outputs, so bundle-level sums stay exact.
    """

    def start_bundle(self):
        self._counts = Counter()

    def count(self, stage: str, source: str, kind: str, reason: str = "", n: int = 1) -> None:
        self._counts[count_key(stage, source, kind, reason)] += n
        progress.record(stage, kind, reason, n)
        if kind in ("in", "out"):
            beam.metrics.Metrics.counter(stage, kind).inc(n)

    def finish_bundle(self):
        # A worker may stop right after its last bundle: write its progress now.
        progress.flush()
        for k, n in sorted(self._counts.items()):
            yield beam.pvalue.TaggedOutput(COUNTS, WindowedValue((k, n), MIN_TIMESTAMP, [GlobalWindow()]))
        self._counts = Counter()


def mark_rejected(doc: Document, stage: str, rule: str, reason: str) -> Document:
    return doc.with_metadata(**{REJECT_STAGE: stage, REJECT_RULE: rule, REJECT_REASON: reason})


class _FilterChainDoFn(CountingDoFn):
    def __init__(self, stage: str, filters: Sequence):
        self.stage = stage
        self.filters = list(filters)
        # Filters may name values of their annotations to sum into the stage's metrics (C4's
        # removed lines, PII replacements): over kept documents, and over rejected ones too
        # for filters that set count_rejected_metrics (a repaired page that is then dropped).
        self.metric_keys = [(f.name, m, getattr(f, "count_rejected_metrics", False))
                            for f in self.filters for m in getattr(f, "metrics", ())]

    def _count_metrics(self, doc: Document, rejected: bool) -> None:
        for fname, m, on_rejected in self.metric_keys:
            if rejected and not on_rejected:
                continue
            values = doc.metadata.get(fname)
            v = values.get(m) if isinstance(values, dict) else None
            if v:
                self.count(self.stage, doc.source, "metric", f"{fname}/{m}", int(v))

    def setup(self):
        for f in self.filters:
            f.setup()

    def process(self, doc: Document) -> Iterable:
        from filters.base import run_chain

        self.count(self.stage, doc.source, "in")
        self.count(self.stage, doc.source, "metric", "bytes_in", len(doc.text.encode("utf-8", "surrogatepass")))
        try:
            res = run_chain(doc, self.filters, self.stage)
        except Exception as e:  # one unexpected record must not kill the run: count and log it
            kind = f"{self.stage}/error_{type(e).__name__}"
            log.warning("%s: %s on document %s: %s", self.stage, type(e).__name__, doc.id, str(e)[:200])
            self.count(self.stage, doc.source, "failed", kind)
            yield beam.pvalue.TaggedOutput(REJECTED, mark_rejected(doc, self.stage, "error", kind))
            return
        self._count_metrics(res.doc, rejected=not res.keep)
        if res.keep:
            self.count(self.stage, doc.source, "out")
            self.count(self.stage, doc.source, "metric", "bytes_out", len(res.doc.text.encode("utf-8", "surrogatepass")))
            yield res.doc
        else:
            self.count(self.stage, doc.source, "removed", res.reason)
            yield beam.pvalue.TaggedOutput(REJECTED, mark_rejected(res.doc, self.stage, res.filter_name, res.reason))


class ApplyFilters(beam.PTransform):
    """Run a chain of filters (filters/base.py) as one stage: kept docs, rejects and counts."""

    def __init__(self, stage: str, filters: Sequence, label: str | None = None):
        super().__init__(label)
        self.stage = stage
        self.filters = list(filters)

    def expand(self, docs):
        res = docs | "Apply" >> beam.ParDo(_FilterChainDoFn(self.stage, self.filters)).with_outputs(
            REJECTED, COUNTS, main=DOCS
        )
        return {DOCS: res[DOCS], REJECTED: res[REJECTED], COUNTS: res[COUNTS]}


class SumCounts(beam.PTransform):
    """Flatten count PCollections and sum per key: the input of stats.json."""

    def expand(self, counts_list):
        return (
            tuple(counts_list)
            | "Flatten" >> beam.Flatten()
            | "Sum" >> beam.CombinePerKey(sum)
        )


class AssembleStats(beam.DoFn):
    """All summed count events -> the stats.json dict, checked (curation/stats.py).

    Extra side inputs only make this step wait for the writes it must follow. The stats are
    written to DIR/stats.json when ``write`` is set, and always when the accounting does not add
    up, before the run is failed: the user must see the mismatch."""

    def __init__(self, output_dir: str, chain: list[str], write: bool = True):
        self.output_dir = output_dir
        self.chain = list(chain)
        self.write = write

    def process(self, counts, *_wait_for):
        from curation import stats as stats_mod
        from curation.errors import AccountingError
        from pipelines.fsutil import write_json

        stats = stats_mod.assemble(counts, order=self.chain)
        problems = []
        try:
            stats_mod.check(stats, self.chain)
        except AccountingError as e:
            problems = [str(e)]
        stats["accounting"] = {"ok": not problems, "problems": problems}
        if self.write or problems:
            write_json(f"{self.output_dir}/stats.json", stats)
        if problems:
            raise AccountingError(problems[0])
        yield stats
