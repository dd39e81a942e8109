"""Export files: each written under a temporary name and renamed (curation/fs.py), hashed as written."""

from __future__ import annotations

import contextlib
import hashlib
from typing import BinaryIO, Iterator

from curation import fs


class HashingFile:
    """A write-only file that keeps the sha256 and size of what went through it."""

    def __init__(self, f: BinaryIO):
        self._f = f
        self._sha = hashlib.sha256()
        self.bytes = 0

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        self._sha.update(view)
        self.bytes += len(view)
        return self._f.write(view)

    def tell(self) -> int:
        return self.bytes

    # What pyarrow asks of a Python file it writes Parquet to; closing is the export's job.
    closed = False

    def writable(self) -> bool:
        return True

    def flush(self) -> None:
        self._f.flush()

    def close(self) -> None:
        self.flush()

    @property
    def sha256(self) -> str:
        return self._sha.hexdigest()


@contextlib.contextmanager
def export_file(out: str, rel: str, entries: list[dict], **extra) -> Iterator[HashingFile]:
    """Write OUT/REL atomically; on success append {"path", "sha256", "bytes", **extra} to entries."""
    with fs.atomic_writer(fs.join(out, *rel.split("/"))) as raw:
        f = HashingFile(raw)
        yield f
    entries.append({"path": rel, "sha256": f.sha256, "bytes": f.bytes, **extra})


def write_export_bytes(out: str, rel: str, data: bytes, entries: list[dict], **extra) -> None:
    with export_file(out, rel, entries, **extra) as f:
        f.write(data)
