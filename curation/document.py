"""The one record type. Every stage takes Documents and gives Documents or verdicts.

Schema (docs/contracts.md): ``id`` stable string, ``text``, ``source`` (web, books, code or
the user's), ``metadata`` (a dict; a JSON string in Parquet, an object in JSONL) holding lineage
and annotations such as ``lang``, ``lang_score``, rule values and, for rejects, the reason.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

# Metadata keys written on rejected documents.
REJECT_STAGE = "stage"
REJECT_RULE = "rule"
REJECT_REASON = "reason"


@dataclass
class Document:
    id: str
    text: str
    source: str
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "source": self.source, "metadata": self.metadata}

    def to_row(self) -> dict[str, Any]:
        """Parquet row: metadata as a canonical JSON string (sorted keys: byte-stable)."""
        return {
            "id": self.id,
            "text": self.text,
            "source": self.source,
            "metadata": json.dumps(self.metadata, sort_keys=True, ensure_ascii=False),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Document":
        meta = d.get("metadata") or {}
        if isinstance(meta, str):
            meta = json.loads(meta) if meta else {}
        return cls(id=str(d["id"]), text=d["text"], source=str(d.get("source") or "docs"), metadata=dict(meta))

    def with_metadata(self, **updates: Any) -> "Document":
        meta = dict(self.metadata)
        meta.update(updates)
        return Document(self.id, self.text, self.source, meta)


def content_hash(data: str | bytes, length: int = 16) -> str:
    """Short, stable hex digest used inside document ids (sha1 is plenty for naming)."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    return hashlib.sha1(data).hexdigest()[:length]


def id_hash64(doc_id: str) -> int:
    """A 64-bit integer from an id: shard assignment, order, splits and samples all use it."""
    return int.from_bytes(hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest(), "big")


def parquet_schema():
    """The Arrow schema of document Parquet files (rejected/ adds stage, rule, reason)."""
    return pa.schema(
        [
            ("id", pa.string()),
            ("text", pa.large_string()),
            ("source", pa.string()),
            ("metadata", pa.large_string()),
        ]
    )


def parquet_write_options(schema) -> dict:
    """Options of every writer of document Parquet files (documents/, rejected/, spools): zstd,
    and statistics only on the columns that are not texts. Min/max of a text column keep copies of
    its smallest and largest values while a page is written, ~200 MB for one 50 MB document
    (docs/robustness.md item 11), and no reader prunes row groups by text."""
    return {"compression": "zstd", "write_statistics": [f.name for f in schema if f.type != pa.large_string()]}


def rejected_schema():
    return pa.schema(list(parquet_schema()) + [("stage", pa.string()), ("rule", pa.string()), ("reason", pa.string())])


def duplicates_schema():
    """The Arrow schema of duplicates/ (one row per removed duplicate, docs/format.md)."""
    return pa.schema(
        [("doc_id", pa.string()), ("cluster_id", pa.string()), ("kept_id", pa.string()),
         ("similarity", pa.float64()), ("kind", pa.string()), ("prior_run", pa.string())]
    )
