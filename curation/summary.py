"""The end-of-run table: in, kept and removed per stage with the top reasons, bytes and tokens
seen where the stage measured them (stats metrics), time per stage where known, the share of
kept text the rules cut (curation/textcut.py), tokens written."""

from __future__ import annotations

from curation.stats import NON_DOCUMENT_REASONS
from curation.textcut import summary_line


def _size(n: float) -> str:
    for unit, div in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= div:
            return f"{n / div:.1f} {unit}"
    return f"{n:.0f} B"


def format_summary(
    stats: dict, manifest: dict | None = None, elapsed: float | None = None, top: int = 3, durations: dict | None = None
) -> str:
    """``durations``: per stage, seconds from the start of the run to when it finished
    (curation.progress.watch.stage_done_at()); stages run fused and overlap on Beam, so this is a
    timeline, shown as "done at"."""
    order = stats.get("stage_order", list(stats["stages"]))
    metrics = [stats["stages"][n].get("metrics", {}) for n in order]
    show_bytes = any(m.get("bytes_in") for m in metrics)
    show_tokens = any(m.get("tokens") for m in metrics)
    show_time = bool(durations)
    header = ["stage", "in", "kept", "removed", "failed"]
    header += ["bytes in"] * show_bytes + ["tokens"] * show_tokens + ["done at"] * show_time
    rows = [tuple(header + ["top reasons"])]
    for name, m in zip(order, metrics):
        st = stats["stages"][name]
        reasons = {r: n for r, n in {**st["removed"], **st["failed"]}.items() if r not in NON_DOCUMENT_REASONS}
        top_r = ", ".join(f"{r} {n:,}" for r, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:top])
        row = [name, f"{st['in']:,}", f"{st['out']:,}", f"{sum(st['removed'].values()):,}", f"{sum(st['failed'].values()):,}"]
        if show_bytes:
            row.append(_size(m["bytes_in"]) if m.get("bytes_in") else "")
        if show_tokens:
            row.append(f"{m['tokens']:,}" if m.get("tokens") else "")
        if show_time:
            row.append(f"{durations[name]:.1f}s" if durations.get(name) is not None else "")
        rows.append(tuple(row + [top_r]))
    n_num = len(header)
    widths = [max(len(r[i]) for r in rows) for i in range(n_num)]
    lines = []
    for i, r in enumerate(rows):
        cells = [r[0].ljust(widths[0])] + [r[j].rjust(widths[j]) for j in range(1, n_num)] + [r[n_num]]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 11)
    records = {r: n for r, n in stats["stages"].get("read", {}).get("removed", {}).items() if r in NON_DOCUMENT_REASONS and n}
    if records:
        lines.append(f"read skipped {plural(sum(records.values()), 'WARC record')} that are not documents ("
                     + ", ".join(f"{r.split('/', 1)[1]} {n:,}" for r, n in sorted(records.items())) + ")")
    cut = summary_line(stats)
    if cut:
        lines.append(cut)
    if manifest:
        lines.append(wrote_line(manifest, elapsed))
    return "\n".join(lines)


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 shard``, ``2 shards``, ``1,234 documents``."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def documents_only(manifest: dict) -> bool:
    """A build-shards output made with ``--emit documents`` alone: curated documents under
    DIR/documents/, no tokenizer and no shards."""
    return manifest.get("tokenizer") is None and not manifest.get("shards")


def wrote_line(manifest: dict, elapsed: float | None = None) -> str:
    t = manifest.get("totals", {})
    took = f" in {elapsed:.1f}s" if elapsed is not None else ""
    if documents_only(manifest):
        parts = len((manifest.get("documents") or {}).get("parts", []))
        return (f"wrote {plural(t.get('documents', 0), 'document')} in {plural(parts, 'part')} under documents/"
                f" (--emit documents: no tokenizer, no shards){took}")
    return (f"wrote {plural(t.get('documents', 0), 'document')}, {plural(t.get('tokens', 0), 'token')} in "
            f"{plural(len(manifest.get('shards', [])), 'shard')}{took}")


def next_steps(output: str, manifest: dict | None) -> str:
    """The last lines of build-shards: where the output is and what to run next."""
    if manifest is None:
        return f"output: {output}"
    steps = [f"curate report {output}   (writes {output}/report.html)"]
    if documents_only(manifest):
        steps.append(f"curate explain DOC_ID {output}   (why a document was kept or removed)")
        steps.append("--emit documents,tokens to also train a tokenizer and write shards")
    else:
        steps.append(f"curate inspect {output}   (check the shards against the manifest)")
        steps.append(f"curate train --shards {output}   (train a GPT on them)")
    return f"output: {output}\nnext:\n" + "\n".join(f"  {s}" for s in steps)
