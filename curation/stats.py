"""Stage accounting as data.

Every stage emits count events ``((stage, source, kind, reason), n)`` where kind is one of
``in``, ``out``, ``removed``, ``failed`` or ``metric`` (reason then names the metric: bytes_in,
bytes_out, tokens...). The pipeline sums them with a CombinePerKey and this module turns the
sums into stats.json and checks that, for every stage, in = out + removed + failed.
Reasons read ``<stage>/<rule>`` (``read/revisit``, ``quality/gopher_short_doc``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from curation.errors import AccountingError
from curation.textcut import annotate as annotate_text_cut

KINDS = ("in", "out", "removed", "failed", "metric")
SCHEMA_VERSION = 1

CountKey = tuple[str, str, str, str]  # (stage, source, kind, reason)

# Metrics of one stage that are equal in every correct run: the records its batched shuffles
# packed and those unpacked on the far side (pipelines/batched.py). A difference means the runner
# dropped (or repeated) records between two steps: the result would be silently wrong.
SHUFFLE_SENT, SHUFFLE_RECEIVED = "shuffle_sent", "shuffle_received"
CONSERVED = ((SHUFFLE_SENT, SHUFFLE_RECEIVED),)


def key(stage: str, source: str, kind: str, reason: str = "") -> CountKey:
    if kind not in KINDS:
        raise ValueError(f"unknown count kind {kind!r}")
    return (stage, source, kind, reason)


def _empty_stage() -> dict:
    return {"in": 0, "out": 0, "removed": {}, "failed": {}, "metrics": {}, "by_source": {}}


def _add(d: dict, kind: str, reason: str, n: int) -> None:
    if kind in ("in", "out"):
        d[kind] += n
    elif kind == "metric":
        d["metrics"][reason] = d["metrics"].get(reason, 0) + n
    else:
        d[kind][reason] = d[kind].get(reason, 0) + n


def assemble(counts: Iterable[tuple[CountKey, int]], order: list[str] | None = None) -> dict:
    """Sum count events into the stats.json structure (keys sorted: byte-stable output)."""
    stages: dict[str, dict] = defaultdict(_empty_stage)
    for (stage, source, kind, reason), n in counts:
        st = stages[stage]
        _add(st, kind, reason, int(n))
        src = st["by_source"].setdefault(source, {"in": 0, "out": 0, "removed": {}, "failed": {}, "metrics": {}})
        _add(src, kind, reason, int(n))
    names = list(order or [])
    names += sorted(s for s in stages if s not in names)
    out_stages = {}
    for name in names:
        if name not in stages:
            continue
        st = stages[name]
        st["removed_total"] = sum(st["removed"].values())
        st["failed_total"] = sum(st["failed"].values())
        for section in (st, *st["by_source"].values()):
            annotate_text_cut(section)  # chars_removed and kept_text_cut, per rule (curation/textcut.py)
        out_stages[name] = _sorted(st)
    return {"schema_version": SCHEMA_VERSION, "stage_order": [n for n in names if n in stages], "stages": out_stages}


def _sorted(d):
    if isinstance(d, dict):
        return {k: _sorted(d[k]) for k in sorted(d)}
    return d


def check(stats: dict, chain: list[str] | None = None) -> None:
    """Raise AccountingError unless in = out + removed + failed for every stage and source, the
    ``CONSERVED`` metrics agree, and each stage of ``chain`` takes in exactly what the previous
    one let out."""
    problems = []
    for name, st in stats["stages"].items():
        for scope, d in [("all", st)] + [(f"source {s}", v) for s, v in st["by_source"].items()]:
            rhs = d["out"] + sum(d["removed"].values()) + sum(d["failed"].values())
            if d["in"] != rhs:
                problems.append(
                    f"stage {name} ({scope}): in={d['in']} but out+removed+failed={rhs} "
                    f"(out={d['out']}, removed={sum(d['removed'].values())}, failed={sum(d['failed'].values())})"
                )
        for sent, received in CONSERVED:
            a, b = st["metrics"].get(sent, 0), st["metrics"].get(received, 0)
            if a != b:
                problems.append(f"stage {name}: its shuffles sent {a} records but {b} arrived ({sent} != {received}): "
                                "the runner lost records between two steps; the output is incomplete, rerun it")
    if chain:
        present = [c for c in chain if c in stats["stages"]]
        for a, b in zip(present, present[1:]):
            if stats["stages"][a]["out"] != stats["stages"][b]["in"]:
                problems.append(f"stage {b} took in {stats['stages'][b]['in']} documents but {a} let out {stats['stages'][a]['out']}")
    if problems:
        raise AccountingError("accounting mismatch: " + "; ".join(problems))


# WARC records that carry no page: the crawler's requests, metadata, warcinfo headers,
# continuation segments and revisit pointers. The read stage counts them (in = out + removed
# holds per record), but they are not documents a filter removed: reports show them apart.
NON_DOCUMENT_REASONS = ("read/request", "read/metadata", "read/warcinfo", "read/continuation", "read/revisit")


def non_document_records(stats: dict) -> dict[str, int]:
    """Records that are not documents, by reason (read stage only)."""
    removed = stats["stages"].get("read", {}).get("removed", {})
    return {r: n for r, n in sorted(removed.items()) if r in NON_DOCUMENT_REASONS and n}


def reason_totals(stats: dict) -> dict[str, int]:
    """Every removal and failure reason over all stages: {"quality/gopher_short_doc": 12, ...}."""
    out: dict[str, int] = {}
    for st in stats["stages"].values():
        for kind in ("removed", "failed"):
            for r, n in st[kind].items():
                out[r] = out.get(r, 0) + n
    return dict(sorted(out.items()))
