"""A private temporary folder for one command, removed when it ends, however it ends.

Beam and its runners make folders under $TMPDIR (beam-temp-*, beam-requirements-cache, staging
folders) and do not all remove them; curate's progress heartbeat makes one too. A run points
$TMPDIR (and Python's tempfile) at ``curate-tmp-XXXX`` and removes that one folder at the end, so
a normal run leaves nothing in $TMPDIR, and a SIGTERM unwinds like an error (the output lock,
the progress files and the Beam folders are removed on the way out, exit 143).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import tempfile
import threading
from typing import Iterator

SIGTERM_EXIT = 128 + signal.SIGTERM


class Terminated(SystemExit):
    """SIGTERM received: raised in the main thread so every ``with`` and ``finally`` runs."""


def _on_sigterm(signum, _frame):
    raise Terminated(128 + signum)


@contextlib.contextmanager
def session(command: str) -> Iterator[str]:
    top = tempfile.mkdtemp(prefix="curate-tmp-")
    saved_env, saved_tempdir = os.environ.get("TMPDIR"), tempfile.tempdir
    os.environ["TMPDIR"] = top  # inherited by multi_processing workers
    tempfile.tempdir = top
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if main else None
    try:
        yield top
    except Terminated:
        print(f"curate {command}: terminated (SIGTERM); the output lock and temporary files were removed",
              file=sys.stderr)
        raise
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
        tempfile.tempdir = saved_tempdir
        if saved_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved_env
        shutil.rmtree(top, ignore_errors=True)
