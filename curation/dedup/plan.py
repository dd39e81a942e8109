"""`curate plan`: bytes each dedup stage moves and holds, before anything runs.

A model, not a measurement: every figure is a formula of N (documents), the mean document size,
the config (permutations, bands, verification) and a few corpus constants that can be overridden
(bytes per word, id length, the share of documents in a candidate pair). docs/dedup.md derives
each line; bench/dedup.py measures peak RSS next to the prediction.

Terms: *shuffle* is what crosses a GroupByKey (serialised); *worker* is the most one worker holds
at once for that stage (the largest group); *runner* is what an in-process runner (Beam's
DirectRunner) holds when it materialises the stage (shuffle x Python object overhead).
"""

from __future__ import annotations

from dataclasses import dataclass

from curation.config import DedupConfig
from curation.dedup.minhash import LSH_PARTITIONS, lsh_params

# Partitions of every batched shuffle (pipelines/batched.py takes it from here, so the plan's
# sizes and the shuffles that run cannot drift apart).
PARTITIONS = 1024

# Every shuffle crosses as batches (pipelines/batched.py), so the DirectRunner holds encoded
# bytes, not one Python object per record; but while a stage runs it holds that input about
# three times (its grouped buffer, the bundle's joined input, the decoded records), measured on
# the bench corpus when shingle sets still crossed the shuffle: the payload join of 100k
# documents took RSS from 0.9 to 1.7 GB (docs/bench-dedup.md).
PY_OVERHEAD = 3.0


@dataclass(frozen=True)
class Corpus:
    docs: int
    mean_bytes: int
    bytes_per_word: float = 6.0  # English web text; CJK with character shingles ~3
    id_bytes: int = 40
    metadata_bytes: int = 200
    candidate_share: float = 0.3  # documents that land in at least one candidate pair
    duplicate_share: float = 0.2  # documents removed (edges ~ one per removed document)
    largest_group: int = 10_000  # most members of one exact group or LSH bucket (boilerplate)
    max_doc_bytes: int = 100_000_000
    url_bytes: int = 80
    url_share: float = 1.0  # documents with a URL (web); URL dedup groups these
    url_dup_share: float = 0.05  # documents removed as other captures of one URL
    against_docs: int = 0  # documents in the --against indexes
    paragraphs_per_doc: float = 8.0  # lines of at least dedup.paragraphs.min_chars per document


@dataclass(frozen=True)
class StageEstimate:
    stage: str
    shuffle_bytes: float
    worker_bytes: float
    note: str
    at_once: float = 0.0  # the part of shuffle_bytes one stage holds (one components round); 0: all

    def runner_bytes(self) -> float:
        return (self.at_once or self.shuffle_bytes) * PY_OVERHEAD


def estimate(c: Corpus, d: DedupConfig) -> list[StageEstimate]:
    bands, rows = lsh_params(d.threshold, d.num_perm, d.lsh_min_recall)
    node = c.id_bytes + 4 * 9 + 8  # (rank, flags, -words, id, location) + framing
    shingles = max(1.0, c.mean_bytes / c.bytes_per_word)
    n = c.docs
    P = PARTITIONS  # every shuffle is batched per partition: a worker regroups one partition
    unique = n * (1 - c.duplicate_share / 2)  # exact duplicates do not reach LSH (about half of removals)
    edges = n * c.duplicate_share
    payload = 4 * shingles if d.verify else 4 * d.num_perm
    # Featurize: one document, its shingle arrays and at most 16,384 x num_perm uint64 permutation products.
    sig_work = 16_384 * d.num_perm * 8
    biggest = c.max_doc_bytes * 4 + (c.max_doc_bytes / c.bytes_per_word) * 8 * 3  # UTF-32 copy + hash arrays
    out = [
        StageEstimate("featurize", 0.0, min(biggest, 64 * c.mean_bytes + sig_work) + sig_work,
                      f"{bands} bands x {rows} rows; largest document {c.max_doc_bytes / 1e6:.0f} MB needs {biggest / 1e9:.1f} GB"),
        StageEstimate("exact_group", n * (16 + node + 8 + 8 + bands * 8),
                      max(c.largest_group * (node + bands * 8), n / P * (16 + node + 8 + 8 + bands * 8)),
                      "key: 128-bit hash of normalised text; value: node, handle, band hashes"),
        # Packed band records (band hash 8 B, handle 8 B, source code 4 B) per partition of the
        # band-hash space; a worker holds one partition (or one boilerplate bucket).
        StageEstimate("lsh_buckets", unique * bands * 20,
                      max(c.largest_group * 20, unique * bands / LSH_PARTITIONS * 20),
                      f"{LSH_PARTITIONS} partitions of packed (band hash, handle, source) records"),
        _verify(c, d, n, node, payload, P),
        StageEstimate("components", d.max_cc_rounds * 2 * 2 * edges * 2 * node, max(c.largest_group * node, 2 * edges / P * 2 * node),
                      f"{d.max_cc_rounds} rounds x 2 shuffles of the edge list; in-process: one shuffle at a time",
                      at_once=2 * edges * 2 * node),
        StageEstimate("join_chunks", edges * (150 + node), 0.0,
                      "curate dedup: decisions grouped by input chunk, which is re-read; no text shuffled"),
        StageEstimate("join_documents", n * (c.mean_bytes + c.metadata_bytes + c.id_bytes * 2) + edges * 150,
                      c.max_doc_bytes * 2, "build-shards only: documents joined with decisions on id (text moves)"),
        StageEstimate("id_groups", n * (c.id_bytes + node + 16 + 8), max(c.largest_group * node, n / P * (c.id_bytes + node + 24)),
                      "records grouped by input id: equal ids made unique (read duplicate_id) or removed as exact"),
    ]
    if d.url.enabled:
        out.append(StageEstimate(
            "url_groups", n * c.url_share * (c.url_bytes + c.id_bytes * 2 + 40), n * c.url_dup_share * (c.id_bytes + 150) * PY_OVERHEAD,
            f"captures grouped by normalised URL (curate dedup reads the input once more for it); the "
            f"{c.url_dup_share:.0%} removed are a side input held by every featurising worker (per worker)"))
    if d.paragraphs.enabled:
        rec = 16 + 8 + node
        out.append(StageEstimate(
            "paragraphs", n * c.paragraphs_per_doc * rec + n * (c.mean_bytes + c.metadata_bytes + c.id_bytes * 2),
            max(c.largest_group * rec, n * c.paragraphs_per_doc / P * rec) + c.max_doc_bytes * 2,
            f"build-shards: (source, paragraph hash) -> keep key, {c.paragraphs_per_doc:g} per document, batched per "
            "partition (no Bloom filter: exact, no false positives); then the documents joined with their removals on id"))
    if c.against_docs:
        m = c.against_docs
        out.append(StageEstimate(
            "against_index", m * (16 + node + 8 + bands * 8) + m * (1 - c.duplicate_share / 2) * bands * 20 + m * (node + 4 * d.index_sketch),
            index_row_bytes(c, d) * 2, f"{m:,} earlier documents: their index rows join the exact groups, LSH buckets and "
            "payload join (no text read); per worker: one row group"))
    return out


def index_row_bytes(c: Corpus, d: DedupConfig) -> float:
    """One DIR/dedup-index/ row: id, source, exact key, band hashes, sketch, URL (Parquet, hashes
    do not compress)."""
    bands, _ = lsh_params(d.threshold, d.num_perm, d.lsh_min_recall)
    shingles = max(1.0, c.mean_bytes / c.bytes_per_word)
    return c.id_bytes + 8 + 16 + 8 * bands + 4 * min(d.index_sketch, shingles) + c.url_bytes * c.url_share + 24


def index_disk_bytes(c: Corpus, d: DedupConfig) -> float:
    # With dedup.index_removed the removed (exact, near) documents have rows too, without a URL.
    kept = c.docs * (1 - c.duplicate_share) * index_row_bytes(c, d)
    removed = c.docs * c.duplicate_share * (index_row_bytes(c, d) - c.url_bytes * c.url_share + c.id_bytes) if d.index_removed else 0.0
    return kept + removed if d.index else 0.0


def _verify(c: Corpus, d: DedupConfig, n: int, node: float, payload: float, P: int) -> StageEstimate:
    what = "shingle sets (4 B each)" if d.verify else "signatures"
    held = max(c.largest_group * (node + payload), 2 * c.candidate_share * n / P * (node + payload + 8))
    if d.payloads == "files":
        # curate dedup: sets wait in payload files (pipelines/payload_store.py); pointers travel.
        ptr = node + 24 + 8
        return StageEstimate("verify", n * ptr + 2 * c.candidate_share * n * ptr, held,
                             f"pointers to {what} in payload files ({human(payload_disk_bytes(c, d))} on disk); "
                             "build-shards sends the sets themselves")
    return StageEstimate("verify", n * (node + payload + 8) + 2 * c.candidate_share * n * (node + payload + 8), held,
                         f"{what}: every document once, candidates twice")


def payload_disk_bytes(c: Corpus, d: DedupConfig) -> float:
    """The payload files of ``dedup.payloads: files`` (removed when the run ends)."""
    per = 4 * max(1.0, c.mean_bytes / c.bytes_per_word) if d.verify else 4 * d.num_perm
    return c.docs * per if d.payloads == "files" and d.near else 0.0


def output_disk_bytes(c: Corpus, compression: float = 0.45) -> float:
    """documents/ (kept, Parquet) + duplicates/ rows."""
    return c.docs * (1 - c.duplicate_share) * (c.mean_bytes + c.metadata_bytes) * compression + c.docs * c.duplicate_share * 120


def human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if abs(n) < 1000 or unit == "PB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} PB"


def format_plan(c: Corpus, d: DedupConfig) -> str:
    rows = estimate(c, d)
    lines = [
        f"dedup plan for {c.docs:,} documents of {human(c.mean_bytes)} (threshold {d.threshold}, {d.num_perm} permutations, "
        f"verify {'shingle sets' if d.verify else 'signature estimate'})",
        f"{'stage':<16}{'shuffle':>12}{'per worker':>12}{'in-process':>12}  note",
    ]
    for r in rows:
        lines.append(f"{r.stage:<16}{human(r.shuffle_bytes):>12}{human(r.worker_bytes):>12}{human(r.runner_bytes()):>12}  {r.note}")
    total = sum(r.shuffle_bytes for r in rows if r.stage != "join_documents")
    lines.append(f"{'total shuffle':<16}{human(total):>12}  curate dedup (build-shards adds join_documents)")
    lines.append(f"{'output disk':<16}{human(output_disk_bytes(c)):>12}  documents/ + duplicates/ (Parquet)")
    if d.index:
        shingles = max(1.0, c.mean_bytes / c.bytes_per_word)
        error = "exact against a mean document" if shingles < d.index_sketch else \
            f"Jaccard error about {(0.8 * 0.2 / d.index_sketch) ** 0.5:.3f} at J=0.8 against it"
        rows = "kept and removed documents" if d.index_removed else "kept documents"
        lines.append(f"{'index disk':<16}{human(index_disk_bytes(c, d)):>12}  dedup-index/ ({human(index_row_bytes(c, d))} per row, "
                     f"rows for {rows}, {human(index_disk_bytes(c, d) / c.docs * 1e6)} per million input documents; "
                     f"bottom-{d.index_sketch} sketch: {error})")
    if payload_disk_bytes(c, d):
        lines.append(f"{'scratch disk':<16}{human(payload_disk_bytes(c, d)):>12}  payload files under the output while the run lasts")
    lines.append("in-process: what Beam's DirectRunner holds while it materialises that stage; "
                 "a distributed runner spills shuffles to disk and each worker holds 'per worker'.")
    return "\n".join(lines)
