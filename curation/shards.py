"""Tokenized Parquet shards and their manifest: writer, reader, verifier (docs/format.md).

One row per document: ``doc_id``, ``source``, ``lang``, ``url``, ``n_tokens`` (int32, BOS and
EOS included) and ``input_ids`` (list<uint16>, or list<uint32> above 65,536 ids) starting with
BOS and ending with EOS; an optional ``loss_mask`` (list<uint8>). zstd, row groups of about
``row_group_tokens`` tokens.

Placement is a pure function of the document id: ``h = id_hash64(doc_id)``; the lowest
``val_fraction`` of the 64-bit range is the validation split, and each split's range is cut into
``ceil(split tokens / target_tokens)`` equal slices, one per shard; inside a shard rows are
ordered by ``h``. Reading the shards of a split in name order therefore reads documents in hash
order, whatever runner or worker count produced them.

The manifest is written last, as the commit marker, and holds no time, host or absolute path.
Imports only the standard library, numpy and pyarrow (the training job may use the reader).
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import IO, Iterable, Iterator, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
SPLITS = ("train", "val")
_RANGE = 2**64

# A tokenized document as it travels between Tokenize and WriteShards.
DOC_ID, SOURCE, LANG, URL, IDS, N_TOKENS = range(6)
TokenizedRow = tuple  # (doc_id, source, lang, url, np.ndarray ids, n_tokens)

SHARD_ENTRY_KEYS = ("path", "sha256", "bytes", "documents", "tokens", "split", "row_groups")


# ---------------------------------------------------------------- placement
def val_cut(val_fraction: float) -> int:
    return int(val_fraction * _RANGE)


def split_of(h: int, val_fraction: float) -> str:
    return "val" if h < val_cut(val_fraction) else "train"


def shard_count(tokens: int, target_tokens: int) -> int:
    return max(1, math.ceil(tokens / target_tokens))


def shard_index(h: int, split: str, n_shards: int, val_fraction: float) -> int:
    """The slice of the split's hash range that ``h`` falls in (0 .. n_shards-1)."""
    cut = val_cut(val_fraction)
    if split == "val":
        return h * n_shards // cut
    return (h - cut) * n_shards // (_RANGE - cut)


def shard_path(split: str, index: int) -> str:
    """Path relative to the output folder; indexes are contiguous per split."""
    return f"shards/{split}/shard-{index:05d}.parquet"


# ---------------------------------------------------------------- writing
def shard_schema(dtype: str, loss_mask: bool = False) -> pa.Schema:
    fields = [
        ("doc_id", pa.string()),
        ("source", pa.string()),
        ("lang", pa.string()),
        ("url", pa.string()),
        ("n_tokens", pa.int32()),
        ("input_ids", pa.list_(pa.from_numpy_dtype(np.dtype(dtype)))),
    ]
    if loss_mask:
        fields.append(("loss_mask", pa.list_(pa.uint8())))
    return pa.schema(fields)


def _list_array(offsets: np.ndarray, values: np.ndarray) -> pa.ListArray:
    return pa.ListArray.from_arrays(pa.array(offsets, type=pa.int32()), pa.array(values))


def _row_group_table(rows: Sequence[TokenizedRow], schema: pa.Schema, dtype: np.dtype, mask_ids: np.ndarray | None) -> pa.Table:
    lengths = np.fromiter((len(r[IDS]) for r in rows), dtype=np.int64, count=len(rows))
    offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    values = np.concatenate([r[IDS] for r in rows]).astype(dtype, copy=False) if rows else np.zeros(0, dtype)
    cols = [
        pa.array([r[DOC_ID] for r in rows], pa.string()),
        pa.array([r[SOURCE] for r in rows], pa.string()),
        pa.array([r[LANG] or "" for r in rows], pa.string()),
        pa.array([r[URL] or "" for r in rows], pa.string()),
        pa.array(lengths.astype(np.int32)),
        _list_array(offsets.astype(np.int32), values),
    ]
    if mask_ids is not None:
        mask = np.ones(len(values), dtype=np.uint8)
        mask[offsets[:-1]] = 0  # nothing precedes BOS in its document: never a target
        if len(mask_ids):
            mask[np.isin(values, mask_ids)] = 0  # redaction placeholders: not something to learn
        cols.append(_list_array(offsets.astype(np.int32), mask))
    return pa.Table.from_arrays(cols, schema=schema)


def write_shard(
    rows: Sequence[TokenizedRow],
    sink: str | IO[bytes],
    *,
    dtype: str,
    row_group_tokens: int,
    compression: str = "zstd",
    mask_ids: Iterable[int] | None = None,
) -> dict:
    """Write ``rows`` (already in hash order) as one Parquet shard; returns its counts.

    ``mask_ids`` None writes no loss_mask column; a (possibly empty) list writes one.
    Returns {"documents", "tokens", "row_groups", "sources": {source: {"documents", "tokens"}}}.
    """
    np_dtype = np.dtype(dtype)
    masks = None if mask_ids is None else np.asarray(sorted(set(mask_ids)), dtype=np_dtype)
    schema = shard_schema(dtype, masks is not None)
    sources: dict[str, dict] = {}
    tokens = 0
    groups = 0
    # Dictionary pages only where values repeat; statistics only on scalar columns (min/max of
    # token lists would cost write time and help no reader).
    with pq.ParquetWriter(
        sink,
        schema,
        compression=compression,
        use_dictionary=["source", "lang"],
        write_statistics=["doc_id", "n_tokens"],
    ) as writer:
        start = 0
        while start < len(rows):
            end, acc = start, 0
            while end < len(rows) and (acc < row_group_tokens or end == start):
                acc += len(rows[end][IDS])
                end += 1
            chunk = rows[start:end]
            writer.write_table(_row_group_table(chunk, schema, np_dtype, masks), row_group_size=len(chunk))
            for r in chunk:
                s = sources.setdefault(r[SOURCE], {"documents": 0, "tokens": 0})
                s["documents"] += 1
                s["tokens"] += len(r[IDS])
            tokens += acc
            groups += 1
            start = end
    return {"documents": len(rows), "tokens": tokens, "row_groups": groups, "sources": dict(sorted(sources.items()))}


# ---------------------------------------------------------------- manifest
def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def fingerprint(tokenizer_sha256: str, shards: Iterable[dict]) -> str:
    """sha256 of "curate-shards-v1\\n", the tokenizer's sha256 and "\\n", then "path\\tsha256\\n"
    for every shard in path order."""
    h = hashlib.sha256(b"curate-shards-v1\n")
    h.update(tokenizer_sha256.encode("ascii") + b"\n")
    for path, sha in sorted((s["path"], s["sha256"]) for s in shards):
        h.update(f"{path}\t{sha}\n".encode("utf-8"))
    return h.hexdigest()


TOKENIZER_KEYS = ("kind", "file", "sha256", "vocab_size", "bos_id", "eos_id", "pad_id", "unk_id", "dtype")


def build_manifest(tokenizer: dict, shard_entries: Iterable[dict], config: dict) -> dict:
    """The manifest.json structure from the tokenizer info, shard entries and resolved config."""
    entries = sorted(shard_entries, key=lambda e: e["path"])
    shards = [{k: e[k] for k in SHARD_ENTRY_KEYS} for e in entries]
    sources: dict[str, dict] = {}
    for e in entries:
        for src, c in e.get("sources", {}).items():
            s = sources.setdefault(src, {"documents": 0, "tokens": 0})
            s["documents"] += c["documents"]
            s["tokens"] += c["tokens"]
    totals: dict = {"documents": sum(s["documents"] for s in shards), "tokens": sum(s["tokens"] for s in shards)}
    for split in SPLITS:
        part = [s for s in shards if s["split"] == split]
        totals[split] = {"documents": sum(s["documents"] for s in part), "tokens": sum(s["tokens"] for s in part), "shards": len(part)}
    tok = {k: tokenizer[k] for k in TOKENIZER_KEYS}
    config = _portable(json.loads(json.dumps(config)))
    if config.get("tokenizer", {}).get("model_path"):
        # The user's path may be absolute; the manifest names the copy inside the folder.
        config["tokenizer"]["model_path"] = tok["file"]
    return {
        "schema_version": SCHEMA_VERSION,
        "tokenizer": tok,
        "shards": shards,
        "totals": totals,
        "sources": dict(sorted(sources.items())),
        "config": config,
        "fingerprint": fingerprint(tok["sha256"], shards),
    }


def _portable(value):
    """The manifest holds no absolute path (it must be the same wherever the inputs live):
    user-given files (test sets, URL lists, a classifier) are named by their file name."""
    import os

    if isinstance(value, dict):
        return {k: _portable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_portable(v) for v in value]
    if isinstance(value, str) and os.path.isabs(value):
        return os.path.basename(value.rstrip("/"))
    return value


def manifest_json(manifest: dict) -> str:
    return json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def read_manifest(directory: str | Path) -> dict:
    """The parsed manifest; UserError (exit 2) when it is missing or not a manifest."""
    from curation.errors import UserError

    p = Path(directory) / MANIFEST
    if not p.is_file():
        raise UserError(f"no {MANIFEST} in {directory}: not a finished build-shards output")
    try:
        m = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise UserError(f"{p} is not valid JSON: {e}") from None
    if not isinstance(m, dict) or m.get("schema_version") != SCHEMA_VERSION:
        raise UserError(f"{p}: unsupported manifest schema_version {m.get('schema_version') if isinstance(m, dict) else None!r}")
    return m


# ---------------------------------------------------------------- reading
def iter_token_blocks(shard_path: str | Path, column: str = "input_ids") -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(values, offsets) per Arrow chunk: document i is values[offsets[i]:offsets[i+1]].

    Zero-copy views of the Arrow buffers: no Python list is ever built.
    """
    pf = pq.ParquetFile(shard_path)
    for rg in range(pf.num_row_groups):
        col = pf.read_row_group(rg, columns=[column]).column(0)
        for chunk in col.chunks:
            # .values is the whole child array and offsets index into it, so slices stay correct.
            yield chunk.values.to_numpy(zero_copy_only=False), chunk.offsets.to_numpy()


def iter_token_arrays(shard_path: str | Path) -> Iterator[np.ndarray]:
    """One numpy array of token ids (BOS ... EOS) per document, in shard order."""
    for values, offsets in iter_token_blocks(shard_path):
        for i in range(len(offsets) - 1):
            yield values[offsets[i] : offsets[i + 1]]


# ---------------------------------------------------------------- verifying
def _check_shard(path: Path, entry: dict, tok: dict) -> list[str]:
    name = entry["path"]
    if not path.is_file():
        return [f"{name}: missing"]
    size = path.stat().st_size
    if size != entry["bytes"]:
        return [f"{name}: {size} bytes, manifest says {entry['bytes']}"]
    sha = sha256_file(path)
    if sha != entry["sha256"]:
        return [f"{name}: sha256 {sha[:16]}..., manifest says {entry['sha256'][:16]}..."]
    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as e:
        return [f"{name}: not readable as Parquet: {e}"]
    problems = []
    if pf.metadata.num_rows != entry["documents"]:
        problems.append(f"{name}: {pf.metadata.num_rows} documents, manifest says {entry['documents']}")
    if pf.metadata.num_row_groups != entry["row_groups"]:
        problems.append(f"{name}: {pf.metadata.num_row_groups} row groups, manifest says {entry['row_groups']}")
    got = pf.schema_arrow.field("input_ids").type
    if not pa.types.is_list(got) or str(got.value_type) != tok["dtype"]:
        problems.append(f"{name}: input_ids is {got}, manifest dtype is {tok['dtype']}")
    n_tokens = pf.read(columns=["n_tokens"]).column(0).to_numpy()
    listed = 0
    for values, offsets in iter_token_blocks(path):
        lengths = np.diff(offsets)
        listed += int(lengths.sum())
        if len(lengths) and (
            (lengths < 2).any()
            or (values[offsets[:-1]] != tok["bos_id"]).any()
            or (values[offsets[1:] - 1] != tok["eos_id"]).any()
        ):
            problems.append(f"{name}: a document does not start with BOS and end with EOS")
    if int(n_tokens.sum()) != entry["tokens"] or listed != entry["tokens"]:
        problems.append(f"{name}: n_tokens sum {int(n_tokens.sum())}, input_ids hold {listed}, manifest says {entry['tokens']}")
    return problems


def verify(directory: str | Path) -> list[str]:
    """Every problem found checking the folder against its manifest; empty when it is sound.

    Checks the tokenizer file's sha256, every shard's bytes, sha256, rows, row groups, dtype,
    BOS/EOS framing and token counts, the totals, the fingerprint, and that no shard file on
    disk is missing from the manifest.
    """
    d = Path(directory)
    m = read_manifest(d)
    problems: list[str] = verify_documents(d, m)
    tok = m["tokenizer"]
    if tok is None:  # --emit documents: no tokenizer, no shards; the parts are the output
        return problems
    tok_path = d / tok["file"]
    if not tok_path.is_file():
        problems.append(f"{tok['file']}: missing")
    elif sha256_file(tok_path) != tok["sha256"]:
        problems.append(f"{tok['file']}: sha256 differs from the manifest")
    for entry in m["shards"]:
        problems += _check_shard(d / entry["path"], entry, tok)
    listed = {e["path"] for e in m["shards"]}
    for p in sorted((d / "shards").glob("*/*.parquet")) if (d / "shards").is_dir() else []:
        rel = p.relative_to(d).as_posix()
        if rel not in listed:
            problems.append(f"{rel}: shard file not in the manifest")
    tot = m["totals"]
    docs = sum(e["documents"] for e in m["shards"])
    toks = sum(e["tokens"] for e in m["shards"])
    if (docs, toks) != (tot["documents"], tot["tokens"]):
        problems.append(f"totals: shards hold {docs} documents and {toks} tokens, totals say {tot['documents']} and {tot['tokens']}")
    if fingerprint(tok["sha256"], m["shards"]) != m["fingerprint"]:
        problems.append("fingerprint: does not match the tokenizer and shard hashes")
    return problems


def verify_documents(d: Path, m: dict) -> list[str]:
    """The curated documents of ``--emit documents`` (manifest "documents"): every part's bytes,
    sha256 and rows, no unlisted part, the total and the fingerprint (pipelines/shards.documents_section)."""
    section = m.get("documents")
    if not section:
        return []
    problems = []
    h = hashlib.sha256()
    for e in sorted(section["parts"], key=lambda e: e["path"]):
        h.update(f"{e['path']}\0{e['sha256']}\n".encode())
        p = d / e["path"]
        if not p.is_file():
            problems.append(f"{e['path']}: missing")
            continue
        if p.stat().st_size != e["bytes"]:
            problems.append(f"{e['path']}: {p.stat().st_size} bytes, manifest says {e['bytes']}")
        elif sha256_file(p) != e["sha256"]:
            problems.append(f"{e['path']}: sha256 differs from the manifest")
        elif p.suffix == ".parquet" and pq.ParquetFile(p).metadata.num_rows != e["rows"]:
            problems.append(f"{e['path']}: {pq.ParquetFile(p).metadata.num_rows} rows, manifest says {e['rows']}")
    listed = {e["path"] for e in section["parts"]}
    for p in sorted((d / "documents").glob("part-*")) if (d / "documents").is_dir() else []:
        if p.relative_to(d).as_posix() not in listed:
            problems.append(f"{p.relative_to(d).as_posix()}: document part not in the manifest")
    if sum(e["rows"] for e in section["parts"]) != section["documents"]:
        problems.append(f"documents: parts hold {sum(e['rows'] for e in section['parts'])} rows, the manifest says "
                        f"{section['documents']}")
    if h.hexdigest() != section["fingerprint"]:
        problems.append("documents fingerprint: does not match the part hashes")
    return problems


def read_document(shard_path: str | Path, row: int = 0) -> dict:
    """One row of a shard as a dict (input_ids as a numpy array): for inspection, not training."""
    table = pq.ParquetFile(shard_path).read_row_group(0)
    rec = {name: table.column(name)[row] for name in table.column_names}
    out = {k: v.as_py() for k, v in rec.items() if k not in ("input_ids", "loss_mask")}
    out["input_ids"] = rec["input_ids"].values.to_numpy()
    return out
