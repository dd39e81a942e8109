"""The report's figures: matplotlib (Agg) rendered to inline SVG strings.

SVG text is drawn as paths (``svg.fonttype = "path"``), so the file needs no font from anywhere,
and the hash salt and date are fixed so the same output folder gives the same bytes.
Every function takes plain numbers and returns one ``<svg>`` element.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
import numpy as np  # noqa: E402

plt.rcParams.update(
    {
        "svg.fonttype": "path",
        "svg.hashsalt": "curate-report",
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)

KEPT = "#2b7bba"
REMOVED = "#d95f02"
BEFORE = "#999999"


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buf.getvalue()
    # Drop the XML prolog and DOCTYPE: the element is embedded inside an HTML document.
    return text[text.index("<svg"):]


def _human(x, _pos=None) -> str:
    """Axis labels that stay short: 950, 12k, 3.4M, 1.2G."""
    for unit, div in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(x) >= div:
            return f"{x / div:.3g}{unit}"
    return f"{x:.0f}"


def _height(n_bars: int) -> float:
    return max(2.0, 0.32 * n_bars + 1.0)


def funnel(stages: list[str], docs_in: list[int], docs_out: list[int], tokens_in: list[float | None], tokens_out: list[float | None]) -> str:
    """Documents (left) and tokens (right) entering and leaving every stage, top to bottom."""
    y = np.arange(len(stages))[::-1]
    fig, axes = plt.subplots(1, 2, figsize=(10, _height(len(stages))), sharey=True)
    for ax, vin, vout, title in ((axes[0], docs_in, docs_out, "documents"), (axes[1], tokens_in, tokens_out, "tokens")):
        known = [i for i, v in enumerate(vin) if v is not None]
        vi = np.array([vin[i] or 0 for i in range(len(stages))], dtype=float)
        vo = np.array([vout[i] or 0 for i in range(len(stages))], dtype=float)
        ax.barh(y[known], vi[known], color=REMOVED, alpha=0.35, label="in")
        ax.barh(y[known], vo[known], color=KEPT, label="out")
        for i in known:
            ax.text(vi[i], y[i], f" {vo[i]:,.0f} / {vi[i]:,.0f}", va="center", fontsize=8)
        for i in set(range(len(stages))) - set(known):
            ax.text(0, y[i], " no token count (no extracted text or no shards)", va="center", fontsize=8, color="#666")
        ax.set_title(f"{title}: out / in")
        ax.set_xlim(0, max(vi.max(), 1) * 1.35)
        ax.xaxis.set_major_formatter(_human)
    axes[0].set_yticks(y, stages)
    axes[0].legend(loc="lower right", frameon=False)
    return _svg(fig)


def reasons(counts: dict[str, int]) -> str:
    """Documents removed (or failed) per reason, largest first."""
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    names = [k for k, _ in items][::-1]
    vals = [v for _, v in items][::-1]
    fig, ax = plt.subplots(figsize=(8, _height(len(items))))
    ax.barh(names, vals, color=REMOVED)
    for i, v in enumerate(vals):
        ax.text(v, i, f" {v:,}", va="center", fontsize=8)
    ax.set_xlim(0, max(vals) * 1.15)
    ax.set_xlabel("documents")
    return _svg(fig)


def languages(rows: list[tuple[str, int, int]]) -> str:
    """Per language (most documents first): kept and removed documents as stacked bars."""
    rows = rows[::-1]
    names = [r[0] for r in rows]
    kept = np.array([r[1] for r in rows])
    removed = np.array([r[2] for r in rows])
    fig, ax = plt.subplots(figsize=(8, _height(len(rows))))
    ax.barh(names, kept, color=KEPT, label="kept")
    ax.barh(names, removed, left=kept, color=REMOVED, label="removed")
    ax.set_xlabel("documents")
    ax.legend(loc="lower right", frameon=False)
    return _svg(fig)


def lengths(before: np.ndarray, before_weights: np.ndarray, after: np.ndarray, unit: str = "tokens") -> str:
    """Document length histograms on log-spaced bins: every document that had text (before the
    filters) and the documents written to shards (after)."""
    hi = max(before.max() if len(before) else 1, after.max() if len(after) else 1, 2)
    bins = np.unique(np.logspace(0, np.log10(hi) + 0.05, 40).astype(int))
    fig, ax = plt.subplots(figsize=(8, 3.2))
    ax.hist(before, bins=bins, weights=before_weights, histtype="stepfilled", color=BEFORE, alpha=0.45,
            label=f"before ({before_weights.sum():,.0f} documents)")
    ax.hist(after, bins=bins, histtype="step", color=KEPT, linewidth=1.6, label=f"after ({len(after):,} documents)")
    ax.set_xscale("log")
    ax.set_xlabel(f"document length ({unit}, log scale)")
    ax.set_ylabel("documents")
    ax.legend(frameon=False)
    return _svg(fig)


def cluster_sizes(sizes_by_kind: dict[str, list[int]]) -> str:
    """How many duplicate clusters have 2, 3, ... members, per kind (exact, near)."""
    kinds = sorted(sizes_by_kind)
    top = max(max(v) for v in sizes_by_kind.values())
    xs = np.arange(2, top + 1)
    width = 0.8 / len(kinds)
    fig, ax = plt.subplots(figsize=(8, 3.2))
    colors = {"exact": REMOVED, "near": KEPT}
    for j, kind in enumerate(kinds):
        counts = np.bincount(np.asarray(sizes_by_kind[kind]), minlength=top + 1)[2:]
        ax.bar(xs + (j - (len(kinds) - 1) / 2) * width, counts, width=width, label=kind, color=colors.get(kind, BEFORE))
    ax.set_xlabel("cluster size (documents, survivor included)")
    ax.set_ylabel("clusters")
    if len(xs) <= 30:
        ax.set_xticks(xs)
    ax.legend(frameon=False)
    return _svg(fig)


def tokens_per_source(rows: list[tuple[str, int, int]]) -> str:
    """Tokens written per source, with the document count on each bar."""
    rows = rows[::-1]
    names = [r[0] for r in rows]
    toks = [r[1] for r in rows]
    fig, ax = plt.subplots(figsize=(8, _height(len(rows))))
    ax.barh(names, toks, color=KEPT)
    for i, (_, t, d) in enumerate(rows):
        ax.text(t, i, f" {t:,} tokens, {d:,} documents", va="center", fontsize=8)
    ax.set_xlim(0, max(toks + [1]) * 1.45)
    ax.set_xlabel("tokens")
    ax.xaxis.set_major_formatter(_human)
    return _svg(fig)
