"""What dedup knows of one document, without Beam: its exact record, its LSH band records and
its payload (the shingle-hash set that verification compares, or the MinHash signature).

Both dedup graphs (pipelines/dedup.py for a PCollection of documents, pipelines/dedup_files.py
for `curate dedup`'s files) featurise with ``Featurizer`` and pack band records as ``REC``.
"""

from __future__ import annotations

import json
import logging

import numpy as np
import xxhash

from curation.config import PipelineConfig
from curation.dedup.batch_features import precompute
from curation.dedup.keep import node_key
from curation.dedup.minhash import Signer, band_hashes, lsh_params
from curation.dedup.normalize import shingle_hashes
from curation.dedup.url import normalize_url
from curation.document import Document

log = logging.getLogger("curate")

STAGE = "dedup"
# Tags of a Featurizer's outputs: the exact record, the payload, a document that failed, and the
# id record (id -> node, source, exact key) that finds input records sharing one id.
KEYS = "keys"
PAYLOAD = "payload"
FAILED = "failed"
IDS = "ids"
INDEX = "index"  # id -> (loc, rec, dedup-index row without the id): what a later --against run reads

# Source code of a reference band record: it joins every source's group in a bucket.
REF_CODE = 0
# A packed LSH band record: band hash (seeded by band index), handle, source code.
REC = np.dtype([("h", "<u8"), ("n", "<u8"), ("s", "<u4")])


def source_code(source: str) -> int:
    """32-bit code of a source label, never the reference code. Two labels sharing a code would
    only share LSH buckets: verification checks the real labels before comparing."""
    return xxhash.xxh32_intdigest(source.encode("utf-8", "surrogatepass")) | 1


def handle_of(doc_id: str, loc: int, reference: bool = False, rec: int = 0) -> int:
    """The 64-bit stand-in for a node in band records and payload joins (a hash of id, record,
    location and role). Two nodes with one handle are both verified against every leaf at their
    centre, so a collision costs comparisons, not correctness (docs/dedup.md)."""
    tail = rec.to_bytes(8, "little") + (b"\x00ref" if reference else b"")
    return xxhash.xxh3_64_intdigest(doc_id.encode("utf-8", "surrogatepass") + b"\x00" + tail, seed=loc & 0xFFFFFFFFFFFFFFFF)


def record_key(doc: Document) -> int:
    """What tells apart two input records that carry one id in a PCollection, where no position
    is known: a hash of text, source and metadata (lineage: input file, offset). Records equal
    in all of these are the same record read twice, and the join keeps one of them."""
    meta = json.dumps(doc.metadata, sort_keys=True, ensure_ascii=False, default=str)
    data = "\x00".join((doc.text, doc.source, meta)).encode("utf-8", "surrogatepass")
    return xxhash.xxh3_64_intdigest(data) >> 1  # 63 bits: fits Beam's varint int coder


def node_loc(node) -> int:
    return node[4]


def node_rec(node) -> int:
    return node[5]


class Featurizer:
    """Document -> exact record, payload, or a failure reason (shared by both dedup variants).

    The payload is the sorted uint32 shingle-hash set (verify on) or the MinHash signature
    (verify off: the estimate is checked against the threshold instead)."""

    def __init__(self, cfg: PipelineConfig, reference: bool):
        self.d = cfg.dedup
        self.reference = reference
        self.bands, self.rows = lsh_params(self.d.threshold, self.d.num_perm, self.d.lsh_min_recall)
        # Made here, where the pipeline is built: it carries its permutations to the workers.
        self.signer = Signer(self.d.num_perm, self.d.seed) if self.d.near else None

    def batch(self, docs: list[Document], locs: list[int], recs: list[int] | None = None):
        """The outputs of ``self(doc, loc, rec)`` for each document in order, hashed together
        (curation/dedup/batch_features.py: bit-identical, a fraction of the numpy calls)."""
        recs = recs if recs is not None else [0] * len(docs)
        for doc, loc, rec, pre in zip(docs, locs, recs, precompute(docs, self.d, self.signer)):
            yield from self(doc, loc, rec, pre)

    def __call__(self, doc: Document, loc: int, rec: int = 0, pre=None):
        """Yields (tag, key, value) with tag KEYS, PAYLOAD, IDS or FAILED. ``loc`` and ``rec``
        place the record (chunk and row, or 0 and ``record_key``): with them two records that
        share an id are two nodes. ``pre``: the document's (shingles, exact key, signature) from
        ``precompute``, or None to compute them here."""
        node = node_key(doc, self.d.source_priority, self.reference) + (loc, rec)
        handle = handle_of(doc.id, loc, self.reference, rec)
        try:
            lang = doc.metadata.get("lang") if isinstance(doc.metadata.get("lang"), str) else None
            if pre is None:
                shingles, _, ekey = shingle_hashes(doc.text, self.d.ngram, self.d.char_ngram, lang)
            else:
                shingles, ekey, sig = pre
            bands = b""
            payload = None
            if self.d.near and len(shingles):
                sig = self.signer.signature(shingles) if pre is None else sig
                bands = band_hashes(sig, self.bands, self.rows).tobytes()
                payload = (shingles if self.d.verify else sig).tobytes()
        except Exception as e:  # one bad record must not kill the run: counted, logged in one line
            if self.reference:
                log.warning("dedup: reference document %s skipped: %s", doc.id, e)
                return
            log.warning("dedup: %s on document %s: %s", type(e).__name__, doc.id, str(e)[:200])
            yield FAILED, doc.id, (loc, rec, f"{STAGE}/error_{type(e).__name__}")
            return
        if payload is not None:
            yield PAYLOAD, handle, (node, doc.source, payload)
        # Without exact dedup every document is its own exact group.
        key = ekey if self.d.exact else handle.to_bytes(8, "big") + (b"r" if self.reference else b"")
        yield KEYS, key, (node, doc.source, handle, bands)
        if not self.reference:
            yield IDS, doc.id, (node, doc.source, ekey)
            if self.d.index:
                meta = doc.metadata
                yield INDEX, doc.id, (loc, rec, {
                    "source": doc.source, "exact": ekey, "bands": bands,
                    "sketch": shingles[:self.d.index_sketch].astype("<u4").tobytes(),
                    "url": normalize_url(meta["url"]) if isinstance(meta.get("url"), str) else None,
                    "crawl_date": meta.get("crawl_date") if isinstance(meta.get("crawl_date"), str) else None,
                    "kept_id": None})
