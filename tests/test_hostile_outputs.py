"""Red-team regressions (issue 25), output folders: never touch what is not ours.

    pytest tests/test_hostile_outputs.py        # items 2, 3, 6 and the stage commands' lock (14)

Each test builds its hostile layout in its temporary folder and reproduces the finding first;
docs/robustness.md ("Red-team findings") lists every case with its outcome.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import REPO, run_curate
from curation import fs, outputs
from curation.errors import UserError
from curation.inputs import resolve_inputs
from curation.lock import OutputLock
from hostile_gen import books_folder

CONFIG = str(REPO / "sample_data" / "config.yaml")


# ---------------------------------------------------------------- item 2: build-shards deleting under --output
def test_output_containing_its_input_is_refused_and_nothing_deleted(tmp_path):
    """`extract --output E` then `build-shards --docs E/documents --output E` deleted the input part."""
    out = tmp_path / "E"
    part = out / "documents" / "part-00000.parquet"
    part.parent.mkdir(parents=True)
    part.write_bytes(b"PAR1 stands in for documents the user needs PAR1")
    res = run_curate("build-shards", "--docs", str(out / "documents"), "--output", str(out), "--config", CONFIG)
    assert res.returncode == 2
    assert "contains the input" in res.stderr and len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert part.read_bytes().startswith(b"PAR1")  # untouched


def test_only_files_curate_wrote_are_cleared(tmp_path):
    out = tmp_path / "out"
    (out / "documents").mkdir(parents=True)
    user_part = out / "documents" / "part-00007.parquet"
    user_part.write_bytes(b"a user's file")
    user_tmp = out / "notes" / ".draft.tmp"
    user_tmp.parent.mkdir()
    user_tmp.write_text("the user's own temporary file")
    # Not ours: refused (one line), nothing deleted.
    with pytest.raises(UserError, match="part-00007.parquet was not written by curate"):
        outputs.claim(out)
    assert user_part.exists() and user_tmp.exists()
    # Ours (listed in the marker after a run): cleared on the next claim; the user's tmp stays.
    user_part.unlink()
    outputs.claim(out)
    ours = out / "documents" / "part-00000.parquet"
    ours.write_bytes(b"written by the run")
    (out / "documents" / ".part-00001.parquet.tmp").write_bytes(b"left by a kill")
    (out / ".stats.json.123.456.tmp").write_bytes(b"left by a kill")
    (out / ".my-notes.tmp").write_text("the user's, at the top of the folder")
    outputs.release(out)
    assert "documents/part-00000.parquet" in outputs.read_marker(out)["files"]
    outputs.claim(out)
    assert not ours.exists() and not (out / "documents" / ".part-00001.parquet.tmp").exists()
    assert not (out / ".stats.json.123.456.tmp").exists()
    assert user_tmp.exists() and (out / ".my-notes.tmp").exists()


def test_killed_run_parts_are_ours(tmp_path):
    """A run killed mid-write never released: the parts in the folders it was writing are curate's."""
    out = tmp_path / "out"
    out.mkdir()
    outputs.claim(out)  # marker now says: writing documents/, rejected/, duplicates/
    (out / "rejected").mkdir()
    (out / "rejected" / "part-00000.parquet").write_bytes(b"half a run")
    outputs.claim(out)  # the rerun clears it instead of refusing it
    assert not (out / "rejected" / "part-00000.parquet").exists()


# ---------------------------------------------------------------- item 3: output inside an input
def test_output_inside_input_refused_unless_asked(tmp_path):
    books = books_folder(tmp_path / "in" / "bk")
    res = run_curate("build-shards", "--books", str(books), "--output", str(books / "out"), "--config", CONFIG)
    assert res.returncode == 2 and "lies inside the input --books" in res.stderr, res.stderr
    assert not (books / "out").exists()


def test_marked_output_folder_skipped_by_every_walk(tmp_path):
    """`--books in/bk --output in/bk/out` twice read the first run's vocab and shards as books."""
    from pipelines.checkpoint import inputs_fingerprint

    books = books_folder(tmp_path / "bk")
    before = resolve_inputs(books=[str(books)])
    fp_before = inputs_fingerprint(before)
    out = books / "out"
    (out / "tokenizer").mkdir(parents=True)
    outputs.claim(out)
    (out / "tokenizer" / "tokenizer.vocab").write_text("▁the\t-1\n")
    (out / "run.json").write_text("{}")
    after = resolve_inputs(books=[str(books)])
    assert [i.path for i in after] == [i.path for i in before]  # 3 books, not 3 + the output
    assert inputs_fingerprint(after) == fp_before
    # The code reader skips it as a counted read/curate_output.
    from curation.config import CodeConfig
    from curation.readers.code import list_tree

    skips = [u for u in list_tree(str(books), CodeConfig()) if u.skip == "curate_output"]
    assert [u.path for u in skips] == ["out"]


# ---------------------------------------------------------------- item 6: symlinks in the output folder
def test_lock_never_follows_a_symlink(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / ".curate.lock").symlink_to(victim)
    with pytest.raises(UserError, match="is a symlink"):
        with OutputLock(out):
            pass
    assert victim.read_text() == "precious"
    (out / ".curate.lock").unlink()
    os.mkfifo(out / ".curate.lock")
    with pytest.raises(UserError, match="not a regular file"):
        with OutputLock(out):
            pass


def test_no_output_written_through_a_symlink(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    # A link planted at a temporary name, and one at the final name: both replaced, never followed.
    (out / ".stats.json.tmp").symlink_to(victim)
    fs.write_json(str(out / "stats.json"), {"ok": True})
    (out / "run.json").symlink_to(victim)
    fs.write_json(str(out / "run.json"), {"ok": True})
    assert victim.read_text() == "precious"
    assert not (out / "run.json").is_symlink() and fs.read_json(str(out / "run.json")) == {"ok": True}
    # A linked output subfolder is refused before anything is written.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "documents").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(UserError, match="documents is a symlink"):
        outputs.claim(out)
    (out / "documents").unlink()
    (out / "shards").mkdir()
    (out / "shards" / "train").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(UserError, match="shards/train is a symlink"):
        outputs.claim(out)


# ---------------------------------------------------------------- item 14: extract/filter/dedup take the lock
def test_stage_command_takes_the_output_lock(tmp_path):
    books = books_folder(tmp_path / "bk", n=1)
    out = tmp_path / "out"
    out.mkdir()
    with OutputLock(out):
        res = run_curate("extract", "--books", str(books), "--output", str(out))
    assert res.returncode == 2 and "another curate run" in res.stderr, res.stderr
    assert not Path(out / "documents").exists()
