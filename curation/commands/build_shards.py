"""`curate build-shards`: inputs to tokenized Parquet shards, a manifest and stats."""

from __future__ import annotations

import getpass
import json
import logging
import os
import platform
import socket
import sys
import time
from pathlib import Path

from curation.commands import common
from curation.errors import AccountingError, OutputLockedError, UserError
from curation.inputs import display_path

log = logging.getLogger("curate")


def add_parser(sub):
    p = sub.add_parser(
        "build-shards",
        help="read, filter, deduplicate, tokenize and write shards (steps 1-5)",
        description="Run the whole curation pipeline on Beam (DirectRunner unless --runner is given). "
        "With no inputs it runs on the bundled sample_data/ with sample_data/config.yaml. "
        "Arguments curate does not know are passed to Beam's PipelineOptions; unknown ones are an error.",
    )
    common.add_input_flags(p)
    common.add_output_flags(p, formats=False)
    common.add_config_flags(p)
    p.add_argument("--text-key", default="text", help="text column of --docs inputs")
    p.add_argument("--id-key", default="id", help="id column of --docs inputs")
    p.add_argument("--sample", type=float, metavar="FRACTION",
                   help="keep a reproducible hash-based fraction of the documents (0 < FRACTION <= 1)")
    p.add_argument("--limit", type=int, metavar="N", help="keep the N documents with the smallest id hashes")
    p.add_argument("--tokenizer", metavar="PATH",
                   help="use this tokenizer instead of training one: a sentencepiece .model or a Hugging Face "
                   "tokenizers .json (same as --set tokenizer.model_path=PATH)")
    p.add_argument("--emit", default="tokens", metavar="LIST",
                   help="what to write: tokens (tokenizer, shards), documents (curated text in DIR/documents/), "
                   "or both: --emit documents,tokens (default: tokens)")
    p.add_argument("--format", choices=["parquet", "jsonl"], default="parquet", help="format of DIR/documents/ parts")
    p.add_argument("--decontaminate", action="append", default=[], metavar="PATH",
                   help="a test set (JSONL/Parquet documents; file, folder or glob): training documents sharing "
                   "a 13-gram with it are removed after dedup (repeatable, one test set each)")
    p.add_argument("--no-resume", action="store_true",
                   help="ignore complete stage checkpoints under DIR/stages/ and run every stage")
    return p


class OutputLock:
    """Refuse a second concurrent run into the same output folder.

    ``flock`` on ``DIR/.curate.lock``: the kernel releases it when the owner dies, SIGKILL
    included, so a lock is never stale and no pid has to be checked (a pid means nothing on
    another host). On NFS, Linux maps flock to a POSIX lock that the server arbitrates across
    hosts. flock, not lockf: lockf locks belong to the process, so a second attempt inside the
    same process would succeed, and closing any descriptor of the file would drop the lock. The
    file names the owner (pid and host) for the error message only; it is removed on exit. Object stores have no such lock: there,
    unique job names keep runs apart (docs/robustness.md)."""

    def __init__(self, out_dir: Path):
        self.path = out_dir / ".curate.lock"
        self.fd = None

    def __enter__(self):
        import fcntl

        for _ in range(5):
            fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                owner = os.read(fd, 200).decode("utf-8", "replace").strip() or "unknown"
                os.close(fd)
                pid, _, host = owner.partition(" ")
                where = f"pid {pid} on {host}" if host else f"pid {pid}"
                raise OutputLockedError(f"--output {self.path.parent}: another curate run ({where}) is writing here") from None
            # The previous owner may have removed the file between our open and our lock: then
            # we hold a lock on a deleted file, and must lock the one now at the path instead.
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()} {socket.gethostname()}\n".encode())
                self.fd = fd
                return self
            os.close(fd)
        raise UserError(f"--output {self.path.parent}: cannot take the lock {self.path}")

    def __exit__(self, *exc):
        if self.fd is not None:
            self.path.unlink(missing_ok=True)  # before closing: nobody can lock it in between
            os.close(self.fd)
            self.fd = None


def clear_leftovers(out_dir: Path) -> None:
    """Remove what a killed or earlier run may have left outside stages/ (held under the lock):
    temporary files (``.name.tmp``, ``.name.XXXX.tmp``) and the documents/, rejected/ and
    duplicates/ parts, which every run rewrites whole: a run with fewer parts (or without
    ``--emit documents``) must not leave an old one behind.
    Incomplete or stale checkpoints are pipelines/checkpoint.remove_stale's business."""
    for dirpath, dirnames, filenames in os.walk(out_dir):
        if Path(dirpath) == out_dir:
            dirnames[:] = [d for d in dirnames if d != "stages"]
        for name in filenames:
            if name.startswith(".") and name.endswith(".tmp"):
                (Path(dirpath) / name).unlink(missing_ok=True)
    for sub in ("documents", "rejected", "duplicates"):
        for part in (out_dir / sub).glob("part-*"):
            part.unlink(missing_ok=True)


def run(args) -> int:
    import apache_beam as beam

    from curation.config import load_config
    from curation.inputs import is_remote, require_some_input, resolve_inputs

    common.setup_logging(args.debug)
    options = common.pipeline_options(args.beam_args)
    given, config_path = common.inputs_or_sample(args)
    overrides = list(args.overrides)
    if args.tokenizer:
        if not Path(args.tokenizer).is_file():
            raise UserError(f"--tokenizer {args.tokenizer}: no such file")
        overrides.append(f"tokenizer.model_path={Path(args.tokenizer).resolve()}")
    cfg = load_config(config_path, overrides)
    if args.decontaminate:
        from curation.config import replace_path
        from pipelines.decontaminate import files_of_test_sets

        cfg = replace_path(cfg, "decontaminate.test_sets", [*cfg.decontaminate.test_sets, *args.decontaminate])
        files_of_test_sets(cfg.decontaminate.test_sets)  # a missing test set: exit 2 before anything is written
    if args.sample is not None and not 0.0 < args.sample <= 1.0:
        raise UserError(f"--sample must be in (0, 1], got {args.sample}")
    if args.limit is not None and args.limit < 1:
        raise UserError(f"--limit must be at least 1, got {args.limit}")
    emit = tuple(sorted({e.strip() for e in args.emit.split(",") if e.strip()}))
    if not emit or set(emit) - {"documents", "tokens"}:
        raise UserError(f"--emit takes documents, tokens or documents,tokens; got '{args.emit}'")
    inputs = resolve_inputs(**given)
    require_some_input(inputs)
    if _is_dry_run(options) or is_remote(args.output):
        return _run_detached(args, options, inputs, cfg, config_path, emit)
    out_dir = common.ensure_output_dir(args.output).resolve()

    from pipelines import checkpoint as ckpt

    started = time.time()
    with OutputLock(out_dir):
        # A previous manifest must not survive a failed rerun: it is the commit marker.
        (out_dir / "manifest.json").unlink(missing_ok=True)
        clear_leftovers(out_dir)
        keys = ckpt.group_keys(ckpt.inputs_fingerprint(inputs), cfg, _checkpoint_extra(args))
        if args.no_resume:
            import shutil

            shutil.rmtree(out_dir / "stages", ignore_errors=True)
        ckpt.remove_stale(str(out_dir), keys)
        resume_from = ckpt.latest_complete(str(out_dir), keys)
        if resume_from:
            log.info("resuming after stage group '%s' from %s", resume_from, ckpt.stage_dir(str(out_dir), resume_from, keys[resume_from]))
        p = beam.Pipeline(options=options)
        _build(p, args, inputs, cfg, str(out_dir), keys, resume_from, emit)
        watcher = _wait(p, resume_from, watch=True)
        elapsed = time.time() - started
        run_info = _run_info(args, options, inputs, cfg, config_path, started, resume_from, keys, watcher.stage_seconds())
        common.write_json_atomic(out_dir / "run.json", run_info)
    _print_summary(out_dir, elapsed)
    return 0


def _checkpoint_extra(args) -> dict:
    """What besides the config decides the stage checkpoints' keys."""
    return {"text_key": args.text_key, "id_key": args.id_key, "sample": args.sample, "limit": args.limit}


def _build(p, args, inputs, cfg, out: str, keys, resume_from, emit) -> None:
    from pipelines import build_shards as pipeline

    pipeline.build(p, inputs, cfg, out, args.text_key, args.id_key, keys=keys, resume_from=resume_from,
                   sample=args.sample, limit=args.limit, emit=emit, documents_format=args.format)


def _wait(p, resume_from, watch: bool = False):
    """Run the pipeline; an accounting mismatch raised in a worker comes back as one line."""
    from contextlib import nullcontext

    from curation import progress
    from pipelines import build_shards as pipeline

    try:
        with (progress.watch(order=pipeline.STAGE_CHAIN) if watch else nullcontext()) as watcher:
            p.run().wait_until_finish()
    except Exception as e:  # Beam wraps worker exceptions; surface ours in one line
        msg = str(e)
        if "accounting mismatch" in msg:
            line = msg[msg.index("accounting mismatch"):].splitlines()[0]
            if resume_from:  # counts of finished groups came from their checkpoints
                line += f" (resumed after '{resume_from}': if a checkpoint under stages/ was damaged, rerun with --no-resume)"
            raise AccountingError(line) from None
        raise
    return watcher


def _run_info(args, options, inputs, cfg, config_path, started: float, resume_from, keys, durations=None) -> dict:
    from curation.config import to_dict

    info = {
        "command": "build-shards",
        "argv": [display_path(a) for a in sys.argv[1:]],
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "seconds": round(time.time() - started, 3),
        "host": socket.gethostname(),
        "user": getpass.getuser(),
        "python": platform.python_version(),
        "runner": options.get_all_options().get("runner") or "DirectRunner",
        "inputs": [{"kind": i.kind, "path": display_path(i.path)} for i in inputs],  # names may not be UTF-8
        "config_file": config_path,
        "resumed_from": resume_from,
        "stage_keys": keys,
        "config": to_dict(cfg),
    }
    if durations is not None:
        info["durations"] = durations
    return info


def _print_summary(out_dir: Path, elapsed: float) -> None:
    try:
        stats = json.loads((out_dir / "stats.json").read_text())
        manifest = json.loads((out_dir / "manifest.json").read_text())
    except (OSError, ValueError):
        return
    from curation.summary import format_summary

    try:
        durations = json.loads((out_dir / "run.json").read_text()).get("durations")
    except (OSError, ValueError):
        durations = None
    print(format_summary(stats, manifest, elapsed, durations=durations))


# ---------------------------------------------------------------- dry runs and remote outputs
def _is_dry_run(options) -> bool:
    from apache_beam.options.pipeline_options import TestOptions

    return bool(options.view_as(TestOptions).dry_run)


def _stage_labels(proto) -> list[str]:
    """Top-level transform labels of a pipeline proto, in graph order."""
    roots = proto.root_transform_ids
    labels = []
    for rid in roots:
        t = proto.components.transforms[rid]
        subs = t.subtransforms if len(roots) == 1 and t.subtransforms else [rid]
        labels.extend(proto.components.transforms[s].unique_name for s in subs)
    return labels


def _run_detached(args, options, inputs, cfg, config_path, emit) -> int:
    """A dry run (``--dry_run=True``), or an output on an object store or cluster filesystem.

    Building the graph touches nothing in the output folder: no mkdir, no lock (object stores
    rely on unique job names, docs/scale-out.md), no stage cleanup; remote input globs are
    listed by the workers (curation.inputs.expand_input). A dry run on DataflowRunner builds,
    pickles and translates the whole job and submits nothing; on any other runner it only
    translates the graph (Beam's runner API, what Flink and Spark job servers consume): either
    way nothing runs, so no manifest is written and no metrics are read.
    """
    import apache_beam as beam
    from apache_beam.io.filesystems import FileSystems

    from curation.inputs import is_remote
    from pipelines import checkpoint as ckpt
    from pipelines.fsutil import write_json

    dry_run = _is_dry_run(options)
    out = args.output.rstrip("/") if is_remote(args.output) else str(Path(args.output).absolute())
    keys = ckpt.group_keys(ckpt.inputs_fingerprint(inputs, match_remote=not dry_run), cfg, _checkpoint_extra(args))
    resume_from = None if dry_run or args.no_resume else ckpt.latest_complete(out, keys)
    if resume_from:
        log.info("resuming after stage group '%s' from %s", resume_from, ckpt.stage_dir(out, resume_from, keys[resume_from]))
    runner = options.get_all_options().get("runner") or "DirectRunner"
    p = beam.Pipeline(options=options)
    _build(p, args, inputs, cfg, out, keys, resume_from, emit)
    if dry_run:
        if "Dataflow" in str(runner):
            proto = p.run().job.proto_pipeline  # DataflowRunner returns before submitting
        else:
            proto = p.to_runner_api()
        labels = _stage_labels(proto)
        print(f"dry run ({runner}): built the job graph, {len(proto.components.transforms)} transforms; "
              f"stages: {', '.join(labels)}; nothing was run or written")
        return 0
    started = time.time()
    manifest = f"{out}/manifest.json"
    if FileSystems.exists(manifest):  # the commit marker of an earlier run must not survive a failed rerun
        FileSystems.delete([manifest])
    _wait(p, resume_from)
    write_json(f"{out}/run.json", _run_info(args, options, inputs, cfg, config_path, started, resume_from, keys))
    try:
        with FileSystems.open(f"{out}/stats.json") as f:
            stats = json.loads(f.read())
        with FileSystems.open(manifest) as f:
            man = json.loads(f.read())
    except (OSError, ValueError):
        return 0
    from curation.summary import format_summary

    print(format_summary(stats, man, time.time() - started))
    return 0
