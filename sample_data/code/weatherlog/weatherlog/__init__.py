"""Read a backyard weather station, store readings, report daily summaries."""

__version__ = "0.3.1"
