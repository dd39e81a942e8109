import pytest

from curation.errors import InputError
from curation.inputs import require_some_input, resolve_inputs


def test_missing_path_is_named(tmp_path):
    with pytest.raises(InputError, match="nope.warc.gz"):
        resolve_inputs(web=[str(tmp_path / "nope.warc.gz")])


def test_glob_without_match(tmp_path):
    with pytest.raises(InputError, match="no file matches"):
        resolve_inputs(web=[str(tmp_path / "*.warc.gz")])


def test_empty_folder_is_no_input(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    inputs = resolve_inputs(web=[str(empty)], books=[str(empty)])
    assert inputs == []
    with pytest.raises(InputError, match="no readable input"):
        require_some_input(inputs)


def test_directories_and_globs(shared_data):
    web = resolve_inputs(web=[str(shared_data / "web")])
    assert all(i.kind == "web" for i in web)
    assert any(i.relpath == "resiliparse/warcfile.warc.gz" for i in web)
    books = resolve_inputs(books=[str(shared_data / "books" / "pg*")])
    names = {i.relpath for i in books}
    assert "11-0.txt" in names and not any(n.endswith(("LICENSE", ".yaml")) for n in names)
    # Repeated and overlapping flags resolve to one sorted list without duplicates.
    twice = resolve_inputs(web=[str(shared_data / "web" / "dolma"), str(shared_data / "web" / "dolma" / "*.warc.gz")])
    assert len({i.path for i in twice}) >= 2
