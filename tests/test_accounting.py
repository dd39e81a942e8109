"""Exact accounting (issue 10): on real runs every stage balances, in = out + removed + failed,
overall and per source, and each stage takes in what the one before let out; a run whose counts
do not add up fails with a clear error, writes stats.json with the problem and no manifest.
"""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import run_curate
from curation import stats as stats_mod
from curation.errors import AccountingError

ARGS = ("--emit", "documents,tokens")  # as conftest.sample_build runs it


def _balanced(d: dict) -> bool:
    return d["in"] == d["out"] + sum(d["removed"].values()) + sum(d["failed"].values())


def test_every_stage_balances_on_the_sample_build(sample_build):
    stats = json.loads((sample_build / "stats.json").read_text())
    assert stats["accounting"] == {"ok": True, "problems": []}
    stats_mod.check(stats, stats["stage_order"])
    order = stats["stage_order"]
    assert order[:2] == ["read", "extract"] and order[-1] == "tokenize"
    for name, st in stats["stages"].items():
        assert _balanced(st), name
        for source, d in st["by_source"].items():
            assert _balanced(d), (name, source)
        for reason in list(st["removed"]) + list(st["failed"]):
            assert reason.startswith(f"{name}/"), (name, reason)
    for a, b in zip(order, order[1:]):
        assert stats["stages"][a]["out"] == stats["stages"][b]["in"], (a, b)
    # The shards hold exactly what the last stage let out.
    manifest = json.loads((sample_build / "manifest.json").read_text())
    assert manifest["totals"]["documents"] == stats["stages"][order[-1]]["out"]


def test_check_names_the_stage_and_the_numbers():
    counts = [
        (("read", "web", "in", ""), 10), (("read", "web", "out", ""), 7), (("read", "web", "removed", "read/request"), 2),
        (("extract", "web", "in", ""), 7), (("extract", "web", "out", ""), 7),
    ]
    stats = stats_mod.assemble(counts, order=["read", "extract"])
    with pytest.raises(AccountingError, match=r"stage read \(all\): in=10 but out\+removed\+failed=9"):
        stats_mod.check(stats, ["read", "extract"])
    counts[1] = (("read", "web", "out", ""), 8)
    with pytest.raises(AccountingError, match="stage extract took in 7 documents but read let out 8"):
        stats_mod.check(stats_mod.assemble(counts), ["read", "extract"])


def test_mismatched_counts_fail_the_run_without_a_manifest(sample_build, tmp_path):
    """A checkpoint whose counts were damaged (here: one removal lost from the filter group)
    is resumed from, the sums no longer add up, and the run must not publish."""
    out = tmp_path / "out"
    shutil.copytree(sample_build, out)
    marker = next((out / "stages").glob("filter-*/_SUCCESS.json"))
    data = json.loads(marker.read_text())
    for event in data["counts"]:
        (stage, _source, kind, _reason), n = event
        if stage == "quality" and kind == "removed" and n > 0:
            event[1] = n - 1
            break
    else:
        pytest.fail("the sample build removed nothing in quality: pick another stage to damage")
    marker.write_text(json.dumps(data))
    res = run_curate("build-shards", "--output", str(out), *ARGS)
    assert res.returncode == 1
    last = res.stderr.strip().splitlines()[-1]
    assert "AccountingError: accounting mismatch: stage quality" in last, res.stderr[-3000:]
    assert "rerun with --no-resume" in last
    assert not (out / "manifest.json").exists()
    stats = json.loads((out / "stats.json").read_text())
    assert stats["accounting"]["ok"] is False
    assert "stage quality" in stats["accounting"]["problems"][0]
