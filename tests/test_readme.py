"""The README's two commands are the product's front door; .ci/run must run the test one verbatim."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _bash_blocks(text: str) -> list[str]:
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", text, re.S)]


def test_ci_runs_the_readme_test_command():
    blocks = _bash_blocks((REPO / "README.md").read_text())
    test_cmd = next(b for b in blocks if "pytest" in b)
    ci = (REPO / ".ci" / "run").read_text()
    assert test_cmd in ci.splitlines()


def test_main_command_builds_shards():
    blocks = _bash_blocks((REPO / "README.md").read_text())
    assert any("curate build-shards" in b and "pip install -e ." in b for b in blocks)
