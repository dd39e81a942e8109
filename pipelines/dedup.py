"""Dedup stage: exact then near (MinHash-LSH) duplicates, within a source, on Beam.

    docs --Featurize--> (exact key, node, source, band hashes)          text stays behind
         --GroupByKey(exact key)--> exact edges; one node per text goes on to LSH
         --GroupByKey(band hash mod 1024), regrouped by (band, band hash)--> candidate pairs
           (star from each bucket's minimum)
         --Distinct--> --Verify (payloads joined once, shipped to each pair's centre)--> near edges
         exact + near edges --ConnectedComponents (large-star/small-star x max_cc_rounds)-->
         node -> parent --CoGroupByKey(id) with the documents--> docs | rejected | duplicates

A node is the document's keep key (curation/dedup/keep.py), so the minimum of a cluster is its
survivor. Only ids, keys, band hashes and (for verification) shingle hashes are shuffled;
documents travel once, to the final join on id. No step holds more than one key's group:
an exact group, one partition of LSH band records, one node's neighbours. docs/dedup.md
derives the memory per stage.

Reference documents (decontamination, ``curate ablate``) join every source's groups with rank -1:
they always win, are never removed, never emitted and not counted as input.
"""

from __future__ import annotations

import logging
from collections import defaultdict

import apache_beam as beam
import numpy as np
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP
from apache_beam.utils.windowed_value import WindowedValue

from curation.config import PipelineConfig
from curation.dedup import components as cc
from curation.dedup.keep import is_reference, node_id, node_key
from curation.dedup.minhash import LSH_PARTITIONS, Signer, band_hashes, estimated_jaccard, lsh_params
from curation.dedup.normalize import jaccard_sorted, shingle_hashes
from curation.document import Document, content_hash
from pipelines.transforms import AssembleStats, COUNTS, DOCS, REJECTED, CountingDoFn, mark_rejected

log = logging.getLogger("curate")

STAGE = "dedup"
DUPLICATES = "duplicates"
EXACT = "exact"
NEAR = "near"
_EDGES = "edges"
_SIMS = "sims"
_PAYLOAD = "payload"
_FAILED = "failed"


class _Featurize(beam.DoFn):
    """Document -> (exact key, (node, source, band hashes)); shingle payload for verification.

    The payload is the sorted uint32 shingle-hash set (verify on) or the MinHash signature
    (verify off: the estimate is checked against the threshold instead)."""

    def __init__(self, cfg: PipelineConfig, reference: bool):
        self.d = cfg.dedup
        self.reference = reference
        self.bands, self.rows = lsh_params(self.d.threshold, self.d.num_perm, self.d.lsh_min_recall)

    def setup(self):
        self.signer = Signer(self.d.num_perm, self.d.seed)

    def process(self, doc: Document):
        node = node_key(doc, self.d.source_priority, self.reference)
        try:
            lang = doc.metadata.get("lang") if isinstance(doc.metadata.get("lang"), str) else None
            shingles, _, ekey = shingle_hashes(doc.text, self.d.ngram, self.d.char_ngram, lang)
            bands: tuple = ()
            if self.d.near and len(shingles):
                sig = self.signer.signature(shingles)
                bands = tuple(band_hashes(sig, self.bands, self.rows))
                payload = shingles if self.d.verify else sig
                yield beam.pvalue.TaggedOutput(_PAYLOAD, (node, payload.tobytes()))
        except Exception as e:  # one bad record must not kill the run: counted, logged in one line
            if self.reference:
                log.warning("dedup: reference document %s skipped: %s", doc.id, e)
                return
            log.warning("dedup: %s on document %s: %s", type(e).__name__, doc.id, str(e)[:200])
            yield beam.pvalue.TaggedOutput(_FAILED, (doc.id, f"{STAGE}/error_{type(e).__name__}"))
            return
        # Without exact dedup every document is its own exact group.
        yield (ekey if self.d.exact else node_id(node).encode() + (b"\x00r" if self.reference else b""), (node, doc.source, bands))


def _by_source(members):
    """Split a group into per-source lists, each with the reference members added."""
    refs, groups = [], defaultdict(list)
    for m in members:
        (refs if is_reference(m[0]) else groups[m[1]]).append(m)
    if not groups and refs:
        return [refs]
    return [g + refs for _, g in sorted(groups.items())]


# LSH band records are shuffled in batches keyed by a partition of the band-hash space, not one
# record per (band, band hash): most buckets are singletons, and 21 Beam elements per document
# (each encoded, shuffled, grouped and handed to a DoFn) made the 10k bench 1.13-1.22x slower
# (docs/bench-dedup.md). A partition is one GroupByKey value list of ~(documents x bands / _PARTITIONS) records that
# _Buckets regroups by (band, band hash) in a dict: 20k records (~4 MB) per partition at 1M
# documents. A worker flushes its buffer every _FLUSH records, so a bundle never holds more.
_PARTITIONS = LSH_PARTITIONS
_FLUSH = 65_536


class _ExactGroups(beam.DoFn):
    """One exact group: edges from its best member to the others; only the best goes to LSH,
    its band records buffered per partition (see _PARTITIONS)."""

    def start_bundle(self):
        self._parts: dict[int, list] = defaultdict(list)
        self._held = 0

    def process(self, item):
        _, members = item
        survivors = {}
        for group in _by_source(list(members)):
            best = min(group, key=lambda m: m[0])
            survivors[best[0]] = best
            for node, _, _ in group:
                if node != best[0] and not is_reference(node):
                    yield beam.pvalue.TaggedOutput(_EDGES, (best[0], node))
                    yield beam.pvalue.TaggedOutput(_SIMS, (node, (EXACT, 1.0)))
        parts = self._parts
        for node, source, bands in survivors.values():
            for i, h in enumerate(bands):
                parts[h % _PARTITIONS].append((i, h, node, source))
            self._held += len(bands)
        if self._held >= _FLUSH:
            yield from self._flush()

    def _flush(self):
        parts, self._parts, self._held = self._parts, defaultdict(list), 0
        yield from parts.items()

    def finish_bundle(self):
        for kv in self._flush():
            yield WindowedValue(kv, MIN_TIMESTAMP, (GlobalWindow(),))


class _Buckets(beam.DoFn):
    """One partition of band records -> LSH buckets (band, band hash) -> a candidate pair from
    each bucket's minimum to every other member.

    A star, not all pairs: a bucket of n members costs n-1 pairs, and connectivity is what
    components needs. Singleton buckets (most of them) and reference-only buckets give nothing."""

    def process(self, item):
        _, batches = item
        buckets: dict[tuple, list] = defaultdict(list)
        for batch in batches:
            for i, h, node, source in batch:
                buckets[(i, h)].append((node, source))
        for members in buckets.values():
            if len(members) < 2:
                continue
            for group in _by_source(list(set(members))):
                if len(group) < 2:
                    continue
                centre = min(m[0] for m in group)
                for node, _ in group:
                    if node != centre and not is_reference(node):
                        yield (centre, node)


def _roles(pair):
    """A pair (centre, leaf) tells the leaf where to send its payload and the centre to keep its own."""
    centre, leaf = pair
    yield (leaf, centre)
    yield (centre, None)


class _Ship(beam.DoFn):
    """Join on node: a leaf sends its payload to each of its centres; a centre sends its own
    payload to itself. Nodes in no pair (most of them) send nothing further."""

    def process(self, item):
        node, grouped = item
        pays = list(grouped[_PAYLOAD])
        if not pays:
            return
        targets = set(grouped["roles"])
        for centre in targets:
            if centre is None:
                yield (node, (None, pays[0]))
            else:
                yield (centre, (node, pays[0]))


class _VerifyAtCentre(CountingDoFn):
    """Join on the centre: compare its payload with every incoming leaf once."""

    def __init__(self, threshold: float, verify: bool):
        self.threshold = threshold
        self.verify = verify

    def process(self, item):
        centre, incoming = item
        incoming = list(incoming)
        own = [pay for leaf, pay in incoming if leaf is None]
        if not own:
            return
        a = np.frombuffer(own[0], dtype=np.uint32)
        for leaf, pay in incoming:
            if leaf is None:
                continue
            b = np.frombuffer(pay, dtype=np.uint32)
            j = jaccard_sorted(a, b) if self.verify else estimated_jaccard(a, b)
            self.count(STAGE, "all", "metric", "candidate_pairs")
            if j >= self.threshold:
                self.count(STAGE, "all", "metric", "verified_pairs")
                yield (centre, leaf)
                yield beam.pvalue.TaggedOutput(_SIMS, (leaf, (NEAR, j)))
                yield beam.pvalue.TaggedOutput(_SIMS, (centre, (NEAR, j)))


class ConnectedComponents(beam.PTransform):
    """Edges -> (node, parent) for every node that is not the minimum of its neighbourhood after
    ``rounds`` alternations of large-star and small-star (curation/dedup/components.py), each
    one GroupByKey, unrolled in the graph."""

    def __init__(self, rounds: int, label: str | None = None):
        super().__init__(label)
        self.rounds = rounds

    def expand(self, edges):
        e = edges
        for r in range(self.rounds):
            e = (
                e
                | f"LargeStarMap{r}" >> beam.FlatMap(cc.both_directions)
                | f"LargeStarGroup{r}" >> beam.GroupByKey()
                | f"LargeStar{r}" >> beam.FlatMapTuple(cc.large_star)
                | f"SmallStarMap{r}" >> beam.FlatMap(cc.to_larger_end)
                | f"SmallStarGroup{r}" >> beam.GroupByKey()
                | f"SmallStar{r}" >> beam.FlatMapTuple(cc.small_star)
            )
        return (
            e
            | "FinalMap" >> beam.FlatMap(cc.both_directions)
            | "FinalGroup" >> beam.GroupByKey()
            | "Decide" >> beam.ParDo(_Decide()).with_outputs(COUNTS, main="parents")
        )


class _Decide(CountingDoFn):
    def process(self, item):
        node, nbrs = item
        parent, settled = cc.decide(node, nbrs)
        if not settled:
            self.count(STAGE, "all", "metric", "cc_unsettled")
        if parent is not None and not is_reference(node):
            yield (node, parent)


def _lineage(item):
    """(node, {parent, sims}) -> (doc_id, duplicate row)."""
    node, grouped = item
    parents = list(grouped["parent"])
    if not parents:
        return
    parent = parents[0]
    sims = list(grouped[_SIMS])
    exact = any(k == EXACT for k, _ in sims)
    sim = 1.0 if exact else max((s for k, s in sims if k == NEAR), default=0.0)
    kept = node_id(parent)
    yield (
        node_id(node),
        {
            "doc_id": node_id(node),
            "cluster_id": content_hash(kept),
            "kept_id": kept,
            "similarity": float(sim),
            "kind": EXACT if exact else NEAR,
        },
    )


class _Join(CountingDoFn):
    """Documents joined with the decisions on id: counts in = out + removed + failed."""

    def process(self, item):
        _, grouped = item
        docs = list(grouped[DOCS])
        dups = list(grouped["dup"])
        failed = list(grouped[_FAILED])
        for doc in docs:
            self.count(STAGE, doc.source, "in")
            if failed:
                self.count(STAGE, doc.source, "failed", failed[0])
                yield beam.pvalue.TaggedOutput(REJECTED, mark_rejected(doc, STAGE, "error", failed[0]))
            elif dups:
                row = dups[0]
                reason = f"{STAGE}/{row['kind']}"
                self.count(STAGE, doc.source, "removed", reason)
                out = doc.with_metadata(dedup={"kept_id": row["kept_id"], "cluster_id": row["cluster_id"], "similarity": row["similarity"]})
                yield beam.pvalue.TaggedOutput(REJECTED, mark_rejected(out, STAGE, row["kind"], reason))
            else:
                self.count(STAGE, doc.source, "out")
                yield doc
        if docs:
            for row in dups:
                yield beam.pvalue.TaggedOutput(DUPLICATES, row)


class Dedup(beam.PTransform):
    """Exact + near dedup within each source. Returns {"docs", "rejected", "counts", "duplicates"};
    duplicates are dicts {doc_id, cluster_id, kept_id, similarity, kind}."""

    def __init__(self, config: PipelineConfig, reference=None, label: str | None = None):
        super().__init__(label)
        self.cfg = config
        self.reference = reference

    def expand(self, docs):
        d = self.cfg.dedup
        feats = docs | "Featurize" >> beam.ParDo(_Featurize(self.cfg, False)).with_outputs(_PAYLOAD, _FAILED, main="keys")
        keys, payloads = [feats["keys"]], [feats[_PAYLOAD]]
        if self.reference is not None:
            ref = self.reference | "FeaturizeReference" >> beam.ParDo(_Featurize(self.cfg, True)).with_outputs(
                _PAYLOAD, _FAILED, main="keys"
            )
            keys.append(ref["keys"])
            payloads.append(ref[_PAYLOAD])
        keys = keys[0] if len(keys) == 1 else tuple(keys) | "FlattenKeys" >> beam.Flatten()
        payload = payloads[0] if len(payloads) == 1 else tuple(payloads) | "FlattenPayloads" >> beam.Flatten()

        exact = (
            keys
            | "GroupExact" >> beam.GroupByKey()
            | "ExactGroups" >> beam.ParDo(_ExactGroups()).with_outputs(_EDGES, _SIMS, main="bands")
        )
        edges, sims, counts = [exact[_EDGES]], [exact[_SIMS]], []
        if d.near:
            pairs = (
                exact["bands"]
                | "GroupBuckets" >> beam.GroupByKey()
                | "Buckets" >> beam.ParDo(_Buckets())
                | "DistinctPairs" >> beam.Distinct()
            )
            shipped = (
                {"roles": pairs | "Roles" >> beam.FlatMap(_roles), _PAYLOAD: payload}
                | "JoinPayloads" >> beam.CoGroupByKey()
                | "Ship" >> beam.ParDo(_Ship())
            )
            verified = (
                shipped
                | "GroupAtCentre" >> beam.GroupByKey()
                | "Verify" >> beam.ParDo(_VerifyAtCentre(d.threshold, d.verify)).with_outputs(_SIMS, COUNTS, main=_EDGES)
            )
            edges.append(verified[_EDGES])
            sims.append(verified[_SIMS])
            counts.append(verified[COUNTS])
        all_edges = tuple(edges) | "FlattenEdges" >> beam.Flatten()
        comps = all_edges | "ConnectedComponents" >> ConnectedComponents(d.max_cc_rounds)
        counts.append(comps[COUNTS])
        all_sims = tuple(sims) | "FlattenSims" >> beam.Flatten()
        dups = {"parent": comps["parents"], _SIMS: all_sims} | "JoinSims" >> beam.CoGroupByKey() | "Lineage" >> beam.FlatMap(_lineage)

        joined = (
            {DOCS: docs | "ById" >> beam.Map(lambda doc: (doc.id, doc)), "dup": dups, _FAILED: feats[_FAILED]}
            | "JoinDocs" >> beam.CoGroupByKey()
            | "Decide" >> beam.ParDo(_Join()).with_outputs(REJECTED, COUNTS, DUPLICATES, main=DOCS)
        )
        counts.append(joined[COUNTS])
        return {
            DOCS: joined[DOCS],
            REJECTED: joined[REJECTED],
            COUNTS: tuple(counts) | "FlattenCounts" >> beam.Flatten(),
            DUPLICATES: joined[DUPLICATES],
        }


DEDUP_CHAIN = ["read", "extract", "dedup"]


def duplicates_schema():
    import pyarrow as pa

    return pa.schema(
        [("doc_id", pa.string()), ("cluster_id", pa.string()), ("kept_id", pa.string()),
         ("similarity", pa.float64()), ("kind", pa.string())]
    )


def build_dedup(p, inputs: list, config: PipelineConfig, output_dir: str, fmt: str = "parquet",
                text_key: str = "text", id_key: str = "id", reference_inputs: list | None = None):
    """The `curate dedup` graph: documents -> Dedup; DIR/documents/ (kept), DIR/duplicates/
    (lineage rows) and DIR/stats.json. Removed documents are not written again: their text is
    in the input and duplicates/ names each one and its survivor."""
    from pipelines.docs_io import ReadDocuments, WriteParts
    from pipelines.transforms import SumCounts

    out = output_dir.rstrip("/")
    read = p | "ReadDocs" >> ReadDocuments(inputs, text_key, id_key)
    reference = None
    if reference_inputs:
        reference = (p | "ReadReference" >> ReadDocuments(reference_inputs, text_key, id_key))[DOCS]
    dedup = read[DOCS] | "Dedup" >> Dedup(config, reference=reference)
    docs_written = dedup[DOCS] | "WriteDocuments" >> WriteParts(out, "documents", kind="documents", fmt=fmt)
    dups_written = dedup[DUPLICATES] | "WriteDuplicates" >> WriteParts(
        out, "duplicates", kind="rows", key_fn=lambda r: r["doc_id"], schema_fn=duplicates_schema
    )
    bad_written = read[REJECTED] | "WriteRejected" >> WriteParts(out, "rejected", kind="rejected", fmt=fmt)
    return (
        (read[COUNTS], dedup[COUNTS])
        | "SumCounts" >> SumCounts()
        | "CollectCounts" >> beam.combiners.ToList()
        | "WriteStats" >> beam.ParDo(
            AssembleStats(out, DEDUP_CHAIN),
            beam.pvalue.AsList(docs_written),
            beam.pvalue.AsList(dups_written),
            beam.pvalue.AsList(bad_written),
        )
    )
