"""The report's figures: inline ``<svg>`` elements written by hand, standard library only.

The report is part of the main job, so it needs nothing beyond ``pip install -e .``: bars,
axes and labels are plain SVG rectangles, lines and text (the browser's sans-serif font), and
the same numbers always give the same bytes. Every function takes plain numbers and returns one
``<svg>`` element sized by its content.
"""

from __future__ import annotations

import math
from html import escape
from typing import Sequence

KEPT = "#2b7bba"
REMOVED = "#d95f02"
BEFORE = "#999999"
TEXT = "#222"
MUTED = "#666"
FONT = 12  # px
ROW = 22  # px per bar
LABEL_CHAR = 7.0  # px per character of a 12 px label (average), to size the label column


def _human(x: float) -> str:
    """Axis labels that stay short: 950, 12k, 3.4M, 1.2G."""
    for unit, div in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(x) >= div:
            return f"{x / div:.3g}{unit}"
    return f"{x:.0f}"


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


class _Svg:
    def __init__(self, width: float, height: float):
        self.width, self.height = width, height
        self.parts: list[str] = []

    def rect(self, x, y, w, h, fill, opacity: float = 1.0, title: str = "") -> None:
        op = f' fill-opacity="{opacity}"' if opacity != 1.0 else ""
        tip = f"<title>{escape(title)}</title>" if title else ""
        self.parts.append(f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(max(w, 0))}" height="{_num(h)}" '
                          f'fill="{fill}"{op}>{tip}</rect>')

    def line(self, x1, y1, x2, y2, color: str = "#bbb") -> None:
        self.parts.append(f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}" stroke="{color}"/>')

    def path(self, d: str, stroke: str, fill: str = "none", opacity: float = 1.0, width: float = 1.0) -> None:
        self.parts.append(f'<path d="{d}" stroke="{stroke}" stroke-width="{width}" fill="{fill}" '
                          f'fill-opacity="{opacity}"/>')

    def text(self, x, y, s: str, anchor: str = "start", color: str = TEXT, size: int = FONT, bold: bool = False) -> None:
        weight = ' font-weight="bold"' if bold else ""
        self.parts.append(f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" fill="{color}" '
                          f'font-size="{size}"{weight}>{escape(s)}</text>')

    def render(self) -> str:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_num(self.width)}" height="{_num(self.height)}" '
                f'viewBox="0 0 {_num(self.width)} {_num(self.height)}" font-family="sans-serif" role="img">'
                + "".join(self.parts) + "</svg>")


def _ticks(top: float, n: int = 4) -> list[float]:
    """Round axis ticks from 0 to at least ``top``."""
    top = max(top, 1.0)
    raw = top / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    return [i * step for i in range(int(math.ceil(top / step)) + 1)]


def _hbars(rows: Sequence[tuple[str, Sequence[tuple[float, str]], str]], width: float = 760, xlabel: str = "",
           title: str = "", legend: Sequence[tuple[str, str]] = ()) -> str:
    """Horizontal bars, one row per (label, [(value, color), ...] stacked, note at the bar's end)."""
    label_w = min(max((len(r[0]) for r in rows), default=4) * LABEL_CHAR + 12, 260)
    note_w = min(max((len(r[2]) for r in rows), default=0) * 6.2 + 10, 260)
    top = max((sum(v for v, _ in segs) for _, segs, _ in rows), default=0) or 1
    ticks = _ticks(top)
    plot_w = width - label_w - note_w - 10
    scale = plot_w / ticks[-1]
    head = 22 if title else 6
    leg = 18 if legend else 0
    height = head + leg + len(rows) * ROW + 34
    svg = _Svg(width, height)
    if title:
        svg.text(label_w, 15, title, bold=True)
    x = label_w
    for name, color in legend:
        svg.rect(x, head + 2, 10, 10, color)
        svg.text(x + 14, head + 11, name, size=11)
        x += 24 + len(name) * 6.5
    y0 = head + leg
    for t in ticks:
        svg.line(label_w + t * scale, y0, label_w + t * scale, y0 + len(rows) * ROW, "#e4e4e4")
        svg.text(label_w + t * scale, y0 + len(rows) * ROW + 14, _human(t), anchor="middle", color=MUTED, size=10)
    for i, (name, segs, note) in enumerate(rows):
        y = y0 + i * ROW
        svg.text(label_w - 6, y + ROW / 2 + 4, name, anchor="end")
        x = label_w
        for v, color in segs:
            svg.rect(x, y + 3, v * scale, ROW - 6, color, title=f"{name}: {v:,.0f}")
            x += v * scale
        if note:
            svg.text(x + 4, y + ROW / 2 + 4, note, color=MUTED, size=11)
    svg.line(label_w, y0, label_w, y0 + len(rows) * ROW, "#888")
    if xlabel:
        svg.text(label_w + plot_w / 2, height - 4, xlabel, anchor="middle", color=MUTED, size=11)
    return svg.render()


def funnel(stages: list[str], docs_in: list[int], docs_out: list[int], tokens_in: list[float | None],
           tokens_out: list[float | None]) -> str:
    """Documents and tokens entering and leaving every stage, top to bottom: the kept part of
    each bar in blue, the removed part lighter, "out / in" at its end."""
    out = []
    for what, vin, vout in (("documents", docs_in, docs_out), ("tokens", tokens_in, tokens_out)):
        rows = []
        for s, i, o in zip(stages, vin, vout):
            if i is None:
                rows.append((s, [], "no token count (no extracted text or no shards)"))
                continue
            o = o or 0
            rows.append((s, [(o, KEPT), (max(i - o, 0), REMOVED)], f"{o:,.0f} / {i:,.0f}"))
        out.append(_hbars(rows, width=480, title=f"{what}: out / in",
                          legend=(("out", KEPT), ("removed", REMOVED)) if what == "documents" else ()))
    height = max(_attr(svg, "height") for svg in out)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="980" height="{_num(height)}" viewBox="0 0 980 {_num(height)}" '
            f'font-family="sans-serif" role="img">{_inner(out[0], 0)}{_inner(out[1], 500)}</svg>')


def _attr(svg: str, name: str) -> float:
    return float(svg.split(f'{name}="', 1)[1].split('"', 1)[0])


def _inner(svg: str, x: int) -> str:
    """An <svg> element's content as a group moved right by ``x`` px (one <svg> per figure)."""
    body = svg[svg.index(">") + 1:-len("</svg>")]
    return f'<g transform="translate({x},0)">{body}</g>'


def reasons(counts: dict[str, int]) -> str:
    """Documents removed (or failed) per reason, largest first."""
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return _hbars([(k, [(v, REMOVED)], f"{v:,}") for k, v in items], xlabel="documents")


def languages(rows: list[tuple[str, int, int]]) -> str:
    """Per language (most documents first): kept and removed documents as stacked bars."""
    return _hbars([(name, [(k, KEPT), (r, REMOVED)], f"{k:,} kept, {r:,} removed") for name, k, r in rows],
                  xlabel="documents", legend=(("kept", KEPT), ("removed", REMOVED)))


def _log_bins(hi: float, n: int = 40) -> list[int]:
    top = math.log10(max(hi, 2)) + 0.05
    return sorted({int(10 ** (top * i / (n - 1))) for i in range(n)})


def _histogram(values: Sequence[float], bins: list[int], weights: Sequence[float] | None = None) -> list[float]:
    counts = [0.0] * (len(bins) - 1)
    for j, v in enumerate(values):
        if v < bins[0] or v > bins[-1]:
            continue
        lo, hi = 0, len(bins) - 1
        while hi - lo > 1:  # bins[lo] <= v < bins[hi]; the last bin includes its right edge
            mid = (lo + hi) // 2
            if v >= bins[mid]:
                lo = mid
            else:
                hi = mid
        counts[lo] += 1.0 if weights is None else float(weights[j])
    return counts


def lengths(before, before_weights, after, unit: str = "tokens") -> str:
    """Document length histograms on log-spaced bins: every document that had text (before the
    filters, a grey area) and the documents written to shards (after, a blue outline)."""
    before, before_weights, after = list(before), list(before_weights), list(after)
    hi = max(max(before, default=1), max(after, default=1), 2)
    bins = _log_bins(hi)
    if len(bins) < 2:
        bins = [1, 2]
    h_before = _histogram(before, bins, before_weights)
    h_after = _histogram(after, bins)
    width, height, left, bottom, top = 760, 250, 50, 40, 30
    plot_w, plot_h = width - left - 20, height - top - bottom
    ymax = _ticks(max(h_before + h_after + [1]))
    lo, span = math.log10(bins[0]), math.log10(bins[-1]) - math.log10(bins[0]) or 1

    def xpos(v: float) -> float:
        return left + (math.log10(v) - lo) / span * plot_w

    def ypos(c: float) -> float:
        return top + plot_h - c / ymax[-1] * plot_h

    svg = _Svg(width, height)
    for t in ymax:
        svg.line(left, ypos(t), left + plot_w, ypos(t), "#e4e4e4")
        svg.text(left - 6, ypos(t) + 4, _human(t), anchor="end", color=MUTED, size=10)
    for k in range(int(math.floor(lo)), int(math.ceil(lo + span)) + 1):
        if bins[0] <= 10 ** k <= bins[-1]:
            svg.line(xpos(10 ** k), top + plot_h, xpos(10 ** k), top + plot_h + 4, "#888")
            svg.text(xpos(10 ** k), top + plot_h + 16, _human(10 ** k), anchor="middle", color=MUTED, size=10)

    def steps(counts: list[float]) -> str:
        d = f"M{_num(xpos(bins[0]))},{_num(ypos(0))}"
        for i, c in enumerate(counts):
            d += f" L{_num(xpos(bins[i]))},{_num(ypos(c))} L{_num(xpos(bins[i + 1]))},{_num(ypos(c))}"
        return d + f" L{_num(xpos(bins[-1]))},{_num(ypos(0))}"

    svg.path(steps(h_before) + " Z", stroke="none", fill=BEFORE, opacity=0.45)
    svg.path(steps(h_after), stroke=KEPT, width=1.6)
    svg.line(left, top + plot_h, left + plot_w, top + plot_h, "#888")
    svg.rect(left, 8, 10, 10, BEFORE, 0.45)
    svg.text(left + 14, 17, f"before ({sum(before_weights):,.0f} documents)", size=11)
    svg.rect(left + 230, 8, 10, 10, KEPT)
    svg.text(left + 244, 17, f"after ({len(after):,} documents)", size=11)
    svg.text(left + plot_w / 2, height - 6, f"document length ({unit}, log scale)", anchor="middle", color=MUTED, size=11)
    return svg.render()


def cluster_sizes(sizes_by_kind: dict[str, list[int]]) -> str:
    """How many duplicate clusters have 2, 3, ... members, per kind (exact, near)."""
    kinds = sorted(sizes_by_kind)
    colors = {"exact": REMOVED, "near": KEPT}
    rows = []
    for kind in kinds:
        counts: dict[int, int] = {}
        for n in sizes_by_kind[kind]:
            counts[n] = counts.get(n, 0) + 1
        for size in sorted(counts):
            rows.append((f"{kind}, {size} members", [(counts[size], colors.get(kind, BEFORE))], f"{counts[size]:,}"))
    return _hbars(rows, xlabel="clusters (survivor included in the size)")


def tokens_per_source(rows: list[tuple[str, int, int]]) -> str:
    """Tokens written per source, with the document count on each bar."""
    return _hbars([(name, [(t, KEPT)], f"{t:,} tokens, {d:,} documents") for name, t, d in rows], xlabel="tokens")
