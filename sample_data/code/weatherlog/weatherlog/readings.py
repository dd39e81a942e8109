"""Parse the station's serial lines into readings.

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
