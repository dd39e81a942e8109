"""build-shards on a real dask.distributed cluster: a scheduler and two worker processes started
with Dask's own command line, reached through --dask_client_address as a user would reach a
cluster on other machines (docs/scale-out.md). Same manifest fingerprint and stats.json as the
DirectRunner, both workers ran tasks, progress came back from the workers, and a rerun resumes
from the stage checkpoints."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import run_curate

distributed = pytest.importorskip("distributed")


@pytest.fixture
def dask_cluster(tmp_path):
    """`dask scheduler` and two `dask worker` processes (one thread each) on this machine."""
    sched_file = tmp_path / "scheduler.json"
    dask_cli = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    procs = [subprocess.Popen([*dask_cli, "--host", "127.0.0.1", "--port", "0", "--dashboard-address", ":0",
                               "--scheduler-file", str(sched_file)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not sched_file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(sched_file.read_text())["address"]
        for i in range(2):
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers", "1", "--nthreads", "1",
                 "--name", f"w{i}", "--dashboard-address", ":0", "--local-directory", str(tmp_path / f"w{i}")],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=90)
        yield address
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def _executed_per_worker(address: str) -> dict:
    with distributed.Client(address, timeout=30) as client:
        return client.run(lambda dask_worker: dask_worker.state.executed_count)


@pytest.mark.slow
def test_build_shards_on_a_dask_cluster_matches_the_direct_runner(sample_build, dask_cluster, tmp_path):
    out = tmp_path / "dask"
    flags = ["--runner=DaskRunner", f"--dask_client_address={dask_cluster}"]
    res = run_curate("build-shards", "--output", str(out), "--emit", "documents,tokens", *flags)
    assert res.returncode == 0, res.stderr[-3000:]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["fingerprint"] == json.loads((sample_build / "manifest.json").read_text())["fingerprint"]
    assert (out / "stats.json").read_bytes() == (sample_build / "stats.json").read_bytes()
    for entry in manifest["shards"]:
        assert (out / entry["path"]).read_bytes() == (sample_build / entry["path"]).read_bytes()
    executed = _executed_per_worker(dask_cluster)
    assert len(executed) == 2 and all(n > 0 for n in executed.values()), executed
    run = json.loads((out / "run.json").read_text())
    assert run["runner"] == "pipelines.dask_runner.DaskRunner"
    # The progress heartbeats of the workers reached the launcher (through the scheduler).
    assert {"read", "dedup", "tokenize"} <= set(run.get("stage_done_at", {})), run.get("stage_done_at")
    # Same inputs and config: the rerun starts after the last complete stage group.
    res = run_curate("build-shards", "--output", str(out), "--emit", "documents,tokens", *flags)
    assert res.returncode == 0, res.stderr[-3000:]
    assert json.loads((out / "run.json").read_text())["resumed_from"] == "dedup"
    assert json.loads((out / "manifest.json").read_text())["fingerprint"] == manifest["fingerprint"]


def test_dask_options_are_accepted_and_a_bad_runner_setup_is_one_line(tmp_path):
    """--dask_client_address is a Beam option once --runner=DaskRunner names the runner; an
    unreachable scheduler is a one-line failure, not a hang."""
    res = run_curate("dedup", "--input", str(Path(__file__).parent / "missing.jsonl"), "--output", str(tmp_path / "o"),
                     "--runner=DaskRunner", "--dask_client_address=tcp://127.0.0.1:9", "--dask_connection_timeout=2")
    assert res.returncode == 2 and "unknown argument" not in res.stderr, res.stderr[-2000:]
    res = run_curate("dedup", "--input", "x", "--output", str(tmp_path / "o"), "--dask_workers", "2")
    assert res.returncode == 2 and "unknown argument '--dask_workers'" in res.stderr
