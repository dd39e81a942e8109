from conftest import run_curate


def test_unknown_flag_is_an_error(tmp_path):
    res = run_curate("build-shards", "--output", str(tmp_path / "o"), "--treshold", "0.5")
    assert res.returncode == 2
    assert "--treshold" in res.stderr
    assert "Traceback" not in res.stderr


def test_missing_input_one_line_exit_2(tmp_path):
    res = run_curate("build-shards", "--web", str(tmp_path / "missing.warc.gz"), "--output", str(tmp_path / "o"))
    assert res.returncode == 2
    assert "missing.warc.gz" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_empty_input_folder_exit_2(tmp_path):
    (tmp_path / "empty").mkdir()
    res = run_curate("build-shards", "--books", str(tmp_path / "empty"), "--output", str(tmp_path / "o"))
    assert res.returncode == 2
    assert "no readable input" in res.stderr


def test_bad_config_key_exit_2(tmp_path):
    res = run_curate("build-shards", "--set", "dedup.treshold=0.5", "--output", str(tmp_path / "o"))
    assert res.returncode == 2
    assert "dedup.treshold" in res.stderr


def test_dangling_symlink_exit_2(tmp_path):
    link = tmp_path / "gone.warc.gz"
    link.symlink_to(tmp_path / "deleted.warc.gz")
    res = run_curate("build-shards", "--web", str(link), "--output", str(tmp_path / "o"))
    assert res.returncode == 2
    assert "gone.warc.gz" in res.stderr and "Traceback" not in res.stderr


def test_unreadable_file_exit_2(tmp_path):
    import os

    import pytest

    f = tmp_path / "locked.warc.gz"
    f.write_bytes(b"x")
    f.chmod(0)
    if os.access(f, os.R_OK):
        pytest.skip("running as root: permissions do not stop reads")
    res = run_curate("build-shards", "--web", str(f), "--output", str(tmp_path / "o"))
    assert res.returncode == 2
    assert "permission denied" in res.stderr
