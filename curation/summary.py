"""The end-of-run table: in, kept and removed per stage with the top reasons, bytes and tokens
seen where the stage measured them (stats metrics), time per stage where known, the share of
kept text the rules cut (curation/textcut.py), tokens written."""

from __future__ import annotations

from curation.textcut import summary_line


def _size(n: float) -> str:
    for unit, div in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= div:
            return f"{n / div:.1f} {unit}"
    return f"{n:.0f} B"


def format_summary(
    stats: dict, manifest: dict | None = None, elapsed: float | None = None, top: int = 3, durations: dict | None = None
) -> str:
    """``durations``: seconds per stage (e.g. curation.progress.watch.stage_seconds()); stages
    run fused and overlap on Beam, so these are the spans each one was active."""
    order = stats.get("stage_order", list(stats["stages"]))
    metrics = [stats["stages"][n].get("metrics", {}) for n in order]
    show_bytes = any(m.get("bytes_in") for m in metrics)
    show_tokens = any(m.get("tokens") for m in metrics)
    show_time = bool(durations)
    header = ["stage", "in", "kept", "removed", "failed"]
    header += ["bytes in"] * show_bytes + ["tokens"] * show_tokens + ["seconds"] * show_time
    rows = [tuple(header + ["top reasons"])]
    for name, m in zip(order, metrics):
        st = stats["stages"][name]
        reasons = {**st["removed"], **st["failed"]}
        top_r = ", ".join(f"{r} {n}" for r, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:top])
        row = [name, str(st["in"]), str(st["out"]), str(sum(st["removed"].values())), str(sum(st["failed"].values()))]
        if show_bytes:
            row.append(_size(m["bytes_in"]) if m.get("bytes_in") else "")
        if show_tokens:
            row.append(f"{m['tokens']:,}" if m.get("tokens") else "")
        if show_time:
            row.append(f"{durations[name]:.1f}" if durations.get(name) is not None else "")
        rows.append(tuple(row + [top_r]))
    n_num = len(header)
    widths = [max(len(r[i]) for r in rows) for i in range(n_num)]
    lines = []
    for i, r in enumerate(rows):
        cells = [r[0].ljust(widths[0])] + [r[j].rjust(widths[j]) for j in range(1, n_num)] + [r[n_num]]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 11)
    cut = summary_line(stats)
    if cut:
        lines.append(cut)
    if manifest:
        t = manifest.get("totals", {})
        lines.append(
            f"wrote {t.get('documents', 0)} documents, {t.get('tokens', 0)} tokens in {len(manifest.get('shards', []))} shards"
            + (f" in {elapsed:.1f}s" if elapsed is not None else "")
        )
    return "\n".join(lines)
