"""Kill and resume (issue 10): build-shards killed with SIGKILL in the middle of a stage leaves
no manifest and no half-written file under a final name; the rerun resumes from the last
complete stage group and writes output byte-identical to an uninterrupted run. Changing one
stage's config re-runs that stage and the later ones only.

The uninterrupted run is the session's sample build (conftest.sample_build).
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import REPO, run_curate

GROUPS = ("extract", "filter", "dedup")
ARGS = ("--emit", "documents,tokens")  # as conftest.sample_build runs it


def _files(root: Path) -> dict[str, bytes]:
    """Every file under root by relative path, except run.json (times, host, arguments)."""
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.name != "run.json":
            out[str(p.relative_to(root))] = p.read_bytes()
    return out


def _marker(out: Path, group: str) -> bool:
    return bool(glob.glob(str(out / "stages" / f"{group}-*" / "_SUCCESS.json")))


def _curate(out: Path, stderr) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "curation.cli", "build-shards", "--output", str(out), *ARGS],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True,
    )


def _kill_mid_run(out: Path, log: Path) -> dict:
    """Start build-shards, SIGKILL its process group once the extract checkpoint is complete and
    the dedup one is not (a stage is running), and say what was on disk at that moment. While it
    holds the output lock, a second run into the same folder is started: it must be refused."""
    second, second_run = None, None
    with open(log, "wb") as err:
        proc = _curate(out, err)
        deadline = time.monotonic() + 600
        try:
            while proc.poll() is None and time.monotonic() < deadline:
                if second is None and (out / ".curate.lock").exists():
                    # Waited for here, while the first run is still early on: were the first
                    # killed before the second checked the lock, the second would take it over.
                    second = _curate(out, subprocess.PIPE)
                    _, second_err = second.communicate(timeout=300)
                    second_run = (second.returncode, second_err.decode())
                if _marker(out, "extract") and not (out / "manifest.json").exists():
                    state = {g: _marker(out, g) for g in GROUPS}
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                    state["second_run"] = second_run
                    return state
                time.sleep(0.01)
        finally:
            for p in (proc, second):
                if p is not None and p.poll() is None:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
    pytest.fail(f"build-shards ended (rc {proc.returncode}) before it could be killed mid-run:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def killed(tmp_path_factory):
    out = tmp_path_factory.mktemp("killed") / "out"
    state = _kill_mid_run(out, out.parent / "stderr.txt")
    on_disk = sorted(p for p in out.rglob("*") if p.is_file())
    return {"out": out, "state": state, "on_disk": on_disk}


def test_concurrent_run_refused(killed):
    """The second build-shards into the folder the first was writing exited 2 with one line."""
    assert killed["state"]["second_run"] is not None, "the lock file never appeared"
    rc, err = killed["state"]["second_run"]
    assert rc == 2, err[-3000:]
    assert "another curate run" in err and "Traceback" not in err


def test_killed_run_leaves_no_manifest_and_no_partial_file(killed):
    out = killed["out"]
    assert killed["state"]["extract"] and not (out / "manifest.json").exists()
    for p in killed["on_disk"]:
        if p.name.startswith("."):
            continue  # temporary names (.part-00000.parquet.tmp) and the lock: never read as output
        if p.suffix == ".parquet":
            pq.read_metadata(p)  # a complete file: footer present
        elif p.suffix == ".json":
            json.loads(p.read_text())
        assert not p.name.endswith(".tmp"), p


def test_resume_is_byte_identical(killed, sample_build):
    out = killed["out"]
    res = run_curate("build-shards", "--output", str(out), *ARGS)
    assert res.returncode == 0, res.stderr[-4000:]
    run = json.loads((out / "run.json").read_text())
    # The latest group whose checkpoint (and every earlier one) was complete at the kill.
    expected = None
    for g in GROUPS:
        if not killed["state"][g]:
            break
        expected = g
    assert run["resumed_from"] == expected, (run["resumed_from"], killed["state"])
    got, want = _files(out), _files(sample_build)
    assert sorted(got) == sorted(want), (sorted(set(got) - set(want)), sorted(set(want) - set(got)))
    differ = [name for name in want if got[name] != want[name]]
    assert not differ, f"differ from the uninterrupted run: {differ}"
    assert not (out / ".curate.lock").exists()


def test_changed_stage_config_reruns_that_stage_and_later_only(sample_build, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(sample_build, out)  # copy2 keeps modification times
    before = json.loads((out / "run.json").read_text())["stage_keys"]
    stamps = {p: p.stat().st_mtime_ns for p in (out / "stages").rglob("*") if p.is_file()}
    res = run_curate("build-shards", "--output", str(out), "--set", "dedup.threshold=0.7", *ARGS)
    assert res.returncode == 0, res.stderr[-4000:]
    run = json.loads((out / "run.json").read_text())
    assert run["resumed_from"] == "filter"
    keys = run["stage_keys"]
    assert keys["extract"] == before["extract"] and keys["filter"] == before["filter"]
    assert keys["dedup"] != before["dedup"]
    # Finished groups untouched; the old dedup checkpoint replaced by one under the new key.
    for group in ("extract", "filter"):
        for p in (out / "stages" / f"{group}-{keys[group]}").rglob("*"):
            if p.is_file():
                assert stamps.get(p) == p.stat().st_mtime_ns, f"{p} was rewritten"
    assert not (out / "stages" / f"dedup-{before['dedup']}").exists()
    assert (out / "stages" / f"dedup-{keys['dedup']}" / "_SUCCESS.json").is_file()
    assert json.loads((out / "manifest.json").read_text())["config"]["dedup"]["threshold"] == 0.7
