import pytest

from curation.errors import AccountingError
from curation.stats import assemble, check, key, reason_totals


def test_assemble_and_check():
    counts = [
        (key("read", "web", "in"), 10),
        (key("read", "web", "out"), 7),
        (key("read", "web", "removed", "read/revisit"), 2),
        (key("read", "web", "failed", "read/truncated"), 1),
        (key("quality", "web", "in"), 7),
        (key("quality", "web", "out"), 5),
        (key("quality", "web", "removed", "quality/gopher_short_doc"), 2),
        (key("quality", "web", "metric", "bytes_in"), 1000),
    ]
    st = assemble(counts, order=["read", "quality"])
    assert st["stage_order"] == ["read", "quality"]
    assert st["stages"]["read"]["removed"] == {"read/revisit": 2}
    assert st["stages"]["quality"]["metrics"]["bytes_in"] == 1000
    check(st, ["read", "quality"])
    assert reason_totals(st) == {"quality/gopher_short_doc": 2, "read/revisit": 2, "read/truncated": 1}


def test_mismatch_fails():
    st = assemble([(key("read", "web", "in"), 3), (key("read", "web", "out"), 2)])
    with pytest.raises(AccountingError, match="stage read"):
        check(st)


def test_chain_mismatch_fails():
    st = assemble([(key("read", "web", "in"), 3), (key("read", "web", "out"), 3), (key("quality", "web", "in"), 2),
                   (key("quality", "web", "out"), 2)])
    with pytest.raises(AccountingError, match="quality took in 2"):
        check(st, ["read", "quality"])
