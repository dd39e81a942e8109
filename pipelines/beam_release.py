"""Beam's PerWindowInvoker keeps the last element each DoFn with side inputs processed.

A DoFn with side inputs or extra arguments runs through ``PerWindowInvoker``. In global windows
it builds the argument list once, and per element puts the element into that list and calls
``process``; the slot is never cleared. Bundle processors are cached for the whole run, so each
such DoFn holds its last element until the pipeline ends. For small documents that is nothing;
for one 50 MB single-line book it was eight decoded copies of ~150 MB each (a str of 52M
characters): curate's part writers (their placing step and the writer, which is handed the
part's whole list), dedup's featurising step, and the tokenizer's sampling and training steps.
That was 1.2 GB of build-shards' peak on that book (docs/robustness.md, item 11).

Beam's own switch ``disable_global_windowed_args_caching`` makes the invoker build a fresh
argument list per element, as it always does in other windows, so nothing is held after the
call; the outputs are the same. The switch is read from ``RuntimeValueProvider.experiments``,
which every runner resets from its options when it starts (the in-process runner to none), so
``install`` adds it there and keeps it through those resets. It is idempotent and runs wherever
pipelines/ is imported: the graph builder and every worker that unpickles one of our DoFns.
The cost is a list and a dict per element of those DoFns.
"""

from __future__ import annotations

import functools

from apache_beam.options.value_provider import RuntimeValueProvider

FLAG = "disable_global_windowed_args_caching"

_original = getattr(RuntimeValueProvider.set_runtime_options, "__wrapped__", RuntimeValueProvider.set_runtime_options)


@functools.wraps(_original)
def set_runtime_options(pipeline_options):
    _original(pipeline_options)
    RuntimeValueProvider.experiments = {*RuntimeValueProvider.experiments, FLAG}


def install() -> None:
    RuntimeValueProvider.set_runtime_options = staticmethod(set_runtime_options)
    RuntimeValueProvider.experiments = {*RuntimeValueProvider.experiments, FLAG}
