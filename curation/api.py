"""The Python API: the stages as plain functions and as composite Beam transforms.

Plain Python (no Beam, for notebooks and tests)::

    from curation import api
    cfg = api.load_config(overrides=["quality.gopher_quality.min_doc_words=30"])
    result = api.filter_documents(api.read_documents("docs.jsonl"), cfg)
    result.kept, result.rejected, result.stats

Beam (the same transforms build-shards composes; any runner)::

    with beam.Pipeline() as p:
        read = p | api.ReadInputs(cfg, books=["sample_data/books"], web=["sample_data/web"])
        langid = read["docs"] | api.LangId(cfg)
        quality = langid["docs"] | api.Quality(cfg)
        dedup = quality["docs"] | api.Dedup(cfg)
        dedup["docs"] | api.WriteDocuments("out/custom")

Every stage transform returns ``{"docs", "rejected", "counts"}`` (dedup adds ``duplicates``).
``build_shards`` runs the whole pipeline exactly as ``curate build-shards`` does (pipelines/run.py:
output lock, stage checkpoints and resume, run.json), and returns the manifest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import apache_beam as beam

from curation import stats as stats_mod
from curation.config import PipelineConfig, load_config as _load_config
from curation.docio import iter_documents
from curation.document import Document
from curation.errors import UserError
from curation.inputs import require_some_input, resolve_inputs
from filters import registry
from filters.plugins import plugin_filters
from filters.routing import Router
from filters.stage import StageRunner
from pipelines.dedup import Dedup
from pipelines.options import pipeline_options
from pipelines.langid import LangId
from pipelines.parts import WriteParts
from pipelines.pii import RedactPII
from pipelines.quality import Quality
from pipelines.read import ReadInputs as _ReadInputs
from pipelines.run import BuildRequest, build_shards as _build_shards
from pipelines.shards import WriteManifest, WriteShards
from pipelines.tokenize import Tokenize, TrainTokenizer
from pipelines.transforms import ApplyFilters

__all__ = [
    "load_config", "read_documents", "filter_documents", "FilterResult", "PipelineConfig", "Document",
    "ReadInputs", "LangId", "Quality", "Dedup", "RedactPII", "TrainTokenizer", "Tokenize", "WriteShards",
    "WriteManifest", "WriteDocuments", "ApplyFilters", "build_shards",
]

log = logging.getLogger("curate")


def load_config(path: str | None = None, overrides: list[str] | None = None) -> PipelineConfig:
    """Defaults, then a YAML file, then ``key=value`` overrides (unknown keys raise ConfigError)."""
    return _load_config(path, overrides)


def read_documents(path: str, text_key: str = "text", id_key: str = "id") -> Iterator[Document]:
    """Documents from JSONL[.gz|.zst] or Parquet; bad rows are skipped and logged."""
    bad = 0
    for doc, reason in iter_documents(path, text_key, id_key):
        if doc is None:
            bad += 1
            continue
        yield doc
    if bad:
        log.warning("%s: skipped %d bad rows", path, bad)


@dataclass
class FilterResult:
    kept: list[Document] = field(default_factory=list)
    rejected: list[Document] = field(default_factory=list)  # metadata holds stage, rule, reason
    stats: dict = field(default_factory=dict)  # stats.json structure for the stages run


def filter_documents(docs: Iterable[Document], config: PipelineConfig | None = None,
                     stages: tuple[str, ...] = ("langid", "quality"), extra_filters: list | None = None) -> FilterResult:
    """Run the language-ID and quality stages in this process exactly as the pipeline does: the
    same filters, routing and reason codes, through the same stage runner (filters/stage.py), so
    a record a filter cannot handle is counted as failed here too, never raised. Optional extra
    filters are appended to the quality stage."""
    cfg = config or PipelineConfig()
    chains = {
        "langid": registry.langid_filters(cfg),
        "quality": registry.quality_filters(cfg) + plugin_filters(cfg.plugins) + list(extra_filters or []),
        "pii": registry.pii_filters(cfg),
    }
    router = Router(cfg)
    runners = {stage: StageRunner(stage, chains[stage], None if stage == "pii" else router) for stage in stages}
    for runner in runners.values():
        runner.setup()
    counts: dict = {}

    def count(stage, source, kind, reason="", n=1):
        k = stats_mod.key(stage, source, kind, reason)
        counts[k] = counts.get(k, 0) + n

    out = FilterResult()
    for doc in docs:
        for stage in stages:
            kind, doc = runners[stage](doc, count)
            if kind != "out":
                out.rejected.append(doc)
                break
        else:
            out.kept.append(doc)
    out.stats = stats_mod.assemble(counts.items(), order=list(stages))
    return out


def build_shards(inputs: dict[str, list[str]], output: str, config: PipelineConfig | None = None,
                 beam_args: list[str] | None = None, resume: bool = True) -> dict:
    """Run the whole build-shards pipeline as the CLI does (lock, checkpoints, resume, run.json)
    and return the manifest."""
    resolved = resolve_inputs(**inputs)
    require_some_input(resolved)
    res = _build_shards(BuildRequest(resolved, config or PipelineConfig(), str(Path(output).absolute()),
                                     pipeline_options(beam_args or []), resume=resume, watch=False, argv=[]))
    if res.manifest is None:
        raise UserError(f"{output}: the run wrote no manifest")
    return res.manifest


class ReadInputs(beam.PTransform):
    """Read --web/--books/--code/--docs style inputs: ``p | ReadInputs(cfg, web=[...], books=[...])``."""

    def __init__(self, config: PipelineConfig | None = None, text_key: str = "text", id_key: str = "id",
                 label: str | None = None, **inputs):
        super().__init__(label)
        self.config = config or PipelineConfig()
        self.inputs = resolve_inputs(**inputs)
        require_some_input(self.inputs)
        self.text_key, self.id_key = text_key, id_key

    def expand(self, pbegin):
        return pbegin | "Read" >> _ReadInputs(self.inputs, self.config, self.text_key, self.id_key)


class WriteDocuments(beam.PTransform):
    """Write Documents as ``DIR/documents/part-NNNNN.parquet`` (or ``fmt="jsonl"``)."""

    def __init__(self, output_dir: str, fmt: str = "parquet", label: str | None = None):
        super().__init__(label)
        self.output_dir = str(Path(output_dir).absolute())
        self.fmt = fmt

    def expand(self, docs):
        return docs | "Write" >> WriteParts(self.output_dir, "documents", kind="documents", fmt=self.fmt)
