"""MosaicML Streaming's MDS format: ``SPLIT/index.json`` + ``SPLIT/shard.NNNNN.mds``.

Written from the format mosaicml-streaming reads (streaming/base/format/mds/, ``MDSWriter`` /
``MDSReader``); the library itself is only a test dependency. One sample per document with the
columns, in sorted name order (the order the format stores them):

    id      str                 the document id
    source  str                 web, books, code or the user's
    tokens  ndarray:uint16      the shards' ids, BOS ... EOS (ndarray:uint32 above 65,536 ids);
                                LLM Foundry's text datasets read a ``tokens`` ndarray column

A shard file (little-endian):

    uint32                 sample count n
    uint32[n+1]            byte offset of each sample from the start of the file, then the end
    bytes                  the shard's config as JSON (sorted keys), as MDSWriter writes it
    samples                per sample: uint32 size of each variable-size column, then the columns

``ndarray`` with a fixed dtype and no fixed shape stores one byte ``(ndim << 2) | shape code``
(shape code 0..3: uint8, uint16, uint32, uint64, the smallest that holds the length), the shape,
then the values. ``index.json`` is ``{"shards": [...], "version": 2}`` and is written after every
shard, as the commit marker. Shards close before ``size_limit`` bytes (64 MiB, the writer's
default); a shard's samples wait in a temporary file until its offsets are known, so memory holds
one document and 4 bytes per sample of the open shard.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from array import array

import numpy as np

from curation.export.files import export_file, write_export_bytes
from curation.export.read import Block

SIZE_LIMIT = 1 << 26
EXTRA_BYTES_PER_SAMPLE = 4  # its offset
_SHAPE_CODES = ((1 << 8, 0, "<u1"), (1 << 16, 1, "<u2"), (1 << 32, 2, "<u4"))


def columns(dtype: np.dtype) -> dict[str, str]:
    return {"id": "str", "source": "str", "tokens": f"ndarray:{np.dtype(dtype).name}"}


def shard_config(dtype: np.dtype, size_limit: int) -> dict:
    cols = columns(dtype)
    names = sorted(cols)
    return {
        "column_encodings": [cols[n] for n in names],
        "column_names": names,
        "column_sizes": [None] * len(names),
        "compression": None,
        "format": "mds",
        "hashes": ["sha256"],
        "size_limit": size_limit,
        "version": 2,
    }


def encode_ndarray(values: np.ndarray) -> bytes:
    """A 1-d array in the ``ndarray:DTYPE`` encoding (dtype fixed by the column, shape stored)."""
    n = len(values)
    if n == 0:
        raise ValueError("the MDS ndarray encoding cannot hold an empty array")
    code, fmt = next((c, f) for limit, c, f in _SHAPE_CODES if n < limit) if n < 1 << 32 else (3, "<u8")
    return bytes([(1 << 2) | code]) + np.array([n], dtype=fmt).tobytes() + values.tobytes()


def encode_sample(doc_id: str, source: str, tokens: np.ndarray) -> bytes:
    parts = [doc_id.encode("utf-8"), source.encode("utf-8"), encode_ndarray(tokens)]  # id, source, tokens: sorted
    return np.array([len(p) for p in parts], dtype="<u4").tobytes() + b"".join(parts)


class MDSWriter:
    """Streams one split to OUT/SPLIT/: shards of at most ``size_limit`` bytes, index.json last."""

    def __init__(self, out: str, split: str, dtype: np.dtype, entries: list[dict], size_limit: int = SIZE_LIMIT):
        self.out, self.split, self.entries = out, split, entries
        self.dtype = np.dtype(dtype).newbyteorder("<")
        self.size_limit = size_limit
        self.config = shard_config(np.dtype(dtype), size_limit)
        self.config_data = json.dumps(self.config, sort_keys=True).encode("utf-8")
        self.shards: list[dict] = []
        self.documents = 0
        self.tokens = 0
        self._reset()

    def _reset(self) -> None:
        self._sizes = array("Q")
        self._buf = tempfile.TemporaryFile()
        self._size = 4 + 4 + len(self.config_data)  # count, final offset and config

    def add(self, block: Block) -> None:
        for i in range(len(block)):
            ids = np.ascontiguousarray(block.ids(i), dtype=self.dtype)
            sample = encode_sample(block.doc_ids[i], block.sources[i], ids)
            if self._sizes and self._size + len(sample) + EXTRA_BYTES_PER_SAMPLE > self.size_limit:
                self._flush()
            self._buf.write(sample)
            self._sizes.append(len(sample))
            self._size += len(sample) + EXTRA_BYTES_PER_SAMPLE
            self.documents += 1
            self.tokens += len(ids)

    def _flush(self) -> None:
        n = len(self._sizes)
        sizes = np.frombuffer(self._sizes, dtype=np.uint64).astype(np.int64)
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        offsets += 4 + 4 * (n + 1) + len(self.config_data)
        if offsets[-1] >= 1 << 32:
            raise ValueError(f"an MDS shard of {int(offsets[-1])} bytes does not fit uint32 offsets")
        basename = f"shard.{len(self.shards):05d}.mds"
        with export_file(self.out, f"{self.split}/{basename}", self.entries, split=self.split) as f:
            f.write(np.uint32(n).tobytes() + offsets.astype("<u4").tobytes() + self.config_data)
            self._buf.seek(0)
            shutil.copyfileobj(self._buf, f, 1 << 20)
        self._buf.close()
        entry = self.entries[-1]
        self.shards.append({**self.config, "samples": n, "zip_data": None,
                            "raw_data": {"basename": basename, "bytes": entry["bytes"], "hashes": {"sha256": entry["sha256"]}}})
        self._reset()

    def close(self) -> None:
        if self._sizes:
            self._flush()
        self._buf.close()
        index = json.dumps({"shards": self.shards, "version": 2}, sort_keys=True).encode("utf-8")
        write_export_bytes(self.out, f"{self.split}/index.json", index, self.entries, split=self.split)

    def abort(self) -> None:
        self._buf.close()
