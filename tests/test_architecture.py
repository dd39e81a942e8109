"""The structure rules of docs/architecture.md, read from the code's own imports by the shared
checker (../shared/tools/arch_check.py): no import cycle, the core never imports pipelines/ or
the CLI, Beam enters the core through one module, command modules stay thin."""

import subprocess
import sys

from conftest import REPO, _need


def test_structure_rules_hold():
    tool = _need(REPO.parent / "shared" / "tools" / "arch_check.py")
    res = subprocess.run([sys.executable, str(tool), "150"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "0 cycles, 0 core-to-upper imports, 1 core modules with Beam, 0 fat commands" in res.stdout
