"""Red-team regressions (issue 25), runs and config: bounded, escaped, cleaned up.

    pytest tests/test_hostile_runs.py           # items 10, 11 (bounds) and 14

One real build-shards run (TMPDIR must be empty after it) and one killed with SIGTERM; the
config bombs are loaded in-process, each bounded by the loader, never by the test's patience.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import REPO, run_curate
from curation.config import load_config
from curation.docio import write_documents_file
from curation.document import Document
from curation.errors import ConfigError
from curation.explain import explain, format_explanation
from hostile_gen import books_folder, yaml_bomb

CONFIG = str(REPO / "sample_data" / "config.yaml")


# ---------------------------------------------------------------- item 10: config bombs and bounds
def test_yaml_bomb_refused_while_loading(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    yaml_bomb(bomb)
    started = time.process_time()
    with pytest.raises(ConfigError, match="YAML bomb"):
        load_config(bomb)
    assert time.process_time() - started < 30  # a bound on a hang, not a timing assertion


@pytest.mark.parametrize("override,message", [
    ("dedup.num_perm=100000", "dedup.num_perm must be in [16, 1024]"),
    ("read.max_doc_chars=-1", "read.max_doc_chars must not be negative"),
    ("dedup.threshold=.nan", "dedup.threshold must be a finite number"),
    ("plugins=[{name: not_installed, options: {a: 1}}]", "no filter plugin named 'not_installed'"),
])
def test_numeric_keys_bounded_and_plugins_known_before_running(override, message):
    with pytest.raises(ConfigError) as e:
        load_config(None, [override])
    assert message in str(e.value)


def test_config_folder_and_negative_seed_are_one_line_exit_2(tmp_path):
    res = run_curate("plan", "--docs", "10", "--config", str(tmp_path))
    assert res.returncode == 2 and "is a folder: give a YAML file" in res.stderr, res.stderr
    res = run_curate("plan", "--docs", "10", "--set", "dedup.seed=-5")
    assert res.returncode == 2 and "dedup.seed must be in [0, 4294967295], got -5" in res.stderr, res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


# ---------------------------------------------------------------- item 14: explain, TMPDIR, SIGTERM
def test_explain_escapes_control_characters(tmp_path):
    out = tmp_path / "out"
    (out / "rejected").mkdir(parents=True)
    (out / "stats.json").write_text(json.dumps({"stages": {}}))
    evil = "id\x1b[2J\x1b]0;owned\x07\r\u202e"
    doc = Document(evil, "", "web", {"source_file": "a\x1b[31m.warc", "stage": "quality", "rule": "r", "reason": "q/r"})
    write_documents_file(out / "rejected" / "part-00000.parquet", [doc], extra_columns=["stage", "rule", "reason"])
    text = format_explanation(explain(evil, out))
    assert not any(ch in text for ch in "\x1b\x07\r\u202e") and "\\x1b[2J" in text


def _env(tmpdir):
    return dict(os.environ, TMPDIR=str(tmpdir), PYTHONPATH=os.environ.get("PYTHONPATH", str(REPO)))


def test_normal_run_leaves_nothing_in_tmpdir(tmp_path):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    books = books_folder(tmp_path / "bk", n=1)
    # extract: the lightest command that runs a Beam pipeline (build-shards goes through the same session).
    res = subprocess.run([sys.executable, "-m", "curation.cli", "extract", "--books", str(books), "--output",
                          str(tmp_path / "out")], cwd=REPO, env=_env(tmpdir),
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    assert sorted(os.listdir(tmpdir)) == []  # was: beam-temp*, beam-requirements-cache and two tmp* folders


def test_sigterm_removes_lock_progress_and_beam_folders(tmp_path):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    books = books_folder(tmp_path / "bk")
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "curation.cli", "build-shards", "--books", str(books), "--output",
                             str(out), "--config", CONFIG], cwd=REPO, env=_env(tmpdir),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not (out / ".curate.lock").exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (out / ".curate.lock").exists(), "the run never took the lock"
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143 and "terminated (SIGTERM)" in err, (proc.returncode, err[-2000:])
    assert not (out / ".curate.lock").exists()
    assert sorted(os.listdir(tmpdir)) == []  # no curate-progress-*, no beam-temp-*
    assert not (out / "manifest.json").exists()
