"""Hostile inputs (issues 3 and 10): no crash, every case counted with its reason in stats.json
and findable in rejected/, good records next to the damage kept, nothing read from outside an
input root, nothing written outside the output folder. Plus the security rules of issue 10.

The corpus is generated at test time by tests/make_hostile.py; the real truncated archives come
from ../shared/data/web.
"""

from __future__ import annotations

import ast
import json
import os
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import make_hostile
from conftest import REPO, run_curate
from curation import stats as stats_mod
from curation.config import PipelineConfig, load_config

SHARED_TRUNCATED = ("web/resiliparse/clipped.warc.gz", "web/ukwa/IAH-20080430204825-00000-blackbook-truncated.warc.gz")


def _tree_listing(root: Path) -> dict[bytes, tuple[int, int]]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(os.fsencode(root), followlinks=False):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            out[p] = (st.st_size, st.st_mtime_ns)
    return out


def _extracted(out: Path) -> list[dict]:
    """Every document that came out of extraction: kept to the end (documents/) or removed by a
    later stage (rejected/ rows of langid, quality, dedup ...). Accounting makes this exact."""
    late = [r for r in _rows(out / "rejected") if r["stage"] not in ("read", "extract")]
    return _rows(out / "documents") + late


def _rows(directory: Path) -> list[dict]:
    rows = []
    for part in sorted(directory.glob("part-*.parquet")):
        for r in pq.read_table(part).to_pylist():
            r["metadata"] = json.loads(r["metadata"])
            rows.append(r)
    return rows


def shown(name: bytes) -> str:
    """How a file name that is not valid UTF-8 appears in ids and lineage."""
    return name.decode("utf-8", "backslashreplace")


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory, shared_data):
    base = tmp_path_factory.mktemp("hostile")
    corpus = base / "corpus"
    cases = make_hostile.make(corpus)
    cwd = base / "cwd"  # the run's working folder: must stay empty
    cwd.mkdir()
    before = _tree_listing(corpus)
    out = base / "out"
    shared = [str(shared_data / p) for p in SHARED_TRUNCATED]
    # The whole pipeline, default config: what passes extraction meets every later stage.
    res = run_curate(
        "build-shards", "--web", str(corpus / "web"), *shared, "--books", str(corpus / "books"),
        "--code", str(corpus / "code" / "tree"), "--output", str(out), "--emit", "documents,tokens",
        cwd=cwd, timeout=600,
    )
    return {"res": res, "cases": cases, "out": out, "corpus": corpus, "cwd": cwd, "before": before}


def test_no_crash_and_accounting_holds(hostile_run):
    res = hostile_run["res"]
    assert res.returncode == 0, res.stderr[-4000:]
    assert "Traceback" not in res.stderr  # counted skips are one line each
    out = hostile_run["out"]
    stats = json.loads((out / "stats.json").read_text())
    stats_mod.check(stats, stats["stage_order"])
    assert stats["accounting"]["ok"] is True
    assert (out / "manifest.json").is_file()


def test_every_case_counted_and_findable(hostile_run):
    out = hostile_run["out"]
    stats = json.loads((out / "stats.json").read_text())
    reasons = stats_mod.reason_totals(stats)
    rejected = [r for r in _rows(out / "rejected") if r["stage"] in ("read", "extract")]
    docs = _extracted(out)
    rejected_by_file: dict[str, list[str]] = {}
    for r in rejected:
        rejected_by_file.setdefault(r["metadata"].get("source_file", ""), []).append(r["reason"])
    kept_by_file = Counter(d["metadata"].get("source_file", "") for d in docs)
    problems = []
    for case in hostile_run["cases"]:
        name = shown(case.source_file)
        got = rejected_by_file.get(name, [])
        bad = set(case.expect) - {"kept"}
        if case.expect == {"kept"} or (not bad):
            want_kept = max(case.kept, 1)
            if kept_by_file[name] != want_kept:
                problems.append(f"{case.name}: {kept_by_file[name]} documents kept, want {want_kept} (rejects {got})")
            continue
        hits = [r for r in got if r in bad]
        if "kept" in case.expect and not hits and kept_by_file[name] >= case.kept + 1:
            continue  # a record the reader may keep (it decoded it), and did
        if not hits:
            problems.append(f"{case.name}: no reject with a reason in {sorted(bad)} (got {got}, kept {kept_by_file[name]})")
        elif not all(reasons.get(r, 0) >= 1 for r in hits):
            problems.append(f"{case.name}: {hits} missing from stats.json")
        if kept_by_file[name] < case.kept:
            problems.append(f"{case.name}: lost good records: {kept_by_file[name]} kept, want {case.kept}")
    assert not problems, "\n".join(problems)


def test_shared_truncated_archives(hostile_run):
    out = hostile_run["out"]
    rejected = _rows(out / "rejected")
    clipped = [r["reason"] for r in rejected if r["metadata"].get("source_file") == "clipped.warc.gz"]
    assert "read/truncated" in clipped
    docs = _extracted(out)
    ukwa = Path(SHARED_TRUNCATED[1]).name
    # Every record of the cut archive is accounted for, the readable pages kept.
    assert sum(1 for d in docs if d["metadata"].get("source_file") == ukwa) >= 1
    stats = json.loads((out / "stats.json").read_text())
    web = stats["stages"]["read"]["by_source"]["web"]
    assert web["in"] == web["out"] + sum(web["removed"].values()) + sum(web["failed"].values())


def test_symlinks_never_followed_out_of_root(hostile_run):
    out = hostile_run["out"]
    for sub in ("documents", "rejected"):
        for r in _rows(out / sub):
            assert make_hostile.OUTSIDE_MARKER not in r["text"], f"read through a symlink out of its root: {r['id']}"
    stats = json.loads((out / "stats.json").read_text())
    # Four symlinks in the code tree (two loops, a file and a directory pointing out) and one
    # in the books folder, each a counted skip.
    assert stats["stages"]["read"]["removed"].get("read/symlink", 0) == 5


def test_nothing_written_outside_output(hostile_run):
    assert list(hostile_run["cwd"].iterdir()) == []
    assert _tree_listing(hostile_run["corpus"]) == hostile_run["before"]


def test_odd_file_names_in_lineage(hostile_run):
    out = hostile_run["out"]
    docs = _extracted(out)
    run = json.loads((out / "run.json").read_text())
    assert any("\\xff" in i["path"] for i in run["inputs"])
    files = {d["metadata"]["source_file"] for d in docs}
    assert "odd name\nwith newline \\xff\\xfe.warc.gz" in files
    assert "bad\\xff\\xfename.txt" in files and "new\nline.txt" in files and "a book with spaces.txt" in files
    assert "tree/pkg/bad\\xff.py" in files and "tree/pkg/odd name.py" in files


# ---------------------------------------------------------------- limits set by config
def test_gzip_bomb_capped_by_config(tmp_path):
    """Content-Encoding gzip expanding > 1000x stops at read.web.max_record_bytes and is counted."""
    from curation.readers.warc import iter_warc

    body = make_hostile.gzip_of_parts([(b" " * (1 << 20), 50)])
    assert (50 << 20) / len(body) > make_hostile.GZIP_RATIO
    rec = make_hostile.warc_record(1, make_hostile.http_response(body, extra="Content-Encoding: gzip\r\n"))
    path = tmp_path / "bomb.warc.gz"
    path.write_bytes(make_hostile.gz(rec) + make_hostile.gz(make_hostile.good_record(2)))
    cfg = load_config(None, ["read.web.max_record_bytes=1000000"]).read
    outs = list(iter_warc(str(path), "bomb.warc.gz", cfg.web, cfg.max_doc_chars))
    assert [(o.kind, o.reason) for o in outs] == [("removed", "read/too_large"), ("out", "")]
    assert "max_record_bytes" in outs[0].doc.metadata["error"]


def test_document_size_bounded_by_config(tmp_path):
    from curation.readers.books import read_book
    from curation.readers.warc import iter_warc

    cfg = load_config(None, ["read.max_doc_chars=5000"]).read
    book = tmp_path / "long.txt"
    book.write_text(make_hostile._book("Long", lines=200))
    assert read_book(str(book), "long.txt", cfg.books, cfg.max_doc_chars).reason == "read/too_large"
    page = tmp_path / "page.warc.gz"
    page.write_bytes(make_hostile.gz(make_hostile.warc_record(1, make_hostile.http_response(
        make_hostile.article("long", paras=40).encode()))))
    outs = list(iter_warc(str(page), "page.warc.gz", cfg.web, cfg.max_doc_chars))
    assert [(o.kind, o.reason) for o in outs] == [("removed", "read/too_large")]


def test_code_walk_with_follow_symlinks_stays_in_root(tmp_path):
    """Even with read.code.follow_symlinks, a walk ends on loops and never leaves its root."""
    from curation.readers.code import list_tree

    corpus = tmp_path / "corpus"
    make_hostile.make(corpus)
    cfg = load_config(None, ["read.code.follow_symlinks=true"]).read.code
    units = list(list_tree(str(corpus / "code" / "tree"), cfg))
    paths = [u.path for u in units]
    assert len(paths) == len(set(paths)) and len(paths) < 40
    kept = [u for u in units if not u.skip]
    assert all(os.path.realpath(os.path.join(u.tree, u.path)).startswith(str(corpus / "code" / "tree")) for u in kept)
    skipped = {u.path for u in units if u.skip == "symlink"}
    assert {"escape_dir", "escape.py"} <= skipped


# ---------------------------------------------------------------- security
PACKAGES = ("curation", "pipelines", "filters")


def _sources():
    for pkg in PACKAGES:
        yield from sorted((REPO / pkg).rglob("*.py"))
    yield from sorted((REPO / "bench").glob("*.py"))


def test_no_shell_eval_exec_or_save_main_session():
    """No shell=True, no eval/exec of anything, no Beam save_main_session, no os.system."""
    problems = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            where = f"{path.relative_to(REPO)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Call):
                f = node.func
                if isinstance(f, ast.Name) and f.id in ("eval", "exec", "compile"):
                    problems.append(f"{where}: {f.id}(")
                if isinstance(f, ast.Attribute) and f.attr in ("system", "popen") and getattr(f.value, "id", "") == "os":
                    problems.append(f"{where}: os.{f.attr}(")
                for kw in node.keywords:
                    if kw.arg == "shell" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                        problems.append(f"{where}: shell=")
                    if kw.arg == "save_main_session":
                        problems.append(f"{where}: save_main_session=")
            if isinstance(node, ast.Attribute) and node.attr == "save_main_session":
                problems.append(f"{where}: .save_main_session")
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "--save_main_session" in node.value:
                problems.append(f"{where}: --save_main_session")
    assert not problems, "\n".join(problems)


def test_default_config_bounds_every_document():
    cfg = PipelineConfig().read
    assert 0 < cfg.max_doc_chars <= 100_000_000
    assert 0 < cfg.web.max_record_bytes <= 100_000_000
    assert 0 < cfg.books.max_file_bytes <= 100_000_000 and 0 < cfg.code.max_file_bytes <= 10_000_000
    assert cfg.extract.max_html_bytes <= 10_000_000 and cfg.extract.max_depth <= 1000 and cfg.extract.timeout_s > 0
    assert cfg.code.follow_symlinks is False
