"""The contract every filter honours (filters/base.py), checked over all of them: it pickles
(before and after setup), has a versioned name, a stage, survives "" and whitespace-only text
and returns a Verdict whose rule is one it declares; and every code it declares has a case in
tests/rule_cases.py (so test_filters_rules.py tests it)."""

from __future__ import annotations

import pickle
import re

import pytest

from curation.document import Document
from filters.base import Filter, Verdict
from filters.registry import all_filters
from quality_signal_cases import classifier
from rule_cases import cases

# The classifier joins the chain only when a model is configured: add one with a small real model.
FILTERS = all_filters() + [classifier()]
SOURCES = ("web", "books", "code", "docs")


@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: f.name)
def test_versioned_name_and_stage(flt):
    assert isinstance(flt, Filter)
    assert re.fullmatch(r"[a-z0-9_]+_v\d+", flt.name), flt.name
    assert flt.stage in ("langid", "quality", "pii")
    assert all(re.fullmatch(r"[a-z0-9_]+", r) for r in flt.rules)


@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: f.name)
def test_pickles_before_and_after_setup(flt):
    clone = pickle.loads(pickle.dumps(flt))
    assert clone.name == flt.name and clone.rules == flt.rules
    flt.setup()
    clone = pickle.loads(pickle.dumps(flt))
    clone.setup()
    doc = Document("d", "A short sentence for the clone to read.", "web")
    assert clone.apply(doc)[1] == flt.apply(doc)[1]


@pytest.mark.parametrize("text", ["", " ", "\n\n\t \n", "\u3000\n"], ids=["empty", "space", "newlines", "ideographic"])
@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: f.name)
def test_survives_empty_and_whitespace(flt, text):
    flt.setup()
    for source in SOURCES:
        doc, verdict = flt.apply(Document("d", text, source, {}))
        assert isinstance(verdict, Verdict) and isinstance(doc, Document)
        assert verdict.keep or verdict.rule in flt.rules


def test_every_rule_code_has_a_case():
    declared = {r for f in FILTERS for r in f.rules}
    assert declared == set(cases())
