"""One test per reason code: each realistic case (tests/rule_cases.py) is dropped by its filter
with exactly that code, and the rule values that decided are annotated."""

from __future__ import annotations

import pytest

from rule_cases import cases

_CASES = cases()


@pytest.mark.parametrize("rule", sorted(_CASES))
def test_reason_code(rule):
    flt, doc = _CASES[rule]
    flt.setup()
    assert rule in flt.rules
    out, verdict = flt.apply(doc)
    assert not verdict.keep, f"{rule}: kept, values {verdict.values}"
    assert verdict.rule == rule, f"expected {rule}, got {verdict.rule} ({verdict.values})"
    assert out.id == doc.id
