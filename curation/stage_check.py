"""Verify a stage checkpoint (``DIR/stages/<group>-<key>/``) against its ``_SUCCESS.json``.

The marker lists every part the stage wrote with its row count, size and sha256
(pipelines/checkpoint.py writes it last). A checkpoint is trusted on resume, and by
``curate inspect``, only when every listed part is there with the same size and hash and no
unlisted part lies beside them: one flipped bit, a truncated or a deleted part, or a damaged
marker makes the stage run again (and says why). No Beam here: `curate inspect` uses it.
"""

from __future__ import annotations

from pathlib import Path

from curation import fs

MARKER = "_SUCCESS.json"
PART_DIRS = ("documents", "rejected", "duplicates", "dedup-index")


def read_marker(directory: str) -> tuple[dict | None, str]:
    """(marker, "") or (None, the problem, naming the file)."""
    path = f"{directory.rstrip('/')}/{MARKER}"
    try:
        data = fs.read_json(path)
    except FileNotFoundError:
        return None, f"{path}: missing"
    except (OSError, ValueError) as e:  # a truncated or damaged marker: JSONDecodeError, UnicodeDecodeError
        return None, f"{path}: unreadable ({type(e).__name__}: {str(e)[:80]})"
    if not isinstance(data, dict) or not isinstance(data.get("counts"), list):
        return None, f"{path}: not a stage marker"
    if not isinstance(data.get("files"), list):
        return None, f"{path}: lists no part hashes (written by an older curate)"
    return data, ""


def verify_stage(directory: str) -> list[str]:
    """Problems with one checkpoint folder, each naming a file; empty when it can be trusted."""
    directory = directory.rstrip("/")
    marker, problem = read_marker(directory)
    if marker is None:
        return [problem]
    problems = []
    listed = {f["path"]: f for f in marker["files"] if isinstance(f, dict) and "path" in f}
    present = {p[len(directory) + 1:] for sub in PART_DIRS for p in fs.match(f"{directory}/{sub}/part-*")}
    for rel in sorted(present - set(listed)):
        problems.append(f"{directory}/{rel}: not listed in {MARKER}")
    for rel, info in sorted(listed.items()):
        path = f"{directory}/{rel}"
        if rel not in present:
            problems.append(f"{path}: missing")
            continue
        try:
            digest, size = fs.sha256_of(path)
        except OSError as e:
            problems.append(f"{path}: unreadable ({e.strerror or e})")
            continue
        if size != info.get("bytes") or digest != info.get("sha256"):
            problems.append(f"{path}: sha256 {digest[:16]} ({size} bytes) differs from {MARKER} "
                            f"({str(info.get('sha256'))[:16]}, {info.get('bytes')} bytes)")
    return problems


def complete_stages(out_dir: str | Path) -> list[Path]:
    """The stage folders of an output that hold a marker (complete, or claiming to be)."""
    root = Path(out_dir) / "stages"
    return sorted(p for p in root.glob("*-*") if (p / MARKER).exists()) if root.is_dir() else []


def marker_json(group: str, counts: list, files: list[dict]) -> dict:
    """The marker's content: the group, its summed counts and every part's info."""
    return {"group": group, "counts": counts, "files": sorted(files, key=lambda f: f["path"])}
