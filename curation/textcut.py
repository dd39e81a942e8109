"""Text cut from documents that were kept: per stage and rule, characters and share of the text.

The stage runner (filters/stage.py) counts, over the documents a stage kept, ``chars_in_kept``
(their characters as they entered the stage) and ``chars_removed/<filter>`` (what each filter
that rewrote the text took out); C4 adds ``c4_v1/chars_removed_<line reason>`` (the removed lines'
characters by reason). A kept document that lost 60% of its lines is a change the user must see:
stats.json, the end-of-run table, the report and `curate explain` show these figures.
"""

from __future__ import annotations

FILTER_PREFIX = "chars_removed/"
RULE_PREFIX = "chars_removed_"
KEPT_IN = "chars_in_kept"


def chars_removed(metrics: dict) -> dict[str, int]:
    """``{rule: characters}`` from a stage's metrics: each filter (``c4_v1``) and, where the filter
    breaks it down, each of its reasons (``c4_v1/no_terminal_punct``)."""
    out: dict[str, int] = {}
    for k, n in metrics.items():
        if k.startswith(FILTER_PREFIX):
            out[k[len(FILTER_PREFIX):]] = int(n)
        else:
            name, _, metric = k.partition("/")
            if metric.startswith(RULE_PREFIX):
                out[f"{name}/{metric[len(RULE_PREFIX):]}"] = int(n)
    return dict(sorted(out.items()))


def kept_text_cut(metrics: dict) -> dict[str, float]:
    """``{rule: share}``: characters each rule cut over the kept documents' characters on entry."""
    total = metrics.get(KEPT_IN, 0)
    if not total:
        return {}
    return {rule: round(n / total, 4) for rule, n in chars_removed(metrics).items()}


def annotate(section: dict) -> None:
    """Add ``chars_removed`` and ``kept_text_cut`` to a stats.json stage or per-source section."""
    cut = chars_removed(section.get("metrics", {}))
    if cut:
        section["chars_removed"] = cut
        section["kept_text_cut"] = kept_text_cut(section["metrics"])


def summary_line(stats: dict) -> str:
    """One line for the end-of-run table: the share of kept text each stage's rules cut."""
    parts = []
    for name in stats.get("stage_order", list(stats["stages"])):
        shares = kept_text_cut(stats["stages"][name].get("metrics", {}))
        filters = {r: s for r, s in shares.items() if "/" not in r and s > 0}
        if not filters:
            continue
        total = sum(filters.values())
        detail = ", ".join(f"{r} {s:.1%}" for r, s in sorted(filters.items(), key=lambda kv: -kv[1]))
        sub = {r: s for r, s in shares.items() if "/" in r and s > 0}
        top = ", ".join(f"{r.split('/', 1)[1]} {s:.1%}" for r, s in sorted(sub.items(), key=lambda kv: -kv[1])[:3])
        parts.append(f"{name} {total:.1%} ({detail}{'; ' + top if top else ''})")
    return "text cut from kept documents: " + "; ".join(parts) if parts else ""
