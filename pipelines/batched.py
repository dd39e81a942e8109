"""GroupByKey and CoGroupByKey that shuffle batches instead of one element per record.

On the DirectRunner every shuffle passes through the runner's controller, one Python object
at a time: encoded, buffered, grouped by encoded key, decoded again. Dedup's shuffles carry
tens of records per document (band records, payload roles, edges of each components round),
so per-element cost, not bytes, bounded the 10k bench (docs/bench-dedup.md). Here each worker
buffers its records per partition of the key space (``partitions`` partitions, a stable hash of
the key) and emits one element per (bundle, partition) every ``flush`` records; after the
GroupByKey one DoFn call regroups a partition by key in a dict. A partition holds
1/``partitions`` of the collection, so no worker holds more than that (20k records per
partition at 20M records).

Keys must be ints, bytes, str or tuples of those (stable across processes: Python's hash of str
is salted per process, so it is never used).

A shuffle given a ``Tally`` counts the records it packs (metric ``shuffle_sent`` of the tally's
stage) and those it unpacks on the far side (``shuffle_received``). The two are equal in every
correct run and the accounting checks it (curation/stats.py): a runner that drops a bundle's
output between two steps fails the run instead of silently giving a smaller result. If a whole
bundle is lost, its own counts go with it, but what it received was sent by a step whose counts
survive, so the two still differ.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import apache_beam as beam
import xxhash
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP
from apache_beam.utils.windowed_value import WindowedValue

from curation.dedup.plan import PARTITIONS
from curation.malloc import trim
from curation.stats import SHUFFLE_RECEIVED as RECEIVED
from curation.stats import SHUFFLE_SENT as SENT
from curation.stats import key as count_key
from pipelines.transforms import COUNTS

# Records a worker buffers (as Python tuples) before it emits them. 16,384 rather than 65,536:
# the same speed at 100k documents with less held per worker (docs/bench-dedup.md).
FLUSH = 16_384
# A buffer is also drained when the bytes it holds reach this (payload records that carry
# shingle sets are ~2 KB each).
FLUSH_BYTES = 8 << 20


@dataclass
class Tally:
    """Where the batched shuffles of one stage report the records they sent and received: the
    COUNTS PCollections of their steps, collected while the graph is built."""

    stage: str
    counts: list = field(default_factory=list)

    def pardo(self, pcoll, label: str, dofn: "ReduceMapPack | _Unpack"):
        """``pcoll | label >> ParDo(dofn)``, its count events kept here."""
        out = pcoll | label >> beam.ParDo(dofn).with_outputs(COUNTS, main="records")
        self.counts.append(out[COUNTS])
        return out["records"]


def _tally_counts(stage: str, sent: int, received: int):
    """A bundle's shuffle counts as tagged count events (only those that are not zero)."""
    for reason, n in ((SENT, sent), (RECEIVED, received)):
        if n:
            yield beam.pvalue.TaggedOutput(COUNTS, emit_global((count_key(stage, "all", "metric", reason), n)))


def stable_partition(key, partitions: int) -> int:
    """A partition of ``key`` that every process computes alike."""
    if isinstance(key, int):
        return key % partitions
    if isinstance(key, bytes):
        return xxhash.xxh3_64_intdigest(key) % partitions
    if isinstance(key, str):
        return xxhash.xxh3_64_intdigest(key.encode("utf-8", "surrogatepass")) % partitions
    return xxhash.xxh3_64_intdigest(repr(key).encode("utf-8", "surrogatepass")) % partitions


def emit_global(kv):
    """An element emitted from finish_bundle must carry its window."""
    return WindowedValue(kv, MIN_TIMESTAMP, (GlobalWindow(),))


class PartitionBuffer:
    """Per-bundle buffer of records by partition; DoFns that produce keyed records use it
    directly (``add`` then ``drain``) instead of emitting one element per record."""

    def __init__(self, partitions: int = PARTITIONS, flush: int = FLUSH):
        self.partitions = partitions
        self.flush = flush
        self.parts: dict[int, list] = defaultdict(list)
        self.held = 0
        self.bytes = 0

    def add(self, key, value, partition: int | None = None, size: int = 0) -> bool:
        """Buffer (key, value) (``size``: bytes it holds beyond a few words); True when the
        buffer is full and should be drained."""
        p = stable_partition(key, self.partitions) if partition is None else partition
        self.parts[p].append((key, value))
        self.held += 1
        self.bytes += size
        return self.held >= self.flush or self.bytes >= FLUSH_BYTES

    def drain(self):
        parts, self.parts, self.held, self.bytes = self.parts, defaultdict(list), 0, 0
        return list(parts.items())


def as_is(kv):
    yield kv


class _Tag:
    """Mapper for a co-group input: (k, v) -> (k, (tag, v))."""

    def __init__(self, tag):
        self.tag = tag

    def __call__(self, kv):
        yield kv[0], (self.tag, kv[1])


class _WeighTagged:
    def __init__(self, weigh):
        self.weigh = weigh

    def __call__(self, tagged) -> int:
        return self.weigh(tagged[1])


def _pack(partitions: int, flush: int, tag=None, weigh=None, stage: str | None = None) -> "ReduceMapPack":
    """The first step of a batched shuffle: (k, v) elements packed per partition."""
    if tag is None:
        return ReduceMapPack(None, as_is, partitions, flush, weigh, stage)
    return ReduceMapPack(None, _Tag(tag), partitions, flush, _WeighTagged(weigh) if weigh else None, stage)


def regroup(batches) -> dict:
    """A partition's batches -> {key: [values]}."""
    groups: dict = defaultdict(list)
    for batch in batches:
        for k, v in batch:
            groups[k].append(v)
    return groups


def batch_records(batches) -> int:
    """Records in a partition's batches (what a tallied shuffle received)."""
    return sum(len(batch) for batch in batches)


def _unpack(item):
    _, batches = item
    yield from regroup(batches).items()


class _Unpack(beam.DoFn):
    """``_unpack`` that counts the records it received for ``stage``."""

    def __init__(self, stage: str):
        self.stage = stage

    def start_bundle(self):
        self.received = 0

    def process(self, item):
        self.received += batch_records(item[1])
        yield from _unpack(item)

    def finish_bundle(self):
        yield from _tally_counts(self.stage, 0, self.received)


class Unbatch(beam.PTransform):
    """(partition, [batches of (key, value)]) after a GroupByKey -> (key, [values])."""

    def __init__(self, tally: Tally | None = None, label: str | None = None):
        super().__init__(label)
        self.tally = tally

    def expand(self, pcoll):
        if self.tally is None:
            return pcoll | "Regroup" >> beam.FlatMap(_unpack)
        return self.tally.pardo(pcoll, "Regroup", _Unpack(self.tally.stage))


def _packed(pcoll, label: str, dofn: "ReduceMapPack", tally: Tally | None):
    return pcoll | label >> beam.ParDo(dofn) if tally is None else tally.pardo(pcoll, label, dofn)


class BatchedGroupByKey(beam.PTransform):
    """(k, v) -> (k, [v, ...]) with the same result as GroupByKey (value order unspecified)."""

    def __init__(self, partitions: int = PARTITIONS, flush: int = FLUSH, weigh=None, tally: Tally | None = None,
                 label: str | None = None):
        super().__init__(label)
        self.partitions = partitions
        self.flush = flush
        self.weigh = weigh
        self.tally = tally

    def expand(self, pcoll):
        stage = self.tally.stage if self.tally else None
        packed = _packed(pcoll, "Pack", _pack(self.partitions, self.flush, weigh=self.weigh, stage=stage), self.tally)
        return packed | "Shuffle" >> beam.GroupByKey() | "Unbatch" >> Unbatch(self.tally)


def _split_tags(tags):
    def split(item):
        k, tagged = item
        out = {t: [] for t in tags}
        for t, v in tagged:
            out[t].append(v)
        yield k, out

    return split


class BatchedCoGroupByKey(beam.PTransform):
    """{tag: PCollection of (k, v)} -> (k, {tag: [v, ...]}), like CoGroupByKey, in batches.
    ``weigh``: {tag: value -> bytes} for tags whose values hold large payloads."""

    def __init__(self, partitions: int = PARTITIONS, flush: int = FLUSH, weigh: dict | None = None,
                 tally: Tally | None = None, label: str | None = None):
        super().__init__(label)
        self.partitions = partitions
        self.flush = flush
        self.weigh = weigh or {}
        self.tally = tally

    def expand(self, pcolls: dict):
        tags = sorted(pcolls)
        stage = self.tally.stage if self.tally else None
        packed = [
            _packed(pcolls[t], f"Pack_{t}",
                    _pack(self.partitions, self.flush, tag=t, weigh=self.weigh.get(t), stage=stage), self.tally)
            for t in tags
        ]
        return (
            tuple(packed)
            | "Flatten" >> beam.Flatten()
            | "Shuffle" >> beam.GroupByKey()
            | "Unbatch" >> Unbatch(self.tally)
            | "Split" >> beam.FlatMap(_split_tags(tags))
        )


class ReduceMapPack(beam.DoFn):
    """One fused step of a chain of batched shuffles: a partition's batches -> groups ->
    ``reducer(key, values)`` -> each output through ``mapper`` -> packed for the next shuffle.
    With ``reducer`` None the input is a plain (k, v) element and only ``mapper`` applies (the
    chain's first step). Fusing keeps a chain of n shuffles at n GroupByKeys and n DoFns instead
    of 3n transforms: graph size is most of the DirectRunner's fixed cost per stage.

    With ``stage`` set, the records it packs and receives are counted for that stage (its COUNTS
    output; ``Tally.pardo`` applies it)."""

    def __init__(self, reducer, mapper, partitions: int = PARTITIONS, flush: int = FLUSH, weigh=None,
                 stage: str | None = None):
        self.reducer = reducer
        self.mapper = mapper
        self.partitions = partitions
        self.flush = flush
        self.weigh = weigh  # value -> bytes it holds, for values with large payloads
        self.stage = stage

    def start_bundle(self):
        self.buf = PartitionBuffer(self.partitions, self.flush)
        self.sent = self.received = 0

    def _outputs(self, item):
        if self.reducer is None:
            yield item
            return
        if self.stage is not None:
            self.received += batch_records(item[1])
        for k, vs in regroup(item[1]).items():
            yield from self.reducer(k, vs)

    def _drain(self):
        self.sent += self.buf.held
        return self.buf.drain()

    def process(self, item):
        buf, weigh = self.buf, self.weigh
        for out in self._outputs(item):
            for k, v in self.mapper(out):
                if buf.add(k, v, size=weigh(v) if weigh is not None else 0):
                    yield from self._drain()

    def finish_bundle(self):
        for kv in self._drain():
            yield emit_global(kv)
        if self.stage is not None:
            yield from _tally_counts(self.stage, self.sent, self.received)
        trim()  # the bundle's groups are freed; without this a worker keeps each stage's peak
