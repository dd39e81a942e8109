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
from apache_beam.pvalue import TaggedOutput
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP
from apache_beam.utils.windowed_value import WindowedValue

from curation import fs, progress
from curation import stats as stats_mod
from curation.document import Document
from curation.errors import AccountingError
from curation.stats import key as count_key
from filters.routing import Router
from filters.stage import StageRunner, mark_rejected
from pipelines import beam_cache, beam_release

# Every graph and every worker imports this module: Beam's per-DoFn spec lookups are cached here,
# and DoFns with side inputs let go of their last element (beam_release).
beam_cache.install()
beam_release.install()

__all__ = ["COUNTS", "DOCS", "REJECTED", "ApplyFilters", "AssembleStats", "BatchedDoFn", "CountingDoFn", "FilterStage", "SumCounts",
           "WriteStats", "mark_rejected"]

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


def in_global_window(value):
    return WindowedValue(value, MIN_TIMESTAMP, (GlobalWindow(),))


# Documents per list: hundreds amortise a per-call cost of tens of microseconds to nothing.
BATCH = 256
# Text held in one list (characters): a list of books flushes early, bounding a worker's memory.
BATCH_CHARS = 8 << 20


class BatchedDoFn(CountingDoFn):
    """A CountingDoFn that handles lists of documents: elements are buffered per bundle and
    handed to ``process_list`` BATCH at a time (or once BATCH_CHARS of text is held), the last
    partial list in finish_bundle.

    A list pays per-call costs once (dedup's numpy hashing, curation/dedup/batch_features.py),
    and its count events are summed before they reach the bundle's Counter, the progress
    heartbeat and Beam's metrics: one update per (stage, source, kind, reason) and list, the
    totals unchanged. Each document still takes the same per-document code in the same order;
    what is emitted from finish_bundle goes to the global window, the only window curate's
    graphs use. Buffering in process and emitting from finish_bundle is plain Beam, no runner's
    feature.

    Subclasses define ``process_list(elements, *side_inputs)`` (a generator of outputs) and
    count with ``self.count`` as before."""

    def start_bundle(self):
        super().start_bundle()
        self._buffer: list = []
        self._held = 0
        self._side: tuple = ()
        self._pending: Counter = Counter()

    def process(self, element, *side):
        self._buffer.append(element)
        text = getattr(element, "text", None)
        self._held += len(text) if isinstance(text, str) else 0
        self._side = side  # side inputs are the same for every element of a run
        if len(self._buffer) >= BATCH or self._held >= BATCH_CHARS:
            yield from self._drain()

    def process_list(self, elements: list, *side):
        raise NotImplementedError(f"{type(self).__name__} must define process_list")

    def count(self, stage: str, source: str, kind: str, reason: str = "", n: int = 1) -> None:
        self._pending[(stage, source, kind, reason)] += n

    def _drain(self):
        items, self._buffer, self._held = self._buffer, [], 0
        if items:
            yield from self.process_list(items, *self._side)
        pending, self._pending = self._pending, Counter()
        for (stage, source, kind, reason), n in pending.items():
            CountingDoFn.count(self, stage, source, kind, reason, n)

    def finish_bundle(self):
        for out in self._drain():
            yield TaggedOutput(out.tag, in_global_window(out.value)) if isinstance(out, TaggedOutput) else in_global_window(out)
        yield from super().finish_bundle()


class _FilterChainDoFn(BatchedDoFn):
    """filters/stage.StageRunner as a DoFn: kept documents out, rejected and failed ones tagged."""

    def __init__(self, stage: str, filters: Sequence, router=None):
        self.runner = StageRunner(stage, filters, router)

    def setup(self):
        self.runner.setup()

    def process_list(self, docs: list[Document]) -> Iterable:
        for doc in docs:
            kind, out = self.runner(doc, self.count)
            yield out if kind == "out" else beam.pvalue.TaggedOutput(REJECTED, out)


class ApplyFilters(beam.PTransform):
    """Run a chain of filters (filters/base.py) as one stage: kept docs, rejects and counts."""

    def __init__(self, stage: str, filters: Sequence, label: str | None = None, router=None):
        super().__init__(label)
        self.stage = stage
        self.filters = list(filters)
        self.router = router  # filters/routing.Router: which source's rules each document gets

    def expand(self, docs):
        res = docs | "Apply" >> beam.ParDo(_FilterChainDoFn(self.stage, self.filters, self.router)).with_outputs(
            REJECTED, COUNTS, main=DOCS
        )
        return {DOCS: res[DOCS], REJECTED: res[REJECTED], COUNTS: res[COUNTS]}


class FilterStage(beam.PTransform):
    """A stage that is one chain of filters from filters/registry.py: ``docs | Stage(cfg)``."""

    stage = ""
    routed = True  # documents get the rules of their source's route (filters/routing.py)

    def __init__(self, config, label: str | None = None):
        super().__init__(label)
        self.config = config

    def filters(self) -> list:
        raise NotImplementedError

    def expand(self, docs):
        router = Router(self.config) if self.routed else None
        return docs | "Filter" >> ApplyFilters(self.stage, self.filters(), router=router)


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
        stats = stats_mod.assemble(counts, order=self.chain)
        problems = []
        try:
            stats_mod.check(stats, self.chain)
        except AccountingError as e:
            problems = [str(e)]
        stats["accounting"] = {"ok": not problems, "problems": problems}
        if self.write or problems:
            fs.write_json(f"{self.output_dir}/stats.json", stats)
        if problems:
            raise AccountingError(problems[0]).in_worker()
        yield stats


class WriteStats(beam.PTransform):
    """The stats tail of every graph: count PCollections -> summed -> stats.json, checked.

    ``(counts, ...) | WriteStats(out, chain, wait_for=[...])`` (a tuple: Beam reads a list on the
    left of ``|`` as values to create) yields the stats dict; the
    ``wait_for`` PCollections (the writers' outputs) must be complete before it runs."""

    def __init__(self, output_dir: str, chain: list[str], wait_for: Sequence = (), write: bool = True,
                 label: str | None = None):
        super().__init__(label)
        self.output_dir = output_dir
        self.chain = list(chain)
        self.wait_for = list(wait_for)
        self.write = write

    def expand(self, counts_list):
        return (
            tuple(counts_list)
            | "SumCounts" >> SumCounts()
            | "CollectCounts" >> beam.combiners.ToList()
            | "AssembleStats" >> beam.ParDo(
                AssembleStats(self.output_dir, self.chain, write=self.write),
                *[beam.pvalue.AsList(w) for w in self.wait_for],
            )
        )
