"""What the benches share: the peer tools' venv and the WARC inputs.

One venv, bench/.venvs/datatrove, serves every datatrove comparison (ingest, filters, chain,
dedup); a second, bench/.venvs/textdedup, holds text-dedup for the dedup comparison (its
datasets/pyarrow/pyspark pins would fight datatrove's). Each is created on first use with
everything its benches need, never installed into the project's own environment
(../shared/PEERS.md).
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
TEXTDEDUP_VENV = ROOT / "bench" / ".venvs" / "textdedup"
# 0.4.1 needs Python >= 3.12; 0.4.0 is the last that installs on 3.11. Its own requirements
# (datasets, click-option-group, numpy, ...) are all its minhash module needs locally.
TEXTDEDUP_PACKAGES = ["text-dedup==0.4.0"]
_TEXTDEDUP_PROBE = "import text_dedup.minhash"


def _venv_python(venv: Path, probe: str, packages: list[str]) -> Path:
    """The venv's python, installing or completing the venv when an import is missing."""
    py = venv / "bin" / "python"
    if py.exists() and subprocess.run([str(py), "-c", probe], capture_output=True).returncode == 0:
        return py
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(py), "-m", "pip", "install", "-q", *packages], check=True)
    return py


def datatrove_python() -> Path:
    """The datatrove venv's python (bench/.venvs/datatrove), made or completed on demand."""
    return _venv_python(VENV, _PROBE, DATATROVE_PACKAGES)


def textdedup_python() -> Path:
    """The text-dedup venv's python (bench/.venvs/textdedup), made or completed on demand."""
    return _venv_python(TEXTDEDUP_VENV, _TEXTDEDUP_PROBE, TEXTDEDUP_PACKAGES)


# The intact WARCs of ../shared/data/web the ingestion and chain benches both read.
GOOD_WARCS = [
    "resiliparse/warcfile.warc.gz",
    "resiliparse/clueweb-quirk.warc.gz",
    "dolma/sample-0000.warc.gz",
    "dolma/sample-0001.warc.gz",
    "ukwa/BL-20140325121225068-00000-32090-opera-8443.warc.gz",
    "cc-whirlwind/whirlwind.warc.gz",
]


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
