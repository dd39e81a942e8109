"""URL dedup on Beam (``dedup.url``): one capture per normalised URL, decided before featurising.

    url records ((source, normalised URL) -> capture rank, id, record)
        [+ --against: the earlier indexes' URLs that a Bloom filter of the new URLs lets through]
        --group by URL--> every capture but the survivor -> ((id, record), lineage row)

The survivor is the newest capture (curation/dedup/url.py); a URL the earlier output already
kept (its dedup-index/ row carries the normalised URL) is a capture that always wins, like every
earlier document: each new capture of it is removed as ``dedup/url_prior`` with kept_id the
earlier id and prior_run its folder. Both dedup graphs (a PCollection in build-shards, files in
``curate dedup``) call ``UrlDecisions`` with their own record keys, so they decide alike.
"""

from __future__ import annotations

import apache_beam as beam
import numpy as np
import pyarrow.parquet as pq
import xxhash

from curation import fs
from curation.config import PipelineConfig
from curation.dedup.url import capture_rank, normalize_url
from curation.document import Document, content_hash
from pipelines.batched import BatchedGroupByKey, Tally
from pipelines.dedup_index import KeyBloom, may_match, prior_parts

URL = "url"
URL_PRIOR = "url_prior"
_NEW = 1  # first element of a new capture's sort key; an earlier run's capture sorts first (0)


def url_record(doc: Document, rec):
    """A document with a URL -> [((source, normalised URL), group member)]; [] without one.
    ``rec`` tells apart records sharing an id (the graph's own record key)."""
    url = doc.metadata.get("url")
    key = normalize_url(url) if isinstance(url, str) and url else None
    if key is None:
        return []
    date = doc.metadata.get("crawl_date")
    rank = capture_rank(date if isinstance(date, str) else "", len(doc.text), doc.id, rec)
    return [((doc.source, key), ((_NEW, *rank), doc.id, rec))]


def url_key(source: str, url: str) -> bytes:
    """A URL's Bloom filter key: 64 bits of (source, normalised URL)."""
    return xxhash.xxh3_64_digest(f"{source}\x00{url}".encode("utf-8", "surrogatepass"))


def _groups(item, prior_runs: tuple):
    """Captures of one URL -> ((id, record), lineage row) for every new capture but the survivor."""
    _, members = item
    if len(members) < 2:
        return
    members.sort(key=lambda m: (m[0], m[1]))
    order, kept, _ = members[0]
    prior = order[0] != _NEW
    for m_order, doc_id, rec in members[1:]:
        if m_order[0] != _NEW:
            continue  # an earlier run's capture is never removed
        yield (doc_id, rec), {"doc_id": doc_id, "cluster_id": content_hash(kept), "kept_id": kept, "similarity": 1.0,
                              "kind": URL_PRIOR if prior else URL, "prior_run": prior_runs[order[1]] if prior else None}


class _PriorUrls(beam.DoFn):
    """One earlier index part -> its URL rows whose (source, URL) may be a new capture's."""

    def process(self, item, bloom):
        run, path = item
        if bloom is None:
            return
        bits = np.frombuffer(bloom, dtype=np.uint8)
        with fs.open_read(path) as f:
            table = pq.read_table(f, columns=["id", "source", "url"])  # a removed document's url is null
        for doc_id, source, url in zip(*(table.column(c).to_pylist() for c in ("id", "source", "url"))):
            if url and may_match(bits, np.frombuffer(url_key(source, url), dtype="<u8")):
                yield (source, url), ((0, run), doc_id, None)


class UrlDecisions(beam.PTransform):
    """URL records ((source, normalised URL), ``new_member(...)``) -> ((id, record), lineage row)
    for every removed capture; with ``against``, the earlier outputs' URLs take part. ``tally``:
    the stage's shuffle counts (pipelines/batched.py)."""

    def __init__(self, cfg: PipelineConfig, against: tuple = (), tally: Tally | None = None, label: str | None = None):
        super().__init__(label)
        self.cfg = cfg
        self.against = tuple(against)
        self.tally = tally

    def expand(self, records):
        if self.against:
            bloom = (records | "NewUrlKeys" >> beam.Map(lambda kv: url_key(*kv[0]))
                     | "NewUrlFilter" >> beam.CombineGlobally(KeyBloom()))
            prior = (records.pipeline | "PriorUrlParts" >> beam.Create(prior_parts(self.against, self.cfg))
                     | "SpreadPriorUrlParts" >> beam.Reshuffle()
                     | "PriorUrls" >> beam.ParDo(_PriorUrls(), beam.pvalue.AsSingleton(bloom)))
            records = (records, prior) | "WithPriorUrls" >> beam.Flatten()
        return (records | "GroupUrls" >> BatchedGroupByKey(tally=self.tally)
                | "UrlGroups" >> beam.FlatMap(_groups, self.against))
