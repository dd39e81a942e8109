"""Logging for the `curate` commands: curate's own lines (progress, resume, counted skips) at
INFO, Beam's and its dependencies' chatter only with --debug."""

from __future__ import annotations

import logging


class _BeamRootChatter(logging.Filter):
    """Beam logs some notes through the root logger ("Missing pipeline option (runner)", optional
    dependencies it did not find): shown with --debug only."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "root" and "apache_beam" in record.pathname and record.levelno <= logging.WARNING)


def setup_logging(debug: bool) -> None:
    """Call it before importing Beam: a warning logged at import time would otherwise install
    logging's default handler first (``WARNING:root:...``)."""
    level = logging.DEBUG if debug else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", force=True)
    # curate's own lines (progress, resume, counted skips) at INFO whatever the root logger's
    # level: a record is checked against its own logger's level only.
    logging.getLogger("curate").setLevel(level)
    if not debug:
        # Beam and its dependencies are chatty at INFO; our own counted-skip lines stay visible.
        for name in ("apache_beam", "root", "trafilatura", "htmldate", "courlan", "urllib3", "absl"):
            logging.getLogger(name).setLevel(logging.WARNING)
        for h in logging.getLogger().handlers:
            if not any(isinstance(f, _BeamRootChatter) for f in h.filters):
                h.addFilter(_BeamRootChatter())
        # A worker exception is reported by the CLI in one line; Beam would log it with a
        # traceback first (tracebacks only with --debug).
        for name in ("apache_beam.runners.common", "apache_beam.runners.direct", "apache_beam.runners.portability",
                     "apache_beam.runners.worker"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
