"""The README's Python example runs as written, and curated documents load in other tools."""

from __future__ import annotations

import re

import pytest

from conftest import REPO


def test_readme_python_example_runs(tmp_path, monkeypatch):
    text = (REPO / "README.md").read_text()
    code = re.findall(r"```python\n(.*?)```", text, re.S)[0]
    monkeypatch.chdir(REPO)
    out = tmp_path / "custom"
    code = code.replace('"out/custom', f'"{out}')
    ns: dict = {}
    exec(compile(code, "README.md", "exec"), ns)  # noqa: S102 - the README's own example, under test
    assert list((out / "documents").glob("part-*.parquet"))
    assert len(ns["result"].kept) + len(ns["result"].rejected) == len(ns["docs"]) > 0


def test_curated_documents_load_in_pyarrow_and_duckdb(sample_build):
    import pyarrow.parquet as pq

    table = pq.read_table(sample_build / "documents")
    assert table.column_names[:4] == ["id", "text", "source", "metadata"]
    duckdb = pytest.importorskip("duckdb")
    ((n, sources),) = duckdb.sql(
        f"select count(*), count(distinct source) from read_parquet('{sample_build}/documents/*.parquet')"
    ).fetchall()
    assert n == table.num_rows and sources == 3
    langs = duckdb.sql(
        f"select json_extract_string(metadata, '$.lang') as lang, count(*) from read_parquet('{sample_build}/documents/*.parquet') "
        "where source = 'web' group by lang"
    ).fetchall()
    assert {lang for lang, _ in langs} >= {"en", "de", "fr", "es"}
