"""Small file helpers over Beam's FileSystems, so outputs work on local disk and object stores."""

from __future__ import annotations

import json
from typing import Any

from apache_beam.io.filesystems import FileSystems


def write_bytes_atomic(path: str, data: bytes) -> None:
    """Write under a temporary name in the same folder, then rename."""
    head, _, name = path.rpartition("/")
    if head and not FileSystems.exists(head):
        FileSystems.mkdirs(head)
    tmp = f"{head}/.{name}.tmp"
    with FileSystems.create(tmp) as f:
        f.write(data)
    if FileSystems.exists(path):
        FileSystems.delete([path])
    FileSystems.rename([tmp], [path])


def write_json(path: str, obj: Any) -> None:
    write_bytes_atomic(path, (json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8"))
