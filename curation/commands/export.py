"""`curate export DIR --format megatron|mds|jsonl|hf --output OUT`: shards for other trainers.

The work is in curation/export/ (formats: docs/export.md); this module parses and prints.
"""

from __future__ import annotations

import argparse

from curation.export.run import FORMATS, export


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "export",
        help="write verified shards as Megatron .bin/.idx, MosaicML MDS, JSON lines or HF Parquet",
        description="Verify a build-shards output against its manifest, then write its splits in a format other "
        "trainers read: megatron (indexed dataset, one .bin/.idx pair per split), mds (StreamingDataset shards "
        "per split), jsonl or hf (decoded text or ids with ids and sources, for datasets.load_dataset). "
        "The tokenizer and export.json (files, sha256, counts) go beside the export.",
        allow_abbrev=False,
    )
    p.add_argument("dir", metavar="DIR", help="a build-shards output folder (holds manifest.json)")
    p.add_argument("--format", required=True, choices=FORMATS, help="output format")
    p.add_argument("--output", required=True, metavar="OUT", help="export folder (new, or an earlier export)")
    p.add_argument("--split", default="train,val", metavar="SPLITS", help="comma-separated splits (default: train,val)")
    p.add_argument("--content", choices=["text", "ids"], default="text",
                   help="jsonl and hf: decoded text (default) or the token ids")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    return p


def run(args) -> int:
    splits = tuple(s.strip() for s in args.split.split(",") if s.strip())
    result = export(args.dir, args.output, args.format, splits=splits, content=args.content)
    for split, c in result["splits"].items():
        print(f"curate export: {split}: {c['documents']:,} documents, {c['tokens']:,} tokens "
              f"(equal to the manifest's)")
    print(f"curate export: wrote {len(result['files'])} files ({args.format}) to {args.output}; "
          f"{args.output}/export.json lists them with their sha256")
    hints = {
        "megatron": f"next: Megatron-LM --train-data-path {args.output}/train --valid-data-path {args.output}/val",
        "mds": f"next: streaming.StreamingDataset(local='{args.output}', split='train')",
        "jsonl": f"next: datasets.load_dataset('json', data_files='{args.output}/train/*.jsonl')",
        "hf": f"next: datasets.load_dataset('{args.output}')",
    }
    print(hints[args.format])
    return 0
