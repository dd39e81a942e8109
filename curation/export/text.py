"""Decoded text (or ids) for users who tokenize or load elsewhere: JSON lines and HF Parquet.

``jsonl``: ``OUT/SPLIT/part-NNNNN.jsonl``, one object per document with ``id``, ``source``,
``lang``, ``url`` and ``text`` (the ids decoded, BOS and EOS dropped) or, with ``--content ids``,
``input_ids`` (BOS ... EOS, as in the shards). ``datasets.load_dataset("json", data_files=...)``.

``hf``: the layout of a Hugging Face dataset repository: ``OUT/data/SPLIT-NNNNN.parquet`` (zstd,
the same columns, ``input_ids`` as list<uint16|uint32>) and ``OUT/README.md`` whose YAML header
names each split's files, so ``datasets.load_dataset(OUT)`` returns the splits by name.

Parts close once they hold ``part_bytes`` of text (or 2 bytes a token for ids), so memory holds
one row group and one Parquet batch at a time.
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from curation.export.files import export_file
from curation.export.read import Block
from curation.tokenizer import Tokenizer

PART_BYTES = 256 << 20
CONTENTS = ("text", "ids")


class _Parts:
    """Counts shared by the two writers: documents, tokens, and when to start the next part."""

    def __init__(self, out: str, split: str, tokenizer: Tokenizer, content: str, entries: list[dict], part_bytes: int):
        if content not in CONTENTS:
            raise ValueError(f"content must be one of {CONTENTS}, got {content!r}")
        self.out, self.split, self.tok, self.content, self.entries = out, split, tokenizer, content, entries
        self.part_bytes = part_bytes
        self.parts = 0
        self.documents = 0
        self.tokens = 0
        self._in_part = 0
        self._ctx = None  # the open part's export_file context, if any

    def _close_part(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self._close_part()

    def abort(self) -> None:
        """Give up the open part: export_file removes its temporary file."""
        if self._ctx is not None:
            self._ctx.__exit__(RuntimeError, RuntimeError("export aborted"), None)
            self._ctx = None

    def _records(self, block: Block):
        for i in range(len(block)):
            ids = block.ids(i)
            self.documents += 1
            self.tokens += len(ids)
            rec = {"id": block.doc_ids[i], "source": block.sources[i], "lang": block.langs[i], "url": block.urls[i]}
            if self.content == "text":
                rec["text"] = self.tok.decode(ids)
                self._in_part += len(rec["text"])
            else:
                rec["input_ids"] = ids
                self._in_part += 2 * len(ids)
            yield rec


class JsonlWriter(_Parts):
    def __init__(self, *args, part_bytes: int = PART_BYTES):
        super().__init__(*args, part_bytes=part_bytes)
        self._f = None

    def _open(self) -> None:
        self._ctx = export_file(self.out, f"{self.split}/part-{self.parts:05d}.jsonl", self.entries, split=self.split)
        self._f = self._ctx.__enter__()
        self.parts += 1

    def _close_part(self) -> None:
        if self._ctx is not None:
            self._ctx.__exit__(None, None, None)
            self._ctx = self._f = None
        self._in_part = 0

    def add(self, block: Block) -> None:
        lines = []
        for rec in self._records(block):
            if "input_ids" in rec:
                rec["input_ids"] = rec["input_ids"].tolist()
            lines.append(json.dumps(rec, ensure_ascii=False) + "\n")
        if lines and self._ctx is None:
            self._open()
        if lines:
            self._f.write("".join(lines).encode("utf-8"))
        if self._in_part >= self.part_bytes:
            self._close_part()



def hf_schema(content: str, dtype: np.dtype) -> pa.Schema:
    fields = [("id", pa.string()), ("source", pa.string()), ("lang", pa.string()), ("url", pa.string())]
    fields.append(("text", pa.string()) if content == "text" else ("input_ids", pa.list_(pa.from_numpy_dtype(np.dtype(dtype)))))
    return pa.schema(fields)


class HFParquetWriter(_Parts):
    def __init__(self, out: str, split: str, tokenizer: Tokenizer, content: str, entries: list[dict], dtype: np.dtype,
                 part_bytes: int = PART_BYTES):
        super().__init__(out, split, tokenizer, content, entries, part_bytes)
        self.schema = hf_schema(content, dtype)
        self.dtype = np.dtype(dtype)
        self._writer = None

    def _open(self) -> None:
        self._ctx = export_file(self.out, f"data/{self.split}-{self.parts:05d}.parquet", self.entries, split=self.split)
        sink = self._ctx.__enter__()
        self._writer = pq.ParquetWriter(sink, self.schema, compression="zstd", use_dictionary=["source", "lang"],
                                        write_statistics=["id"])
        self.parts += 1

    def _close_part(self) -> None:
        if self._ctx is not None:  # a writer is open exactly while its part is
            self._writer.close()
            self._ctx.__exit__(None, None, None)
            self._ctx = self._writer = None
        self._in_part = 0

    def add(self, block: Block) -> None:
        if not len(block):
            return
        recs = list(self._records(block))
        cols = {k: pa.array([r[k] for r in recs], pa.string()) for k in ("id", "source", "lang", "url")}
        if self.content == "text":
            cols["text"] = pa.array([r["text"] for r in recs], pa.string())
        else:
            lo = block.offsets[0]
            values = block.values[lo:block.offsets[-1]].astype(self.dtype, copy=False)
            cols["input_ids"] = pa.ListArray.from_arrays(pa.array((block.offsets - lo).astype(np.int32)), pa.array(values))
        if self._ctx is None:
            self._open()
        self._writer.write_table(pa.Table.from_arrays(list(cols.values()), schema=self.schema), row_group_size=len(recs))
        if self._in_part >= self.part_bytes:
            self._close_part()



def dataset_card(splits: list[str], manifest_fingerprint: str) -> str:
    """README.md of an hf export: the YAML header load_dataset reads, and what the folder holds."""
    lines = ["---", "configs:", "- config_name: default", "  data_files:"]
    for split in splits:
        lines += [f"  - split: {split}", f"    path: data/{split}-*"]
    lines += ["---", "", "# curate export", "",
              "Exported by `curate export --format hf` from a build-shards output with fingerprint",
              f"`{manifest_fingerprint}`. `export.json` lists every file with its sha256 and the counts",
              "per split and source; `tokenizer/` holds the tokenizer the ids come from.", ""]
    return "\n".join(lines)
