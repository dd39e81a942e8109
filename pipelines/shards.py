"""The end of build-shards: WriteShards | WriteManifest (or WriteDocumentsManifest).

Format and guarantees: docs/format.md. The plain-Python half lives in curation/shards.py
(placement, Parquet writing, manifest); this module adds the Beam plumbing. Every file is
written by a DoFn under a temporary name, then renamed; manifest.json comes last.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile

import apache_beam as beam
import numpy as np
from apache_beam.pvalue import AsList, AsSingleton

from curation import fs
from curation import mix
from curation import shards as sh
from curation.config import PipelineConfig, to_dict
from curation.document import id_hash64
from pipelines.tokenize import load_tokenizer
from pipelines.transforms import in_global_window

log = logging.getLogger("curate")


# ---------------------------------------------------------------- WriteShards
class _SumSplitTokens(beam.CombineFn):
    """Tokens per split of the keyed rows (a combine on the row lists themselves: no Map per row)."""

    def __init__(self, val_fraction: float):
        self.val_fraction = val_fraction

    def create_accumulator(self):
        return {"train": 0, "val": 0}

    def add_input(self, acc, items):
        for h, row in items:
            acc[sh.split_of(h, self.val_fraction)] += row[sh.N_TOKENS]
        return acc

    def merge_accumulators(self, accs):
        out = self.create_accumulator()
        for a in accs:
            for k in out:
                out[k] += a[k]
        return out

    def extract_output(self, acc):
        return acc


class _ShardKeys(beam.CombineFn):
    """The sorted (split, index) keys that receive a row: one set insert per (shard, list) pair
    that Place emits, no shuffle of its own."""

    def create_accumulator(self):
        return set()

    def add_input(self, acc, item):
        acc.add(item[0])
        return acc

    def merge_accumulators(self, accs):
        return set().union(*accs)

    def extract_output(self, acc):
        return sorted(acc)


def _packed(row):
    """The row with its ids as (dtype, bytes). Beam encodes bytes natively and a numpy array by
    pickling it, about ten times the cost, and every row is encoded twice in this transform
    (Place waits for the token totals, then GroupByShard): most of its cost per row."""
    ids = np.ascontiguousarray(row[sh.IDS])
    return (*row[: sh.IDS], (ids.dtype.str, ids.tobytes()), *row[sh.IDS + 1 :])


def _unpacked(row):
    dtype, data = row[sh.IDS]
    return (*row[: sh.IDS], np.frombuffer(data, dtype=dtype), *row[sh.IDS + 1 :])


# Keyed rows per list: hundreds amortise Beam's per-element costs. A list holds the packed ids
# of at most this many rows, which the bundle held as arrays a moment before.
ROWS_PER_LIST = 256


class _KeyRows(beam.DoFn):
    """Rows -> lists of up to ROWS_PER_LIST (placement hash, packed row) pairs, the last partial
    list from finish_bundle. Between here and the shard writer every element is a list: Beam's
    costs per element (windowed value, encoding at the two shuffles, the side-input call of
    Place) are paid per list. ``keyed`` gives the pairs of one row (a copy per mixing weight)."""

    def __init__(self, keyed, *args):
        self.keyed = keyed
        self.args = args

    def start_bundle(self):
        self._rows: list = []

    def process(self, row):
        self._rows.extend(self.keyed(row, *self.args))
        if len(self._rows) >= ROWS_PER_LIST:
            rows, self._rows = self._rows, []
            yield rows

    def finish_bundle(self):
        if self._rows:
            rows, self._rows = self._rows, []
            yield in_global_window(rows)


def _key_by_hash(row):
    """The (placement hash, packed row) pair of a row without mixing weights: one copy."""
    yield id_hash64(row[sh.DOC_ID]), _packed(row)


def _mixed_copies(row, mix_cfg, val_fraction: float):
    """(placement hash, row) for every copy the mixing weights ask for (curation/mix.py)."""
    h = id_hash64(row[sh.DOC_ID])
    split = sh.split_of(h, val_fraction)
    lo, hi = (0, sh.val_cut(val_fraction)) if split == "val" else (sh.val_cut(val_fraction), 2**64)
    w = mix.weight(row[sh.SOURCE], row[sh.LANG], mix_cfg.weights, mix_cfg.languages)
    row = _packed(row)
    for k in range(mix.copies(row[sh.DOC_ID], w, split, mix_cfg.seed)):
        yield mix.copy_hash(row[sh.DOC_ID], h, k, lo, hi), row


def _place(items: list, totals: dict, val_fraction: float, target_tokens: int):
    """A list of keyed rows -> one (shard key, rows of that shard) pair per shard it touches."""
    counts = {split: sh.shard_count(total, target_tokens) for split, total in totals.items()}
    by_shard: dict = {}
    for h, row in items:
        split = sh.split_of(h, val_fraction)
        by_shard.setdefault((split, sh.shard_index(h, split, counts[split], val_fraction)), []).append((h, row))
    yield from by_shard.items()


class _WriteShardDoFn(beam.DoFn):
    def __init__(self, config: PipelineConfig, output_dir: str):
        self.config = config
        self.output_dir = output_dir

    def process(self, element, present: list, info: dict):
        (split, index), lists = element
        items = [item for part in lists for item in part]
        # Slices that received no document are skipped, so names stay contiguous per split.
        ordinal = sorted(k[1] for k in present if k[0] == split).index(index)
        rel = sh.shard_path(split, ordinal)
        rows = [_unpacked(row) for _, row in sorted(items, key=lambda x: (x[0], x[1][sh.DOC_ID], x[1][sh.N_TOKENS]))]
        mask_ids = None
        if self.config.shards.loss_mask:
            tok = load_tokenizer(info)
            mask_ids = [i for i in (tok.piece_id(p) for p in self.config.shards.mask_pieces) if i is not None]
        opts = dict(dtype=info["dtype"], row_group_tokens=self.config.shards.row_group_tokens,
                    compression=self.config.shards.compression, mask_ids=mask_ids)
        dest = f"{self.output_dir}/{rel}"
        if not fs.is_remote(dest):
            # Written in place under the temporary name: pyarrow needs a real file to write to.
            tmp = fs.tmp_name(dest)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            counts = sh.write_shard(rows, tmp, **opts)
            digest, size = sh.sha256_file(tmp), os.path.getsize(tmp)
            fs.rename(tmp, dest)
        else:
            with tempfile.TemporaryDirectory() as td:
                local = os.path.join(td, os.path.basename(dest))
                counts = sh.write_shard(rows, local, **opts)
                digest, size = sh.sha256_file(local), os.path.getsize(local)
                with open(local, "rb") as src, fs.atomic_writer(dest) as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
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
        sc, mc = self.config.shards, self.config.mix
        if mix.active(mc.weights, mc.languages):
            keyed = rows | "MixCopies" >> beam.ParDo(_KeyRows(_mixed_copies, mc, sc.val_fraction))
        else:
            keyed = rows | "KeyByHash" >> beam.ParDo(_KeyRows(_key_by_hash))
        totals = keyed | "SumTokens" >> beam.CombineGlobally(_SumSplitTokens(sc.val_fraction))
        placed = keyed | "Place" >> beam.FlatMap(_place, AsSingleton(totals), sc.val_fraction, sc.target_tokens)
        present = placed | "ShardKeys" >> beam.CombineGlobally(_ShardKeys())
        return (
            placed
            | "GroupByShard" >> beam.GroupByKey()
            | "Write" >> beam.ParDo(
                _WriteShardDoFn(self.config, self.output_dir), AsSingleton(present), AsSingleton(self.tokenizer_info)
            )
        )


# ---------------------------------------------------------------- counts before mixing
class _SourceCounts(beam.CombineFn):
    """{source: {"documents", "tokens"}} of the tokenized rows, before any mixing weight."""

    def create_accumulator(self):
        return {}

    def add_input(self, acc, row):
        c = acc.setdefault(row[sh.SOURCE], {"documents": 0, "tokens": 0})
        c["documents"] += 1
        c["tokens"] += row[sh.N_TOKENS]
        return acc

    def merge_accumulators(self, accs):
        out: dict = {}
        for a in accs:
            for src, c in a.items():
                o = out.setdefault(src, {"documents": 0, "tokens": 0})
                o["documents"] += c["documents"]
                o["tokens"] += c["tokens"]
        return out

    def extract_output(self, acc):
        return dict(sorted(acc.items()))


class SourcesBeforeMix(beam.PTransform):
    """Tokenized rows -> one dict of per-source counts before weighting (for manifest["mix"])."""

    def expand(self, rows):
        return rows | "Count" >> beam.CombineGlobally(_SourceCounts())


def mix_section(config: PipelineConfig, before: dict) -> dict:
    """manifest["mix"]: the weights and each source's counts before weighting."""
    mc = config.mix
    return {"weights": dict(sorted(mc.weights.items())), "languages": dict(sorted(mc.languages.items())),
            "seed": mc.seed, "sources_before": before,
            "val": "never up-sampled: weights above 1 count as 1 in the val split"}


# ---------------------------------------------------------------- WriteManifest
class _ManifestDoFn(beam.DoFn):
    def __init__(self, config: PipelineConfig, output_dir: str, with_documents: bool = False, with_mix: bool = False):
        self.config = config
        self.output_dir = output_dir
        self.with_documents = with_documents
        self.with_mix = with_mix

    def process(self, _, info: dict, entries: list, stats: dict, *extra):
        out = self.output_dir
        manifest = sh.build_manifest(info, entries, to_dict(self.config))
        extra = list(extra)
        documents = extra.pop(0) if self.with_documents else None
        if documents is not None:
            manifest["documents"] = documents_section(documents)
        if self.with_mix:
            manifest["mix"] = mix_section(self.config, extra.pop(0))
        # Shards left by an earlier run into the same folder would contradict the manifest.
        listed = {f"{out}/{e['path']}" for e in entries}
        stale = [p for p in fs.match(f"{out}/shards/*/shard-*.parquet") if p not in listed]
        if stale:
            log.info("removing %d shard files of an earlier run", len(stale))
            fs.delete(stale)
        fs.write_bytes_atomic(f"{out}/stats.json", sh.manifest_json(stats).encode("utf-8"))
        fs.write_bytes_atomic(f"{out}/{sh.MANIFEST}", sh.manifest_json(manifest).encode("utf-8"))
        yield manifest


class WriteManifest(beam.PTransform):
    """Waits for every shard entry and the stats, writes stats.json, then manifest.json last.

    Applied to any PCollection of the pipeline (usually the shard entries); yields the manifest.
    """

    def __init__(self, config: PipelineConfig, output_dir: str, tokenizer_info, shard_entries, stats, documents=None,
                 label: str | None = None, sources_before_mix=None):
        super().__init__(label)
        self.documents = documents  # part entries of DIR/documents/ when build-shards --emit includes documents
        self.sources_before_mix = sources_before_mix  # SourcesBeforeMix output when mixing weights are set
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
                _ManifestDoFn(self.config, self.output_dir, self.documents is not None, self.sources_before_mix is not None),
                AsSingleton(self.tokenizer_info),
                AsList(self.shard_entries),
                AsSingleton(self.stats),
                *([AsList(self.documents)] if self.documents is not None else []),
                *([AsSingleton(self.sources_before_mix)] if self.sources_before_mix is not None else []),
            )
        )


def documents_section(parts: list[dict]) -> dict:
    """Manifest entry for the curated documents (build-shards --emit documents)."""
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
        fs.write_bytes_atomic(f"{self.output_dir}/stats.json", sh.manifest_json(stats).encode("utf-8"))
        fs.write_bytes_atomic(f"{self.output_dir}/{sh.MANIFEST}", sh.manifest_json(manifest).encode("utf-8"))
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
