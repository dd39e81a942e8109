"""Running an export: verify the shards, stream every split through one writer, commit.

Order of writing: the format's files (each under a temporary name, then renamed), the tokenizer
copy, then OUT/export.json last, as the commit marker; files of an earlier export into the same
folder that the new one does not list are removed just before it. Nothing depends on time, host
or path, so the same shards give the same bytes.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable

import numpy as np

from curation import fs
from curation import shards as sh
from curation.errors import UserError
from curation.export import mds, megatron, text
from curation.export.files import write_export_bytes
from curation.export.read import iter_blocks
from curation.tokenizer import Tokenizer

FORMATS = ("megatron", "mds", "jsonl", "hf")
EXPORT_MANIFEST = "export.json"
MARKER = ".curate-export"  # written first: a folder an interrupted export left is still known as ours
EXPORT_SCHEMA_VERSION = 1


def _writer(fmt: str, out: str, split: str, tok: Tokenizer, manifest: dict, content: str, entries: list[dict]):
    dtype = np.dtype(manifest["tokenizer"]["dtype"])
    if fmt == "megatron":
        return megatron.MegatronWriter(out, split, megatron.megatron_dtype(int(manifest["tokenizer"]["vocab_size"])), entries)
    if fmt == "mds":
        return mds.MDSWriter(out, split, dtype, entries)
    if fmt == "jsonl":
        return text.JsonlWriter(out, split, tok, content, entries)
    return text.HFParquetWriter(out, split, tok, content, entries, dtype)


def _check_output(directory: Path, out: Path) -> None:
    if out.resolve() == directory.resolve() or directory.resolve() in out.resolve().parents:
        raise UserError(f"--output {out}: must not be inside the shards folder {directory}")
    if out.exists() and not out.is_dir():
        raise UserError(f"--output {out}: exists and is not a directory")
    ours = (out / EXPORT_MANIFEST).is_file() or (out / MARKER).is_file()
    if out.is_dir() and any(out.iterdir()) and not ours:
        raise UserError(f"--output {out}: not empty and not an earlier export (no {EXPORT_MANIFEST}); choose a new folder")


def _remove_stale(out: Path, entries: list[dict]) -> int:
    keep = {e["path"] for e in entries} | {EXPORT_MANIFEST, MARKER}
    stale = [p for p in sorted(out.rglob("*")) if p.is_file() and p.relative_to(out).as_posix() not in keep]
    fs.delete([str(p) for p in stale])
    for d in sorted((p for p in out.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        if not any(d.iterdir()):
            d.rmdir()
    return len(stale)


def export(directory: str | Path, output: str | Path, fmt: str, *, splits: tuple[str, ...] = sh.SPLITS,
           content: str = "text", echo: Callable[[str], None] = print, progress_s: float = 5.0) -> dict:
    """Export DIR's shards to OUT in ``fmt``; returns the export manifest (also OUT/export.json)."""
    if fmt not in FORMATS:
        raise UserError(f"--format {fmt}: choose one of {', '.join(FORMATS)}")
    bad = [s for s in splits if s not in sh.SPLITS]
    if bad or not splits:
        raise UserError(f"--split {','.join(splits)}: splits are {', '.join(sh.SPLITS)}")
    if content not in text.CONTENTS:
        raise UserError(f"--content {content}: choose text or ids")
    d, out = Path(directory), Path(output)
    m = sh.read_manifest(d)
    if not m.get("tokenizer") or not m.get("shards"):
        raise UserError(f"{d}: holds no token shards (a documents-only build); run build-shards with --emit tokens")
    _check_output(d, out)
    echo(f"curate export: verifying {d} against its manifest")
    problems = sh.verify(d)
    if problems:
        raise UserError(f"{d} does not match its manifest: {problems[0]} (curate inspect {d} lists every problem)")
    out.mkdir(parents=True, exist_ok=True)
    fs.write_bytes_atomic(str(out / MARKER), b"curate export in progress or finished: see export.json\n")
    fs.delete([str(out / EXPORT_MANIFEST)])  # an interrupted re-export must not look finished
    tok_info = m["tokenizer"]
    tok = Tokenizer.from_file(d / tok_info["file"])
    entries: list[dict] = []
    written: dict[str, dict] = {}
    total = sum(m["totals"][s]["tokens"] for s in splits)
    done, start, last = 0, time.monotonic(), time.monotonic()
    for split in splits:
        writer = _writer(fmt, str(out), split, tok, m, content, entries)
        sources: dict[str, dict] = {}
        try:
            for block in iter_blocks(d, m, split):
                writer.add(block)
                lengths = np.diff(block.offsets)
                for src in set(block.sources):
                    pick = np.fromiter((s == src for s in block.sources), dtype=bool, count=len(block))
                    c = sources.setdefault(src, {"documents": 0, "tokens": 0})
                    c["documents"] += int(pick.sum())
                    c["tokens"] += int(lengths[pick].sum())
                done += block.tokens
                if time.monotonic() - last >= progress_s:
                    last = time.monotonic()
                    rate = done / max(last - start, 1e-9)
                    echo(f"curate export: {split} {done:,}/{total:,} tokens ({100 * done / max(total, 1):.0f}%), {rate:,.0f} tokens/s")
            writer.close()
        except BaseException:
            writer.abort()
            raise
        want = m["totals"][split]
        if (writer.documents, writer.tokens) != (want["documents"], want["tokens"]):
            raise UserError(f"{split}: exported {writer.documents} documents and {writer.tokens} tokens, the manifest says "
                            f"{want['documents']} and {want['tokens']}")
        written[split] = {"documents": writer.documents, "tokens": writer.tokens, "sources": dict(sorted(sources.items()))}
    tok_dir = Path(tok_info["file"]).parent
    for f in sorted((d / tok_dir).iterdir()):
        if f.is_file() and not f.name.startswith("."):
            write_export_bytes(str(out), f"tokenizer/{f.name}", f.read_bytes(), entries)
    if fmt == "hf":
        card = text.dataset_card([s for s in splits if written[s]["documents"]], m["fingerprint"])
        write_export_bytes(str(out), "README.md", card.encode("utf-8"), entries)
    _remove_stale(out, entries)
    result = {
        "schema_version": EXPORT_SCHEMA_VERSION,
        "format": fmt,
        "content": content if fmt in ("jsonl", "hf") else "ids",
        "dtype": str(megatron.megatron_dtype(int(tok_info["vocab_size"]))) if fmt == "megatron" else tok_info["dtype"],
        "shards_fingerprint": m["fingerprint"],
        "tokenizer": {**tok_info, "file": f"tokenizer/{Path(tok_info['file']).name}"},
        "splits": written,
        "mix": m.get("mix"),
        "files": sorted(entries, key=lambda e: e["path"]),
    }
    fs.write_json(os.path.join(str(out), EXPORT_MANIFEST), result)
    return result
