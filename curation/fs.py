"""The one filesystem layer: open, match, exists, make folders, atomic writes.

Every module that reads or writes files goes through here, so that local disks and object
stores (gs://, s3://, hdfs:// ...) behave alike and "write under a temporary name, then rename"
is written once. Local paths use the os module; remote paths go through Beam's FileSystems,
imported only when a remote path is met: the training job and its GPU machines have no Beam,
and importing Beam costs a second and a half on the CLI's hot path.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
import threading
from typing import Any, BinaryIO, Iterator


def is_remote(path: str) -> bool:
    """True for paths with a filesystem scheme other than local files (gs://, s3://, hdfs:// ...)."""
    scheme, sep, _ = str(path).partition("://")
    return bool(sep) and scheme.lower() != "file" and scheme.isidentifier()


def _beam():
    # Deferred: see the module docstring (no Beam on the training machines, start-up cost).
    from apache_beam.io.filesystems import FileSystems

    return FileSystems


def join(folder: str, *names: str) -> str:
    """``folder/name``: '/' for remote paths, os.path.join for local ones."""
    if is_remote(folder):
        return "/".join([str(folder).rstrip("/"), *names])
    return os.path.join(folder, *names)


def tmp_name(path: str, unique: bool = False) -> str:
    """The temporary name a file is written under before its rename: a hidden sibling; with
    ``unique``, one per process and thread, for files that several writers replace at once."""
    head, _, name = str(path).rpartition("/")
    if unique:
        name = f"{name}.{os.getpid()}.{threading.get_ident()}"
    return f"{head}/.{name}.tmp" if head else f".{name}.tmp"


def exists(path: str) -> bool:
    return _beam().exists(path) if is_remote(path) else os.path.exists(path)


def mkdirs(path: str) -> None:
    """Create a folder and its parents; nothing to do on object stores (no folders there)."""
    if is_remote(path):
        if not _beam().exists(path):
            _beam().mkdirs(path)
    else:
        os.makedirs(path, exist_ok=True)


def delete(paths: list[str]) -> None:
    """Delete files (or local folders, recursively); missing ones are ignored. On an object
    store a path ending in "/" is a prefix: every object under it goes."""
    for p in paths:
        if is_remote(p):
            if p.endswith("/") or _beam().exists(p):
                _beam().delete([p])
        elif os.path.isdir(p) and not os.path.islink(p):
            shutil.rmtree(p, ignore_errors=True)
        elif os.path.lexists(p):
            os.unlink(p)


def rename(src: str, dst: str) -> None:
    """Move ``src`` over ``dst`` (replacing it)."""
    if is_remote(src):
        fs = _beam()
        if fs.exists(dst):
            fs.delete([dst])
        fs.rename([src], [dst])
    else:
        os.replace(src, dst)


def match(pattern: str) -> list[str]:
    """Sorted paths matching a glob (``**`` recursive), locally or on an object store."""
    if is_remote(pattern):
        return sorted(m.path for r in _beam().match([pattern]) for m in r.metadata_list)
    import glob

    return sorted(glob.glob(pattern, recursive=True))


def size(path: str) -> int:
    if is_remote(path):
        return _beam().match([path])[0].metadata_list[0].size_in_bytes
    return os.path.getsize(path)


class NotRegularFile(OSError):
    """A FIFO, device, socket or folder where a file was expected: never read (it may block
    forever or never end)."""


def open_regular(path: str) -> BinaryIO:
    """A local regular file opened for reading, or NotRegularFile. O_NONBLOCK: opening a FIFO
    must not wait for a writer; the type is checked on the open descriptor, not on a name that
    could be swapped in between."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "folder" if stat.S_ISDIR(mode) else "FIFO" if stat.S_ISFIFO(mode) else \
                "device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "socket or other special file"
            raise NotRegularFile(f"{path}: not a regular file ({kind}): never read")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def open_read(path: str) -> BinaryIO:
    """A seekable binary file, bytes as stored (no decompression by suffix). Local paths must be
    regular files (open_regular)."""
    if is_remote(path):
        from apache_beam.io.filesystem import CompressionTypes

        return _beam().open(path, compression_type=CompressionTypes.UNCOMPRESSED)
    return open_regular(path)


def _create(path: str) -> BinaryIO:
    if is_remote(path):
        from apache_beam.io.filesystem import CompressionTypes

        return _beam().create(path, compression_type=CompressionTypes.UNCOMPRESSED)
    # Never through a symlink planted at the temporary name: it is removed, and O_NOFOLLOW makes
    # one that appears in between an error instead of a write to wherever it points.
    if os.path.islink(path):
        os.unlink(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o666)
    return os.fdopen(fd, "wb")


@contextlib.contextmanager
def atomic_writer(path: str, unique: bool = False) -> Iterator[BinaryIO]:
    """A binary file at ``tmp_name(path, unique)``, renamed to ``path`` when the block ends
    without an error; on an error the temporary file is removed and ``path`` is left as it was."""
    head = str(path).rpartition("/")[0]
    if head:
        mkdirs(head)
    tmp = tmp_name(path, unique)
    try:
        with _create(tmp) as f:
            yield f
        rename(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError, Exception):
            delete([tmp])
        raise


def write_bytes_atomic(path: str, data: bytes, unique: bool = False) -> None:
    """Write under a temporary name in the same folder, then rename: never half-written."""
    with atomic_writer(path, unique) as f:
        f.write(data)


def json_bytes(obj: Any) -> bytes:
    """The project's one JSON layout for files: indented, sorted keys, UTF-8, final newline."""
    return (json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def write_json(path: str, obj: Any) -> None:
    write_bytes_atomic(str(path), json_bytes(obj))


def read_json(path: str) -> Any:
    with open_read(path) as f:
        return json.loads(f.read().decode("utf-8"))


def sha256_of(path: str, block: int = 1 << 20) -> tuple[str, int]:
    """(hex sha256, size in bytes) of a file, read in blocks."""
    h, n = hashlib.sha256(), 0
    with open_read(path) as f:
        while chunk := f.read(block):
            h.update(chunk)
            n += len(chunk)
    return h.hexdigest(), n
