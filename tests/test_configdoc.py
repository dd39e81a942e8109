"""docs/config.md is generated from the config dataclasses; this fails when it is stale."""

from pathlib import Path

from curation.configdoc import render

REPO = Path(__file__).resolve().parents[1]


def test_config_doc_is_current():
    current = (REPO / "docs" / "config.md").read_text(encoding="utf-8")
    assert current == render(), "docs/config.md is stale: run  python -m curation.configdoc > docs/config.md"


def test_every_key_is_explained():
    missing = [line.split("`")[1] for line in render().splitlines() if line.startswith("| `") and line.rstrip().endswith("|  |")]
    assert not missing, f"config keys without a meaning (add a comment after the field): {missing}"
