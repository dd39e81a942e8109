"""A custom filter from a real, separately installed package runs in the same wrapper as the
built-in ones: listed by `curate filters`, counted, its rejects kept with the rule values."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import REPO, SHARED_DATA

PLUGIN = '''
from filters.base import Filter, Verdict


class ShoutingFilter(Filter):
    """Drops documents written mostly in capitals."""

    name = "shouting_v1"
    stage = "quality"
    rules = ("shouting",)

    def __init__(self, max_upper_ratio: float = 0.5):
        self.max_upper_ratio = max_upper_ratio

    def apply(self, doc):
        letters = [c for c in doc.text if c.isalpha()]
        ratio = sum(c.isupper() for c in letters) / len(letters) if letters else 0.0
        if ratio > self.max_upper_ratio:
            return doc, Verdict.drop("shouting", upper_ratio=round(ratio, 3))
        return doc, Verdict.ok(upper_ratio=round(ratio, 3))


class Broken(Filter):
    name = "broken_v1"

    def apply(self, doc):
        raise RuntimeError("plugin bug")
'''


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory):
    pkg = tmp_path_factory.mktemp("plugin-src")
    (pkg / "shouty_filters.py").write_text(PLUGIN)
    (pkg / "pyproject.toml").write_text(textwrap.dedent("""
        [build-system]
        requires = ["setuptools>=68"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "shouty-filters"
        version = "0.1.0"

        [tool.setuptools]
        py-modules = ["shouty_filters"]

        [project.entry-points."curate.filters"]
        shouting = "shouty_filters:ShoutingFilter"
        broken = "shouty_filters:Broken"
    """))
    site = tmp_path_factory.mktemp("plugin-site")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--target", str(site), str(pkg)],
                   check=True, capture_output=True, text=True)
    return site


def _curate(site: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=f"{site}{os.pathsep}{REPO}")
    return subprocess.run([sys.executable, "-m", "curation.cli", *args], capture_output=True, text=True, env=env, cwd=REPO, timeout=600)


def _docs(tmp_path: Path) -> Path:
    book = (SHARED_DATA / "books" / "pg1342" / "1342-0.txt").read_text(encoding="utf-8")
    paras = [p.strip() for p in book.split("\n\n") if len(p.split()) > 80][:6]
    rows = [{"id": f"calm-{i}", "text": p} for i, p in enumerate(paras)]
    rows += [{"id": f"loud-{i}", "text": p.upper()} for i, p in enumerate(paras[:2])]
    f = tmp_path / "docs.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return f


def test_listed(plugin_site):
    res = _curate(plugin_site, "filters", "--json")
    assert res.returncode == 0, res.stderr
    names = {r["name"]: r for r in json.loads(res.stdout)}
    assert "gopher_quality_v1" in names
    assert names["shouting"]["rules"] == ["shouting"] and "plugin" in names["shouting"]["origin"]


def test_runs_in_the_filter_wrapper(plugin_site, tmp_path, shared_data):
    out = tmp_path / "out"
    plugins = "plugins=[{name: shouting, options: {max_upper_ratio: 0.6}}, {name: broken}]"
    # Only the plugins decide here: the built-in rule sets are tested elsewhere.
    builtin_off = [a for k in ("c4", "fineweb", "gopher_quality", "gopher_repetition") for a in ("--set", f"quality.{k}.enabled=false")]
    res = _curate(plugin_site, "filter", "--input", str(_docs(tmp_path)), "--output", str(out), "--set", plugins,
                  "--set", "langid.enabled=false", *builtin_off)
    assert res.returncode == 0, res.stderr[-3000:]
    stats = json.loads((out / "stats.json").read_text())
    q = stats["stages"]["quality"]
    assert q["removed"].get("quality/shouting") == 2
    # The broken plugin's exception is a counted failure per document, never a crash.
    assert q["failed"].get("quality/error_RuntimeError") == q["in"] - 2
    rejected = pq.read_table(out / "rejected").to_pylist()
    loud = [r for r in rejected if r["reason"] == "quality/shouting"]
    assert {r["id"] for r in loud} == {"loud-0", "loud-1"}
    assert json.loads(loud[0]["metadata"])["shouting_v1"]["upper_ratio"] > 0.6


def test_unknown_plugin_is_a_config_error(plugin_site, tmp_path, shared_data):
    res = _curate(plugin_site, "filter", "--input", str(_docs(tmp_path)), "--output", str(tmp_path / "o"),
                  "--set", "plugins=[{name: nosuch}]")
    assert res.returncode == 2
    assert "nosuch" in res.stderr and "shouting" in res.stderr


def test_in_process_api_with_extra_filter(plugin_site, tmp_path, shared_data):
    sys.path.insert(0, str(plugin_site))
    try:
        from shouty_filters import ShoutingFilter

        from curation import api

        off = [f"quality.{k}.enabled=false" for k in ("c4", "fineweb", "gopher_quality", "gopher_repetition")]
        cfg = api.load_config(overrides=["langid.enabled=false"] + off)
        res = api.filter_documents(api.read_documents(str(_docs(tmp_path))), cfg, extra_filters=[ShoutingFilter(0.6)])
        assert {d.id for d in res.rejected if d.metadata["reason"] == "quality/shouting"} == {"loud-0", "loud-1"}
        assert res.stats["stages"]["quality"]["removed"]["quality/shouting"] == 2
    finally:
        sys.path.remove(str(plugin_site))
