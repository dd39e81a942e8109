"""SQLite storage: one table, one row per reading, indexed by time."""

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
