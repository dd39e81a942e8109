"""Resolve the user's input flags (files, directories, globs) into a sorted list of inputs.

Resolution happens when the pipeline is built, so that a missing path is a one-line error
(exit 2) instead of a failure deep in a worker. Each input keeps the root it was found under:
lineage and document ids use paths relative to that root, so ids survive moving the data.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path

from curation.errors import InputError

KINDS = ("web", "books", "code", "docs")

WEB_SUFFIXES = (".warc", ".warc.gz", ".wet", ".wet.gz", ".arc", ".arc.gz", ".warc.wet.gz")
DOCS_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".json", ".json.gz", ".parquet")


@dataclass(frozen=True, order=True)
class InputFile:
    kind: str  # web | books | code | docs
    path: str  # absolute path of a file; for code, of a source tree's root directory
    root: str  # the input root given by the user (a directory, or the file's own directory)

    @property
    def relpath(self) -> str:
        rel = os.path.relpath(self.path, self.root)
        return os.path.basename(self.path) if rel == "." else rel


def _expand(value: str) -> list[str]:
    if any(ch in value for ch in "*?["):
        return sorted(glob.glob(value, recursive=True))
    return [value]


def _files_under(directory: Path, kind: str) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(directory, followlinks=False):
        dirnames.sort()
        for fn in sorted(filenames):
            p = Path(dirpath) / fn
            low = fn.lower()
            if kind == "web" and not low.endswith(WEB_SUFFIXES):
                continue
            if kind == "docs" and not low.endswith(DOCS_SUFFIXES):
                continue
            if kind == "books" and (low.startswith(".") or low in ("license", "license.txt") or low.endswith((".yaml", ".yml", ".json"))):
                continue
            out.append(p)
    return out


def resolve_inputs(**by_kind: list[str] | None) -> list[InputFile]:
    """``resolve_inputs(web=[...], books=[...], code=[...], docs=[...])``.

    Raises InputError naming the first path that does not exist or cannot be read. A directory
    given for web, books or docs contributes the matching files under it (an empty directory is
    not an error here; a run with no input at all is, see require_some_input)."""
    out: list[InputFile] = []
    for kind, values in by_kind.items():
        if kind not in KINDS:
            raise ValueError(f"unknown input kind {kind}")
        for value in values or []:
            matches = _expand(value)
            if not matches:
                raise InputError(f"--{kind} {value}: no file matches this pattern")
            for m in matches:
                p = Path(m)
                if not p.exists():
                    raise InputError(f"--{kind} {value}: no such file or directory")
                if not os.access(p, os.R_OK):
                    raise InputError(f"--{kind} {value}: permission denied")
                p = p.absolute()
                if kind == "code":
                    if p.is_dir():
                        out.append(InputFile(kind, str(p), str(p)))
                    else:
                        out.append(InputFile(kind, str(p), str(p.parent)))
                elif p.is_dir():
                    out.extend(InputFile(kind, str(f), str(p)) for f in _files_under(p, kind))
                else:
                    out.append(InputFile(kind, str(p), str(p.parent)))
    return sorted(set(out))


def require_some_input(inputs: list[InputFile]) -> None:
    if not inputs:
        raise InputError("no readable input: every input path given is empty")
