"""The language-ID, quality and PII stages as composite transforms.

Each returns ``{"docs", "rejected", "counts"}`` (pipelines/transforms.py) and honours
in = out + removed + failed: the filter chains come from filters/registry.py and run in the
shared wrapper (pipelines/transforms.ApplyFilters), which also sums the values filters declare
as ``metrics`` (C4's removed lines, PII's replacements) into the stage's metrics.

    docs | LangId(cfg) -> | Quality(cfg) -> ... dedup ... | RedactPII(cfg)
"""

from __future__ import annotations

import apache_beam as beam

from curation.config import PipelineConfig
from filters import registry
from pipelines.transforms import COUNTS, DOCS, REJECTED, ApplyFilters, AssembleStats


class _Stage(beam.PTransform):
    stage = ""

    def __init__(self, config: PipelineConfig, label: str | None = None):
        super().__init__(label)
        self.config = config

    def filters(self) -> list:
        raise NotImplementedError

    def expand(self, docs):
        return docs | "Filter" >> ApplyFilters(self.stage, self.filters())


class LangId(_Stage):
    """Stage "langid": text repair first (filters/repair.py: ftfy, control characters, NFC;
    never drops), then annotate ``lang``/``lang_score`` and keep by allowlist and minimum score."""

    stage = "langid"

    def filters(self):
        return registry.langid_filters(self.config)


class Quality(_Stage):
    """Stage "quality": the rule sets routed by source (filters/registry.py), then any plugin
    filters the config names (filters/plugins.py), in the same wrapper."""

    stage = "quality"

    def filters(self):
        from filters.plugins import plugin_filters

        return registry.quality_filters(self.config) + plugin_filters(self.config.plugins)


class RedactPII(_Stage):
    """Stage "pii": emails, public IPs, phones, card numbers and IBANs replaced by placeholders;
    never removes a document."""

    stage = "pii"

    def filters(self):
        return registry.pii_filters(self.config)


# ---------------------------------------------------------------- `curate filter`
FILTER_CHAIN = ["read", "extract", "langid", "quality"]


def build_filter(p, inputs: list, config: PipelineConfig, output_dir: str, fmt: str = "parquet",
                 text_key: str = "text", id_key: str = "id"):
    """The `curate filter` graph: documents -> LangId -> Quality; DIR/documents/ (kept),
    DIR/rejected/ (with stage, rule, reason and every rule value) and DIR/stats.json."""
    from pipelines.docs_io import ReadDocuments, WriteParts
    from pipelines.transforms import SumCounts

    out = output_dir.rstrip("/")
    read = p | "ReadDocs" >> ReadDocuments(inputs, text_key, id_key)
    lang = read[DOCS] | "LangId" >> LangId(config)
    quality = lang[DOCS] | "Quality" >> Quality(config)
    rejected = (read[REJECTED], lang[REJECTED], quality[REJECTED]) | "FlattenRejected" >> beam.Flatten()
    docs_written = quality[DOCS] | "WriteDocuments" >> WriteParts(out, "documents", kind="documents", fmt=fmt)
    rejected_written = rejected | "WriteRejected" >> WriteParts(out, "rejected", kind="rejected", fmt=fmt)
    return (
        (read[COUNTS], lang[COUNTS], quality[COUNTS])
        | "SumCounts" >> SumCounts()
        | "CollectCounts" >> beam.combiners.ToList()
        | "WriteStats" >> beam.ParDo(
            AssembleStats(out, FILTER_CHAIN), beam.pvalue.AsList(docs_written), beam.pvalue.AsList(rejected_written)
        )
    )
