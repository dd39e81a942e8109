"""Resolve the user's input flags (files, directories, globs) into a sorted list of inputs.

Resolution happens when the pipeline is built, so that a missing path is a one-line error
(exit 2) instead of a failure deep in a worker. Each input keeps the root it was found under:
lineage and document ids use paths relative to that root, so ids survive moving the data.

Paths on an object store or cluster filesystem (gs://, s3://, hdfs:// ...) are not listed here:
the machine that builds the graph may have no access to them (a Dataflow dry run has no
network), and listing thousands of objects belongs on the workers. Such a value becomes one
``InputFile`` with ``pattern=True``, and the readers call ``expand_input`` at run time.
"""

from __future__ import annotations

import glob
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from curation import fs, outputs
from curation.errors import InputError
from curation.fs import is_remote

log = logging.getLogger("curate")

__all__ = ["KINDS", "InputFile", "display_path", "expand_input", "is_remote", "require_some_input", "resolve_inputs",
           "within"]

KINDS = ("web", "books", "code", "docs")

WEB_SUFFIXES = (".warc", ".warc.gz", ".wet", ".wet.gz", ".warc.wet.gz")
# ARC (the Internet Archive's format before WARC) is not parsed: refused by name, never read as garbage.
ARC_SUFFIXES = (".arc", ".arc.gz")
ARC_HINT = "ARC files are not read: convert them to WARC first (warcio recompress IN.arc.gz OUT.warc.gz)"
DOCS_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".json", ".json.gz", ".parquet")


@dataclass(frozen=True, order=True)
class InputFile:
    kind: str  # web | books | code | docs
    path: str  # absolute path of a file; for code, of a source tree's root directory
    root: str  # the input root given by the user (a directory, or the file's own directory)
    pattern: bool = False  # a remote file, folder or glob, matched at run time (expand_input)

    @property
    def relpath(self) -> str:
        """Path relative to the root, printable: it goes into ids and lineage (display_path)."""
        rel = os.path.relpath(self.path, self.root)
        return display_path(os.path.basename(self.path) if rel == "." else rel)

    def escapes_root(self) -> bool:
        """A file found under a directory through a symlink that resolves outside it: never read."""
        return self.path != self.root and os.path.islink(self.path) and not within(self.path, self.root)


def display_path(path: str) -> str:
    """A file name as valid UTF-8 for ids, lineage and logs.

    POSIX names are bytes; Python carries bytes that are not UTF-8 as lone surrogates, which
    Parquet, JSON and hashing reject. They are shown as ``\\xff`` escapes instead: stable, and
    distinct from every valid name."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def within(path: str, root: str) -> bool:
    """Whether ``path``, symlinks resolved, lies inside ``root`` (also resolved)."""
    real, top = os.path.realpath(path), os.path.realpath(root)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def _expand(value: str) -> list[str]:
    if any(ch in value for ch in "*?["):
        return sorted(glob.glob(value, recursive=True))
    return [value]


def _files_under(directory: Path, kind: str) -> list[Path]:
    """The accepted files under ``directory``, sorted. curate's own output folders (the marker
    of curation/outputs.py) are not walked; a subfolder the walk cannot enter (no permission, a
    path over PATH_MAX) is listed itself, so the reader counts it as read/unreadable with its
    path instead of the walk dropping it without a word."""
    out = []
    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(directory, followlinks=False, onerror=errors.append):
        out.extend(Path(e.filename) for e in errors if e.filename and os.fspath(e.filename) != os.fspath(directory))
        errors.clear()
        for d in list(dirnames):
            if outputs.is_output_dir(os.path.join(dirpath, d)):
                log.info("inputs: skipping %s: a curate output folder (it holds %s)",
                         display_path(os.path.join(dirpath, d)), outputs.MARKER)
                dirnames.remove(d)
        dirnames.sort()
        for fn in sorted(filenames):
            if _accepts(kind, fn):
                out.append(Path(dirpath) / fn)
            elif kind == "web" and fn.lower().endswith(ARC_SUFFIXES):
                log.warning("inputs: %s: %s", display_path(os.path.join(dirpath, fn)), ARC_HINT)
    out.extend(Path(e.filename) for e in errors if e.filename)
    return sorted(out)


def _remote_root(value: str) -> str:
    """The folder part of a remote value before its first glob character."""
    cut = min((value.index(ch) for ch in "*?[" if ch in value), default=len(value))
    head = value[:cut]
    if cut == len(value) and not value.endswith("/"):
        return head.rstrip("/")  # a file or a folder: matched at run time, see expand_input
    return head.rpartition("/")[0]


def _accepts(kind: str, name: str) -> bool:
    low = name.lower()
    if kind == "web":
        return low.endswith(WEB_SUFFIXES)
    if kind == "docs":
        return low.endswith(DOCS_SUFFIXES)
    return not (low.startswith(".") or low in ("license", "license.txt") or low.endswith((".yaml", ".yml", ".json")))


def expand_input(inp: InputFile) -> list[InputFile]:
    """Run-time listing of a ``pattern`` input through Beam's filesystems; other inputs pass
    through. A value without glob characters is a folder when files lie under it (recursively,
    filtered like local folders), else a file. No match gives an empty list: the caller counts it."""
    if not inp.pattern:
        return [inp]
    match = fs.match
    value = inp.path
    if any(ch in value for ch in "*?["):
        return [InputFile(inp.kind, p, inp.root) for p in match(value) if _accepts(inp.kind, p.rpartition("/")[2])]
    root = value.rstrip("/")
    under = match(f"{root}/**")  # a folder (on object stores: a prefix) lists its files
    if under:
        return [InputFile(inp.kind, p, root) for p in under if _accepts(inp.kind, p.rpartition("/")[2])]
    return [InputFile(inp.kind, p, root.rpartition("/")[0]) for p in match(root)]


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
            if is_remote(value):
                if kind == "code":
                    raise InputError(f"--code {value}: source trees must be local folders (copy the tree, or pack it as --docs)")
                out.append(InputFile(kind, value, _remote_root(value), pattern=True))
                continue
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
                    files = _files_under(p, kind)
                    if not files:
                        _check_not_other_kind(kind, value, p)
                    out.extend(InputFile(kind, str(f), str(p)) for f in files)
                elif kind == "web" and p.name.lower().endswith(ARC_SUFFIXES):
                    raise InputError(f"--web {value}: {ARC_HINT}")
                else:
                    files = [p]
                    out.append(InputFile(kind, str(p), str(p.parent)))
                if kind == "books":
                    _check_books(value, files)
    return sorted(set(out))


_CODE_SUFFIXES = (".py", ".c", ".h", ".cc", ".cpp", ".java", ".js", ".ts", ".go", ".rs", ".rb", ".sh", ".proto")


def _other_flag(names: list[str]) -> str | None:
    """The input flag that reads files with these names, judged by their suffixes."""
    low = [n.lower() for n in names]
    for flag, test in (("--web", lambda n: n.endswith(WEB_SUFFIXES)), ("--docs", lambda n: n.endswith(DOCS_SUFFIXES)),
                       ("--books", lambda n: n.endswith(".txt")), ("--code", lambda n: n.endswith(_CODE_SUFFIXES))):
        if low and sum(map(test, low)) * 2 > len(low):
            return flag
    return None


def _check_not_other_kind(kind: str, value: str, directory: Path) -> None:
    """A folder with files, none of which this flag reads: say what they are and which flag does."""
    names = [fn for _, _, fns in os.walk(directory) for fn in fns if not fn.startswith(".")]
    if not names or kind not in ("web", "docs"):
        return
    wants = {"web": "web archives (" + ", ".join(WEB_SUFFIXES) + ")",
             "docs": "document files (" + ", ".join(DOCS_SUFFIXES) + ")"}[kind]
    flag = _other_flag(names)
    hint = f"; they look like {flag} inputs: pass {flag} {value}" if flag and flag != f"--{kind}" else ""
    raise InputError(f"--{kind} {value}: none of its {len(names)} file(s) are {wants}{hint}")


def _check_books(value: str, files: list[Path]) -> None:
    """Web archives and document files under --books would be read as text and removed as binary."""
    for f in files:
        flag = _other_flag([f.name])
        if flag in ("--web", "--docs"):
            raise InputError(f"--books {value}: {f.name} is not a book but {'a web archive' if flag == '--web' else 'a document file'}"
                             f": pass it with {flag}")


def require_some_input(inputs: list[InputFile]) -> None:
    if not inputs:
        raise InputError("no readable input: every input path given is empty")
