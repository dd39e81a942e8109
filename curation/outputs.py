"""What in an output folder belongs to curate, and the refusals that keep inputs and outputs apart.

A folder curate writes into carries a marker file, ``DIR/.curate-output`` (JSON): the part files
it wrote there (``files``) and, while a run is in progress, the subfolders that run is writing
(``writing``). Three rules follow (docs/robustness.md, "Never touch what is not ours"):

* Only files the marker lists, or files in a subfolder a killed run was writing, are ever
  cleared from ``--output``; a ``part-*`` file curate did not write is refused, never deleted.
* Input walks (curation/inputs.py, the code reader, the checkpoint fingerprint) skip every
  folder holding a marker: a rerun never reads its own earlier output as input.
* An output folder that is, or contains, an input is refused with one line; an output folder
  inside an input folder is refused too unless the user asks for it
  (``--allow-output-inside-input``), and even then its marker keeps it out of the walk.

Output entries that are symlinks are refused: nothing is written through a link planted in the
output folder (the lock file is opened with O_NOFOLLOW, curation/lock.py; temporary files too,
curation/fs.py).
"""

from __future__ import annotations

import glob
import json
import logging
import os
import re
import shutil
from pathlib import Path

from curation import fs
from curation.errors import UserError

log = logging.getLogger("curate")

MARKER = ".curate-output"
# Subfolders whose part files every run rewrites whole (and clears first).
PART_DIRS = ("documents", "rejected", "duplicates", "dedup-index")
# Rejected rows waiting for their part (pipelines/reject_spool.py): workers write it, the run removes it.
SPOOL = ".curate-spool"
# Everything a build writes at the top of its output folder: none of these may be a symlink.
OUTPUT_ENTRIES = PART_DIRS + ("shards", "tokenizer", "stages", "payloads", "manifest.json", "stats.json", "run.json",
                              "report.html", MARKER, SPOOL)
_TMP = re.compile(r"^\.(.+?)(?:\.\d+\.\d+)?\.tmp$")  # fs.tmp_name: ".NAME.tmp", ".NAME.PID.THREAD.tmp"


def is_output_dir(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a folder curate wrote into (holds the marker)."""
    return os.path.isfile(os.path.join(path, MARKER))


def read_marker(out_dir: str | os.PathLike) -> dict | None:
    p = Path(out_dir) / MARKER
    if p.is_symlink() or not p.is_file():
        return _legacy(Path(out_dir))
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"files": [], "writing": list(PART_DIRS)}  # damaged marker: ours, contents unknown
    return data if isinstance(data, dict) else {"files": [], "writing": []}


def _legacy(out_dir: Path) -> dict | None:
    """An output written before the marker existed: its run record says a curate run made it."""
    for name, key in (("run.json", "command"), ("stats.json", "stages")):
        try:
            if key in json.loads((out_dir / name).read_text(encoding="utf-8")):
                return {"files": [], "writing": list(PART_DIRS)}
        except (OSError, ValueError, TypeError):
            continue
    return None


def _write_marker(out_dir: Path, files: list[str], writing: list[str]) -> None:
    fs.write_json(str(out_dir / MARKER), {"tool": "curate", "files": sorted(files), "writing": sorted(writing)})


def _parts(out_dir: Path, subdirs) -> list[str]:
    found = []
    for sub in subdirs:
        for part in sorted((out_dir / sub).glob("part-*")):
            if part.is_file() or part.is_symlink():
                found.append(f"{sub}/{part.name}")
    return found


def refuse_symlinks(out_dir: Path) -> None:
    """One line for an output entry that is a symlink: curate never writes through one."""
    for name in OUTPUT_ENTRIES:
        p = out_dir / name
        links = [p] if p.is_symlink() else []
        if not links and p.is_dir():
            for dirpath, dirnames, filenames in os.walk(p):  # links further down count too
                links.extend(Path(dirpath) / n for n in dirnames + filenames if os.path.islink(os.path.join(dirpath, n)))
        if links:
            rel = links[0].relative_to(out_dir)
            raise UserError(f"--output {out_dir}: {rel} is a symlink (to {os.readlink(links[0])}); curate never writes "
                            "through links in its output folder: remove it or choose another folder")


def claim(out_dir: Path, subdirs=PART_DIRS) -> None:
    """Before a run writes (under the output lock): refuse symlinks and foreign part files, clear
    the parts and temporary files curate itself left, and mark the folder as being written."""
    refuse_symlinks(out_dir)
    marker = read_marker(out_dir)
    owned = set(marker.get("files", [])) if marker else set()
    writing = set(marker.get("writing", [])) if marker else set()
    mine = [p for p in _parts(out_dir, subdirs) if p in owned or p.split("/")[0] in writing]
    foreign = [p for p in _parts(out_dir, subdirs) if p not in mine]
    if foreign:
        raise UserError(f"--output {out_dir}: {foreign[0]} was not written by curate "
                        f"({len(foreign)} such file(s)); move them away or choose another folder")
    for rel in mine:
        (out_dir / rel).unlink(missing_ok=True)
    removed = len(mine) + (_clear_temporaries(out_dir) + _clear_spool(out_dir) if marker is not None else 0)
    if removed:
        # Said, not silent: the parts every run rewrites whole and temporaries of a killed run.
        log.info("removed %d file(s) an earlier run of curate left in %s (its parts and temporary files)", removed, out_dir)
    _write_marker(out_dir, sorted(owned - set(mine)), list(subdirs))


def _clear_temporaries(out_dir: Path) -> int:
    """Temporary files (``.name.tmp``) a killed run left in the folders curate writes; how many."""
    removed = 0
    for sub in ("",) + OUTPUT_ENTRIES:
        top = out_dir / sub
        if not top.is_dir() or top.is_symlink():
            continue
        for dirpath, dirnames, filenames in os.walk(top):
            if sub == "":
                dirnames[:] = []  # the top level only; the subfolders are walked by name
            for name in filenames:
                m = _TMP.match(name)
                # At the top only the temporaries of curate's own files; below, its folders are its own.
                if m and (sub or m.group(1) in OUTPUT_ENTRIES):
                    (Path(dirpath) / name).unlink(missing_ok=True)
                    removed += 1
    return removed


def _clear_spool(out_dir: Path) -> int:
    """Spool files of a run that ended (or was killed) in ``out_dir``; how many."""
    spool = out_dir / SPOOL
    if not spool.is_dir() or spool.is_symlink():
        return 0
    n = sum(1 for p in spool.iterdir() if not p.is_dir())
    shutil.rmtree(spool, ignore_errors=True)
    return n


def release(out_dir: Path, subdirs=PART_DIRS) -> None:
    """After a run (finished or failed): record the part files it wrote as curate's; its spool
    files are no longer needed."""
    _clear_spool(out_dir)
    marker = read_marker(out_dir) or {}
    files = set(marker.get("files", [])) | set(_parts(out_dir, subdirs))
    _write_marker(out_dir, sorted(files), [])


# ---------------------------------------------------------------- inputs and outputs apart
def _within(path: str, root: str) -> bool:
    real, top = os.path.realpath(path), os.path.realpath(root)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def refuse_inputs_inside(inputs, out_dir: str | os.PathLike) -> None:
    """An output folder that is, or contains, an input: one line (exit 2), before anything is
    cleared or written. ``inputs`` are curation.inputs.InputFile values."""
    out = str(out_dir)
    for inp in inputs:
        if getattr(inp, "pattern", False):
            continue
        if _within(inp.path, out):
            raise UserError(f"--output {out} contains the input {inp.path}: curate would overwrite or clear it; "
                            "choose another output folder")


def refuse_output_inside_inputs(given: dict[str, list[str]], out_dir: str | os.PathLike, allow: bool = False) -> None:
    """An output folder inside an input folder is refused unless ``allow``: the next walk of
    that input would meet it (the marker keeps it out of the walk when it is allowed)."""
    out = str(out_dir)
    for kind, values in given.items():
        for value in values or []:
            if fs.is_remote(value):
                continue
            for m in (sorted(glob.glob(value, recursive=True)) if any(c in value for c in "*?[") else [value]):
                if os.path.isdir(m) and _within(out, m) and not allow:
                    raise UserError(f"--output {out} lies inside the input --{kind} {m}: choose a folder outside it, "
                                    "or pass --allow-output-inside-input (curate's own output folders are then "
                                    "skipped when inputs are walked)")
