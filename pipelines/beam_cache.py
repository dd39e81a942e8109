"""Two lookups Beam repeats for every step of a graph, each done once here.

1. ``PipelineOptions.view_as(cls)`` builds a new argparse parser for ``cls`` and parses the
   flags again on every call, and Beam calls it two or three times per transform it applies
   (``Pipeline.apply``'s type options, result-type inference, each ``is_consistent_with``):
   about 1,200 parsers for build-shards, a quarter of building its graph. Every view of one
   options object reads and writes the same ``_all_options`` dict (that is how Beam's views stay
   in step), so the first view of each class is kept per options object and handed out again
   while that object still holds the same dict and flags.
2. Beam's ``userstate.get_dofn_specs`` wraps every method of a DoFn (about 30, most inherited) in a
MethodWrapper, each an ``inspect.signature`` call, and Beam calls it five to eight times per
ParDo while it builds, translates and starts a pipeline (ParDo.__init__, to_runner_api, the
DirectRunner's support visitors, each BundleProcessor): a fifth of a small build-shards run's
samples (docs/benchmarks.md, issue 24). The specs are defaults of the DoFn's methods, fixed
once the DoFn exists, so the first answer is kept per DoFn object (weakly: a DoFn that goes away
takes its entry with it). A DoFn that cannot be weakly referenced or hashed is looked up as
before. The wrapper delegates to Beam's own function, so a Beam that changes the lookup keeps
its semantics; ``install`` is idempotent and runs wherever pipelines/ is imported (the graph
builder and every worker that unpickles one of our DoFns).
"""

from __future__ import annotations

import functools
import weakref

from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.transforms import userstate

_original = getattr(userstate.get_dofn_specs, "__wrapped__", userstate.get_dofn_specs)
_specs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@functools.wraps(_original)
def cached_dofn_specs(dofn):
    try:
        state, timers = _specs[dofn]
        return set(state), set(timers)  # copies: a caller may change what it is handed
    except KeyError:
        pass
    except TypeError:  # unhashable or not weakly referenceable: Beam's lookup every time
        return _original(dofn)
    state, timers = _original(dofn)
    try:
        _specs[dofn] = (frozenset(state), frozenset(timers))
    except TypeError:
        pass
    return state, timers


_original_view_as = getattr(PipelineOptions.view_as, "__wrapped__", PipelineOptions.view_as)
_views: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@functools.wraps(_original_view_as)
def cached_view_as(self, cls):
    try:
        held = _views.setdefault(self, {})
    except TypeError:
        return _original_view_as(self, cls)
    entry = held.get(cls)
    if entry is not None:
        view, flags = entry
        if view._all_options is self._all_options and flags == tuple(self._flags or ()):
            return view
    view = _original_view_as(self, cls)
    held[cls] = (view, tuple(self._flags or ()))
    return view


def install() -> None:
    userstate.get_dofn_specs = cached_dofn_specs
    PipelineOptions.view_as = cached_view_as
