"""Stage checkpoints: resume a killed build-shards from the last complete stage.

Each checkpointed stage group (extract, filter, dedup) materialises, beside the live data flow,
its kept documents, its rejects (and, for dedup, the duplicates table) and the sum of its count
events under ``DIR/stages/<stage>-<key>/``; a ``_SUCCESS.json`` marker is written last, once every
part is renamed into place. ``key`` hashes the inputs' (path, size, mtime) and the config of that
stage and every stage before it, so changing one stage's config re-runs that stage and those
after it only, and a stale checkpoint is never reused.

A rerun looks for the latest stage whose marker exists and starts the graph there: documents,
rejects and counts come back from the checkpoint, the stages before it do not execute. The
output is byte-identical to an uninterrupted run because every writer orders rows by hash of id.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import stat
from pathlib import Path

import apache_beam as beam
from apache_beam.io.filesystem import BeamIOError
from apache_beam.io.filesystems import FileSystems

from curation import fs, outputs, stage_check
from curation.config import PipelineConfig, to_dict
from curation.dedup.index import FOLDER as INDEX_FOLDER
from curation.dedup.index import index_schema
from curation.dedup.index import row_size as index_row_size
from curation.document import duplicates_schema
from curation.stats import CountKey
from pipelines import reject_spool
from pipelines.parts import ReadParts, WriteParts
from pipelines.transforms import SumCounts

# Checkpointed groups in pipeline order, and the config sections each one depends on.
GROUPS = ["extract", "filter", "dedup"]
GROUP_STAGES = {"extract": ["read", "extract"], "filter": ["langid", "quality"], "dedup": ["dedup", "paragraphs"]}
GROUP_CONFIG = {"extract": ["read"], "filter": ["langid", "quality", "routing"], "dedup": ["dedup"]}

MARKER = stage_check.MARKER
EDGE_BLOCK = 1 << 16  # the first and last 64 KiB of each local input go into the key, beside size and mtime

log = logging.getLogger("curate")


def inputs_fingerprint(inputs, match_remote: bool = True) -> str:
    """Hash of every input file's (kind, path, size, mtime); code trees are walked.

    Remote folders and globs (InputFile.pattern) are listed through Beam's filesystems when
    ``match_remote``; a Dataflow dry run passes False (no network) and hashes the patterns."""
    h = hashlib.sha256()
    for inp in inputs:
        if getattr(inp, "pattern", False):
            h.update(f"{inp.kind}\0{inp.path}\0pattern\n".encode("utf-8", "surrogateescape"))
            if match_remote:  # sizes and times of remote files: Beam's FileSystems metadata
                pattern = inp.path if any(ch in inp.path for ch in "*?[") else f"{inp.path.rstrip('/')}/**"
                for pat in (pattern, inp.path.rstrip("/")):
                    try:
                        found = [m for r in FileSystems.match([pat]) for m in r.metadata_list]
                    except BeamIOError:
                        found = []
                    for m in sorted(found, key=lambda m: m.path):
                        h.update(f"{m.path}\0{m.size_in_bytes}\0{m.last_updated_in_seconds}\n".encode("utf-8", "surrogateescape"))
            continue
        paths = []
        if os.path.isdir(inp.path):
            for dirpath, dirnames, filenames in os.walk(inp.path, followlinks=False):
                dirnames[:] = sorted(d for d in dirnames if not outputs.is_output_dir(os.path.join(dirpath, d)))
                paths.extend(os.path.join(dirpath, f) for f in sorted(filenames))
        else:
            paths.append(inp.path)
        for p in paths:
            try:
                st = os.lstat(p)
                h.update(f"{inp.kind}\0{p}\0{st.st_size}\0{int(st.st_mtime_ns)}\n".encode("utf-8", "surrogateescape"))
                if stat.S_ISREG(st.st_mode):
                    h.update(_edge_blocks(p, st.st_size))
            except OSError:
                h.update(f"{inp.kind}\0{p}\0missing\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def _edge_blocks(path: str, size: int) -> bytes:
    """The first and last EDGE_BLOCK bytes of a file: an edit that keeps the size and restores
    the mtime (``touch -r``) still changes the key when it touches either end (an edit in the
    middle of a big file does not: docs/robustness.md)."""
    with fs.open_regular(path) as f:
        head = f.read(EDGE_BLOCK)
        if size <= EDGE_BLOCK:
            return hashlib.sha256(head).digest()
        f.seek(max(EDGE_BLOCK, size - EDGE_BLOCK))
        return hashlib.sha256(head + f.read(EDGE_BLOCK)).digest()


def group_keys(inputs_fp: str, cfg: PipelineConfig, extra: dict | None = None) -> dict[str, str]:
    """Key per group: inputs + the config of this group and all earlier groups."""
    d = to_dict(cfg)
    keys = {}
    h = hashlib.sha256(inputs_fp.encode())
    h.update(json.dumps(extra or {}, sort_keys=True).encode())
    for g in GROUPS:
        for section in GROUP_CONFIG[g]:
            h.update(json.dumps({section: d[section]}, sort_keys=True).encode())
        keys[g] = h.copy().hexdigest()[:16]
    return keys


def stage_dir(out_dir: str, group: str, key: str) -> str:
    return f"{out_dir.rstrip('/')}/stages/{group}-{key}"


def is_complete(out_dir: str, group: str, key: str) -> bool:
    return fs.exists(f"{stage_dir(out_dir, group, key)}/{MARKER}")


def latest_complete(out_dir: str, keys: dict[str, str]) -> str | None:
    """The last group whose checkpoint is complete and verified (every part's size and sha256
    as its marker lists them), provided every group before it is too. A damaged checkpoint is
    said so in one line and removed: that group and those after it run again."""
    last = None
    for g in GROUPS:
        if not is_complete(out_dir, g, keys[g]):
            break
        directory = stage_dir(out_dir, g, keys[g])
        problems = stage_check.verify_stage(directory)
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            log.warning("checkpoint of stage group '%s' is damaged: %s%s; rerunning '%s' and the stages after it",
                        g, problems[0], more, g)
            if not fs.is_remote(out_dir):
                shutil.rmtree(directory, ignore_errors=True)
            break
        last = g
    return last


def load_counts(out_dir: str, group: str, key: str) -> list[tuple[CountKey, int]]:
    data = fs.read_json(f"{stage_dir(out_dir, group, key)}/{MARKER}")
    return [(tuple(k), int(n)) for k, n in data["counts"]]


def remove_stale(out_dir: str, keys: dict[str, str]) -> None:
    """Delete stage folders that are incomplete or keyed by another config (local outputs)."""
    root = Path(out_dir) / "stages"
    if not root.is_dir():
        return
    wanted = {f"{g}-{k}" for g, k in keys.items()}
    for child in sorted(root.iterdir()):
        complete = (child / MARKER).exists()
        if child.name not in wanted or not complete:
            log.info("removing stage checkpoint stages/%s (%s)", child.name,
                     "incomplete: its run was stopped" if complete is False and child.name in wanted
                     else "made with other inputs or config")
            shutil.rmtree(child, ignore_errors=True)


class _WriteMarker(beam.DoFn):
    def __init__(self, directory: str, group: str):
        self.directory = directory
        self.group = group

    def process(self, counts, *written):
        rows = sorted([list(k), int(n)] for k, n in counts)
        # Every part's size and sha256 (what WriteParts computed): verified before a resume trusts it.
        files = [info for infos in written for info in infos]
        fs.write_json(f"{self.directory}/{MARKER}", stage_check.marker_json(self.group, rows, files))
        yield self.group


class MaterialiseStage(beam.PTransform):
    """Write a stage group's docs, rejects, extra tables and summed counts, then the marker."""

    def __init__(self, out_dir: str, group: str, key: str, label: str | None = None):
        super().__init__(label)
        self.directory = stage_dir(out_dir, group, key)
        self.group = group

    def expand(self, outputs: dict):
        written = [
            outputs["docs"] | "WriteDocs" >> WriteParts(self.directory, "documents", kind="documents"),
            outputs["rejected"] | "WriteRejected" >> WriteParts(self.directory, "rejected", kind="rejected"),
        ]
        if "duplicates" in outputs:
            written.append(
                outputs["duplicates"]
                | "WriteDuplicates"
                >> WriteParts(self.directory, "duplicates", kind="rows", key_fn=lambda r: r["doc_id"], schema_fn=duplicates_schema)
            )
        if "index" in outputs:
            written.append(outputs["index"] | "WriteIndex" >> WriteParts(self.directory, INDEX_FOLDER, kind="rows",
                                                                         key_fn=lambda r: r["id"], schema_fn=index_schema,
                                                                         size_fn=index_row_size))
        counts = (
            (outputs["counts"],) | "SumCounts" >> SumCounts() | "ToList" >> beam.combiners.ToList()
        )
        return counts | "Marker" >> beam.ParDo(_WriteMarker(self.directory, self.group), *[beam.pvalue.AsList(w) for w in written])


class ReadCheckpoint(beam.PTransform):
    """The outputs of a complete checkpoint, as the stage dict the live stages produce."""

    def __init__(self, out_dir: str, group: str, key: str, with_docs: bool = True, index: bool = False,
                 label: str | None = None):
        super().__init__(label)
        self.with_docs = with_docs
        self.index = index  # the dedup group also gives back its dedup-index rows
        self.directory = stage_dir(out_dir, group, key)
        self.out_dir = out_dir
        self.group = group
        self.key = key

    def expand(self, pbegin):
        out = {
            # Only the last complete group's documents feed the graph; earlier ones give rejects and counts.
            "docs": (pbegin | "Docs" >> ReadParts(f"{self.directory}/documents", kind="documents"))
            if self.with_docs else (pbegin | "NoDocs" >> beam.Create([])),
            # Pointers to the parts, read by the part writer: a resume holds no reject in memory.
            "rejected": pbegin | "Rejected" >> beam.Create(reject_spool.part_refs(f"{self.directory}/rejected")),
            "counts": pbegin | "Counts" >> beam.Create(load_counts(self.out_dir, self.group, self.key)),
        }
        if self.group == "dedup":
            out["duplicates"] = pbegin | "Duplicates" >> ReadParts(f"{self.directory}/duplicates", kind="rows")
            if self.index:
                out["index"] = pbegin | "Index" >> ReadParts(f"{self.directory}/{INDEX_FOLDER}", kind="rows")
        return out
