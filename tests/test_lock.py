"""A second concurrent run into the same output folder is refused; a stale lock is taken over."""

import os
import subprocess
import sys

import pytest

from curation.commands.build_shards import OutputLock
from curation.errors import UserError


def test_second_run_refused(tmp_path):
    with OutputLock(tmp_path):
        with pytest.raises(UserError, match="another curate run"):
            with OutputLock(tmp_path):
                pass
    assert not (tmp_path / ".curate.lock").exists()


def test_stale_lock_taken_over(tmp_path):
    # A lock left by a process that no longer exists (killed with SIGKILL, say).
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / ".curate.lock").write_text(proc.stdout.strip())
    with OutputLock(tmp_path):
        assert (tmp_path / ".curate.lock").read_text() == str(os.getpid())


def test_cli_refuses_locked_output(tmp_path):
    from conftest import run_curate

    (tmp_path / ".curate.lock").write_text(str(os.getpid()))  # this test process is alive
    res = run_curate("build-shards", "--output", str(tmp_path))
    assert res.returncode == 2
    assert "another curate run" in res.stderr
