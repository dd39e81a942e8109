"""Red-team regressions (issue 25), stage checkpoints: damaged ones are never trusted.

    pytest tests/test_hostile_checkpoints.py    # items 4 and 13

Works on a copy of the session's sample build (conftest.sample_build), damaged here.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest

from conftest import run_curate
from curation import stage_check
from curation.inputs import resolve_inputs
from hostile_gen import books_folder, read_json
from pipelines import checkpoint as ckpt


@pytest.fixture
def build(sample_build, tmp_path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(sample_build, out, symlinks=True)
    return out


def _keys(out: Path) -> dict:
    return read_json(out / "run.json")["stage_keys"]


def _part(out: Path, group: str, sub: str) -> Path:
    return sorted((out / "stages").glob(f"{group}-*/{sub}/part-*"))[0]


def test_marker_lists_every_part_with_its_sha256(build):
    for stage in stage_check.complete_stages(build):
        marker = read_json(stage / stage_check.MARKER)
        assert marker["files"] and all(len(f["sha256"]) == 64 for f in marker["files"])
        assert stage_check.verify_stage(str(stage)) == []
    assert ckpt.latest_complete(str(build), _keys(build)) == "dedup"


def test_one_flipped_bit_reruns_the_stage_and_inspect_says_so(build, caplog):
    part = _part(build, "dedup", "documents")
    data = bytearray(part.read_bytes())
    data[len(data) // 2] ^= 0x04  # one bit, in the middle of the page data
    part.write_bytes(bytes(data))
    res = run_curate("inspect", str(build))
    assert res.returncode == 1 and "MISMATCH" in res.stderr and part.name in res.stderr, res.stderr
    with caplog.at_level(logging.WARNING, logger="curate"):
        assert ckpt.latest_complete(str(build), _keys(build)) == "filter"  # dedup runs again
    assert "checkpoint of stage group 'dedup' is damaged" in caplog.text and "sha256" in caplog.text
    assert not part.parent.parent.exists()  # the damaged checkpoint is gone, not reused later


def test_deleted_rejected_part_is_not_trusted(build):
    part = _part(build, "extract", "rejected")
    part.unlink()
    problems = stage_check.verify_stage(str(part.parent.parent))
    assert problems and problems[0].endswith(f"{part.name}: missing")
    assert ckpt.latest_complete(str(build), _keys(build)) is None  # every stage runs again


def test_truncated_marker_named_never_a_bare_json_error(build, caplog):
    marker = sorted((build / "stages").glob("filter-*"))[0] / stage_check.MARKER
    marker.write_bytes(marker.read_bytes()[:40])
    problems = stage_check.verify_stage(str(marker.parent))
    assert problems == [problems[0]] and str(marker) in problems[0] and "unreadable" in problems[0]
    with caplog.at_level(logging.WARNING, logger="curate"):
        assert ckpt.latest_complete(str(build), _keys(build)) == "extract"
    assert str(marker) in caplog.text


def test_same_size_edit_with_restored_mtime_changes_the_key(tmp_path):
    books = books_folder(tmp_path / "bk", n=1)
    book = next(books.iterdir())
    st = book.stat()
    before = ckpt.inputs_fingerprint(resolve_inputs(books=[str(books)]))
    text = book.read_bytes()
    book.write_bytes(text[:10] + (b"X" if text[10:11] != b"X" else b"Y") + text[11:])  # same size
    os.utime(book, ns=(st.st_atime_ns, st.st_mtime_ns))  # touch -r: the mtime restored
    assert book.stat().st_size == st.st_size and book.stat().st_mtime_ns == st.st_mtime_ns
    assert ckpt.inputs_fingerprint(resolve_inputs(books=[str(books)])) != before


def test_manifest_never_outlives_a_failed_run_record(tmp_path):
    """Out of disk while writing run.json exited 1 and left manifest.json (the commit marker)."""
    from curation.errors import UserError
    from pipelines.run import write_run_record

    (tmp_path / "manifest.json").write_text("{}")
    (tmp_path / "run.json").mkdir()  # the rename onto it fails as a full disk would: an OSError
    with pytest.raises(UserError, match="cannot write run.json"):
        write_run_record(tmp_path, {"command": "build-shards"})
    assert not (tmp_path / "manifest.json").exists()
