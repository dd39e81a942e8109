"""A second concurrent run into the same output folder is refused; a stale lock is taken over."""

import os
import signal
import subprocess
import sys

import pytest

from curation.lock import OutputLock
from curation.errors import UserError


def test_second_run_refused(tmp_path):
    with OutputLock(tmp_path):
        with pytest.raises(UserError, match="another curate run"):
            with OutputLock(tmp_path):
                pass
    assert not (tmp_path / ".curate.lock").exists()


def test_stale_lock_taken_over(tmp_path):
    # A lock file left by a run killed with SIGKILL: the process holding the lock is gone, so
    # the kernel has released it; the file alone (here naming a dead pid) blocks nobody.
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / ".curate.lock").write_text(proc.stdout.strip())
    with OutputLock(tmp_path):
        assert (tmp_path / ".curate.lock").read_text().split()[0] == str(os.getpid())


HOLD = """
import sys, time
from pathlib import Path
from curation.lock import OutputLock
with OutputLock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(600)
"""


def _holder(path):
    from conftest import REPO

    p = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], cwd=REPO, stdout=subprocess.PIPE, start_new_session=True)
    assert p.stdout.readline().strip() == b"locked"
    return p


def test_lock_held_by_another_process_refused_then_freed_by_sigkill(tmp_path):
    holder = _holder(tmp_path)
    try:
        with pytest.raises(UserError, match=f"another curate run \\(pid {holder.pid} on "):
            with OutputLock(tmp_path):
                pass
    finally:
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait()
    assert (tmp_path / ".curate.lock").exists()  # left behind by the killed holder
    with OutputLock(tmp_path):
        pass


def test_cli_refuses_locked_output(tmp_path):
    from conftest import run_curate

    holder = _holder(tmp_path)
    try:
        res = run_curate("build-shards", "--output", str(tmp_path))
    finally:
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait()
    assert res.returncode == 2
    assert res.stderr.strip().splitlines()[-1].startswith("curate build-shards: error: --output")
    assert "another curate run" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "manifest.json").exists()
