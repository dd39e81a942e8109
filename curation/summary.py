"""The end-of-run table: in, kept and removed per stage with the top reasons, tokens written."""

from __future__ import annotations


def format_summary(stats: dict, manifest: dict | None = None, elapsed: float | None = None, top: int = 3) -> str:
    rows = [("stage", "in", "kept", "removed", "failed", "top reasons")]
    for name in stats.get("stage_order", list(stats["stages"])):
        st = stats["stages"][name]
        reasons = {**st["removed"], **st["failed"]}
        top_r = ", ".join(f"{r} {n}" for r, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:top])
        rows.append((name, str(st["in"]), str(st["out"]), str(sum(st["removed"].values())), str(sum(st["failed"].values())), top_r))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = []
    for i, r in enumerate(rows):
        cells = [r[0].ljust(widths[0])] + [r[j].rjust(widths[j]) for j in range(1, 5)] + [r[5]]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 11)
    if manifest:
        t = manifest.get("totals", {})
        lines.append(
            f"wrote {t.get('documents', 0)} documents, {t.get('tokens', 0)} tokens in {len(manifest.get('shards', []))} shards"
            + (f" in {elapsed:.1f}s" if elapsed is not None else "")
        )
    return "\n".join(lines)
