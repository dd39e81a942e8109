"""Reproducible slices of the input for tuning thresholds: ``--sample FRACTION`` keeps documents
whose id hash falls below FRACTION of the hash space; ``--limit N`` keeps the N documents with
the smallest id hashes. Both depend only on ids, so any runner picks the same documents.
Dropped documents are counted (stage ``sample``) so the accounting still adds up."""

from __future__ import annotations

import apache_beam as beam

from curation.document import id_hash64
from pipelines.transforms import COUNTS, DOCS, REJECTED, CountingDoFn

_SPACE = float(1 << 64)


class _SampleDoFn(CountingDoFn):
    def __init__(self, fraction: float | None):
        self.fraction = fraction

    def process(self, doc, chosen=None):
        self.count("sample", doc.source, "in")
        h = id_hash64(doc.id)
        if self.fraction is not None and h >= self.fraction * _SPACE:
            self.count("sample", doc.source, "removed", "sample/not_sampled")
            return
        if chosen is not None and (h, doc.id) not in chosen:
            self.count("sample", doc.source, "removed", "sample/over_limit")
            return
        self.count("sample", doc.source, "out")
        yield doc


class Sample(beam.PTransform):
    def __init__(self, fraction: float | None = None, limit: int | None = None, label: str | None = None):
        super().__init__(label)
        self.fraction = fraction
        self.limit = limit

    def expand(self, docs):
        fn = _SampleDoFn(self.fraction)
        if self.limit is None:
            res = docs | "Keep" >> beam.ParDo(fn).with_outputs(COUNTS, main=DOCS)
        else:
            fraction = self.fraction
            eligible = docs | "Eligible" >> beam.Filter(lambda d: fraction is None or id_hash64(d.id) < fraction * _SPACE)
            chosen = (
                eligible
                | "HashId" >> beam.Map(lambda d: (id_hash64(d.id), d.id))
                | "Smallest" >> beam.combiners.Top.Smallest(self.limit)
                | "AsSet" >> beam.Map(set)
            )
            res = docs | "Keep" >> beam.ParDo(fn, chosen=beam.pvalue.AsSingleton(chosen)).with_outputs(COUNTS, main=DOCS)
        empty = docs.pipeline | "NoRejects" >> beam.Create([])
        return {DOCS: res[DOCS], REJECTED: empty, COUNTS: res[COUNTS]}
