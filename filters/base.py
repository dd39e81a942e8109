"""The filter contract.

A filter (or annotator) is a small object with a versioned ``name``, the ``stage`` it belongs
to, the ``sources`` it applies to (routing, docs/contracts.md) and one method::

    apply(doc) -> (doc, Verdict)

It may return a new Document with annotations added to metadata (rule values, ``lang``,
redacted text); the verdict says keep or drop with a stable rule code. The stage reason is
``f"{stage}/{rule}"``. Constructors hold only config (paths and numbers) so filters pickle
cheaply; heavy resources load in ``setup()``, which the wrapper calls once per process before
the first ``apply``. Every filter must survive "" and whitespace-only text.

The same object runs in a Beam DoFn (pipelines/transforms.py), a unit test or a notebook:
``run_chain`` below is the whole decision logic, shared by all three.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from curation.document import Document


@dataclass(frozen=True)
class Verdict:
    keep: bool
    rule: str = ""  # stable reason code when keep is False, e.g. "gopher_short_doc"
    values: dict[str, Any] = field(default_factory=dict)  # the rule values that decided

    @staticmethod
    def ok(**values: Any) -> "Verdict":
        return Verdict(True, "", values)

    @staticmethod
    def drop(rule: str, **values: Any) -> "Verdict":
        return Verdict(False, rule, values)


class Filter:
    """Base class. Subclasses set ``name``, ``stage`` and ``sources`` and implement ``apply``."""

    name: str = "filter_v1"
    stage: str = "quality"
    # Sources this filter applies to; None means every source.
    sources: Sequence[str] | None = None
    # Every rule code this filter can return (the contract test checks each has a test).
    rules: tuple[str, ...] = ()

    def setup(self) -> None:
        """Load heavy resources (models). Called once per process before apply()."""

    def applies_to(self, doc: Document) -> bool:
        return self.sources is None or doc.source in self.sources

    def apply(self, doc: Document) -> tuple[Document, Verdict]:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


@dataclass
class ChainResult:
    doc: Document
    keep: bool
    filter_name: str = ""
    reason: str = ""  # "<stage>/<rule>" when removed
    ran: list[str] = field(default_factory=list)  # names of the filters that applied, in order
    chars_removed: dict[str, int] = field(default_factory=dict)  # filter name -> characters it took out of the text


def run_chain(doc: Document, filters: Iterable[Filter], stage: str) -> ChainResult:
    """Apply filters in order; the first drop ends the chain. Rule values of each filter that ran
    are kept in ``metadata[filter.name]`` so a threshold can be retuned without recomputing.
    The result also says which filters applied and how many characters each one that rewrote
    the text took out of it (C4's removed lines, PII placeholders shorter than the match)."""
    ran: list[str] = []
    cut: dict[str, int] = {}
    for f in filters:
        if not f.applies_to(doc):
            continue
        ran.append(f.name)
        before = doc.text
        doc, verdict = f.apply(doc)
        if doc.text is not before and len(doc.text) < len(before):
            cut[f.name] = len(before) - len(doc.text)
        if verdict.values:
            doc = doc.with_metadata(**{f.name: verdict.values})
        if not verdict.keep:
            return ChainResult(doc, False, f.name, f"{stage}/{verdict.rule}", ran, cut)
    return ChainResult(doc, True, ran=ran, chars_removed=cut)
