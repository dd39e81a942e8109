"""The `curate` command line.

curate parses its own flags and hands the rest to Beam's PipelineOptions (commands that run a
pipeline); an argument that is neither is an error naming it. A UserError prints one line and
exits 2; tracebacks only with --debug.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import logging
import os
import sys

from curation import scratch
from curation.errors import UserError

# Command name -> module in curation.commands. Fixed list: commands are part of the product.
COMMANDS = {
    "build-shards": "build_shards",
    "extract": "extract",
    "filter": "filter",
    "filters": "filters_list",
    "dedup": "dedup",
    "plan": "plan",
    "inspect": "inspect",
    "export": "export",
    "train": "train",
    "generate": "generate",
    "report": "report",
    "explain": "explain",
    "ablate": "ablate",
    "train-classifier": "train_classifier",
}

# Commands whose leftover arguments are Beam pipeline options.
BEAM_COMMANDS = {"build-shards", "extract", "filter", "dedup", "ablate"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="curate",
        description="Turn web archives, books and code into clean, deduplicated, tokenized training shards.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"curate {__import__('curation').__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in COMMANDS.items():
        if importlib.util.find_spec(f"curation.commands.{module}") is None:
            continue
        mod = importlib.import_module(f"curation.commands.{module}")
        p = mod.add_parser(sub)
        p.set_defaults(_run=mod.run, _name=name)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    if rest and args.command not in BEAM_COMMANDS:
        print(f"curate {args.command}: error: unknown argument '{rest[0]}'", file=sys.stderr)
        return 2
    args.beam_args = rest
    debug = bool(getattr(args, "debug", False))
    if args.command in BEAM_COMMANDS:
        from curation.logsetup import setup_logging
        from curation.malloc import limit_arenas

        limit_arenas()
        setup_logging(debug)  # before Beam is imported: its import-time warnings get our handler
    try:
        # Beam commands: a private $TMPDIR removed at the end, SIGTERM unwinds (curation/scratch.py).
        with scratch.session(args.command) if args.command in BEAM_COMMANDS else contextlib.nullcontext():
            return int(args._run(args) or 0)
    except UserError as e:
        if debug:
            raise
        print(f"curate {args.command}: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print(f"curate {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `curate inspect DIR | head`: the reader has what it wanted. Point stdout at /dev/null so
        # the flush at exit does not raise a second time.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as e:
        if debug:
            raise
        logging.getLogger("curate").debug("unexpected error", exc_info=True)
        print(f"curate {args.command}: failed: {type(e).__name__}: {e} (run with --debug for the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
