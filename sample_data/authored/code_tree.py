'''A small source tree written for the sample: path -> text. make_sample.py writes it under
sample_data/code/weatherlog/ and adds the generated and vendored files the code reader must skip.'''

FILES = {
    "LICENSE": """MIT License

Copyright (c) 2024 The weatherlog authors

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
""",
    "README.md": """# weatherlog

Collects readings from a small backyard weather station, stores them in SQLite and
draws a daily summary page.

    python -m weatherlog.collect --port /dev/ttyUSB0
    python -m weatherlog.report --day 2024-05-01 > may-01.html
""",
    "weatherlog/__init__.py": '''"""Read a backyard weather station, store readings, report daily summaries."""

__version__ = "0.3.1"
''',
    "weatherlog/readings.py": '''"""Parse the station's serial lines into readings.

The station prints one line per minute: ``T=21.4;H=55;P=1013.2;W=3.1;R=0.0``
(temperature in Celsius, relative humidity in percent, pressure in hPa, wind in m/s,
rain in mm since the last line). Firmware 1.x omits the wind field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

FIELDS = {"T": "temperature", "H": "humidity", "P": "pressure", "W": "wind", "R": "rain"}


@dataclass(frozen=True)
class Reading:
    at: datetime
    temperature: float
    humidity: float
    pressure: float
    wind: float | None
    rain: float


class ParseError(ValueError):
    pass


def parse_line(line: str, at: datetime) -> Reading:
    values: dict[str, float] = {}
    for part in line.strip().split(";"):
        if not part:
            continue
        key, sep, raw = part.partition("=")
        if not sep or key not in FIELDS:
            raise ParseError(f"unexpected field {part!r} in {line!r}")
        try:
            values[FIELDS[key]] = float(raw)
        except ValueError:
            raise ParseError(f"not a number: {raw!r} in {line!r}") from None
    missing = {"temperature", "humidity", "pressure", "rain"} - values.keys()
    if missing:
        raise ParseError(f"missing {', '.join(sorted(missing))} in {line!r}")
    # Humidity sensors drift above 100 % in fog; clamp rather than reject the reading.
    values["humidity"] = min(values["humidity"], 100.0)
    return Reading(at=at, wind=values.pop("wind", None), **values)
''',
    "weatherlog/store.py": '''"""SQLite storage: one table, one row per reading, indexed by time."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Iterator

from weatherlog.readings import Reading

SCHEMA = """
CREATE TABLE IF NOT EXISTS readings (
    at TEXT PRIMARY KEY,
    temperature REAL NOT NULL,
    humidity REAL NOT NULL,
    pressure REAL NOT NULL,
    wind REAL,
    rain REAL NOT NULL
)
"""


class Store:
    def __init__(self, path: Path):
        self.conn = sqlite3.connect(path)
        self.conn.execute(SCHEMA)

    def add(self, r: Reading) -> None:
        # INSERT OR IGNORE: the station repeats its last line after a reconnect.
        self.conn.execute(
            "INSERT OR IGNORE INTO readings VALUES (?, ?, ?, ?, ?, ?)",
            (r.at.isoformat(), r.temperature, r.humidity, r.pressure, r.wind, r.rain),
        )
        self.conn.commit()

    def day(self, d: date) -> Iterator[Reading]:
        start = datetime.combine(d, datetime.min.time())
        end = start + timedelta(days=1)
        rows = self.conn.execute(
            "SELECT * FROM readings WHERE at >= ? AND at < ? ORDER BY at",
            (start.isoformat(), end.isoformat()),
        )
        for at, t, h, p, w, rain in rows:
            yield Reading(datetime.fromisoformat(at), t, h, p, w, rain)
''',
    "weatherlog/report.py": '''"""Daily summary: min, max and mean per quantity, total rain, as a small HTML page."""

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
    return "\\n".join(lines)


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
''',
    "tests/test_readings.py": '''from datetime import datetime

import pytest

from weatherlog.readings import ParseError, parse_line

AT = datetime(2024, 5, 1, 12, 0)


def test_full_line():
    r = parse_line("T=21.4;H=55;P=1013.2;W=3.1;R=0.0", AT)
    assert r.temperature == 21.4 and r.wind == 3.1


def test_firmware_one_has_no_wind():
    assert parse_line("T=8.0;H=91;P=998.0;R=1.2", AT).wind is None


def test_fog_humidity_is_clamped():
    assert parse_line("T=3.0;H=103;P=1020.0;R=0.0", AT).humidity == 100.0


@pytest.mark.parametrize("line", ["T=abc;H=1;P=1;R=0", "X=1", "T=1;H=2"])
def test_bad_lines(line):
    with pytest.raises(ParseError):
        parse_line(line, AT)
''',
    "web/chart.js": """// Draws the temperature curve of one day on a <canvas>.
// Readings come from /api/day?date=YYYY-MM-DD as [{at, temperature}, ...].

export async function drawDay(canvas, day) {
  const response = await fetch(`/api/day?date=${encodeURIComponent(day)}`);
  if (!response.ok) {
    throw new Error(`no data for ${day}: HTTP ${response.status}`);
  }
  const readings = await response.json();
  const ctx = canvas.getContext("2d");
  const temps = readings.map((r) => r.temperature);
  const lo = Math.min(...temps);
  const hi = Math.max(...temps);
  // Leave a margin so that a flat day still draws a visible line.
  const span = Math.max(hi - lo, 1);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.beginPath();
  readings.forEach((r, i) => {
    const x = (i / Math.max(readings.length - 1, 1)) * canvas.width;
    const y = canvas.height - ((r.temperature - lo) / span) * canvas.height;
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  });
  ctx.strokeStyle = "#c0392b";
  ctx.stroke();
  return { lo, hi, count: readings.length };
}
""",
    "scripts/backup": """#!/bin/sh
# Nightly backup of the readings database; keeps the last 14 copies.
set -eu

DB="${1:-weather.sqlite}"
DEST="${BACKUP_DIR:-$HOME/weather-backups}"
mkdir -p "$DEST"

stamp=$(date +%Y%m%d)
# sqlite3 .backup takes a consistent copy even while the collector is writing.
sqlite3 "$DB" ".backup '$DEST/weather-$stamp.sqlite'"

ls -1t "$DEST"/weather-*.sqlite | tail -n +15 | while read -r old; do
  rm -- "$old"
done
echo "backup written to $DEST/weather-$stamp.sqlite"
""",
}

# Vendored: a dependency copied into node_modules/ (the reader must skip it as read/vendored).
VENDORED = {
    "web/node_modules/tiny-debounce/index.js": """'use strict';
module.exports = function debounce(fn, wait) {
  let timer = null;
  return function debounced(...args) {
    clearTimeout(timer);
    timer = setTimeout(() => fn.apply(this, args), wait);
  };
};
""",
    "web/node_modules/tiny-debounce/package.json": '{\n  "name": "tiny-debounce",\n  "version": "1.0.2",\n  "main": "index.js",\n  "license": "MIT"\n}\n',
}
