"""An object store in this process's memory, registered with Beam's FileSystems as ``memstore://``.

It behaves like gs:// and s3://: no directories (a "folder" is a key prefix, mkdirs does nothing),
rename is copy + delete, deleting a folder deletes every key under it, an object appears only
when its writer is closed. Running build-shards into it on the in-process DirectRunner shows
that no step of the pipeline assumes a local disk for its outputs. Defining the class registers
the scheme (Beam finds FileSystem subclasses); import this module to use it.
"""

from __future__ import annotations

import io
import posixpath
import threading
import time

from apache_beam.io.filesystem import (
    BeamIOError,
    CompressedFile,
    CompressionTypes,
    FileMetadata,
    FileSystem,
)

SCHEME = "memstore"


class _Writer(io.BytesIO):
    def __init__(self, store: "MemStoreFileSystem", path: str):
        super().__init__()
        self._store = store
        self._path = path

    def close(self):
        if not self.closed:
            self._store.put(self._path, self.getvalue())
        super().close()


class MemStoreFileSystem(FileSystem):
    _objects: dict[str, tuple[bytes, float]] = {}
    _lock = threading.Lock()

    @classmethod
    def scheme(cls):
        return SCHEME

    # -- test helpers
    @classmethod
    def put(cls, path: str, data: bytes) -> None:
        with cls._lock:
            cls._objects[path] = (bytes(data), time.time())

    @classmethod
    def keys(cls, prefix: str = "") -> list[str]:
        with cls._lock:
            return sorted(k for k in cls._objects if k.startswith(prefix))

    @classmethod
    def get(cls, path: str) -> bytes:
        with cls._lock:
            return cls._objects[path][0]

    # -- FileSystem
    def join(self, basepath, *paths):
        return posixpath.join(basepath, *paths)

    def split(self, path):
        head, _, tail = path.rpartition("/")
        return head, tail

    def mkdirs(self, path):
        pass  # object stores have no directories

    def has_dirs(self):
        return False

    def _list(self, dir_or_prefix):
        with self._lock:
            items = [(k, v) for k, v in self._objects.items() if k.startswith(dir_or_prefix)]
        for k, (data, mtime) in sorted(items):
            yield FileMetadata(k, len(data), mtime)

    @staticmethod
    def _wrap(raw, path, compression_type):
        if compression_type == CompressionTypes.AUTO:
            compression_type = CompressionTypes.detect_compression_type(path)
        if compression_type == CompressionTypes.UNCOMPRESSED:
            return raw
        return CompressedFile(raw, compression_type=compression_type)

    def create(self, path, mime_type="application/octet-stream", compression_type=CompressionTypes.AUTO):
        return self._wrap(_Writer(self, path), path, compression_type)

    def open(self, path, mime_type="application/octet-stream", compression_type=CompressionTypes.AUTO):
        with self._lock:
            if path not in self._objects:
                raise BeamIOError(f"open: no object {path}")
            data = self._objects[path][0]
        return self._wrap(io.BytesIO(data), path, compression_type)

    def copy(self, source_file_names, destination_file_names):
        with self._lock:
            for s, d in zip(source_file_names, destination_file_names):
                if s not in self._objects:
                    raise BeamIOError(f"copy: no object {s}", {(s, d): FileNotFoundError(s)})
                self._objects[d] = (self._objects[s][0], time.time())

    def rename(self, source_file_names, destination_file_names):
        self.copy(source_file_names, destination_file_names)
        self.delete(source_file_names)

    def exists(self, path):
        with self._lock:
            return path in self._objects

    def size(self, path):
        return self.metadata(path).size_in_bytes

    def last_updated(self, path):
        return self.metadata(path).last_updated_in_seconds

    def checksum(self, path):
        return str(self.size(path))

    def metadata(self, path):
        with self._lock:
            if path not in self._objects:
                raise BeamIOError(f"metadata: no object {path}", {path: FileNotFoundError(path)})
            data, mtime = self._objects[path]
        return FileMetadata(path, len(data), mtime)

    def delete(self, paths):
        with self._lock:
            for p in paths:
                prefix = p.rstrip("/") + "/"
                for k in [k for k in self._objects if k == p or k.startswith(prefix)]:
                    del self._objects[k]
