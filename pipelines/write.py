"""The end of build-shards: TrainTokenizer | Tokenize | WriteShards | WriteManifest.

Format and guarantees: docs/format.md. The plain-Python halves live in curation/tokenizer.py
(training, encoding) and curation/shards.py (placement, Parquet writing, manifest); this module
only adds the Beam plumbing. Nothing is written while the graph is built: every file is written
by a DoFn, under a temporary name, then renamed; manifest.json comes last.
"""

from __future__ import annotations

import json

import logging
import os
import shutil
import tempfile

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.pvalue import AsList, AsSingleton

from curation import shards as sh
from curation.config import PipelineConfig, to_dict
from curation.document import Document, id_hash64
from curation.errors import ConfigError
from curation.tokenizer import KIND_HF, KIND_SENTENCEPIECE, Tokenizer, train_sentencepiece
from pipelines.fsutil import write_bytes_atomic
from pipelines.transforms import COUNTS, DOCS, REJECTED, CountingDoFn, mark_rejected

log = logging.getLogger("curate")

STAGE = "tokenize"


# ---------------------------------------------------------------- tokenizer info
def tokenizer_info(tok: Tokenizer, output_dir: str) -> dict:
    """The side input that carries a tokenizer: manifest fields plus the model bytes, so any
    worker can load it without reading the output folder."""
    info = tok.info()
    info["path"] = f"{output_dir}/{info['file']}"
    info["model"] = tok.model
    return info


def load_tokenizer(info: dict) -> Tokenizer:
    return Tokenizer(info["model"], info["kind"])


def _save_tokenizer(tok: Tokenizer, output_dir: str) -> None:
    write_bytes_atomic(f"{output_dir}/tokenizer/{tok.file_name}", tok.model)
    if tok.kind == KIND_SENTENCEPIECE:
        write_bytes_atomic(f"{output_dir}/tokenizer/tokenizer.vocab", tok.vocab_text().encode("utf-8"))


def sample_hash(doc_id: str, seed: int) -> int:
    """Order of the training sample: smallest first. Seed 0 is the shard hash itself."""
    return id_hash64(doc_id if seed == 0 else f"{seed}/{doc_id}")


# ---------------------------------------------------------------- TrainTokenizer
class _SmallestHashes(beam.CombineFn):
    """Hash threshold of the sample: take documents in ascending hash order while their text
    fits in ``budget`` bytes (at least one). An accumulator is a list of (hash, bytes) pairs
    trimmed to the budget whenever it doubles, so no worker ever holds all ids."""

    def __init__(self, budget: int):
        self.budget = budget

    def _trim(self, items: list) -> list:
        items.sort()
        total = 0
        for i, (_, n) in enumerate(items):
            total += n
            if total > self.budget and i > 0:
                return items[:i]
        return items

    def create_accumulator(self):
        return [[], 4096]  # items, length at which to trim next

    def add_input(self, acc, item):
        acc[0].append(item)
        if len(acc[0]) >= acc[1]:
            acc[0] = self._trim(acc[0])
            acc[1] = max(4096, 2 * len(acc[0]))
        return acc

    def merge_accumulators(self, accs):
        items = self._trim([x for a in accs for x in a[0]])
        return [items, max(4096, 2 * len(items))]

    def extract_output(self, acc):
        items = self._trim(acc[0])
        return items[-1][0] if items else -1


def _hash_and_size(doc: Document, seed: int):
    return sample_hash(doc.id, seed), len(doc.text.encode("utf-8", "surrogatepass"))


def _in_sample(doc: Document, threshold: int, seed: int):
    h = sample_hash(doc.id, seed)
    if h <= threshold:
        yield h, doc.id, doc.text


class _TrainDoFn(beam.DoFn):
    def __init__(self, config: PipelineConfig, output_dir: str):
        self.config = config
        self.output_dir = output_dir

    def process(self, sample: list):
        if not sample:
            raise ConfigError("no documents left to train the tokenizer on (every document was removed)")
        sample = sorted(sample)  # Beam gives no order; training input must be the same every run
        cfg = self.config
        symbols = cfg.pii.placeholders()  # each placeholder one token: never split, easy to mask
        model = train_sentencepiece((text for _, _, text in sample), cfg.tokenizer, symbols)
        tok = Tokenizer(model, KIND_SENTENCEPIECE)
        _save_tokenizer(tok, self.output_dir)
        log.info("tokenizer: trained vocab %d on %d documents (%d bytes)", tok.vocab_size, len(sample),
                 sum(len(t.encode("utf-8", "surrogatepass")) for _, _, t in sample))
        yield tokenizer_info(tok, self.output_dir)


class _ReuseDoFn(beam.DoFn):
    def __init__(self, model_path: str, output_dir: str):
        self.model_path = model_path
        self.output_dir = output_dir

    def process(self, _):
        with FileSystems.open(self.model_path) as f:
            data = f.read()
        tok = Tokenizer(data, KIND_HF if self.model_path.endswith(".json") else KIND_SENTENCEPIECE)
        _save_tokenizer(tok, self.output_dir)
        yield tokenizer_info(tok, self.output_dir)


class TrainTokenizer(beam.PTransform):
    """Documents -> a singleton PCollection holding the tokenizer info (a side input).

    Trains sentencepiece on the documents of smallest id hash up to tokenizer.sample_bytes, or
    reuses tokenizer.model_path; either way the model is written to DIR/tokenizer/.
    """

    def __init__(self, config: PipelineConfig, output_dir: str, label: str | None = None):
        super().__init__(label)
        self.config = config
        self.output_dir = output_dir.rstrip("/")
        path = config.tokenizer.model_path
        if path and FileSystems.get_scheme(path) in (None, "file"):
            Tokenizer.from_file(path)  # a missing or broken model fails now, not after the pipeline ran

    def expand(self, docs):
        cfg = self.config.tokenizer
        if cfg.model_path:
            return (
                docs.pipeline
                | "Impulse" >> beam.Create([None])
                | "Reuse" >> beam.ParDo(_ReuseDoFn(cfg.model_path, self.output_dir))
            )
        threshold = (
            docs
            | "HashAndSize" >> beam.Map(_hash_and_size, cfg.seed)
            | "Threshold" >> beam.CombineGlobally(_SmallestHashes(cfg.sample_bytes))
        )
        return (
            docs
            | "Sample" >> beam.FlatMap(_in_sample, AsSingleton(threshold), cfg.seed)
            | "Collect" >> beam.combiners.ToList()
            | "Train" >> beam.ParDo(_TrainDoFn(self.config, self.output_dir))
        )


# ---------------------------------------------------------------- Tokenize
class _TokenizeDoFn(CountingDoFn):
    def __init__(self):
        self._tok = None

    def process(self, doc: Document, info: dict):
        # setup() cannot read side inputs: load on the first element (and again only if the
        # side input changes, which it does not within a run).
        if self._tok is None or self._tok.sha256 != info["sha256"]:
            self._tok = load_tokenizer(info)
        self.count(STAGE, doc.source, "in")
        self.count(STAGE, doc.source, "metric", "bytes_in", len(doc.text.encode("utf-8", "surrogatepass")))
        try:
            ids = self._tok.encode_document(doc.text)
        except Exception as e:  # one bad text (e.g. lone surrogates) is a counted failure
            reason = f"{STAGE}/error_{type(e).__name__}"
            log.warning("%s: %s on document %s: %s", STAGE, type(e).__name__, doc.id, str(e)[:200])
            self.count(STAGE, doc.source, "failed", reason)
            yield beam.pvalue.TaggedOutput(REJECTED, mark_rejected(doc, STAGE, "error", reason))
            return
        if len(ids) <= 2:  # BOS and EOS only: nothing to learn from
            self.count(STAGE, doc.source, "removed", f"{STAGE}/empty")
            yield beam.pvalue.TaggedOutput(REJECTED, mark_rejected(doc, STAGE, "empty", f"{STAGE}/empty"))
            return
        self.count(STAGE, doc.source, "out")
        self.count(STAGE, doc.source, "metric", "tokens", len(ids))
        meta = doc.metadata
        yield (doc.id, doc.source, str(meta.get("lang") or ""), str(meta.get("url") or ""), ids, len(ids))


class Tokenize(beam.PTransform):
    """Documents -> (doc_id, source, lang, url, ids, n_tokens) rows, BOS first and EOS last.

    Stage "tokenize": in = out + removed (tokenize/empty) + failed; metric "tokens".
    """

    def __init__(self, config: PipelineConfig, tokenizer_info, label: str | None = None):
        super().__init__(label)
        self.config = config
        self.tokenizer_info = tokenizer_info

    def expand(self, docs):
        res = docs | "Encode" >> beam.ParDo(_TokenizeDoFn(), AsSingleton(self.tokenizer_info)).with_outputs(
            REJECTED, COUNTS, main=DOCS
        )
        return {DOCS: res[DOCS], REJECTED: res[REJECTED], COUNTS: res[COUNTS]}


# ---------------------------------------------------------------- WriteShards
class _SumSplitTokens(beam.CombineFn):
    def create_accumulator(self):
        return {"train": 0, "val": 0}

    def add_input(self, acc, item):
        acc[item[0]] += item[1]
        return acc

    def merge_accumulators(self, accs):
        out = self.create_accumulator()
        for a in accs:
            for k in out:
                out[k] += a[k]
        return out

    def extract_output(self, acc):
        return acc


def _key_by_hash(row):
    return id_hash64(row[sh.DOC_ID]), row


def _split_tokens(item, val_fraction: float):
    h, row = item
    return sh.split_of(h, val_fraction), row[sh.N_TOKENS]


def _place(item, totals: dict, val_fraction: float, target_tokens: int):
    h, row = item
    split = sh.split_of(h, val_fraction)
    n = sh.shard_count(totals[split], target_tokens)
    return (split, sh.shard_index(h, split, n, val_fraction)), (h, row)


def _output_is_local(path: str) -> bool:
    return FileSystems.get_scheme(path) in (None, "file")


class _WriteShardDoFn(beam.DoFn):
    def __init__(self, config: PipelineConfig, output_dir: str):
        self.config = config
        self.output_dir = output_dir

    def process(self, element, present: list, info: dict):
        (split, index), items = element
        # Slices that received no document are skipped, so names stay contiguous per split.
        ordinal = sorted(k[1] for k in present if k[0] == split).index(index)
        rel = sh.shard_path(split, ordinal)
        rows = [row for _, row in sorted(items, key=lambda x: (x[0], x[1][sh.DOC_ID], x[1][sh.N_TOKENS]))]
        mask_ids = None
        if self.config.shards.loss_mask:
            tok = load_tokenizer(info)
            mask_ids = [i for i in (tok.piece_id(p) for p in self.config.shards.mask_pieces) if i is not None]
        opts = dict(dtype=info["dtype"], row_group_tokens=self.config.shards.row_group_tokens,
                    compression=self.config.shards.compression, mask_ids=mask_ids)
        dest = f"{self.output_dir}/{rel}"
        head, _, name = dest.rpartition("/")
        tmp = f"{head}/.{name}.tmp"
        if _output_is_local(dest):
            os.makedirs(head, exist_ok=True)
            counts = sh.write_shard(rows, tmp, **opts)
            digest, size = sh.sha256_file(tmp), os.path.getsize(tmp)
            os.replace(tmp, dest)
        else:
            with tempfile.TemporaryDirectory() as td:
                local = os.path.join(td, name)
                counts = sh.write_shard(rows, local, **opts)
                digest, size = sh.sha256_file(local), os.path.getsize(local)
                with open(local, "rb") as src, FileSystems.create(tmp) as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            if FileSystems.exists(dest):
                FileSystems.delete([dest])
            FileSystems.rename([tmp], [dest])
        yield {"path": rel, "sha256": digest, "bytes": size, "split": split, **counts}


class WriteShards(beam.PTransform):
    """Tokenized rows -> shard entries (dicts as in the manifest, plus per-source counts).

    Shard count per split = ceil(split tokens / shards.target_tokens), from the global totals
    (a side input); each shard is one hash slice, grouped, sorted by hash and written.
    """

    def __init__(self, config: PipelineConfig, output_dir: str, tokenizer_info, label: str | None = None):
        super().__init__(label)
        self.config = config
        self.output_dir = output_dir.rstrip("/")
        self.tokenizer_info = tokenizer_info

    def expand(self, rows):
        sc = self.config.shards
        keyed = rows | "KeyByHash" >> beam.Map(_key_by_hash)
        totals = (
            keyed
            | "SplitTokens" >> beam.Map(_split_tokens, sc.val_fraction)
            | "SumTokens" >> beam.CombineGlobally(_SumSplitTokens())
        )
        placed = keyed | "Place" >> beam.Map(_place, AsSingleton(totals), sc.val_fraction, sc.target_tokens)
        present = (
            placed
            | "ShardKeys" >> beam.Keys()
            | "Distinct" >> beam.Distinct()
            | "AllKeys" >> beam.combiners.ToList()
        )
        return (
            placed
            | "GroupByShard" >> beam.GroupByKey()
            | "Write" >> beam.ParDo(
                _WriteShardDoFn(self.config, self.output_dir), AsSingleton(present), AsSingleton(self.tokenizer_info)
            )
        )


# ---------------------------------------------------------------- WriteManifest
class _ManifestDoFn(beam.DoFn):
    def __init__(self, config: PipelineConfig, output_dir: str):
        self.config = config
        self.output_dir = output_dir

    def process(self, _, info: dict, entries: list, stats: dict, documents: list | None = None):
        out = self.output_dir
        manifest = sh.build_manifest(info, entries, to_dict(self.config))
        if documents is not None:
            manifest["documents"] = documents_section(documents)
        # Shards left by an earlier run into the same folder would contradict the manifest.
        listed = {f"{out}/{e['path']}" for e in entries}
        stale = [m.path for r in FileSystems.match([f"{out}/shards/*/shard-*.parquet"]) for m in r.metadata_list]
        stale = sorted(p for p in stale if p not in listed)
        if stale:
            log.info("removing %d shard files of an earlier run", len(stale))
            FileSystems.delete(stale)
        write_bytes_atomic(f"{out}/stats.json", sh.manifest_json(stats).encode("utf-8"))
        write_bytes_atomic(f"{out}/{sh.MANIFEST}", sh.manifest_json(manifest).encode("utf-8"))
        yield manifest


class WriteManifest(beam.PTransform):
    """Waits for every shard entry and the stats, writes stats.json, then manifest.json last.

    Applied to any PCollection of the pipeline (usually the shard entries); yields the manifest.
    """

    def __init__(self, config: PipelineConfig, output_dir: str, tokenizer_info, shard_entries, stats, documents=None,
                 label: str | None = None):
        super().__init__(label)
        self.documents = documents  # part entries of DIR/documents/ when build-shards --emit includes documents
        self.config = config
        self.output_dir = output_dir.rstrip("/")
        self.tokenizer_info = tokenizer_info
        self.shard_entries = shard_entries
        self.stats = stats

    def expand(self, pcoll):
        return (
            pcoll.pipeline
            | "Impulse" >> beam.Create([None])
            | "Write" >> beam.ParDo(
                _ManifestDoFn(self.config, self.output_dir),
                AsSingleton(self.tokenizer_info),
                AsList(self.shard_entries),
                AsSingleton(self.stats),
                *([AsList(self.documents)] if self.documents is not None else []),
            )
        )


def documents_section(parts: list[dict]) -> dict:
    """Manifest entry for the curated documents (build-shards --emit documents)."""
    import hashlib

    parts = sorted(parts, key=lambda e: e["path"])
    h = hashlib.sha256()
    for e in parts:
        h.update(f"{e['path']}\0{e['sha256']}\n".encode())
    return {
        "parts": [{k: e[k] for k in ("path", "rows", "bytes", "sha256")} for e in parts],
        "documents": sum(e["rows"] for e in parts),
        "fingerprint": h.hexdigest(),
    }


class _DocumentsManifestDoFn(beam.DoFn):
    """Manifest of a documents-only build (--emit documents): no tokenizer, no shards."""

    def __init__(self, config: PipelineConfig, output_dir: str):
        self.config = config
        self.output_dir = output_dir

    def process(self, _, documents: list, stats: dict):
        docs = documents_section(documents)
        manifest = {
            "schema_version": sh.SCHEMA_VERSION,
            "tokenizer": None,
            "shards": [],
            "totals": {"documents": docs["documents"], "tokens": 0},
            "documents": docs,
            "config": sh._portable(json.loads(json.dumps(to_dict(self.config)))),
            "fingerprint": docs["fingerprint"],
        }
        write_bytes_atomic(f"{self.output_dir}/stats.json", sh.manifest_json(stats).encode("utf-8"))
        write_bytes_atomic(f"{self.output_dir}/{sh.MANIFEST}", sh.manifest_json(manifest).encode("utf-8"))
        yield manifest


class WriteDocumentsManifest(beam.PTransform):
    def __init__(self, config: PipelineConfig, output_dir: str, documents, stats, label: str | None = None):
        super().__init__(label)
        self.config = config
        self.output_dir = output_dir.rstrip("/")
        self.documents = documents
        self.stats = stats

    def expand(self, pcoll):
        return (
            pcoll.pipeline
            | "Impulse" >> beam.Create([None])
            | "Write" >> beam.ParDo(_DocumentsManifestDoFn(self.config, self.output_dir), AsList(self.documents), AsSingleton(self.stats))
        )
