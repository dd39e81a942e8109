"""Beam's DaskRunner, made correct for batch pipelines in the global window (docs/dask-runner.md).

Beam 2.77's ``apache_beam.runners.dask.dask_runner.DaskRunner`` translates a pipeline into one
dask.bag graph and runs it on a dask.distributed cluster, but loses data without an error. This
subclass keeps its overrides, options and Create translation and fixes, each with the smallest
change (the write-up lists them for upstream):

1. every leaf of the graph is computed, not only the last one (a pipeline with two sinks ran one);
2. outputs emitted in ``finish_bundle`` are kept (they were collected before it ran);
3. each bundle gets its own receivers and a DoFn no other running bundle holds (unpickled on the
   worker, set up once and reused by later bundles, as Beam's own workers do): the runner shared one
   output list between all bundles, so results leaked between partitions and two runs of one
   pipeline gave different counts once Dask's optimiser fused tasks;
4. tagged outputs go to their own PCollection (a consumer of ``.odd`` got every element);
5. ``Impulse`` and ``_Read`` (what ``ReadFromText`` and every ``beam.io.Read`` become) are
   translated; a PBegin input no longer raises AttributeError;
6. a side input is computed once, as a dependency of the tasks that read it (it was recomputed
   inside every consuming task); side inputs use Beam's placeholders (``ParDo.args``);
7. GroupByKey always shuffles through Dask's task graph (hash of the key by ``dask.tokenize``,
   stable across processes), on every cluster; Reshuffle fans elements out to the cluster.

What it does not support is refused with one line before anything runs: streaming, unbounded
PCollections, windows other than the global window, stateful and splittable DoFns, and any
primitive it has no translation for.

Beam Metrics (Beam's runner raised NotImplementedError): each bundle runs inside a scoped state
of its own ``StateSampler`` holding a ``MetricsContainer`` for the step (as Beam's DirectRunner
does), and its updates ride with the bundle's output as one ``_BundleMetrics`` record to one
gathering task: ``committed`` counts each bundle whose output the job used exactly once, however
many paths or recomputations carried it there; ``attempted`` sums every execution, reported
through the scheduler's event log (docs/dask-runner.md).

Beyond Beam's options: without ``--dask_client_address`` (or ``--dask_scheduler_file``) the runner
starts a ``distributed.LocalCluster`` of ``--dask_workers`` (else ``--direct_num_workers``, else
the CPU count) one-thread worker processes, with ``--dask_memory_limit`` per worker, and closes
it when the pipeline ends. Progress heartbeats (curation/progress.py) written on the workers are
forwarded to the launching process through the scheduler's event log.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import tempfile
import threading
import time
import uuid
from pathlib import Path

import dask.bag as db
import distributed
from dask.delayed import Delayed
from dask.highlevelgraph import HighLevelGraph
from apache_beam import pvalue
from apache_beam.internal import pickler
from apache_beam.io.iobase import BoundedSource
from apache_beam.metrics.execution import MetricsContainer
from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, StandardOptions
from apache_beam.pipeline import PipelineVisitor
from apache_beam.runners.common import DoFnContext, DoFnInvoker, DoFnSignature, Receiver, _OutputHandler
from apache_beam.runners.dask import dask_runner as beam_dask
from apache_beam.runners.dask.overrides import _Create, _Flatten, _GroupAlsoByWindow, _GroupByKeyOnly, _Read, _Reshuffle
from apache_beam.runners.dask.overrides import dask_overrides
from apache_beam.runners.dask.transform_evaluator import Create as _BeamCreate
from apache_beam.runners.dask.transform_evaluator import defenestrate, get_windowed_value
from apache_beam.runners.direct.direct_metrics import DirectMetrics
from apache_beam.runners.runner import PipelineState
from apache_beam.runners.worker import statesampler
from apache_beam.transforms import core
from apache_beam.transforms.sideinputs import SideInputMap
from apache_beam.transforms.window import GlobalWindow, GlobalWindows
from apache_beam.utils.counters import CounterFactory
from apache_beam.utils.timestamp import MIN_TIMESTAMP
from apache_beam.utils.windowed_value import WindowedValue

from curation import fs, progress
from curation.errors import UserError

log = logging.getLogger("curate")

PROGRESS_TOPIC = "curate-progress"
METRICS_TOPIC = "curate-metrics"
READ_BUNDLE_BYTES = 64 << 20  # desired split of a bounded source (ReadFromText ...)
# Partitions of a GroupByKey's or Reshuffle's output per worker thread, unless --dask_npartitions
# says: enough to balance the workers; a task shuffle makes partitions**2 small tasks.
PARTITIONS_PER_THREAD = 2
CREATE_PARTITION_SIZE = 128  # elements per partition of a Create (Beam's default, without its warning each time)


class CurateDaskOptions(PipelineOptions):
    """The local cluster curate starts when no scheduler address is given."""

    @classmethod
    def _add_argparse_args(cls, parser):
        parser.add_argument("--dask_workers", type=int, default=None,
                            help="worker processes of the local Dask cluster started when --dask_client_address is not "
                            "given (default: --direct_num_workers, else the CPU count)")
        parser.add_argument("--dask_memory_limit", default=None,
                            help="memory limit of each local Dask worker, e.g. 2GiB (default: the machine's memory "
                            "shared between the workers); past it a worker spills task results to disk")


# ---------------------------------------------------------------- running one bundle (on a worker)
class _TaggedReceiver(Receiver):
    def __init__(self, tag, out: list):
        self.tag = tag
        self.out = out

    def receive(self, windowed_value):
        self.out.append((self.tag, windowed_value.value))


class _Receivers(dict):
    """tag -> receiver, all appending (tag, value) to one list: a bundle's whole output."""

    def __init__(self):
        super().__init__()
        self.out: list = []

    def __missing__(self, tag):
        self[tag] = r = _TaggedReceiver(tag, self.out)
        return r


class _BundleSpec:
    """What a task needs to run a ParDo on one partition; small and picklable. The DoFn travels
    pickled; a worker unpickles it once per concurrently running bundle (_take_dofn)."""

    def __init__(self, label: str, payload: bytes, views: list, topic: str | None, metrics_topic: str | None = None):
        self.label = label
        self.payload = payload
        self.views = views  # [(AsSideInput class, view options)] in the order of the placeholders
        self.topic = topic
        self.metrics_topic = metrics_topic  # where every execution's metric updates go (attempted)
        self.key = hashlib.sha1(payload).digest()  # which set-up DoFns a worker may reuse for it


class _BundleMetrics:
    """The metric updates of one bundle, carried in the data of its ParDo's output (and of every
    ParDo downstream, which passes it on untouched) to the gathering task. ``bundle`` names the
    bundle the same way in a recomputation of its task: duplicates are counted once."""

    __slots__ = ("bundle", "updates")

    def __init__(self, bundle: tuple, updates):
        self.bundle = bundle
        self.updates = updates

    def __reduce__(self):
        return _BundleMetrics, (self.bundle, self.updates)


_task_bundles = threading.local()  # per worker thread: the running task and its bundles so far, by step


def _bundle_id(label: str) -> tuple:
    """(task key, step, n): the n-th bundle of this step inside the running (possibly fused) task.
    The same in a recomputation of the task, which runs the same steps in the same order."""
    try:
        worker = distributed.get_worker()
        key = worker.get_current_task()
        task = worker.state.tasks.get(key)
    except ValueError:  # not inside a Dask worker (a test calling the bundle function)
        key = task = uuid.uuid4().hex
    if getattr(_task_bundles, "task", None) is not task:  # a new task (or a new run of the same key)
        _task_bundles.task, _task_bundles.seen = task, {}
    n = _task_bundles.seen.get(label, 0)
    _task_bundles.seen[label] = n + 1
    return str(key), label, n


def _has_updates(updates) -> bool:
    return any((updates.counters, updates.distributions, updates.gauges, updates.string_sets,
                updates.bounded_tries, updates.histograms))


def _report_attempt(topic: str | None, bundle: tuple, updates) -> None:
    """Every execution's updates, kept or not, to the scheduler's event log: the attempted values."""
    if topic is None:
        return
    try:
        worker = distributed.get_worker()
    except ValueError:
        return
    worker.log_event(topic, {"attempt": uuid.uuid4().hex, "updates": pickle.dumps((bundle, updates))})


_idle: dict = {}  # per worker process: DoFn payload -> [(fn, args, kwargs, signature)] set up and free
_idle_lock = threading.Lock()


def _take_dofn(key: bytes, payload: bytes):
    """A set-up DoFn for this payload: one a finished bundle gave back (DoFns are reused across
    bundles, as Beam's workers do; start_bundle resets their state), else a fresh one unpickled
    from the payload. Never shared by two bundles at once."""
    with _idle_lock:
        free = _idle.get(key)
        if free:
            return free.pop()
    fn, args, kwargs = pickler.loads(payload)
    return fn, args, kwargs, DoFnSignature(fn)


def _give_back(key, entry) -> None:
    with _idle_lock:
        _idle.setdefault(key, []).append(entry)


def _run_bundle(items, spec: _BundleSpec, *side_values):
    """One partition through one DoFn: (setup once per instance), start_bundle, process each,
    finish_bundle. Returns (tag, value) for every output, finish_bundle's included, and the
    _BundleMetrics records of the input and of the side inputs (passed on) and of this bundle."""
    _progress_to_worker_dir(spec.topic)
    key, entry = spec.key, _take_dofn(spec.key, spec.payload)
    fn, args, kwargs, signature = entry[:4]
    receivers = _Receivers()
    handler = _OutputHandler(window_fn=GlobalWindows(), main_receivers=receivers[None], tagged_receivers=receivers,
                             per_element_output_counter=None, output_batch_converter=None,
                             process_yields_batches=False, process_batch_yields_elements=False)
    sides = [SideInputMap(view, options, side.values) for (view, options), side in zip(spec.views, side_values)]
    for side in side_values:
        receivers.out.extend(side.records)
    invoker = DoFnInvoker.create_invoker(
        signature, handler, context=DoFnContext(spec.label, state=None), side_inputs=sides,
        input_args=args, input_kwargs=kwargs, user_state_context=None, bundle_finalizer_param=core.DoFn.BundleFinalizerParam())
    # Beam's metrics mechanism: Metrics.counter(...).inc() updates the container of the current
    # tracker's scoped state. A sampler per bundle, so the state holds this bundle's container.
    container = MetricsContainer(spec.label)
    sampler = statesampler.StateSampler(spec.label, CounterFactory())
    previous = statesampler.get_current_tracker()
    statesampler.set_current_tracker(sampler)
    bundle = _bundle_id(spec.label)
    try:
        with sampler.scoped_state(spec.label, "process", metrics_container=container):
            if len(entry) == 4:  # not set up yet
                invoker.invoke_setup()
                entry = (*entry, True)
            invoker.invoke_start_bundle()
            for item in items:
                if type(item) is _BundleMetrics:
                    receivers.out.append(item)  # an upstream bundle's metrics, passed on
                else:
                    invoker.invoke_process(get_windowed_value(item, None))
            invoker.invoke_finish_bundle()
    except BaseException:
        _report_attempt(spec.metrics_topic, bundle, container.get_cumulative())
        invoker.invoke_teardown()  # a failed bundle's DoFn is not reused
        raise
    finally:
        statesampler.set_current_tracker(previous)
    updates = container.get_cumulative()
    if _has_updates(updates):
        receivers.out.append(_BundleMetrics(bundle, updates))
        _report_attempt(spec.metrics_topic, bundle, updates)
    _give_back(key, entry)
    _forward_progress(spec.topic)
    return receivers.out


def _select(pairs, tag):
    """One output's values (and the metrics records, which every output passes on)."""
    return [p if type(p) is _BundleMetrics else p[1] for p in pairs if type(p) is _BundleMetrics or p[0] == tag]


def _data(partition):
    return [x for x in partition if type(x) is not _BundleMetrics]


def _records(partition):
    return [x for x in partition if type(x) is _BundleMetrics]


class _Side:
    """A side input's values in the global window (what SideInputMap reads), and the metrics
    records that came with them."""

    def __init__(self, values: list, records: list):
        self.values = values
        self.records = records


def _windowed(partitions):
    """A side input, computed once: its values in the global window and its metrics records."""
    values, records = [], []
    for part in partitions:
        for v in part:
            if type(v) is _BundleMetrics:
                records.append(v)
            else:
                values.append(WindowedValue(v, MIN_TIMESTAMP, (GlobalWindow(),)))
    return _Side(values, records)


def _committed(partitions):
    """The gathering task: every bundle's records once, however many paths carried them here."""
    seen = {}
    for part in partitions:
        for rec in part:
            seen.setdefault(rec.bundle, rec)
    return [seen[k] for k in sorted(seen)]


def _read_splits(bundles):
    out = []
    for b in bundles:
        out.extend(b.source.read(b.source.get_range_tracker(b.start_position, b.stop_position)))
    return out


def _group_values(item):
    k, kvs = item
    return k, [defenestrate(kv[1]) for kv in kvs]


def _key(item):
    return item[0]


# ---------------------------------------------------------------- progress from the workers
_worker_progress: dict = {}  # per worker process: {"dir": heartbeat folder, "sent": {topic: text}, "base": {...}}


def _progress_to_worker_dir(topic: str | None) -> None:
    """Point this worker process's progress heartbeat at a folder of its own (the launcher's
    folder is on another machine, or gone): _forward_progress sends its content to the client."""
    if topic is None:
        return
    if "dir" not in _worker_progress:
        _worker_progress["dir"] = tempfile.mkdtemp(prefix="curate-dask-progress-")
        progress.use_directory(_worker_progress["dir"])
    if topic not in _worker_progress.setdefault("base", {}):
        # A long-lived worker keeps its totals across jobs: each job reports from its own start.
        _worker_progress["base"][topic] = _heartbeat_stages()


def _heartbeat_stages() -> dict:
    return progress.snapshot(_worker_progress["dir"])


def _minus(now: dict, base: dict) -> dict:
    out = {}
    for stage, fields in now.items():
        b = base.get(stage, {})
        diff = {k: v - b.get(k, 0) for k, v in fields.items() if v - b.get(k, 0)}
        if diff:
            out[stage] = diff
    return out


def _forward_progress(topic: str | None) -> None:
    if topic is None:
        return
    progress.flush()
    stages = _minus(_heartbeat_stages(), _worker_progress["base"][topic])
    sent = _worker_progress.setdefault("sent", {})
    if not stages or sent.get(topic) == stages:
        return
    sent[topic] = stages
    try:
        worker = distributed.get_worker()
    except ValueError:  # not inside a Dask worker (a test calling the bundle function)
        return
    # The layout of a heartbeat file (curation/progress.py): what watch() sums.
    text = json.dumps({"pid": os.getpid(), "time": time.time(), "stages": stages}, sort_keys=True)
    worker.log_event(topic, {"name": f"dask-{worker.id}-{os.getpid()}", "text": text})


class _ProgressRelay:
    """Client side: heartbeats from the workers, written into the launcher's progress folder
    (where curation.progress.watch sums them)."""

    def __init__(self, client, directory: str):
        self.client = client
        self.directory = directory
        self.topic = f"{PROGRESS_TOPIC}-{os.getpid()}-{time.time_ns()}"
        client.subscribe_topic(self.topic, self._handle)

    def _handle(self, event) -> None:
        self._write(event[1])

    def _write(self, msg) -> None:
        try:
            fs.write_bytes_atomic(str(Path(self.directory) / f"{msg['name']}.json"), msg["text"].encode("utf-8"), unique=True)
        except OSError:
            pass  # the watcher removed its folder: the run is over, progress is best effort

    def close(self) -> None:
        """The last heartbeat of every worker process, read back from the scheduler's log."""
        try:
            latest = {}
            for _, msg in self.client.get_events(self.topic):
                latest[msg["name"]] = msg
            for msg in latest.values():
                self._write(msg)
            self.client.unsubscribe_topic(self.topic)
        except (OSError, distributed.comm.CommClosedError, TimeoutError):
            pass


class _MetricsRelay:
    """Client side: every bundle execution's metric updates (the attempted values), as the workers
    log them. The subscription sees each event as it comes; the scheduler keeps only the last
    1,000 of a topic, read back at the end for any still in flight."""

    def __init__(self, client):
        self.client = client
        self.topic = f"{METRICS_TOPIC}-{os.getpid()}-{time.time_ns()}"
        self.attempts: dict = {}  # execution id -> (bundle, MetricUpdates)
        self._lock = threading.Lock()
        client.subscribe_topic(self.topic, self._handle)

    def _handle(self, event) -> None:
        msg = event[1]
        with self._lock:
            if msg["attempt"] not in self.attempts:
                self.attempts[msg["attempt"]] = pickle.loads(msg["updates"])

    def close(self) -> None:
        try:
            for event in self.client.get_events(self.topic):
                self._handle(event)
            self.client.unsubscribe_topic(self.topic)
        except (OSError, distributed.comm.CommClosedError, TimeoutError):
            pass


def _metric_results(records: list, attempts) -> DirectMetrics:
    """Beam's own MetricResults (the DirectRunner's): committed from the gathered records, one
    per bundle, attempted from every execution."""
    results = DirectMetrics()
    for rec in records:
        results.commit_logical(rec.bundle, rec.updates)
    for bundle, updates in attempts:
        results.commit_physical(bundle, updates)
    return results


# ---------------------------------------------------------------- translation (on the launcher)
def _refuse(what: str) -> UserError:
    return UserError(f"DaskRunner runs batch pipelines in the global window only: {what}")


class _Translate(PipelineVisitor):
    """Beam primitives -> dask bags, one bag per PCollection; remembers which are consumed."""

    def __init__(self, bag_kwargs: dict, partitions: int, topic: str | None, metrics_topic: str | None = None):
        self.bag_kwargs = bag_kwargs
        self.partitions = partitions
        self.topic = topic
        self.metrics_topic = metrics_topic
        self.bags: dict = {}  # PCollection -> Bag of its values (and of the metrics records that came with them)
        self.producer_bag: dict = {}  # PCollection -> the Bag its transform computes (all tags)
        self.consumed: set = set()
        self.shuffled_records: list = []  # Bags of the metrics records that reached a GroupByKey

    def _input(self, pc):
        self.consumed.add(pc)
        return self.bags[pc]

    def visit_transform(self, node) -> None:
        outputs = [pc for pc in node.outputs.values() if isinstance(pc, pvalue.PCollection) and pc not in self.bags]
        if not outputs:
            return  # a composite that returned its input, or produced nothing
        t = node.transform
        for pc in outputs:
            if not pc.is_bounded:
                raise _refuse(f"'{node.full_label}' produces an unbounded PCollection (streaming is not supported)")
            if all(isinstance(i, pvalue.PBegin) for i in node.inputs):
                continue  # a root (Impulse, _Read): the global window; a PBegin cannot be asked for windowing
            try:
                windowfn = pc.windowing.windowfn
            except AttributeError:  # windowing inherited from a root (Impulse | Map): the global window
                continue
            if not isinstance(windowfn, GlobalWindows):
                raise _refuse(f"'{node.full_label}' uses {type(windowfn).__name__}")
        inputs = [self._input(pc) for pc in node.inputs if not isinstance(pc, pvalue.PBegin)]
        if isinstance(t, _GroupAlsoByWindow):  # the global window: the grouping already dropped windows
            bag = inputs[0]
        elif isinstance(t, core.ParDo):
            bag = self._pardo(node, inputs[0])
        elif isinstance(t, _Create):
            bag = _BeamCreate(node, bag_kwargs=self.bag_kwargs or {"partition_size": CREATE_PARTITION_SIZE}).apply(None)
        elif isinstance(t, core.Impulse):
            bag = db.from_sequence([b""], npartitions=1)
        elif isinstance(t, _Read):
            bag = self._read(node, t.source)
        elif isinstance(t, _GroupByKeyOnly):
            # Metrics records do not go through the shuffle: they go straight to the gathering task.
            self.shuffled_records.append(inputs[0].map_partitions(_records))
            data = inputs[0].map_partitions(_data)
            bag = data.repartition(npartitions=self.partitions).groupby(_key, shuffle="tasks").map(_group_values)
        elif isinstance(t, _Flatten):
            bag = db.concat(inputs) if inputs else db.from_sequence([], npartitions=1)
        elif isinstance(t, _Reshuffle):
            bag = inputs[0] if inputs[0].npartitions >= self.partitions else inputs[0].repartition(npartitions=self.partitions)
        else:
            raise UserError(f"DaskRunner has no translation for '{node.full_label}' ({type(t).__name__})")
        if isinstance(t, core.ParDo) and not isinstance(t, _GroupAlsoByWindow):
            for pc in outputs:
                self.bags[pc] = bag.map_partitions(_select, pc.tag)
                self.producer_bag[pc] = bag
        else:
            for pc in outputs:
                self.bags[pc] = self.producer_bag[pc] = bag

    def _pardo(self, node, input_bag):
        t = node.transform
        signature = DoFnSignature(t.fn)
        if signature.is_stateful_dofn() or signature.has_timers():
            raise _refuse(f"'{node.full_label}' is a stateful DoFn")
        if signature.is_splittable_dofn():
            raise _refuse(f"'{node.full_label}' is a splittable DoFn")
        sides = [_side_input(self._input(si.pvalue)) for si in node.side_inputs]
        views = [(type(si), si._view_options()) for si in node.side_inputs]
        spec = _BundleSpec(node.full_label, pickler.dumps((t.fn, t.args, t.kwargs)), views, self.topic, self.metrics_topic)
        return input_bag.map_partitions(_run_bundle, spec, *sides)

    def _read(self, node, source):
        if not isinstance(source, BoundedSource):
            raise _refuse(f"'{node.full_label}' reads an unbounded source")
        splits = list(source.split(desired_bundle_size=READ_BUNDLE_BYTES))
        if not splits:
            return db.from_sequence([], npartitions=1)
        return db.from_sequence(splits, npartitions=len(splits)).map_partitions(_read_splits)

    def leaves(self) -> list:
        """One bag per transform whose outputs nobody reads: computing these computes everything."""
        seen, out = set(), []
        for pc, bag in self.producer_bag.items():
            if pc not in self.consumed and bag.name not in seen:
                seen.add(bag.name)
                out.append(bag)
        return out

    def job(self) -> db.Bag:
        """What the client computes: one task that depends on every leaf and gathers the metrics
        records (_committed); only those travel to the client, never the data. A Bag, so that
        Dask optimises the graph as a bag graph (fusing each partition's chain of ParDos)."""
        parts = [bag.map_partitions(_records) for bag in self.leaves()] + self.shuffled_records
        name = f"metrics-{uuid.uuid4().hex}"
        layer = {(name, 0): (_committed, [(b.name, i) for b in parts for i in range(b.npartitions)])}
        return db.Bag(HighLevelGraph.from_collections(name, layer, dependencies=parts), name, 1)


def _side_input(bag) -> Delayed:
    """One task that gathers the side input's partitions (a _Side), a dependency of every task
    that reads it: computed once. Built on the graph itself: a Bag handed to dask.delayed() is optimised on
    its own (under new keys: computed a second time) and culls the whole graph on each call."""
    name = f"side-input-{bag.name}"
    layer = {name: (_windowed, [(bag.name, i) for i in range(bag.npartitions)])}
    return Delayed(name, HighLevelGraph.from_collections(name, layer, dependencies=[bag]))


# ---------------------------------------------------------------- the runner
class DaskRunnerResult(beam_dask.DaskRunnerResult):
    """Beam's result with the job's metrics, which also closes what the runner opened: the
    relays, the client and the local cluster it started."""

    def __init__(self, client, futures, cluster=None, relay=None, metrics_relay=None):
        super().__init__(client, futures)
        self.cluster = cluster
        self.relay = relay
        self.metrics_relay = metrics_relay
        self._metrics = None

    def wait_until_finish(self, duration=None) -> str:
        try:
            state = super().wait_until_finish(duration)
            if state == PipelineState.DONE and self._metrics is None:
                records = [rec for future in self.futures for rec in future.result()]
                if self.metrics_relay is not None:
                    self.metrics_relay.close()
                attempts = self.metrics_relay.attempts.values() if self.metrics_relay is not None else []
                self._metrics = _metric_results(records, attempts)
            return state
        finally:
            if self.state in (PipelineState.DONE, PipelineState.FAILED):
                self.close()

    def metrics(self) -> DirectMetrics:
        """Committed and attempted values of the DoFns' Beam Metrics, once the job is done."""
        if self._metrics is None:
            raise UserError("DaskRunner: metrics are known once the pipeline is done (call wait_until_finish first)")
        return self._metrics

    def close(self) -> None:
        if self.relay is not None:
            self.relay.close()
            self.relay = None
        if self.metrics_relay is not None:
            self.metrics_relay.close()
            self.metrics_relay = None
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None


class DaskRunner(beam_dask.DaskRunner):
    """Executes a batch pipeline on a dask.distributed cluster (see the module docstring)."""

    def run_pipeline(self, pipeline, options):
        if options.view_as(StandardOptions).streaming:
            raise _refuse("--streaming was given")
        dask_options = options.view_as(beam_dask.DaskOptions).get_all_options(drop_default=True, current_only=True)
        bag_kwargs = beam_dask.DaskOptions._extract_bag_kwargs(dask_options)
        cluster = None
        if not dask_options.get("address") and not dask_options.get("scheduler_file"):
            cluster = _local_cluster(options)
            dask_options["address"] = cluster
        client = distributed.Client(**dask_options)
        try:
            pipeline.replace_all(dask_overrides())
            threads = sum(client.nthreads().values()) or 1
            partitions = bag_kwargs.get("npartitions") or PARTITIONS_PER_THREAD * threads
            watch_dir = os.environ.get(progress.ENV)
            relay = _ProgressRelay(client, watch_dir) if watch_dir else None
            metrics_relay = _MetricsRelay(client)
            visitor = _Translate(bag_kwargs, partitions, relay.topic if relay else None, metrics_relay.topic)
            pipeline.visit(visitor)
            futures = [client.compute(visitor.job(), optimize_graph=True)]
        except BaseException:
            client.close()
            if cluster is not None:
                cluster.close()
            raise
        return DaskRunnerResult(client, futures, cluster, relay, metrics_relay)


def _local_cluster(options):
    """A LocalCluster sized by --dask_workers, else --direct_num_workers, else the CPU count."""
    mine = options.view_as(CurateDaskOptions)
    n = mine.dask_workers or options.view_as(DirectOptions).direct_num_workers or os.cpu_count() or 1
    if n < 1:
        raise UserError(f"--dask_workers must be at least 1, got {n}")
    log.info("DaskRunner: starting a local Dask cluster of %d worker process(es)%s", n,
             f", {mine.dask_memory_limit} each" if mine.dask_memory_limit else "")
    # silence_logs: the cluster's INFO lines (every worker start and stop) only with curate --debug.
    quiet = logging.DEBUG if log.isEnabledFor(logging.DEBUG) else logging.ERROR
    return distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True, silence_logs=quiet,
                                    memory_limit=mine.dask_memory_limit or "auto", dashboard_address=":0")
