"""Reading a build-shards output for export: one split's documents, a row group at a time.

Memory is one row group (``shards.row_group_tokens``, 4M tokens by default) whatever the size of
the corpus. Tokens stay in Arrow buffers (numpy views), as the trainer reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import pyarrow.parquet as pq

COLUMNS = ("doc_id", "source", "lang", "url", "input_ids")


@dataclass(frozen=True)
class Block:
    """The documents of one row group: document i's ids are values[offsets[i]:offsets[i+1]]."""

    doc_ids: list[str]
    sources: list[str]
    langs: list[str]
    urls: list[str]
    values: np.ndarray
    offsets: np.ndarray

    def __len__(self) -> int:
        return len(self.doc_ids)

    def ids(self, i: int) -> np.ndarray:
        return self.values[self.offsets[i]:self.offsets[i + 1]]

    @property
    def tokens(self) -> int:
        return int(self.offsets[-1] - self.offsets[0]) if len(self.offsets) else 0


def split_shards(manifest: dict, split: str) -> list[dict]:
    """The split's shard entries in name order: the order build-shards wrote (hash order)."""
    return sorted((e for e in manifest["shards"] if e["split"] == split), key=lambda e: e["path"])


def iter_blocks(directory: str | Path, manifest: dict, split: str) -> Iterator[Block]:
    """Every document of ``split`` in shard and row order, one row group per Block."""
    for entry in split_shards(manifest, split):
        pf = pq.ParquetFile(Path(directory) / entry["path"])
        for rg in range(pf.num_row_groups):
            table = pf.read_row_group(rg, columns=list(COLUMNS))
            ids = table.column("input_ids").combine_chunks()
            yield Block(
                doc_ids=table.column("doc_id").to_pylist(),
                sources=table.column("source").to_pylist(),
                langs=table.column("lang").to_pylist(),
                urls=table.column("url").to_pylist(),
                values=ids.values.to_numpy(zero_copy_only=False),
                offsets=ids.offsets.to_numpy().astype(np.int64),
            )
