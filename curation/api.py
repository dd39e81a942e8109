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
Beam is imported only when a transform is first used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from curation.config import PipelineConfig, load_config as _load_config
from curation.document import Document

__all__ = [
    "load_config", "read_documents", "filter_documents", "FilterResult", "PipelineConfig", "Document",
    "ReadInputs", "LangId", "Quality", "Dedup", "RedactPII", "TrainTokenizer", "Tokenize", "WriteShards",
    "WriteManifest", "WriteDocuments", "ApplyFilters", "build_shards",
]


def load_config(path: str | None = None, overrides: list[str] | None = None) -> PipelineConfig:
    """Defaults, then a YAML file, then ``key=value`` overrides (unknown keys raise ConfigError)."""
    return _load_config(path, overrides)


def read_documents(path: str, text_key: str = "text", id_key: str = "id") -> Iterator[Document]:
    """Documents from JSONL[.gz|.zst] or Parquet; bad rows are skipped and logged."""
    import logging

    from curation.docio import iter_documents

    bad = 0
    for doc, reason in iter_documents(path, text_key, id_key):
        if doc is None:
            bad += 1
            continue
        yield doc
    if bad:
        logging.getLogger("curate").warning("%s: skipped %d bad rows", path, bad)


@dataclass
class FilterResult:
    kept: list[Document] = field(default_factory=list)
    rejected: list[Document] = field(default_factory=list)  # metadata holds stage, rule, reason
    stats: dict = field(default_factory=dict)  # stats.json structure for the stages run


def filter_documents(docs: Iterable[Document], config: PipelineConfig | None = None,
                     stages: tuple[str, ...] = ("langid", "quality"), extra_filters: list | None = None) -> FilterResult:
    """Run the language-ID and quality stages in this process, exactly as the pipeline does
    (same filters, same routing, same reason codes), with optional extra filters appended to
    the quality stage."""
    from curation import stats as stats_mod
    from filters import registry
    from filters.base import run_chain

    cfg = config or PipelineConfig()
    chains = {
        "langid": registry.langid_filters(cfg),
        "quality": registry.quality_filters(cfg) + _plugins(cfg) + list(extra_filters or []),
        "pii": registry.pii_filters(cfg),
    }
    for stage in stages:
        for f in chains[stage]:
            f.setup()
    counts: dict = {}

    def count(stage, source, kind, reason=""):
        k = stats_mod.key(stage, source, kind, reason)
        counts[k] = counts.get(k, 0) + 1

    out = FilterResult()
    for doc in docs:
        for stage in stages:
            count(stage, doc.source, "in")
            res = run_chain(doc, chains[stage], stage)
            if not res.keep:
                count(stage, doc.source, "removed", res.reason)
                out.rejected.append(res.doc.with_metadata(stage=stage, rule=res.filter_name, reason=res.reason))
                break
            count(stage, doc.source, "out")
            doc = res.doc
        else:
            out.kept.append(doc)
    out.stats = stats_mod.assemble(counts.items(), order=list(stages))
    return out


def _plugins(cfg: PipelineConfig) -> list:
    from filters.plugins import plugin_filters

    return plugin_filters(cfg.plugins)


def build_shards(inputs: dict[str, list[str]], output: str, config: PipelineConfig | None = None, beam_args: list[str] | None = None) -> dict:
    """Run the whole build-shards pipeline (as the CLI does, without resume) and return the manifest."""
    import json

    import apache_beam as beam

    from curation.commands.common import pipeline_options
    from curation.inputs import require_some_input, resolve_inputs
    from pipelines import build_shards as pipeline

    cfg = config or PipelineConfig()
    resolved = resolve_inputs(**inputs)
    require_some_input(resolved)
    from pathlib import Path

    out = Path(output).absolute()
    out.mkdir(parents=True, exist_ok=True)
    with beam.Pipeline(options=pipeline_options(beam_args or [])) as p:
        pipeline.build(p, resolved, cfg, str(out))
    return json.loads((out / "manifest.json").read_text())


# ---------------------------------------------------------------- Beam transforms, imported lazily
_TRANSFORMS = {
    "LangId": "pipelines.quality",
    "Quality": "pipelines.quality",
    "RedactPII": "pipelines.quality",
    "Dedup": "pipelines.dedup",
    "TrainTokenizer": "pipelines.write",
    "Tokenize": "pipelines.write",
    "WriteShards": "pipelines.write",
    "WriteManifest": "pipelines.write",
    "ApplyFilters": "pipelines.transforms",
}


def __getattr__(name: str):
    if name in _TRANSFORMS:
        import importlib

        return getattr(importlib.import_module(_TRANSFORMS[name]), name)
    if name == "ReadInputs":
        return _read_inputs_transform()
    if name == "WriteDocuments":
        return _write_documents_transform()
    raise AttributeError(f"module 'curation.api' has no attribute {name!r}")


def _read_inputs_transform():
    import apache_beam as beam

    class ReadInputs(beam.PTransform):
        """Read --web/--books/--code/--docs style inputs: ``p | ReadInputs(cfg, web=[...], books=[...])``."""

        def __init__(self, config: PipelineConfig | None = None, text_key: str = "text", id_key: str = "id", **inputs):
            super().__init__()
            from curation.inputs import require_some_input, resolve_inputs

            self.config = config or PipelineConfig()
            self.inputs = resolve_inputs(**inputs)
            require_some_input(self.inputs)
            self.text_key, self.id_key = text_key, id_key

        def expand(self, pbegin):
            from pipelines.build_shards import read_inputs

            return read_inputs(pbegin.pipeline, self.inputs, self.config, self.text_key, self.id_key)

    return ReadInputs


def _write_documents_transform():
    import apache_beam as beam

    class WriteDocuments(beam.PTransform):
        """Write Documents as ``DIR/documents/part-NNNNN.parquet`` (or ``fmt="jsonl"``)."""

        def __init__(self, output_dir: str, fmt: str = "parquet"):
            super().__init__()
            from pathlib import Path

            self.output_dir = str(Path(output_dir).absolute())
            self.fmt = fmt

        def expand(self, docs):
            from pipelines.docs_io import WriteParts

            return docs | WriteParts(self.output_dir, "documents", kind="documents", fmt=self.fmt)

    return WriteDocuments
