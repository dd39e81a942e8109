"""One filter stage applied to one document, without Beam.

The pipeline's wrapper (pipelines/transforms.ApplyFilters) and the Python API
(curation/api.filter_documents) both run stages through ``StageRunner``, so a document is kept,
removed or failed, counted and marked the same way wherever it runs: the three tiers of
curation/errors.py (a reasoned removal; an unexpected exception counted as
``<stage>/error_<Type>``, logged in one line, never raised).

Routing (filters/routing.py): with a router, a document is judged as the source the router names
(its own name kept in the output and the counts), or passes the stage untouched when its source
is routed to ``none``. Besides in/out/removed/failed, the runner counts as metrics, per source:
``rules_ran/<filter>`` (documents each filter applied to: which rule sets ran),
``chars_in_kept`` (characters of the kept documents as they entered the stage) and
``chars_removed/<filter>`` (characters a filter took out of documents the stage kept).
"""

from __future__ import annotations

import logging
from typing import Callable, Sequence

from curation.document import REJECT_REASON, REJECT_RULE, REJECT_STAGE, Document
from filters.base import run_chain
from filters.text import forget_split

log = logging.getLogger("curate")

# count(stage, source, kind, reason="", n=1): where the outcome is tallied.
Count = Callable[..., None]


def mark_rejected(doc: Document, stage: str, rule: str, reason: str) -> Document:
    return doc.with_metadata(**{REJECT_STAGE: stage, REJECT_RULE: rule, REJECT_REASON: reason})


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


class StageRunner:
    """``runner(doc, count) -> (kind, doc)``: kind "out" (the kept, annotated document), "removed"
    or "failed" (the document marked with stage, rule and reason)."""

    def __init__(self, stage: str, filters: Sequence, router: Callable[[str], str | None] | None = None):
        self.stage = stage
        self.filters = list(filters)
        self.router = router
        # Filters may name values of their annotations to sum into the stage's metrics (C4's
        # removed lines, PII replacements): over kept documents, and over rejected ones too
        # for filters that set count_rejected_metrics (a repaired page that is then dropped).
        self.metric_keys = [(f.name, m, getattr(f, "count_rejected_metrics", False))
                            for f in self.filters for m in getattr(f, "metrics", ())]

    def setup(self) -> None:
        for f in self.filters:
            f.setup()

    def _count_metrics(self, doc: Document, rejected: bool, count: Count) -> None:
        for fname, m, on_rejected in self.metric_keys:
            if rejected and not on_rejected:
                continue
            values = doc.metadata.get(fname)
            v = values.get(m) if isinstance(values, dict) else None
            if v:
                count(self.stage, doc.source, "metric", f"{fname}/{m}", int(v))

    def __call__(self, doc: Document, count: Count) -> tuple[str, Document]:
        stage = self.stage
        count(stage, doc.source, "in")
        count(stage, doc.source, "metric", "bytes_in", _utf8_len(doc.text))
        source = doc.source
        routed = self.router(source) if self.router is not None else source
        if routed is None:  # routed to "none": explicitly no rules
            count(stage, source, "out")
            count(stage, source, "metric", "bytes_out", _utf8_len(doc.text))
            return "out", doc
        as_source = doc if routed == source else Document(doc.id, doc.text, routed, doc.metadata)
        try:
            res = run_chain(as_source, self.filters, stage)
        except Exception as e:  # one unexpected record must not kill the run: count and log it
            kind = f"{stage}/error_{type(e).__name__}"
            log.warning("%s: %s on document %s: %s", stage, type(e).__name__, doc.id, str(e)[:200])
            count(stage, source, "failed", kind)
            return "failed", mark_rejected(doc, stage, "error", kind)
        finally:
            forget_split()
        if routed != source:
            res.doc = Document(res.doc.id, res.doc.text, source, res.doc.metadata)
        for name in res.ran:
            count(stage, source, "metric", f"rules_ran/{name}")
        self._count_metrics(res.doc, not res.keep, count)
        if res.keep:
            count(stage, doc.source, "out")
            count(stage, doc.source, "metric", "bytes_out", _utf8_len(res.doc.text))
            count(stage, source, "metric", "chars_in_kept", len(doc.text))
            for name, n in res.chars_removed.items():
                count(stage, source, "metric", f"chars_removed/{name}", n)
            return "out", res.doc
        count(stage, doc.source, "removed", res.reason)
        return "removed", mark_rejected(res.doc, stage, res.filter_name, res.reason)
