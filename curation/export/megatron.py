"""Megatron-LM's indexed dataset: ``PREFIX.bin`` + ``PREFIX.idx``, one document per sequence.

Written from the format megatron-core reads (megatron/core/datasets/indexed_dataset.py,
``IndexedDataset`` / ``_IndexReader``); the library itself is only a test dependency.

``.bin``: every sequence's token ids back to back, in the index's dtype, native little-endian.
``.idx`` (little-endian):

    b"MMIDIDX\\x00\\x00"          9-byte magic
    uint64  version = 1
    uint8   dtype code            1 uint8, 2 int8, 3 int16, 4 int32, 5 int64, 6 float64, 7 float32, 8 uint16
    uint64  sequence count        N
    uint64  document count        N + 1 (the document index holds a leading 0)
    int32[N]   sequence lengths   tokens per sequence
    int64[N]   sequence pointers  byte offset of each sequence in .bin
    int64[N+1] document indices   0, 1, ..., N: one document per sequence

Ids are the shards' ids exactly (BOS first, EOS last: Megatron's GPT dataset needs the EOD token
between documents, and the BOS is kept so the same document reads the same everywhere).
"""

from __future__ import annotations

import struct
import tempfile

import numpy as np

from curation.export.files import export_file
from curation.export.read import Block

MAGIC = b"MMIDIDX\x00\x00"
VERSION = 1
DTYPE_CODES = {"uint8": 1, "int8": 2, "int16": 3, "int32": 4, "int64": 5, "float64": 6, "float32": 7, "uint16": 8}
_CHUNK = 1 << 20  # index entries copied per step when the .idx is assembled


def megatron_dtype(vocab_size: int) -> np.dtype:
    """uint16 while every id fits, else int32 (megatron-core has no uint32 code)."""
    return np.dtype(np.uint16 if vocab_size <= 1 << 16 else np.int32)


class MegatronWriter:
    """Streams one split to PREFIX.bin, keeping only the sequence lengths (in a temporary file,
    4 bytes a document) until the .idx is written at close()."""

    def __init__(self, out: str, prefix: str, dtype: np.dtype, entries: list[dict]):
        if dtype.name not in DTYPE_CODES:
            raise ValueError(f"megatron has no dtype code for {dtype}")
        self.out, self.prefix, self.dtype, self.entries = out, prefix, np.dtype(dtype), entries
        self._lengths = tempfile.TemporaryFile()
        self._bin_ctx = export_file(out, f"{prefix}.bin", entries, split=prefix)
        self._bin = self._bin_ctx.__enter__()
        self.documents = 0
        self.tokens = 0

    def add(self, block: Block) -> None:
        lo, hi = int(block.offsets[0]), int(block.offsets[-1])
        self._bin.write(np.ascontiguousarray(block.values[lo:hi], dtype=self.dtype.newbyteorder("<")))
        self._lengths.write(np.diff(block.offsets).astype("<i4").tobytes())
        self.documents += len(block)
        self.tokens += hi - lo

    def close(self) -> None:
        self._bin_ctx.__exit__(None, None, None)
        n = self.documents
        with export_file(self.out, f"{self.prefix}.idx", self.entries, split=self.prefix) as f:
            f.write(MAGIC + struct.pack("<Q", VERSION) + struct.pack("<B", DTYPE_CODES[self.dtype.name]))
            f.write(struct.pack("<Q", n) + struct.pack("<Q", n + 1))
            self._lengths.seek(0)
            while chunk := self._lengths.read(4 * _CHUNK):
                f.write(chunk)
            self._lengths.seek(0)
            pointer = 0
            while chunk := self._lengths.read(4 * _CHUNK):
                lengths = np.frombuffer(chunk, dtype="<i4").astype(np.int64)
                ends = np.cumsum(lengths) * self.dtype.itemsize + pointer
                f.write(np.concatenate([[pointer], ends[:-1]]).astype("<i8").tobytes())
                pointer = int(ends[-1])
            for start in range(0, n + 1, _CHUNK):
                f.write(np.arange(start, min(n + 1, start + _CHUNK), dtype="<i8").tobytes())
        self._lengths.close()

    def abort(self) -> None:
        self._bin_ctx.__exit__(RuntimeError, RuntimeError("export aborted"), None)
        self._lengths.close()
