"""Daily summary: min, max and mean per quantity, total rain, as a small HTML page."""

from __future__ import annotations

import argparse
import html
import statistics
from datetime import date
from pathlib import Path

from weatherlog.store import Store


def summarise(readings) -> dict[str, tuple[float, float, float]]:
    rows = list(readings)
    if not rows:
        return {}
    out = {}
    for name in ("temperature", "humidity", "pressure"):
        values = [getattr(r, name) for r in rows]
        out[name] = (min(values), max(values), statistics.fmean(values))
    out["rain"] = (0.0, 0.0, sum(r.rain for r in rows))
    return out


def render(day: date, summary: dict) -> str:
    lines = [f"<h1>Weather on {day.isoformat()}</h1>", "<table>"]
    for name, (lo, hi, mean) in summary.items():
        lines.append(f"<tr><th>{html.escape(name)}</th><td>{lo:.1f}</td><td>{hi:.1f}</td><td>{mean:.1f}</td></tr>")
    lines.append("</table>")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", type=Path, default=Path("weather.sqlite"))
    ap.add_argument("--day", type=date.fromisoformat, required=True)
    args = ap.parse_args(argv)
    summary = summarise(Store(args.db).day(args.day))
    if not summary:
        print(f"no readings on {args.day}")
        return 1
    print(render(args.day, summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
