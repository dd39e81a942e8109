"""Dedup stage: exact then near (MinHash-LSH) duplicates, within a source, on Beam.

    docs --Featurize--> exact record (exact key -> node, source, handle, band hashes)
                        payload (handle -> node, source, shingle hashes, or with
                        curate dedup a pointer into its chunk's payload file)  text stays behind
         --group by exact key--> exact edges; each text's best member goes on to LSH as packed
           band records (band hash, handle, source code), one array per partition of band hashes
         --group by partition--> LSH buckets -> candidate pairs (all pairs of a small bucket,
           a star from the smallest handle of a large one) -> roles
         --co-group roles with payloads by handle--> payloads shipped to each pair's centre
         --group at centre--> pointed-to sets read per partition -> Jaccard verification
           -> near edges
         exact + near edges --ConnectedComponents (large-star/small-star x max_cc_rounds)-->
         node -> parent --co-group with similarities--> one lineage row per removed node

A node is the document's keep key (curation/dedup/keep.py) plus its location, so the minimum of
a cluster is its survivor. A *handle* is a 64-bit hash of (id, location): band records carry
only handles and 32-bit source codes, never node keys or text, so the largest shuffle is 20
bytes per band per document. Every shuffle crosses in batches per partition of its key space
(pipelines/batched.py): on the DirectRunner each element costs the runner's controller a Python
object, and one element per record made the runner, not the hashing, the bottleneck
(docs/bench-dedup.md). No step holds more than one partition or one key's group.

Two ways back to the documents: ``Dedup`` (a PCollection of documents: build-shards, ablate,
the API) joins the decisions with the documents on id, in batches; ``DedupFiles``
(pipelines/dedup_files.py, ``curate dedup``) never shuffles text: it re-reads each input chunk
once its decisions are known and writes its kept rows.

Reference documents (decontamination, ``curate ablate``) join every source's groups: they
always win, are never removed, never emitted and not counted as input.
"""

from __future__ import annotations

from collections import defaultdict

import apache_beam as beam
import numpy as np

from curation.config import PipelineConfig
from curation.dedup import components as cc
from curation.dedup.buckets import bucket_pairs
from curation.dedup.features import (FAILED, IDS, INDEX, KEYS, PAYLOAD, REC, REF_CODE, STAGE, Featurizer, node_rec, record_key,
                                     source_code)
from curation.dedup.index import is_prior, prior_run, sketch_jaccard, sketch_sizes
from curation.dedup.keep import is_reference, node_id
from curation.dedup.minhash import LSH_PARTITIONS, estimated_jaccard
from curation.dedup.normalize import jaccard_sorted
from curation.document import Document, content_hash
from curation.malloc import trim
from pipelines.batched import (FLUSH, RECEIVED, BatchedCoGroupByKey, BatchedGroupByKey, ReduceMapPack, Tally, as_is,
                               batch_records, emit_global, regroup)
from pipelines.dedup_url import URL, UrlDecisions, url_record
from pipelines.payload_store import resolve
from pipelines.transforms import COUNTS, DOCS, REJECTED, BatchedDoFn, CountingDoFn, mark_rejected

DUPLICATES = "duplicates"
EXACT = "exact"
NEAR = "near"
RENAMES = "renames"
_EDGES = "edges"
_SIMS = "sims"


def as_outputs(featurized):
    """Featurizer's (tag, key, value) -> the DoFn's main (KEYS) and tagged outputs."""
    for tag, key, value in featurized:
        yield (key, value) if tag == KEYS else beam.pvalue.TaggedOutput(tag, (key, value))


class _Featurize(BatchedDoFn):
    """Documents of a PCollection (location 0, record ``record_key``) -> Featurizer outputs, a list at a time. A
    capture that URL dedup removed (``url_removed``: (id, record) -> lineage row) goes no further
    than its row: it never survives a content cluster in place of the capture that was kept."""

    def __init__(self, cfg: PipelineConfig, reference: bool):
        self.featurizer = Featurizer(cfg, reference)

    def process_list(self, docs: list[Document], url_removed=None):
        keep, recs = [], []
        for doc in docs:
            rec = record_key(doc)
            if url_removed and (doc.id, rec) in url_removed:
                yield beam.pvalue.TaggedOutput(URL, (doc.id, (rec, url_removed[(doc.id, rec)])))
                continue
            keep.append(doc)
            recs.append(rec)
        yield from as_outputs(self.featurizer.batch(keep, [0] * len(keep), recs))


def _url_record(doc: Document):
    return url_record(doc, record_key(doc))


def renamed_id(doc_id: str, ekey: bytes) -> str:
    """The id given to a record whose id an earlier record (by the keep policy) already carries
    with a different text: the id plus a short hash of its exact key, stable across reruns."""
    return f"{doc_id}~{ekey.hex()[:8]}"


class _IdGroups(CountingDoFn):
    """Records sharing one input id (docs/dedup.md, "Equal ids"). Within a source, records with
    one exact key are exact duplicates: edges from the best to the others, so they are removed
    even with exact dedup off. Between texts, the text holding the best record keeps the id;
    every record of each other text is renamed (``renamed_id``) and counted (read duplicate_id)."""

    def process(self, item):
        doc_id, members = item
        if len(members) < 2:
            return
        texts: dict = defaultdict(list)
        for node, source, ekey in members:
            texts[(source, ekey)].append(node)
        for nodes in texts.values():
            nodes.sort()
            for n in nodes[1:]:
                yield beam.pvalue.TaggedOutput(_EDGES, (nodes[0], n))
                yield beam.pvalue.TaggedOutput(_SIMS, (n, (EXACT, 1.0)))
        if len(texts) < 2:
            return
        order = sorted(texts.items(), key=lambda kv: kv[1][0])
        for (source, ekey), nodes in order[1:]:
            self.count("read", source, "metric", "duplicate_id")
            new = renamed_id(doc_id, ekey)
            for n in nodes:
                yield (n, new)


def _plain_reference(node) -> bool:
    """A decontamination reference: it joins every source's groups. An earlier run's document
    (``--against``) also always wins, but only within its own source."""
    return is_reference(node) and not is_prior(node)


def _by_source(members):
    """Split a group into per-source lists, each with the reference members added."""
    refs, groups = [], defaultdict(list)
    for m in members:
        (refs if _plain_reference(m[0]) else groups[m[1]]).append(m)
    if not groups and refs:
        return [refs]
    return [g + refs for _, g in sorted(groups.items())]


class _ExactGroups(beam.DoFn):
    """One exact group: edges from its best member to the others; only the best goes to LSH,
    its band records packed per partition of the band-hash space (one array element each)."""

    def start_bundle(self):
        self._recs: list[np.ndarray] = []
        self._held = 0

    def process(self, item):
        _, members = item
        survivors = {}
        for group in _by_source(members):
            best = min(group, key=lambda m: m[0])
            survivors[best[0]] = best
            for m in group:
                if m[0] != best[0] and not is_reference(m[0]):
                    yield beam.pvalue.TaggedOutput(_EDGES, (best[0], m[0]))
                    yield beam.pvalue.TaggedOutput(_SIMS, (m[0], (EXACT, 1.0)))
        for node, source, handle, bands in survivors.values():
            if not bands:
                continue
            h = np.frombuffer(bands, dtype=np.uint64)
            rec = np.empty(len(h), dtype=REC)
            rec["h"] = h
            rec["n"] = handle
            rec["s"] = REF_CODE if _plain_reference(node) else source_code(source)
            self._recs.append(rec)
            self._held += len(h)
        if self._held >= FLUSH:
            yield from self._flush()

    def _flush(self):
        if not self._recs:
            return
        a = np.concatenate(self._recs)
        self._recs, self._held = [], 0
        part = a["h"] % np.uint64(LSH_PARTITIONS)
        order = np.argsort(part, kind="stable")
        a, part = a[order], part[order]
        cuts = np.flatnonzero(part[1:] != part[:-1]) + 1
        for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(a)]):
            yield (int(part[lo]), a[lo:hi].tobytes())

    def finish_bundle(self):
        for kv in self._flush():
            yield emit_global(kv)
        trim()


def _roles(item):
    """A partition's band records -> roles: (leaf, centre) tells the leaf where to send its
    payload, (centre, None) tells the centre to send its own."""
    _, blobs = item
    pairs = bucket_pairs(np.frombuffer(b"".join(blobs), dtype=REC))
    if not len(pairs):
        return
    for c, leaf in pairs.tolist():
        yield (leaf, c)
    for c in np.unique(pairs[:, 0]).tolist():
        yield (c, None)


def _pay_bytes(pay) -> int:
    """Bytes a payload holds in a shuffle: the set itself, or a pointer to it in a file."""
    return len(pay) if isinstance(pay, bytes) else 24


def _payload_size(v) -> int:
    return _pay_bytes(v[2])


def _shipped_size(v) -> int:
    return _pay_bytes(v[3])


def _ship(item):
    """Join on handle: a leaf's payload goes to each of its centres, a centre's to itself.
    Handles in no pair (most of them) send nothing further."""
    handle, grouped = item
    pays, roles = grouped[PAYLOAD], grouped["roles"]
    if not pays or not roles:
        return
    targets = set(roles)
    for node, source, pay in pays:
        for t in targets:
            yield (handle, (True, node, source, pay)) if t is None else (t, (False, node, source, pay))


class _VerifyAtCentre(CountingDoFn):
    """A partition of centres: compare each centre's payload with every incoming leaf once.
    Payloads that are pointers (pipelines/payload_store.py) are read for the whole partition
    first, in one sorted pass per chunk file."""

    def __init__(self, threshold: float, verify: bool, payload_folder: str | None = None, sketches: tuple = ()):
        self.threshold = threshold
        self.verify = verify
        self.payload_folder = payload_folder
        self.sketches = sketches  # k of each earlier run's bottom-k sketches (curation/dedup/index.py)

    def process(self, item):
        self.count(STAGE, "all", "metric", RECEIVED, batch_records(item[1]))
        groups = regroup(item[1])
        files = resolve(self.payload_folder, (v[3] for vs in groups.values() for v in vs))
        for incoming in groups.values():
            yield from self._centre(incoming, files)

    def _centre(self, incoming, files: dict):
        # A list, not a dict by node: an earlier run's survivor and the documents it removed
        # (dedup.index_removed) are one node with several payloads, and each is compared.
        owns, leaves = [], []
        for own, node, source, pay in incoming:
            if not isinstance(pay, bytes):
                pay = files[pay]
            (owns if own else leaves).append((node, source, pay))
        for cnode, csrc, cpay in owns:
            a = np.frombuffer(cpay, dtype=np.uint32)
            cref, cplain, cprior = is_reference(cnode), _plain_reference(cnode), is_prior(cnode)
            best: dict = {}  # leaf node -> highest verified similarity
            for lnode, lsrc, lpay in leaves:
                lref = is_reference(lnode)
                if lnode == cnode or (cref and lref) or (not cplain and not _plain_reference(lnode) and csrc != lsrc):
                    continue
                b = np.frombuffer(lpay, dtype=np.uint32)
                if cprior or is_prior(lnode):  # an earlier run's side is its sketch
                    k = self.sketches[prior_run(cnode if cprior else lnode)]
                    j = sketch_jaccard(b, a, k) if cprior else sketch_jaccard(a, b, k)
                else:
                    j = jaccard_sorted(a, b) if self.verify else estimated_jaccard(a, b)
                self.count(STAGE, "all", "metric", "candidate_pairs")
                if j >= self.threshold and j > best.get(lnode, -1.0):
                    best[lnode] = j
            for lnode, j in best.items():
                self.count(STAGE, "all", "metric", "verified_pairs")
                yield (cnode, lnode)
                yield beam.pvalue.TaggedOutput(_SIMS, (lnode, (NEAR, j)))
                yield beam.pvalue.TaggedOutput(_SIMS, (cnode, (NEAR, j)))


class ConnectedComponents(beam.PTransform):
    """Edges -> (node, parent) for every node that is not the minimum of its neighbourhood after
    ``rounds`` alternations of large-star and small-star (curation/dedup/components.py), unrolled
    in the graph: each operation is one batched shuffle, its reducer fused with the next map.
    Returns {"parents", "counts"}; every shuffle's records are tallied (pipelines/batched.py)."""

    def __init__(self, rounds: int, label: str | None = None):
        super().__init__(label)
        self.rounds = rounds

    def expand(self, edges):
        tally = Tally(STAGE)
        e = tally.pardo(edges, "LargeStarMap0", ReduceMapPack(None, cc.both_directions, stage=STAGE))
        for r in range(self.rounds):
            nxt = cc.both_directions  # the next large-star's map, or the final grouping's
            e = tally.pardo(e | f"LargeStarGroup{r}" >> beam.GroupByKey(), f"LargeStar{r}",
                            ReduceMapPack(cc.large_star, cc.to_larger_end, stage=STAGE))
            e = tally.pardo(e | f"SmallStarGroup{r}" >> beam.GroupByKey(), f"SmallStar{r}",
                            ReduceMapPack(cc.small_star, nxt, stage=STAGE))
        decided = e | "FinalGroup" >> beam.GroupByKey() | "Decide" >> beam.ParDo(_Decide()).with_outputs(COUNTS, main="parents")
        return {"parents": decided["parents"],
                COUNTS: (*tally.counts, decided[COUNTS]) | "FlattenCounts" >> beam.Flatten()}


class _Decide(CountingDoFn):
    def process(self, item):
        self.count(STAGE, "all", "metric", RECEIVED, batch_records(item[1]))
        for node, nbrs in regroup(item[1]).items():
            parent, settled = cc.decide(node, nbrs)
            if not settled:
                self.count(STAGE, "all", "metric", "cc_unsettled")
            if parent is not None and not is_reference(node):
                yield (node, parent)


def _lineage(item, renames: dict, prior_runs: tuple = ()):
    """(node, {parent, sims}) -> (node, duplicate row); ids as renamed (``_IdGroups``). A survivor
    from an earlier run (``--against``) makes the kind exact_prior / near_prior and names that run."""
    node, grouped = item
    parents = grouped["parent"]
    if not parents:
        return
    parent = parents[0]
    sims = grouped[_SIMS]
    exact = any(k == EXACT for k, _ in sims)
    sim = 1.0 if exact else max((s for k, s in sims if k == NEAR), default=0.0)
    kept = renames.get(parent, node_id(parent))
    prior = is_prior(parent)
    yield (
        node,
        {
            "doc_id": renames.get(node, node_id(node)),
            "cluster_id": content_hash(kept),
            "kept_id": kept,
            "similarity": float(sim),
            "kind": (EXACT if exact else NEAR) + ("_prior" if prior else ""),
            "prior_run": prior_runs[prior_run(parent)] if prior else None,
        },
    )


class Decisions(beam.PTransform):
    """Exact records, payloads and id records (Featurizer outputs) -> {"rows": (node, duplicate
    row) for every removed node, "renames": (node, new id) for records whose id an earlier record
    holds, "counts"}: everything between featurising and going back to the documents."""

    def __init__(self, config: PipelineConfig, payload_folder: str | None = None, prior_runs: tuple = (),
                 label: str | None = None):
        super().__init__(label)
        self.cfg = config
        self.payload_folder = payload_folder  # where pointer payloads' files are (payload_store)
        self.prior_runs = tuple(prior_runs)  # the --against folders, as given

    def expand(self, inputs):
        keys, payload, ids = inputs
        d = self.cfg.dedup
        tally = Tally(STAGE)  # every batched shuffle here counts what it sent and received
        exact = (
            keys
            | "GroupExact" >> BatchedGroupByKey(tally=tally)
            | "ExactGroups" >> beam.ParDo(_ExactGroups()).with_outputs(_EDGES, _SIMS, main="bands")
        )
        same_id = (
            ids
            | "GroupIds" >> BatchedGroupByKey(tally=tally)
            | "IdGroups" >> beam.ParDo(_IdGroups()).with_outputs(_EDGES, _SIMS, COUNTS, main=RENAMES)
        )
        edges, sims, counts = [exact[_EDGES], same_id[_EDGES]], [exact[_SIMS], same_id[_SIMS]], [same_id[COUNTS]]
        if d.near:
            roles = exact["bands"] | "GroupBuckets" >> beam.GroupByKey() | "Buckets" >> beam.FlatMap(_roles)
            shipped = (
                {"roles": roles, PAYLOAD: payload}
                | "JoinPayloads" >> BatchedCoGroupByKey(weigh={PAYLOAD: _payload_size}, tally=tally)
                | "Ship" >> beam.FlatMap(_ship)
            )
            verified = (
                tally.pardo(shipped, "PackAtCentre", ReduceMapPack(None, as_is, weigh=_shipped_size, stage=STAGE))
                | "GroupAtCentre" >> beam.GroupByKey()
                | "Verify" >> beam.ParDo(_VerifyAtCentre(d.threshold, d.verify, self.payload_folder,
                                                            sketch_sizes(self.prior_runs))).with_outputs(
                    _SIMS, COUNTS, main=_EDGES)
            )
            edges.append(verified[_EDGES])
            sims.append(verified[_SIMS])
            counts.append(verified[COUNTS])
        all_edges = tuple(edges) | "FlattenEdges" >> beam.Flatten()
        comps = all_edges | "ConnectedComponents" >> ConnectedComponents(d.max_cc_rounds)
        counts.append(comps[COUNTS])
        all_sims = tuple(sims) | "FlattenSims" >> beam.Flatten()
        # Renames are rare (records sharing an id with a different text): a side input.
        renames = same_id[RENAMES]
        rows = ({"parent": comps["parents"], _SIMS: all_sims} | "JoinSims" >> BatchedCoGroupByKey(tally=tally)
                | "Lineage" >> beam.FlatMap(_lineage, beam.pvalue.AsDict(renames), self.prior_runs))
        return {"rows": rows, RENAMES: renames,
                COUNTS: (*counts, *tally.counts) | "FlattenCounts" >> beam.Flatten()}


def featurize_reference(reference, cfg, keys: list, payloads: list):
    ref = reference | "FeaturizeReference" >> beam.ParDo(_Featurize(cfg, True)).with_outputs(PAYLOAD, FAILED, IDS, main=KEYS)
    keys.append(ref[KEYS])
    payloads.append(ref[PAYLOAD])


def add_prior(p, against: tuple, cfg, keys: list, payloads: list):
    """The --against folders' saved indexes as always-winning nodes of their own source."""
    if against:
        from pipelines.dedup_index import ReadPriorIndex

        prior = p | "ReadPriorIndex" >> ReadPriorIndex(against, cfg, keys[0])
        keys.append(prior[KEYS])
        payloads.append(prior[PAYLOAD])


def flatten(pcolls: list, label: str):
    return pcolls[0] if len(pcolls) == 1 else tuple(pcolls) | label >> beam.Flatten()


class _Join(CountingDoFn):
    """Documents joined with the decisions on id: counts in = out + removed + failed. Several
    records may share an id: each finds its own decision by its record key (the node's), and a
    record read twice (equal in everything) is kept once, the other copy removed as exact."""

    def __init__(self, index_removed: bool = True):
        self.index_removed = index_removed

    def process(self, item):
        doc_id, grouped = item
        dups = {node_rec(node): row for node, row in grouped["dup"]}
        dups.update((rec, row) for rec, row in grouped[URL])
        renames = {node_rec(node): new for node, new in grouped[RENAMES]}
        failed = {rec: reason for _, rec, reason in grouped[FAILED]}
        index = {rec: row for _, rec, row in grouped[INDEX]}
        seen: set = set()
        for doc in grouped[DOCS]:
            rec = record_key(doc) if len(grouped[DOCS]) > 1 or dups or failed or renames else None
            self.count(STAGE, doc.source, "in")
            if rec in renames:
                doc = Document(renames[rec], doc.text, doc.source, {**doc.metadata, "original_id": doc_id})
            row = dups.get(rec)
            if row is None and rec in seen and rec not in failed:
                row = {"doc_id": doc.id, "cluster_id": content_hash(doc.id), "kept_id": doc.id,
                       "similarity": 1.0, "kind": EXACT, "prior_run": None}
            if rec is not None:
                seen.add(rec)
            if rec in failed:
                self.count(STAGE, doc.source, "failed", failed[rec])
                yield beam.pvalue.TaggedOutput(REJECTED, mark_rejected(doc, STAGE, "error", failed[rec]))
            elif row is not None:
                reason = f"{STAGE}/{row['kind']}"
                self.count(STAGE, doc.source, "removed", reason)
                lineage = {"kept_id": row["kept_id"], "cluster_id": row["cluster_id"], "similarity": row["similarity"]}
                if row.get("prior_run"):
                    lineage["prior_run"] = row["prior_run"]
                out = doc.with_metadata(dedup=lineage)
                yield beam.pvalue.TaggedOutput(REJECTED, mark_rejected(out, STAGE, row["kind"], reason))
                yield beam.pvalue.TaggedOutput(DUPLICATES, row)
                if self.index_removed and indexed_removal(row) and rec in index:
                    yield beam.pvalue.TaggedOutput(INDEX, removed_index_row(doc.id, index[rec], row["kept_id"]))
            else:
                self.count(STAGE, doc.source, "out")
                yield doc
                if index:
                    row = index[rec if rec is not None else next(iter(index))]
                    yield beam.pvalue.TaggedOutput(INDEX, {"id": doc.id, **row})


# Removals whose documents the index keeps (dedup.index_removed): their hashes are this run's.
# A prior duplicate's survivor is in the earlier index; a URL capture was never featurised.
REMOVED_IN_INDEX = (EXACT, NEAR)


def indexed_removal(row: dict) -> bool:
    """A removal whose document goes to the index: not a prior or URL duplicate, and not a copy
    of one record under its own id (the survivor's row already has its text)."""
    return row["kind"] in REMOVED_IN_INDEX and row["kept_id"] != row["doc_id"]


def removed_index_row(doc_id: str, row: dict, kept_id: str) -> dict:
    """A removed document's index row: its own hashes, named by its survivor (a later --against
    run treats it as that survivor, as a run over both would through the cluster)."""
    return {"id": doc_id, **row, "url": None, "crawl_date": None, "kept_id": kept_id}


def _doc_size(doc) -> int:
    return len(doc.text)


class Dedup(beam.PTransform):
    """Exact + near dedup within each source of a PCollection of documents. Returns {"docs",
    "rejected", "counts", "duplicates"}; duplicates are dicts {doc_id, cluster_id, kept_id,
    similarity, kind}. Documents meet their decisions in one batched join on id."""

    def __init__(self, config: PipelineConfig, reference=None, against: tuple = (), label: str | None = None):
        super().__init__(label)
        self.cfg = config
        self.reference = reference
        self.against = tuple(against)  # earlier outputs whose dedup-index/ this run's documents meet

    def expand(self, docs):
        side = []
        tally = Tally(STAGE)
        if self.cfg.dedup.url.enabled:
            # Decided before featurising; only removed captures (a share of the crawl) are a side input.
            url_rows = (docs | "UrlKeys" >> beam.FlatMap(_url_record)
                        | "UrlDecisions" >> UrlDecisions(self.cfg, self.against, tally))
            side = [beam.pvalue.AsDict(url_rows)]
        feats = docs | "Featurize" >> beam.ParDo(_Featurize(self.cfg, False), *side).with_outputs(
            PAYLOAD, FAILED, IDS, INDEX, URL, main=KEYS)
        keys, payloads = [feats[KEYS]], [feats[PAYLOAD]]
        if self.reference is not None:
            featurize_reference(self.reference, self.cfg, keys, payloads)
        add_prior(docs.pipeline, self.against, self.cfg, keys, payloads)
        dec = ((flatten(keys, "FlattenKeys"), flatten(payloads, "FlattenPayloads"), feats[IDS])
               | "Decisions" >> Decisions(self.cfg, prior_runs=self.against))
        joined = (
            {
                DOCS: docs | "ById" >> beam.Map(lambda doc: (doc.id, doc)),
                "dup": dec["rows"] | "RowsById" >> beam.Map(lambda kv: (node_id(kv[0]), kv)),
                RENAMES: dec[RENAMES] | "RenamesById" >> beam.Map(lambda kv: (node_id(kv[0]), kv)),
                FAILED: feats[FAILED],
                INDEX: feats[INDEX],
                URL: feats[URL],
            }
            | "JoinDocs" >> BatchedCoGroupByKey(weigh={DOCS: _doc_size}, tally=tally)
            | "Decide" >> beam.ParDo(_Join(self.cfg.dedup.index_removed)).with_outputs(REJECTED, COUNTS, DUPLICATES, INDEX, main=DOCS)
        )
        out = {
            DOCS: joined[DOCS],
            REJECTED: joined[REJECTED],
            COUNTS: (dec[COUNTS], joined[COUNTS], *tally.counts) | "FlattenCounts" >> beam.Flatten(),
            DUPLICATES: joined[DUPLICATES],
        }
        if self.cfg.dedup.index:
            out[INDEX] = joined[INDEX]
        return out
