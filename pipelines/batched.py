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
"""

from __future__ import annotations

from collections import defaultdict

import apache_beam as beam
import xxhash
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP
from apache_beam.utils.windowed_value import WindowedValue

from curation.dedup.plan import PARTITIONS
from curation.malloc import trim

# Records a worker buffers (as Python tuples) before it emits them. 16,384 rather than 65,536:
# the same speed at 100k documents with less held per worker (docs/bench-dedup.md).
FLUSH = 16_384
# A buffer is also drained when the bytes it holds reach this (payload records that carry
# shingle sets are ~2 KB each).
FLUSH_BYTES = 8 << 20


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


def _pack(partitions: int, flush: int, tag=None, weigh=None) -> "ReduceMapPack":
    """The first step of a batched shuffle: (k, v) elements packed per partition."""
    if tag is None:
        return ReduceMapPack(None, as_is, partitions, flush, weigh)
    return ReduceMapPack(None, _Tag(tag), partitions, flush, _WeighTagged(weigh) if weigh else None)


def regroup(batches) -> dict:
    """A partition's batches -> {key: [values]}."""
    groups: dict = defaultdict(list)
    for batch in batches:
        for k, v in batch:
            groups[k].append(v)
    return groups


def _unpack(item):
    _, batches = item
    yield from regroup(batches).items()


class Unbatch(beam.PTransform):
    """(partition, [batches of (key, value)]) after a GroupByKey -> (key, [values])."""

    def expand(self, pcoll):
        return pcoll | "Regroup" >> beam.FlatMap(_unpack)


class BatchedGroupByKey(beam.PTransform):
    """(k, v) -> (k, [v, ...]) with the same result as GroupByKey (value order unspecified)."""

    def __init__(self, partitions: int = PARTITIONS, flush: int = FLUSH, weigh=None, label: str | None = None):
        super().__init__(label)
        self.partitions = partitions
        self.flush = flush
        self.weigh = weigh

    def expand(self, pcoll):
        return (
            pcoll
            | "Pack" >> beam.ParDo(_pack(self.partitions, self.flush, weigh=self.weigh))
            | "Shuffle" >> beam.GroupByKey()
            | "Unbatch" >> Unbatch()
        )


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

    def __init__(self, partitions: int = PARTITIONS, flush: int = FLUSH, weigh: dict | None = None, label: str | None = None):
        super().__init__(label)
        self.partitions = partitions
        self.flush = flush
        self.weigh = weigh or {}

    def expand(self, pcolls: dict):
        tags = sorted(pcolls)
        packed = [
            pcolls[t] | f"Pack_{t}" >> beam.ParDo(_pack(self.partitions, self.flush, tag=t, weigh=self.weigh.get(t))) for t in tags
        ]
        return (
            tuple(packed)
            | "Flatten" >> beam.Flatten()
            | "Shuffle" >> beam.GroupByKey()
            | "Unbatch" >> Unbatch()
            | "Split" >> beam.FlatMap(_split_tags(tags))
        )


class ReduceMapPack(beam.DoFn):
    """One fused step of a chain of batched shuffles: a partition's batches -> groups ->
    ``reducer(key, values)`` -> each output through ``mapper`` -> packed for the next shuffle.
    With ``reducer`` None the input is a plain (k, v) element and only ``mapper`` applies (the
    chain's first step). Fusing keeps a chain of n shuffles at n GroupByKeys and n DoFns instead
    of 3n transforms: graph size is most of the DirectRunner's fixed cost per stage."""

    def __init__(self, reducer, mapper, partitions: int = PARTITIONS, flush: int = FLUSH, weigh=None):
        self.reducer = reducer
        self.mapper = mapper
        self.partitions = partitions
        self.flush = flush
        self.weigh = weigh  # value -> bytes it holds, for values with large payloads

    def start_bundle(self):
        self.buf = PartitionBuffer(self.partitions, self.flush)

    def _outputs(self, item):
        if self.reducer is None:
            yield item
            return
        for k, vs in regroup(item[1]).items():
            yield from self.reducer(k, vs)

    def process(self, item):
        buf, weigh = self.buf, self.weigh
        for out in self._outputs(item):
            for k, v in self.mapper(out):
                if buf.add(k, v, size=weigh(v) if weigh is not None else 0):
                    yield from buf.drain()

    def finish_bundle(self):
        for kv in self.buf.drain():
            yield emit_global(kv)
        trim()  # the bundle's groups are freed; without this a worker keeps each stage's peak
