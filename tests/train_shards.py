"""Shards in the build-shards format (docs/contracts.md, "Tokenizer and shards"), for the trainer's tests.

Real text (../shared/data/books) tokenized with a small sentencepiece model trained here (pad 0,
unk 1, bos 2, eos 3), written with pyarrow exactly as the manifest spec says, so the trainer's
tests stand on their own until they can use a real build-shards output.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

BOOKS = ("pg11", "pg84", "pg1342")  # Alice, Frankenstein, Pride and Prejudice (English, UTF-8)
_MEMO: dict[tuple, Path] = {}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_shards(out: Path, docs: list[list[int]], *, vocab_size: int, split_every: int = 10,
                 docs_per_row_group: int = 16, docs_per_shard: int = 64, loss_masks: list[list[int]] | None = None,
                 tokenizer_file: Path | None = None) -> Path:
    """Write DIR/manifest.json and DIR/shards/{train,val}/shard-NNNNN.parquet; every split_every-th doc is val."""
    out.mkdir(parents=True, exist_ok=True)
    tok = {"kind": "sentencepiece", "vocab_size": vocab_size, "bos_id": 2, "eos_id": 3, "pad_id": 0, "unk_id": 1,
           "dtype": "uint16" if vocab_size <= 1 << 16 else "uint32"}
    if tokenizer_file is not None:
        tok.update(file=str(tokenizer_file.relative_to(out)), sha256=_sha256(tokenizer_file))
    value_type = pa.uint16() if tok["dtype"] == "uint16" else pa.uint32()
    splits: dict[str, list[int]] = {"train": [], "val": []}
    for i in range(len(docs)):
        splits["val" if split_every and i % split_every == split_every - 1 else "train"].append(i)
    shards = []
    for split, idx in splits.items():
        for s, lo in enumerate(range(0, len(idx), docs_per_shard)):
            part = idx[lo:lo + docs_per_shard]
            cols = {
                "doc_id": pa.array([f"doc-{i:05d}" for i in part], pa.string()),
                "source": pa.array(["books"] * len(part), pa.string()),
                "lang": pa.array(["en"] * len(part), pa.string()),
                "url": pa.array([""] * len(part), pa.string()),
                "n_tokens": pa.array([len(docs[i]) for i in part], pa.int32()),
                "input_ids": pa.array([np.asarray(docs[i], dtype=np.int64) for i in part], pa.list_(value_type)),
            }
            if loss_masks is not None:
                cols["loss_mask"] = pa.array([loss_masks[i] for i in part], pa.list_(pa.uint8()))
            rel = Path("shards") / split / f"shard-{s:05d}.parquet"
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(pa.table(cols), out / rel, compression="zstd", row_group_size=docs_per_row_group)
            shards.append({"path": str(rel), "sha256": _sha256(out / rel), "bytes": (out / rel).stat().st_size,
                           "documents": len(part), "tokens": int(sum(len(docs[i]) for i in part)), "split": split,
                           "row_groups": pq.ParquetFile(out / rel).num_row_groups})
    fingerprint = hashlib.sha256(json.dumps([tok, [s["sha256"] for s in shards]], sort_keys=True).encode()).hexdigest()
    manifest = {"schema_version": 1, "tokenizer": tok, "shards": shards,
                "totals": {"documents": len(docs), "tokens": int(sum(map(len, docs)))},
                "sources": {"books": len(docs)}, "config": {}, "fingerprint": fingerprint}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return out


def book_documents(books_dir: Path, max_chars: int = 120_000) -> list[str]:
    """Documents of varied length from the books: runs of 1 to 40 paragraphs, in a fixed cycle."""
    sizes = (1, 3, 8, 20, 2, 40, 5)
    docs: list[str] = []
    for name in BOOKS:
        txt = next(p for p in sorted((books_dir / name).glob("*.txt")))
        text = txt.read_bytes().decode("utf-8", errors="replace").replace("\r\n", "\n")[:max_chars]
        paras = [p.strip() for p in text.split("\n\n") if p.strip()]
        i = 0
        while i < len(paras):
            n = sizes[len(docs) % len(sizes)]
            docs.append("\n\n".join(paras[i:i + n]))
            i += n
    return docs


def sample_shards(base: Path, books_dir: Path, vocab_size: int = 512) -> Path:
    """The books as shards with a `vocab_size` sentencepiece model, built once per test session."""
    key = (str(books_dir), vocab_size)
    if key in _MEMO:
        return _MEMO[key]
    import sentencepiece as spm

    texts = book_documents(books_dir)
    out = base / f"books-{vocab_size}"
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter([line for t in texts for line in t.splitlines() if line.strip()]),
        model_writer=model, vocab_size=vocab_size, model_type="bpe", pad_id=0, unk_id=1, bos_id=2, eos_id=3,
        character_coverage=1.0, num_threads=1, minloglevel=2)
    tokfile = out / "tokenizer" / "tokenizer.model"
    tokfile.parent.mkdir(parents=True, exist_ok=True)
    tokfile.write_bytes(model.getvalue())
    sp = spm.SentencePieceProcessor(model_proto=model.getvalue())
    docs = [[2, *ids, 3] for ids in sp.encode(texts)]
    _MEMO[key] = write_shards(out, docs, vocab_size=vocab_size, tokenizer_file=tokfile)
    return _MEMO[key]
