"""`curate inspect DIR`: verify a build-shards output against its manifest and show it.

Checks every sha256 and count (curation.shards.verify) and every stage checkpoint's parts
against its _SUCCESS.json (curation/stage_check.py); on a mismatch prints the first one and
exits 1. Then prints a summary and decodes a sample document back to text.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from curation import shards as sh
from curation import stage_check


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "inspect",
        help="verify shards against manifest.json, summarise them and decode a sample document",
        description="Verify every hash and count of a build-shards output against its manifest "
        "(exit 1 naming the first mismatch), print a summary and decode a sample document.",
    )
    p.add_argument("dir", metavar="DIR", help="a build-shards output folder (holds manifest.json)")
    p.add_argument("--chars", type=int, default=400, help="characters of the sample document to print (default 400)")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    return p


def documents_lines(directory: Path, m: dict, chars: int) -> list[str]:
    """A documents-only output (--emit documents): its parts, then the first document's text."""
    from curation.docio import iter_documents

    section = m["documents"]
    parts = section["parts"]
    lines = [f"fingerprint  {m['fingerprint']}",
             f"documents    {section['documents']:,} in {len(parts)} part(s) under documents/ (--emit documents: "
             "no tokenizer, no shards)"]
    lines += [f"  {e['path']}  {e['rows']:,} documents  {e['bytes']:,} bytes" for e in parts]
    first = next((e for e in parts if e["rows"]), None)
    if first is None:
        return lines + ["(every part is empty)"]
    doc = next((d for d, _ in iter_documents(str(directory / first["path"])) if d is not None), None)
    if doc is None:
        return lines + [f"(no readable document in {first['path']})"]
    more = f" ... ({len(doc.text) - chars:,} more characters)" if len(doc.text) > chars else ""
    return lines + [f"sample       {doc.id} ({doc.source}, {len(doc.text):,} characters) from {first['path']}:",
                    doc.text[:chars] + more]


def summary_lines(m: dict) -> list[str]:
    tok, tot = m["tokenizer"], m["totals"]
    lines = [
        f"fingerprint  {m['fingerprint']}",
        f"tokenizer    {tok['kind']} {tok['file']}  vocab {tok['vocab_size']:,}  dtype {tok['dtype']}  "
        f"bos {tok['bos_id']} eos {tok['eos_id']} pad {tok['pad_id']} unk {tok['unk_id']}  sha256 {tok['sha256'][:16]}",
        f"total        {tot['documents']:,} documents  {tot['tokens']:,} tokens  {len(m['shards'])} shards",
    ]
    for split in sh.SPLITS:
        t = tot[split]
        lines.append(f"  {split:<10} {t['documents']:,} documents  {t['tokens']:,} tokens  {t['shards']} shards")
    for src, c in m["sources"].items():
        lines.append(f"  source {src:<5} {c['documents']:,} documents  {c['tokens']:,} tokens")
    return lines


def sample_text(directory: Path, m: dict, chars: int) -> list[str]:
    from curation.tokenizer import Tokenizer

    if not m["shards"]:
        return ["(no shards: nothing to decode)"]
    entry = next((e for e in m["shards"] if e["documents"]), None)
    if entry is None:
        return ["(every shard is empty)"]
    tok = Tokenizer.from_file(directory / m["tokenizer"]["file"])
    row = sh.read_document(directory / entry["path"], 0)
    text = tok.decode(row["input_ids"])
    more = f" ... ({len(text) - chars:,} more characters)" if len(text) > chars else ""
    return [f"sample       {row['doc_id']} ({row['source']}, {row['n_tokens']:,} tokens) from {entry['path']}:", text[:chars] + more]


def run(args) -> int:
    directory = Path(args.dir)
    m = sh.read_manifest(directory)  # UserError (exit 2) when there is none
    problems = sh.verify(directory)
    # Stage checkpoints are trusted on resume: their parts are checked against _SUCCESS.json too.
    stages = stage_check.complete_stages(directory)
    for stage in stages:
        problems.extend(stage_check.verify_stage(str(stage)))
    if problems:
        print(f"curate inspect: MISMATCH {problems[0]}", file=sys.stderr)
        if len(problems) > 1:
            print(f"curate inspect: {len(problems) - 1} more problem(s): " + "; ".join(problems[1:6]), file=sys.stderr)
        return 1
    if m["tokenizer"] is None:
        lines = documents_lines(directory, m, args.chars)
        print("\n".join(lines[:2]))
        print("verified     every sha256 and count matches the manifest")
        print("\n".join(lines[2:]))
        return 0
    print("\n".join(summary_lines(m)))
    print("verified     every sha256 and count matches the manifest"
          + (f"; {len(stages)} stage checkpoint(s) match their _SUCCESS.json" if stages else ""))
    print("\n".join(sample_text(directory, m, args.chars)))
    return 0
