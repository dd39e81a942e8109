"""What the benches share: the peer tools' venv and the WARC inputs.

One venv, bench/.venvs/datatrove, serves every datatrove comparison (ingest, filters, chain,
dedup); it is created on first use with everything any of them needs, never installed into
the project's own environment (../shared/PEERS.md).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
VENV = ROOT / "bench" / ".venvs" / "datatrove"
DATATROVE_PACKAGES = ["datatrove[io,processing]==0.10.1", "warcio", "lxml_html_clean", "spacy", "fasttext-wheel"]
_PROBE = "import datatrove, trafilatura, warcio, lxml_html_clean, fasttext, spacy"


def datatrove_python() -> Path:
    """The venv's python, installing or completing the venv when an import is missing."""
    py = VENV / "bin" / "python"
    if py.exists() and subprocess.run([str(py), "-c", _PROBE], capture_output=True).returncode == 0:
        return py
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(py), "-m", "pip", "install", "-q", *DATATROVE_PACKAGES], check=True)
    return py


def link_warcs(folder: Path, rels: list[str]) -> list[Path]:
    """Symlink WARCs of ../shared/data/web into one folder (datatrove reads a folder and a glob)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for rel in rels:
        src = SHARED / "web" / rel
        if not src.is_file():
            sys.exit(f"missing input {src}")
        dst = folder / src.name
        if not dst.exists():
            dst.symlink_to(src)
        out.append(dst)
    return out
