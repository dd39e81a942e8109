"""pipelines/dask_runner.DaskRunner on toy pipelines: one regression test per defect of Beam 2.77's
DaskRunner (docs/dask-runner.md), each on a real dask.distributed cluster (a scheduler and two
worker processes, shared by the module), compared with what the DirectRunner gives."""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.io import fileio
from apache_beam.metrics import Metrics, MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.transforms import window

from curation.errors import UserError

distributed = pytest.importorskip("distributed")
from pipelines.dask_runner import CREATE_PARTITION_SIZE, DaskRunner  # noqa: E402  (needs the [dask] extra)

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def cluster():
    # Spawned workers import this module's functions (cloudpickle pickles them by reference).
    env_before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(HERE), str(HERE.parent), env_before) if p)
    try:
        c = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    finally:
        if env_before is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = env_before
    yield c
    c.close()


def run_on_dask(cluster, build, *flags):
    p = beam.Pipeline(runner=DaskRunner(), options=PipelineOptions([f"--dask_client_address={cluster.scheduler_address}", *flags]))
    build(p)
    result = p.run()
    assert result.wait_until_finish() == "DONE"
    return result


def run_direct(build):
    p = beam.Pipeline(options=PipelineOptions(["--runner=DirectRunner"]))
    build(p)
    result = p.run()
    result.wait_until_finish()
    return result


def lines(folder: Path, prefix: str) -> list[str]:
    return sorted(ln for f in folder.glob(f"{prefix}*") for ln in f.read_text().splitlines())


# ---------------------------------------------------------------- toy DoFns
class BufferUntilFinish(beam.DoFn):
    """Emits everything in finish_bundle, as curate's batched shuffles do."""

    def start_bundle(self):
        self.held = []

    def process(self, x):
        self.held.append(x)

    def finish_bundle(self):
        for x in self.held:
            yield window.GlobalWindows.windowed_value(x)


class SplitParity(beam.DoFn):
    def process(self, x):
        yield x if x % 2 == 0 else beam.pvalue.TaggedOutput("odd", x)


def mark_once(x, folder):
    (Path(folder) / f"{x}-{uuid.uuid4().hex}").touch()
    return x


def add_all(x, side):
    return x + sum(side)


class CountPerKey(beam.DoFn):
    def process(self, kv):
        k, vs = kv
        yield f"{k}:{sorted(vs)}"


def chain(p, out: Path):
    """Fan-out, a stateful-per-bundle DoFn, a GroupByKey and a side input."""
    nums = p | "Nums" >> beam.Create(range(2000)) | "Spread" >> beam.Reshuffle()
    buffered = nums | "Buffer" >> beam.ParDo(BufferUntilFinish())
    total = buffered | "Total" >> beam.CombineGlobally(sum)
    grouped = (buffered | "Key" >> beam.Map(lambda x: (x % 37, x)) | "Group" >> beam.GroupByKey()
               | "Describe" >> beam.ParDo(CountPerKey()))
    (grouped | "WithTotal" >> beam.Map(lambda s, t: f"{s} total={t}", beam.pvalue.AsSingleton(total))
     | "Write" >> beam.io.WriteToText(str(out / "chain")))


# ---------------------------------------------------------------- one test per defect
def test_two_sinks_both_write_with_default_sharding(cluster, tmp_path):
    """Beam's runner computed only the last leaf: the first sink wrote nothing. WriteToText's
    default sharding emits from finish_bundle: it wrote empty files."""
    def build(p):
        nums = p | beam.Create(range(300))
        nums | "A" >> beam.Map(str) | "WriteA" >> beam.io.WriteToText(str(tmp_path / "a"))
        nums | "B" >> beam.Map(lambda x: str(x * 10)) | "WriteB" >> beam.io.WriteToText(str(tmp_path / "b"))

    run_on_dask(cluster, build)
    assert lines(tmp_path, "a-") == sorted(str(x) for x in range(300))
    assert lines(tmp_path, "b-") == sorted(str(x * 10) for x in range(300))


def test_outputs_of_finish_bundle_are_kept(cluster, tmp_path):
    def build(p):
        (p | beam.Create(range(500)) | beam.Reshuffle() | beam.ParDo(BufferUntilFinish())
         | beam.Map(str) | beam.io.WriteToText(str(tmp_path / "out"), num_shards=3))

    run_on_dask(cluster, build)
    assert lines(tmp_path, "out-") == sorted(str(x) for x in range(500))


def test_tagged_outputs_reach_their_own_consumers(cluster, tmp_path):
    def build(p):
        res = p | beam.Create(range(100)) | beam.ParDo(SplitParity()).with_outputs("odd", main="even")
        res.even | "E" >> beam.Map(str) | "WriteEven" >> beam.io.WriteToText(str(tmp_path / "even"))
        res.odd | "O" >> beam.Map(str) | "WriteOdd" >> beam.io.WriteToText(str(tmp_path / "odd"))

    run_on_dask(cluster, build)
    assert lines(tmp_path, "even-") == sorted(str(x) for x in range(0, 100, 2))
    assert lines(tmp_path, "odd-") == sorted(str(x) for x in range(1, 100, 2))


def test_fileio_write_to_files(cluster, tmp_path):
    def build(p):
        p | beam.Create([f"line {i}" for i in range(50)]) | fileio.WriteToFiles(path=str(tmp_path / "files"))

    run_on_dask(cluster, build)
    # Like the DirectRunner, WriteToFiles leaves its emptied .temp folder behind.
    written = sorted(ln for f in (tmp_path / "files").glob("output-*") for ln in f.read_text().splitlines())
    assert written == sorted(f"line {i}" for i in range(50))


def test_read_from_text_and_impulse(cluster, tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("".join(f"row {i}\n" for i in range(1000)))

    def build(p):
        rows = p | beam.io.ReadFromText(str(src))
        imp = p | beam.Impulse() | "FromImpulse" >> beam.Map(lambda _: "impulse")
        (rows, imp) | beam.Flatten() | beam.io.WriteToText(str(tmp_path / "out"))

    run_on_dask(cluster, build)
    assert lines(tmp_path, "out-") == sorted([f"row {i}" for i in range(1000)] + ["impulse"])


def test_side_input_is_computed_once(cluster, tmp_path):
    """Each side-input element is computed exactly once, however many tasks read it (Beam's
    runner recomputed the side input's graph inside every consuming task)."""
    marks = tmp_path / "marks"
    marks.mkdir()

    def build(p):
        side = p | "Side" >> beam.Create([1, 2, 3]) | "Mark" >> beam.Map(mark_once, str(marks))
        (p | "Main" >> beam.Create(range(400)) | beam.Reshuffle()
         | "Add" >> beam.Map(add_all, beam.pvalue.AsList(side)) | beam.Map(str)
         | beam.io.WriteToText(str(tmp_path / "out")))

    run_on_dask(cluster, build, "--dask_npartitions=8")
    assert lines(tmp_path, "out-") == sorted(str(x + 6) for x in range(400))
    assert sorted(m.name.split("-")[0] for m in marks.iterdir()) == ["1", "2", "3"]


def test_same_result_twice_and_as_the_direct_runner(cluster, tmp_path):
    """Dask's optimiser fuses tasks; Beam's runner then shared one DoFn instance and one output
    list between bundles, and two runs gave different counts."""
    outs = [tmp_path / name for name in ("dask1", "dask2", "direct")]
    for out in outs:
        out.mkdir()
    run_on_dask(cluster, lambda p: chain(p, outs[0]))
    run_on_dask(cluster, lambda p: chain(p, outs[1]))
    run_direct(lambda p: chain(p, outs[2]))
    got = [lines(out, "chain") for out in outs]
    assert len(got[0]) == 37 and got[0] == got[1] == got[2]
    assert all(s.endswith(f"total={sum(range(2000))}") for s in got[0])


def slow_pid(x):
    time.sleep(0.005)  # each partition is busy long enough for the other worker to start its own
    return json.dumps([x, os.getpid()])


def test_both_workers_run_tasks(cluster, tmp_path):
    # Four Create partitions are four root tasks, which the scheduler hands to idle workers first.
    # One root partition split by a Reshuffle would leave the spreading to work stealing, which
    # a loaded 2-core machine may never do within a short test.
    n = 4 * CREATE_PARTITION_SIZE

    def build(p):
        (p | beam.Create(range(n)) | beam.Reshuffle() | beam.Map(slow_pid)
         | beam.io.WriteToText(str(tmp_path / "pids")))

    run_on_dask(cluster, build)
    rows = [json.loads(ln) for ln in lines(tmp_path, "pids-")]
    assert sorted(x for x, _ in rows) == list(range(n))
    assert len({pid for _, pid in rows}) == 2


class Measured(beam.DoFn):
    """Reports a counter, a distribution and a gauge, and which process ran it."""

    def process(self, x):
        Metrics.counter("toy", "seen").inc()
        Metrics.distribution("toy", "value").update(x)
        Metrics.gauge("toy", "constant").set(7)  # the same in every bundle: the latest is 7 on any runner
        time.sleep(0.002)  # busy long enough for the other worker to take partitions too
        yield x, os.getpid()


def count_group(kv):
    Metrics.counter("toy", "groups").inc()
    return kv[0]


def weigh(x):
    Metrics.counter("toy", "weighed").inc(x)
    return x


def measured(p, out: Path):
    """The metrics records travel through fan-out (Measured feeds two consumers), a GroupByKey, a
    side input and a sink; each must count once."""
    side = p | "Weights" >> beam.Create([1, 2, 3]) | "Weigh" >> beam.Map(weigh)
    seen = p | "Nums" >> beam.Create(range(4 * CREATE_PARTITION_SIZE)) | "Spread" >> beam.Reshuffle() | "Measure" >> beam.ParDo(Measured())
    seen | "Pids" >> beam.Map(lambda xp: json.dumps(xp)) | "WritePids" >> beam.io.WriteToText(str(out / "pids"))
    (seen | "Key" >> beam.Map(lambda xp, w: (xp[0] % 5, xp[0] + sum(w)), beam.pvalue.AsList(side))
     | "Group" >> beam.GroupByKey() | "CountGroups" >> beam.Map(count_group) | beam.Map(str)
     | "WriteGroups" >> beam.io.WriteToText(str(out / "groups")))


def metric_values(result) -> dict:
    """kind -> sorted (step, namespace, name, committed, attempted); a gauge by its value (its
    timestamp is when it was set)."""
    def value(kind, v):
        return v.value if kind == "gauges" else v

    return {kind: sorted((r.key.step, r.key.metric.namespace, r.key.metric.name, value(kind, r.committed),
                          value(kind, r.attempted)) for r in rows)
            for kind, rows in result.metrics().query(MetricsFilter().with_namespace("toy")).items() if rows}


def test_metrics_equal_the_direct_runner(cluster, tmp_path):
    """Beam's runner raised NotImplementedError. Committed and attempted counters, distributions
    and gauges equal the DirectRunner's, step names included, with the DoFn run on both workers."""
    (tmp_path / "dask").mkdir()
    (tmp_path / "direct").mkdir()
    got = metric_values(run_on_dask(cluster, lambda p: measured(p, tmp_path / "dask")))
    want = metric_values(run_direct(lambda p: measured(p, tmp_path / "direct")))
    n = 4 * CREATE_PARTITION_SIZE
    assert want["counters"] == [("CountGroups", "toy", "groups", 5, 5), ("Measure", "toy", "seen", n, n),
                                ("Weigh", "toy", "weighed", 6, 6)]
    assert got == want
    assert {kind for kind in got} == {"counters", "distributions", "gauges"}
    assert len({pid for _, pid in map(json.loads, lines(tmp_path / "dask", "pids-"))}) == 2
    assert lines(tmp_path / "dask", "groups-") == lines(tmp_path / "direct", "groups-")


def die_once(xp, marker):
    """The first call anywhere ends its worker process (as a lost machine would); later ones pass."""
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        return json.dumps(xp)
    os._exit(1)


def test_metrics_after_a_worker_died_are_committed_once(tmp_path):
    """A worker dies holding Measure's results: Dask recomputes what was lost, under the same task
    keys. Committed counts every element once; attempted counts the executions, at least as many."""
    env_before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(HERE), str(HERE.parent), env_before) if p)
    try:
        own = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    finally:
        if env_before is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = env_before
    n = 4 * CREATE_PARTITION_SIZE
    marker = str(tmp_path / "died")

    def build(p):
        seen = p | "Nums" >> beam.Create(range(n)) | "Measure" >> beam.ParDo(Measured())
        seen | "Fast" >> beam.Map(json.dumps) | "WriteFast" >> beam.io.WriteToText(str(tmp_path / "fast"))
        seen | "Dies" >> beam.Map(die_once, marker) | "WriteSlow" >> beam.io.WriteToText(str(tmp_path / "slow"))

    try:
        result = run_on_dask(own, build)
    finally:
        own.close()
    assert os.path.exists(marker)
    assert len(lines(tmp_path, "fast-")) == len(lines(tmp_path, "slow-")) == n
    counters = {r.key.step: r for r in result.metrics().query(MetricsFilter().with_name("seen"))["counters"]}
    assert counters["Measure"].committed == n
    assert counters["Measure"].attempted >= n


# ---------------------------------------------------------------- refused in one line
@pytest.mark.parametrize("what, build, flags", [
    ("FixedWindows", lambda p: p | beam.Create([1]) | beam.WindowInto(window.FixedWindows(10)) | beam.Map(str), []),
    ("streaming", lambda p: p | beam.Create([1]) | beam.Map(str), ["--streaming"]),
])
def test_unsupported_pipelines_are_refused(cluster, what, build, flags):
    with pytest.raises(UserError, match=what) as e:
        run_on_dask(cluster, build, *flags)
    assert "\n" not in str(e.value)


class Stateful(beam.DoFn):
    COUNT = beam.transforms.userstate.CombiningValueStateSpec("n", sum)

    def process(self, kv, n=beam.DoFn.StateParam(COUNT)):
        n.add(1)
        yield kv


def test_stateful_dofn_is_refused(cluster):
    with pytest.raises(UserError, match="stateful DoFn"):
        run_on_dask(cluster, lambda p: p | beam.Create([(1, 2)]) | beam.ParDo(Stateful()))
