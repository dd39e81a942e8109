"""Running a command's graph: the lock, leftovers, stage keys and resume, the wait, run.json, dry
runs and remote outputs. The CLI and the Python API (curation/api.py) both go through here, so a
build behaves the same however it is started.

    build_shards(BuildRequest(...)) -> BuildResult      curate build-shards, api.build_shards
    run_stage_graph(graph, ...)                         curate extract / filter / dedup
    build_ablation(...)                                 curate ablate's Beam half
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import platform
import shutil
import signal
import socket
import sys
import threading
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import apache_beam as beam
import numpy as np
import pyarrow.parquet as pq
from apache_beam.options.pipeline_options import TestOptions

from curation import fs, outputs, progress
from curation.ablate import PIECE_BYTES, piece_bytes
from curation.config import PipelineConfig, to_dict
from curation.errors import AccountingError, UserError, from_worker
from curation.inputs import InputFile, display_path
from curation.lock import OutputLock
from pipelines import checkpoint as ckpt
from pipelines import graphs
from pipelines import reject_spool

log = logging.getLogger("curate")


@dataclass
class BuildRequest:
    """Everything a build-shards run depends on (what the CLI and api.build_shards gather)."""

    inputs: list[InputFile]
    config: PipelineConfig
    output: str
    options: Any  # Beam PipelineOptions
    config_path: str | None = None
    text_key: str = "text"
    id_key: str = "id"
    sample: float | None = None
    limit: int | None = None
    emit: tuple[str, ...] = ("tokens",)
    documents_format: str = "parquet"
    resume: bool = True
    watch: bool = True  # live progress lines while the pipeline runs
    dedup_against: tuple[str, ...] = ()  # earlier outputs whose dedup-index/ the documents are deduplicated against
    argv: list[str] = field(default_factory=lambda: list(sys.argv[1:]))

    def checkpoint_extra(self) -> dict:
        """What besides the config decides the stage checkpoints' keys."""
        extra = {"text_key": self.text_key, "id_key": self.id_key, "sample": self.sample, "limit": self.limit}
        if self.dedup_against:  # an earlier index that changes changes the dedup decisions
            from curation.dedup.index import FOLDER, MANIFEST

            extra["dedup_against"] = [[d, fs.sha256_of(f"{d}/{FOLDER}/{MANIFEST}")[0]] for d in self.dedup_against]
        return extra


@dataclass
class BuildResult:
    output: str
    seconds: float
    resumed_from: str | None = None
    dry_run: str | None = None  # the dry run's one-line description; nothing was run
    stats: dict | None = None
    manifest: dict | None = None
    durations: dict | None = None


# ---------------------------------------------------------------- running a pipeline
def run_pipeline(p, resume_from: str | None = None, watch_order: list[str] | None = None):
    """Run ``p`` to the end. An error curate raised in a worker comes back as itself (typed,
    one line); returns the progress watcher (or None without ``watch_order``)."""
    try:
        with _quiet_after_interrupt(), (progress.watch(order=watch_order) if watch_order else nullcontext()) as watcher:
            p.run().wait_until_finish()
    except KeyboardInterrupt:
        raise
    except Exception as e:  # Beam wraps worker exceptions: recover ours by type
        if _interrupted(e):  # Ctrl-C inside a bundle reaches us as "RuntimeError: KeyboardInterrupt [while running ...]"
            raise KeyboardInterrupt from None
        err = from_worker(e)
        if err is None:
            raise
        if watch_order:  # the live counts when it stopped: the CLI shows them with the error
            err.stage_totals = watcher.totals()
        if isinstance(err, AccountingError) and resume_from:  # finished groups' counts came from checkpoints
            err = AccountingError(f"{err} (resumed after '{resume_from}': if a checkpoint under stages/ was "
                                  "damaged, rerun with --no-resume)")
        raise err from None
    return watcher


@contextmanager
def _quiet_after_interrupt():
    """After Ctrl-C the multi_processing runner's threads die too ("Worker subprocess exited with
    return code -2", gRPC errors) and Python prints each traceback. The interrupt is reported in
    one line by the command; those tracebacks go to the debug log."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    hit = threading.Event()
    previous_hook = threading.excepthook

    def on_sigint(signum, frame):
        hit.set()
        raise KeyboardInterrupt

    def hook(args):
        if hit.is_set():
            log.debug("after Ctrl-C, thread %s: %s", getattr(args.thread, "name", "?"), args.exc_value)
            return
        previous_hook(args)

    previous_handler = signal.signal(signal.SIGINT, on_sigint)
    threading.excepthook = hook
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous_handler)
        if hit.is_set():
            time.sleep(0.5)  # the runner's threads notice their dead workers now: keep them quiet
        threading.excepthook = previous_hook


def _interrupted(exc: BaseException) -> bool:
    seen, e = set(), exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, KeyboardInterrupt) or str(e).startswith("KeyboardInterrupt"):
            return True
        e = e.__cause__ or e.__context__
    return False


def is_dry_run(options) -> bool:
    return bool(options.view_as(TestOptions).dry_run)


def runner_name(options) -> str:
    return str(options.get_all_options().get("runner") or "DirectRunner")


def stage_labels(proto) -> list[str]:
    """Top-level transform labels of a pipeline proto, in graph order."""
    roots = proto.root_transform_ids
    labels = []
    for rid in roots:
        t = proto.components.transforms[rid]
        subs = t.subtransforms if len(roots) == 1 and t.subtransforms else [rid]
        labels.extend(proto.components.transforms[s].unique_name for s in subs)
    return labels


# ---------------------------------------------------------------- build-shards
def build_shards(req: BuildRequest) -> BuildResult:
    """Run build-shards: locally under the output lock with stage checkpoints and resume; a dry
    run or an output on an object store goes through ``_build_detached``."""
    if is_dry_run(req.options) or fs.is_remote(req.output):
        return _build_detached(req)
    out_dir = Path(req.output).absolute()
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.time()
    outputs.refuse_inputs_inside(req.inputs, out_dir)
    with OutputLock(out_dir):
        # Refuses symlinks and files curate did not write, then clears only what it wrote (parts,
        # temporaries); stages/ is checkpoint's business.
        outputs.claim(out_dir)
        # A previous manifest must not survive a failed rerun: it is the commit marker.
        (out_dir / "manifest.json").unlink(missing_ok=True)
        keys = ckpt.group_keys(ckpt.inputs_fingerprint(req.inputs), req.config, req.checkpoint_extra())
        if not req.resume:
            shutil.rmtree(out_dir / "stages", ignore_errors=True)
        ckpt.remove_stale(str(out_dir), keys)
        resume_from = ckpt.latest_complete(str(out_dir), keys)
        if resume_from:
            log.info("resuming after stage group '%s' from %s", resume_from,
                     ckpt.stage_dir(str(out_dir), resume_from, keys[resume_from]))
        p = beam.Pipeline(options=req.options)
        _add_build_graph(p, req, str(out_dir), keys, resume_from)
        try:
            watcher = run_pipeline(p, resume_from, graphs.STAGE_CHAIN if req.watch else None)
        finally:
            outputs.release(out_dir)
        durations = watcher.stage_done_at() if watcher is not None else None
        write_run_record(out_dir, _run_info(req, started, resume_from, keys, durations))
    return _result(str(out_dir), started, resume_from, durations)


def write_run_record(out_dir: Path, info: dict) -> None:
    """DIR/run.json after the pipeline. The manifest is the commit marker: if the run record
    cannot be written (a full disk), the manifest goes too, and the run exits 2."""
    try:
        fs.write_json(str(out_dir / "run.json"), info)
    except OSError as e:
        (out_dir / "manifest.json").unlink(missing_ok=True)
        raise UserError(f"--output {out_dir}: cannot write run.json ({e.strerror or e}); the manifest was "
                        "removed: free space and rerun (it resumes from the stage checkpoints)") from None


def _add_build_graph(p, req: BuildRequest, out: str, keys, resume_from) -> None:
    graphs.build_shards(p, req.inputs, req.config, out, req.text_key, req.id_key, keys=keys, resume_from=resume_from,
                        sample=req.sample, limit=req.limit, emit=req.emit, documents_format=req.documents_format,
                        dedup_against=req.dedup_against)


def _build_detached(req: BuildRequest) -> BuildResult:
    """A dry run (``--dry_run=True``), or an output on an object store or cluster filesystem.

    Building the graph touches nothing in the output folder: no mkdir, no lock (object stores
    rely on unique job names, docs/scale-out.md), no stage cleanup; remote input globs are
    listed by the workers (curation.inputs.expand_input). A dry run on DataflowRunner builds,
    pickles and translates the whole job and submits nothing; on any other runner it only
    translates the graph (Beam's runner API, what Flink and Spark job servers consume): either
    way nothing runs, so no manifest is written and no metrics are read."""
    dry_run = is_dry_run(req.options)
    out = req.output.rstrip("/") if fs.is_remote(req.output) else str(Path(req.output).absolute())
    keys = ckpt.group_keys(ckpt.inputs_fingerprint(req.inputs, match_remote=not dry_run), req.config,
                           req.checkpoint_extra())
    resume_from = None if dry_run or not req.resume else ckpt.latest_complete(out, keys)
    if resume_from:
        log.info("resuming after stage group '%s' from %s", resume_from, ckpt.stage_dir(out, resume_from, keys[resume_from]))
    runner = runner_name(req.options)
    started = time.time()
    p = beam.Pipeline(options=req.options)
    _add_build_graph(p, req, out, keys, resume_from)
    if dry_run:
        # DataflowRunner returns before submitting; other runners only translate the graph.
        proto = p.run().job.proto_pipeline if "Dataflow" in runner else p.to_runner_api()
        line = (f"dry run ({runner}): built the job graph, {len(proto.components.transforms)} transforms; "
                f"stages: {', '.join(stage_labels(proto))}; nothing was run or written")
        return BuildResult(out, time.time() - started, dry_run=line)
    manifest = f"{out}/manifest.json"
    fs.delete([manifest])  # the commit marker of an earlier run must not survive a failed rerun
    try:
        run_pipeline(p, resume_from)
    finally:
        reject_spool.remove(reject_spool.spool_dir(out))  # no local release() here to clear it
    fs.write_json(f"{out}/run.json", _run_info(req, started, resume_from, keys))
    return _result(out, started, resume_from)


def _result(out: str, started: float, resume_from, durations=None) -> BuildResult:
    res = BuildResult(out, time.time() - started, resume_from, durations=durations)
    try:
        res.stats = fs.read_json(f"{out}/stats.json")
        res.manifest = fs.read_json(f"{out}/manifest.json")
    except (OSError, ValueError):
        pass
    return res


def _run_info(req: BuildRequest, started: float, resume_from, keys, durations=None) -> dict:
    info = {
        "command": "build-shards",
        "argv": [display_path(a) for a in req.argv],
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "seconds": round(time.time() - started, 3),
        "host": socket.gethostname(),
        "user": getpass.getuser(),
        "python": platform.python_version(),
        "runner": req.options.get_all_options().get("runner") or "DirectRunner",
        "inputs": [{"kind": i.kind, "path": display_path(i.path)} for i in req.inputs],  # names may not be UTF-8
        "config_file": req.config_path,
        "resumed_from": resume_from,
        "stage_keys": keys,
        "config": to_dict(req.config),
    }
    if durations is not None:
        info["stage_done_at"] = durations  # seconds from the start when each stage's counts last changed
    return info


# ---------------------------------------------------------------- extract, filter, dedup
def run_stage_graph(graph: Callable, options, output: str, fresh: tuple[str, ...], *args, **kwargs) -> dict:
    """Run one stage command's graph (pipelines/graphs.py) into ``output``; refuses a folder whose
    ``fresh`` subfolders already hold files. Returns stats.json."""
    out_dir = Path(output).absolute()
    inputs = args[0] if args else []
    outputs.refuse_inputs_inside(inputs, out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with OutputLock(out_dir):
        for sub in fresh:
            if (out_dir / sub).is_dir() and any((out_dir / sub).iterdir()):
                raise UserError(f"--output {out_dir}: {sub}/ is not empty; choose a new folder")
        outputs.claim(out_dir, fresh)
        p = beam.Pipeline(options=options)
        graph(p, *args, str(out_dir), **kwargs)
        try:
            run_pipeline(p, watch_order=graphs.STAGE_CHAIN)  # live progress, as in build-shards
        finally:
            outputs.release(out_dir, fresh)
        return fs.read_json(str(out_dir / "stats.json"))


# ---------------------------------------------------------------- ablate
ABLATE_BUILD = "build.json"


def _ablation_key(inputs, eval_inputs, cfg, variants, eval_fraction, eval_chunk_bytes, text_key, id_key) -> str:
    blob = {
        "inputs": ckpt.inputs_fingerprint(inputs),
        "eval": ckpt.inputs_fingerprint(eval_inputs) if eval_inputs else None,
        "config": to_dict(cfg),
        "variants": variants,
        "eval_fraction": None if eval_inputs else eval_fraction,
        "eval_chunk_bytes": eval_chunk_bytes,
        "keys": [text_key, id_key],
    }
    return hashlib.sha256(json.dumps(blob, sort_keys=True).encode()).hexdigest()[:16]


def _eval_description(out_dir: Path, held_out: bool, fraction: float) -> tuple[str, list[dict]]:
    docs = []
    for part in sorted((out_dir / "eval" / "documents").glob("part-*.parquet")):
        t = pq.read_table(part, columns=["id", "text", "source"])
        for i, text, src in zip(t.column("id").to_pylist(), t.column("text").to_pylist(), t.column("source").to_pylist()):
            docs.append({"id": i, "source": src, "bytes": len(text.encode("utf-8", "surrogatepass"))})
    docs.sort(key=lambda d: d["id"])
    total = sum(d["bytes"] for d in docs)
    if held_out:
        what = (f"{len(docs)} held-out book(s) ({total:,} bytes; smallest id hashes, at most {fraction:.0%} "
                "of the books' bytes or one book)")
    else:
        what = f"{len(docs)} --eval document(s) ({total:,} bytes)"
    return what, docs


def build_ablation(inputs, eval_inputs, cfg: PipelineConfig, out_dir: Path, variants: list[str], options, *,
                   eval_fraction: float, eval_chunk_bytes: int, text_key: str = "text", id_key: str = "id",
                   rebuild: bool = False) -> dict:
    """Every variant's training set (pipelines/graphs.ablation), unless ``out_dir`` holds a
    finished build with the same key; returns the build record (DIR/build.json)."""
    key = _ablation_key(inputs, eval_inputs, cfg, variants, eval_fraction, eval_chunk_bytes, text_key, id_key)
    record_path = out_dir / ABLATE_BUILD
    if not rebuild and record_path.is_file():
        try:
            record = json.loads(record_path.read_text(encoding="utf-8"))
        except ValueError:
            record = {}
        if record.get("key") == key and all((out_dir / "variants" / v / "manifest.json").is_file() for v in variants):
            log.info("ablate: reusing the training sets built in %s (same inputs, config and variants)", out_dir)
            return record
    record_path.unlink(missing_ok=True)
    for v in variants:  # manifests are commit markers: none may survive a failed rebuild
        (out_dir / "variants" / v / "manifest.json").unlink(missing_ok=True)
    for sub in ("eval", "decontaminated"):
        shutil.rmtree(out_dir / sub, ignore_errors=True)
    started = time.time()
    p = beam.Pipeline(options=options)
    graphs.ablation(p, inputs, cfg, str(out_dir), variants, eval_inputs=eval_inputs, eval_fraction=eval_fraction,
                    eval_chunk_bytes=eval_chunk_bytes, text_key=text_key, id_key=id_key)
    run_pipeline(p)
    missing = [v for v in variants if not (out_dir / "variants" / v / "manifest.json").is_file()]
    if missing:
        raise UserError(f"variant {missing[0]} has no manifest: its training set is empty")
    what, eval_docs = _eval_description(out_dir, not eval_inputs, eval_fraction)
    if not eval_docs:
        raise UserError("the evaluation set is empty: pass --eval PATH or --books with at least one readable book")
    np.save(out_dir / PIECE_BYTES, piece_bytes((out_dir / "tokenizer" / "tokenizer.model").read_bytes()))
    record = {
        "key": key,
        "seconds": round(time.time() - started, 3),
        "inputs": [{"kind": i.kind, "path": i.path} for i in inputs],
        "eval_inputs": [i.path for i in eval_inputs],
        "eval_source": what,
        "eval_documents": eval_docs,
        "variants": variants,
        "argv": sys.argv[1:],
    }
    fs.write_json(str(record_path), record)
    log.info("ablate: built %d training sets in %.1fs", len(variants), record["seconds"])
    return record
