"""pipelines/beam_release.py: a DoFn with side inputs lets go of its last element (Beam's
PerWindowInvoker otherwise keeps it until the pipeline ends: one 50 MB book held ~8 times)."""

from __future__ import annotations

import gc
import weakref

import apache_beam as beam
from apache_beam.options.value_provider import RuntimeValueProvider
from apache_beam.testing.util import assert_that, equal_to

from pipelines import beam_release

_SEEN: list = []  # weak references to the elements the side-input DoFn was handed
_ALIVE: list = []  # what the later stage counted (the DirectRunner runs in this process)


class Blob:
    def __init__(self, n: int):
        self.n = n
        self.payload = "x" * 1000


class _WithSide(beam.DoFn):
    def process(self, blob, offset):
        _SEEN.append(weakref.ref(blob))
        yield blob.n + offset


def _alive_after_barrier(_):
    """Runs in a later stage, after the side-input stage has finished all its bundles."""
    gc.collect()
    _ALIVE.append(sum(1 for r in _SEEN if r() is not None))
    yield _ALIVE[-1]


def _pipeline() -> list:
    _SEEN.clear()
    _ALIVE.clear()
    with beam.Pipeline("DirectRunner") as p:
        offset = p | "Offset" >> beam.Create([100])
        nums = (p | beam.Create([1, 2, 3]) | "ToBlob" >> beam.Map(Blob)
                | beam.ParDo(_WithSide(), beam.pvalue.AsSingleton(offset)))
        _ = nums | beam.Map(lambda n: (0, n)) | beam.GroupByKey() | beam.FlatMap(_alive_after_barrier)
        assert_that(nums, equal_to([101, 102, 103]), label="Values")
    return list(_ALIVE)


def test_side_input_dofns_hold_no_element_after_their_stage():
    beam_release.install()
    assert _pipeline() == [0]


def test_without_the_switch_beam_holds_the_last_element():
    """The control: the test above would see a held element if there were one."""
    saved = RuntimeValueProvider.set_runtime_options
    RuntimeValueProvider.set_runtime_options = beam_release._original
    try:
        assert _pipeline() == [1]
    finally:
        RuntimeValueProvider.set_runtime_options = saved
        beam_release.install()


def test_install_survives_a_runner_resetting_the_runtime_options():
    beam_release.install()
    beam_release.install()
    RuntimeValueProvider.set_runtime_options({})
    assert beam_release.FLAG in RuntimeValueProvider.experiments
    RuntimeValueProvider.set_runtime_options({"experiments": ["other"]})
    assert {beam_release.FLAG, "other"} <= RuntimeValueProvider.experiments
