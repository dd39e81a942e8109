"""Beam's pipeline options from the arguments curate does not know (docs/contracts.md)."""

from __future__ import annotations

import argparse
import difflib
from typing import Any

from apache_beam.options.pipeline_options import PipelineOptions

from curation.errors import ConfigError


def _beam_option_parser() -> argparse.ArgumentParser:
    def subclasses(c):
        for s in c.__subclasses__():
            yield s
            yield from subclasses(s)

    parser = argparse.ArgumentParser(allow_abbrev=False, add_help=False, conflict_handler="resolve")
    for cls in subclasses(PipelineOptions):
        cls._add_argparse_args(parser)
    return parser


DASK_RUNNER = "pipelines.dask_runner.DaskRunner"

# Beam checks each step's input and output types while the graph is built, inferring element
# types from every function's signature and bytecode (inspect.signature, trivial_inference): about
# 1.5-2 CPU s of a 10 s build-shards on sample_data (docs/bench-perf.md). curate declares no type
# hints and registers no coders (its elements cross shuffles through Beam's FastPrimitivesCoder
# either way), and the outputs are byte-identical with the checks on (tests/test_runners.py), so
# they are off unless asked for with this flag. Beam itself has only the negative flag.
TYPE_CHECK_FLAG = "--pipeline_type_check"


def _runner_hook(rest: list[str]) -> list[str]:
    """--runner=DaskRunner names curate's DaskRunner (pipelines/dask_runner.py), which Beam does
    not know by name, and registers its options (--dask_client_address ...) before they are
    checked; it needs the [dask] extra."""
    out, i = [], 0
    dask = False
    while i < len(rest):
        a = rest[i]
        if a == "--runner" and i + 1 < len(rest):
            a, i = f"--runner={rest[i + 1]}", i + 1
        if a.startswith("--runner=") and a.split("=", 1)[1].lower() in ("dask", "daskrunner", DASK_RUNNER.lower()):
            a, dask = f"--runner={DASK_RUNNER}", True
        out.append(a)
        i += 1
    if dask:
        try:
            import pipelines.dask_runner  # noqa: F401  (registers the Dask options; optional extra)
        except ImportError as e:
            raise ConfigError(f"--runner=DaskRunner needs dask.distributed: pip install 'curate[dask]' ({e})") from None
    return out


def pipeline_options(rest: list[str], **defaults: Any):
    """Leftover command-line arguments to Beam PipelineOptions.

    Beam only warns on an unknown flag, which would silently drop an input or hide a typo such
    as --treshold: every argument here must be a Beam option, else a ConfigError names it.
    With --direct_num_workers above 1 and no running mode, multi_processing is used. Beam's
    construction-time type checks are off unless --pipeline_type_check is given (TYPE_CHECK_FLAG)."""

    rest = _runner_hook(rest)
    if TYPE_CHECK_FLAG in rest:
        rest = [a for a in rest if a != TYPE_CHECK_FLAG]
    elif "--no_pipeline_type_check" not in rest:
        rest = [*rest, "--no_pipeline_type_check"]
    parser = _beam_option_parser()
    _, unknown = parser.parse_known_args(rest)
    if unknown:
        flag = unknown[0].split("=", 1)[0]
        known = [o for a in parser._actions for o in a.option_strings]
        close = difflib.get_close_matches(flag, known, n=1, cutoff=0.75)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ConfigError(f"unknown argument '{unknown[0]}' (neither a curate flag nor a Beam pipeline option{hint})")
    opts = PipelineOptions(rest, **defaults)
    all_opts = opts.get_all_options()
    if (all_opts.get("direct_num_workers") or 1) > 1 and not any(a.startswith("--direct_running_mode") for a in rest):
        opts = PipelineOptions(rest + ["--direct_running_mode=multi_processing"], **defaults)
    return opts
