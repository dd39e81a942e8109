"""Flags and helpers shared by the `curate` commands (docs/contracts.md, "Command line")."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from curation import fs
from curation.errors import UserError
from curation.logsetup import setup_logging  # noqa: F401  (the commands call common.setup_logging)

log = logging.getLogger("curate")

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DATA = REPO_ROOT / "sample_data"


def inputs_or_sample(args) -> tuple[dict[str, list[str]], str | None]:
    """The input flags and --config of a pipeline command; with no inputs at all, the bundled
    sample_data/ and (unless --config is given) its own small config."""
    from curation.errors import UserError

    given = {k: getattr(args, k) for k in ("web", "books", "code", "docs")}
    config_path = args.config
    if any(given.values()):
        return given, config_path
    root = SAMPLE_DATA
    if not root.is_dir():
        raise UserError(f"no inputs given and the bundled sample data is missing ({root}); pass --web/--books/--code/--docs")
    if config_path is None and (root / "config.yaml").is_file():
        config_path = str(root / "config.yaml")
    log.info("no inputs given: running on the bundled sample data (%s)", root)
    return {"web": [str(root / "web")], "books": [str(root / "books")], "code": [str(root / "code")]}, config_path


def add_input_flags(parser: argparse.ArgumentParser, kinds=("web", "books", "code", "docs")) -> None:
    g = parser.add_argument_group("inputs (each flag takes files, directories or globs and may repeat)")
    helps = {
        "web": "WARC, WARC.gz or WET files of a web crawl",
        "books": "plain-text books (Project Gutenberg layout is recognised)",
        "code": "source-code trees",
        "docs": "documents you already have: JSONL, JSONL.gz, JSONL.zst or Parquet",
    }
    for k in kinds:
        g.add_argument(f"--{k}", nargs="+", action="extend", default=[], metavar="PATH", help=helps[k])


def add_docs_input_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", nargs="+", action="extend", default=[], required=True, metavar="PATH",
                        help="documents (JSONL[.gz|.zst] or Parquet files, directories or globs)")
    parser.add_argument("--text-key", default="text", help="column holding the text (default: text)")
    parser.add_argument("--id-key", default="id", help="column holding the id (default: id; else a content hash)")


def resolve_input_flag(values: list[str]):
    """--input of filter and dedup: documents, resolved like --docs, with errors naming --input."""
    from curation.errors import InputError
    from curation.inputs import resolve_inputs

    try:
        return resolve_inputs(docs=values)
    except InputError as e:
        msg = str(e)
        raise InputError("--input " + msg[len("--docs "):] if msg.startswith("--docs ") else msg) from None


def add_output_flags(parser: argparse.ArgumentParser, formats: bool = True) -> None:
    parser.add_argument("--output", required=True, metavar="DIR", help="output folder")
    parser.add_argument("--allow-output-inside-input", action="store_true",
                        help="allow DIR inside an input folder (curate's own output folders are skipped when "
                        "inputs are walked)")
    if formats:
        parser.add_argument("--format", choices=["parquet", "jsonl"], default="parquet",
                            help="format of DIR/documents/ parts (default: parquet)")


def add_config_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help="YAML file over the built-in defaults")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override one config key, e.g. --set dedup.threshold=0.7 (repeatable)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")


def pipeline_options(rest: list[str], **defaults: Any):
    """Leftover command-line arguments to Beam PipelineOptions (pipelines/options.py)."""
    from pipelines.options import pipeline_options as parse  # Beam: imported only by commands that run it

    return parse(rest, **defaults)


def load_pipeline_config(args) -> Any:
    from curation.config import load_config

    return load_config(getattr(args, "config", None), getattr(args, "overrides", None))


def check_output_placement(args, given: dict[str, list[str]]) -> None:
    """Refuse an output folder inside an input folder (unless --allow-output-inside-input),
    before the folder is created (curation/outputs.py)."""
    from curation import outputs

    if not fs.is_remote(args.output):
        outputs.refuse_output_inside_inputs(given, Path(args.output).absolute(),
                                            allow=getattr(args, "allow_output_inside_input", False))


def ensure_output_dir(path: str) -> Path:
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise UserError(f"--output {path}: exists and is not a directory")
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"--output {path}: cannot create: {e.strerror}") from None
    return p


def against_folders(folders: list[str], cfg: Any, flag: str) -> tuple[str, ...]:
    """Earlier outputs to deduplicate against: each must hold a dedup index made with this run's
    dedup settings (one line naming the folder otherwise, exit 2)."""
    from curation.dedup.index import check_compatible, read_manifest  # numpy and pyarrow: not for `curate --help`

    out = []
    for folder in folders:
        if not Path(folder).is_dir():
            raise UserError(f"{flag} {folder}: no such folder")
        check_compatible(folder, read_manifest(folder, flag), cfg, flag)
        out.append(folder)  # as given: duplicates/ names the earlier run this way
    return tuple(out)
