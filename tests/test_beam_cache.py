"""pipelines/beam_cache.py: cached options views stay in step with the options they view, and
cached DoFn specs equal Beam's own lookup."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, StandardOptions, TypeOptions
from apache_beam.transforms import userstate
from apache_beam.transforms.userstate import BagStateSpec

from pipelines import beam_cache
from pipelines.transforms import CountingDoFn


def test_views_are_shared_and_follow_writes():
    beam_cache.install()
    opts = PipelineOptions(["--direct_num_workers=3", "--no_pipeline_type_check"])
    a, b = opts.view_as(StandardOptions), opts.view_as(StandardOptions)
    assert a is b
    a.runner = "DirectRunner"
    assert opts.get_all_options()["runner"] == "DirectRunner"
    assert opts.view_as(DirectOptions).direct_num_workers == 3
    assert opts.view_as(TypeOptions).pipeline_type_check is False
    other = PipelineOptions([])
    assert other.view_as(StandardOptions) is not a and other.view_as(StandardOptions).runner is None


class _Stateful(beam.DoFn):
    BAG = BagStateSpec("bag", beam.coders.StrUtf8Coder())

    def process(self, kv, bag=beam.DoFn.StateParam(BAG)):
        yield kv


def test_dofn_specs_equal_beams_and_are_copies():
    beam_cache.install()
    for fn in (_Stateful(), CountingDoFn()):
        got = userstate.get_dofn_specs(fn)
        assert got == beam_cache._original(fn)
        got[0].clear()
        assert userstate.get_dofn_specs(fn) == beam_cache._original(fn)
    assert userstate.is_stateful_dofn(_Stateful()) and not userstate.is_stateful_dofn(CountingDoFn())
