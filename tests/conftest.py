"""Shared fixtures. ../shared/data holds real third-party inputs; under CI=true a missing copy
fails the tests that need it instead of skipping them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
SAMPLE_DATA = REPO / "sample_data"


def _need(path: Path) -> Path:
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared test data missing under CI: {path}")
        pytest.skip(f"shared test data not present: {path}", allow_module_level=True)
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return _need(SHARED_DATA)


@pytest.fixture(scope="session")
def sample_data() -> Path:
    return SAMPLE_DATA


def run_curate(*args: str, cwd: Path | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
    """Run the installed CLI the way a user does (a subprocess, so exit codes are real)."""
    return subprocess.run(
        [sys.executable, "-m", "curation.cli", *args], cwd=cwd or REPO, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> Path:
    """build-shards on sample_data/ once per session; every end-to-end test reuses it."""
    out = tmp_path_factory.mktemp("sample-build") / "out"
    res = run_curate("build-shards", "--output", str(out), "--emit", "documents,tokens")
    assert res.returncode == 0, f"build-shards failed:\n{res.stdout[-3000:]}\n{res.stderr[-5000:]}"
    return out
