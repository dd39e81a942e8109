"""Live progress for the pipeline commands, whichever process runs the DoFns.

Beam's ``run()`` returns only at the end and its Metrics are not readable while it runs, so the
workers report instead: every count event a stage emits (pipelines/transforms.CountingDoFn) also
goes to ``record()``, which keeps per-process totals and, at most once a second, writes them to a
heartbeat file ``<progress dir>/<pid>.json`` (temporary name, then rename: never half-written).
The CLI runs ``watch()`` around ``p.run()``: a thread that sums the heartbeat files and shows
them. On a terminal (stderr is a TTY) that is a block of live lines, one per stage, redrawn every
second: documents in, kept, rate, elapsed, and a bar where the total is known (read: input files
done out of those listed). Elsewhere (a pipe, a log file) it logs one line per interval when
something changed. Log records printed meanwhile clear the block first, so they never interleave.

The progress directory reaches the workers through the environment (``CURATE_PROGRESS_DIR``,
inherited by multi_processing workers) and, in the CLI's own process, through ``watch`` itself.
Where it is unset (remote runners, tests of a DoFn) ``record()`` returns at once. Numbers here are
for the eye only: a retried bundle is counted twice. stats.json, computed as data, is the record.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

from curation import fs

log = logging.getLogger("curate")

ENV = "CURATE_PROGRESS_DIR"
WRITE_EVERY = 1.0  # seconds between heartbeat writes of one process
POLL_EVERY = 0.25
WHY = "why:"  # heartbeat field prefix of the per-reason removed and failed counts  # seconds between reads of the heartbeat folder
STAGE_ORDER = ("read", "extract", "langid", "quality", "dedup", "pii", "tokenize")
# Count kinds (pipelines/transforms.CountingDoFn) kept for the display. "unit_listed" and
# "unit_done" are progress-only events of the read stage: input files listed and read, the one
# stage whose total is known while it runs.
_FIELDS = {"in": "in", "out": "out", "removed": "removed", "failed": "failed", "unit_listed": "units",
           "unit_done": "units_done"}
_METRICS = ("bytes_in", "bytes_out", "tokens")


class _Heartbeat:
    """Per-process totals {stage: {in, out, removed, failed, bytes_in, bytes_out, tokens}}.

    Each thread adds into its own flat dict (no lock on the hot path: the multi_threading runner
    calls this from many threads); ``write`` copies them (a dict copy is atomic under the GIL)
    and sums. The clock is read once every 64 events, not on each one."""

    def __init__(self, directory: str):
        self.path = Path(directory) / f"{os.getpid()}.json"
        self.local = threading.local()
        self.per_thread: list[dict] = []
        self.lock = threading.Lock()  # guards per_thread registration and file writes
        self.last_write = time.monotonic()
        self.dirty = False

    def _mine(self) -> dict:
        d = self.local.__dict__.get("totals")
        if d is None:
            d = self.local.totals = {}
            self.local.calls = 0
            with self.lock:
                self.per_thread.append(d)
        return d

    def add(self, stage: str, kind: str, reason: str, n: int) -> None:
        field = _FIELDS.get(kind) or (reason if kind == "metric" and reason in _METRICS else None)
        if field is None:
            return
        d = self._mine()
        k = (stage, field)
        d[k] = d.get(k, 0) + n
        if reason and kind in ("removed", "failed"):  # per reason too: shown when a run fails
            k = (stage, WHY + reason)
            d[k] = d.get(k, 0) + n
        self.dirty = True
        self.local.calls += 1
        if not self.local.calls & 63 and time.monotonic() - self.last_write >= WRITE_EVERY:
            self.write()

    def totals(self) -> dict[str, dict[str, int]]:
        with self.lock:
            copies = [dict(d) for d in self.per_thread]
        out: dict[str, dict[str, int]] = {}
        for d in copies:
            for (stage, field), v in d.items():
                st = out.setdefault(stage, {})
                st[field] = st.get(field, 0) + v
        return out

    def write(self) -> None:
        self.dirty = False
        self.last_write = time.monotonic()
        payload = json.dumps({"pid": os.getpid(), "time": time.time(), "stages": self.totals()}, sort_keys=True)
        try:
            # Threads of one worker share the heartbeat file: each writes its own temporary.
            fs.write_bytes_atomic(str(self.path), payload.encode("utf-8"), unique=True)
        except OSError:
            pass  # the watcher removed the folder (the run is ending): progress is best effort


_dir: str | None = os.environ.get(ENV) or None
_beat: _Heartbeat | None = None
_beat_lock = threading.Lock()


def _forget_heartbeat() -> None:
    global _beat
    _beat = None


# A forked child must not write under its parent's pid.
os.register_at_fork(after_in_child=_forget_heartbeat)


def _heartbeat() -> _Heartbeat | None:
    global _beat
    with _beat_lock:
        if _beat is None and _dir is not None:
            _beat = _Heartbeat(_dir)
        return _beat


def record(stage: str, kind: str, reason: str = "", n: int = 1) -> None:
    """Add one count event to this process's progress (no-op when no watcher is running)."""
    beat = _beat
    if beat is None:
        if _dir is None:
            return
        beat = _heartbeat()
        if beat is None:
            return
    beat.add(stage, kind, reason, n)


def flush() -> None:
    """Write this process's totals now if they changed. Call it at the end of every bundle: a
    worker process may be stopped without warning once its last bundle is done, so this is the
    only moment its final counts are sure to be written."""
    beat = _beat
    if beat is not None and beat.dirty:
        beat.write()


def snapshot(directory: str | Path) -> dict[str, dict[str, int]]:
    """Sum every heartbeat file in ``directory``; unreadable files are skipped (being replaced)."""
    total: dict[str, dict[str, int]] = {}
    for p in sorted(Path(directory).glob("*.json")):
        try:
            stages = json.loads(p.read_text(encoding="utf-8"))["stages"]
        except (OSError, ValueError, KeyError):
            continue
        for stage, fields in stages.items():
            st = total.setdefault(stage, {})
            for k, v in fields.items():
                st[k] = st.get(k, 0) + int(v)
    return total


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _size(n: float) -> str:
    for unit, div in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= div:
            return f"{n / div:.1f} {unit}"
    return f"{n:.0f} B"


def _ordered(stages: dict, order) -> list[str]:
    """Stage names in pipeline order, then any others (plugins) by name."""
    return [s for s in order if s in stages] + sorted(s for s in stages if s not in order)


def _losses(st: dict, sep: str) -> str:
    """`` N removed`` and `` N failed`` where there are any."""
    return "".join(f"{sep}{st[k]:,} {k}" for k in ("removed", "failed") if st.get(k))


def format_progress(stages: dict[str, dict[str, int]], elapsed: float, order=STAGE_ORDER) -> str:
    """One line: per stage documents in, kept, removed, failed and bytes or tokens seen."""
    names = _ordered(stages, order)
    parts = []
    for s in names:
        st = stages[s]
        text = f"{s} {st.get('in', 0):,} in {st.get('out', 0):,} kept" + _losses(st, " ")
        if st.get("bytes_in"):
            text += f" ({_size(st['bytes_in'])})"
        if st.get("tokens"):
            text += f" {st['tokens']:,} tokens"
        parts.append(text)
    m, sec = divmod(int(elapsed), 60)
    return f"progress {m}:{sec:02d}  " + (" | ".join(parts) if parts else "starting")


def _bar(done: int, total: int, width: int = 20) -> str:
    frac = min(done / total, 1.0) if total else 0.0
    full = int(width * frac)
    return f"[{'#' * full}{'.' * (width - full)}] {frac:4.0%}"


def _clock(seconds: float) -> str:
    m, sec = divmod(int(seconds), 60)
    return f"{m // 60}:{m % 60:02d}:{sec:02d}" if m >= 60 else f"{m}:{sec:02d}"


def format_stage_lines(stages: dict[str, dict[str, int]], elapsed: float, order=STAGE_ORDER) -> list[str]:
    """The live block: a header with the elapsed time, then one line per stage seen so far:
    documents in, kept, removed, failed, documents per second since the run started, and for
    read a bar of input files done out of those listed (the one total known while it runs)."""
    names = _ordered(stages, order)
    width = max((len(s) for s in (*names, *order)), default=0)
    lines = [f"curate: running for {_clock(elapsed)}" + ("" if names else " (starting the pipeline)")]
    for s in names:
        st = stages[s]
        docs = st.get("in", 0)
        rate = f"{docs / elapsed:,.1f}/s" if elapsed >= 1.0 else "-"
        text = f"  {s:<{width}}  {docs:>9,} docs  {st.get('out', 0):>9,} kept  {rate:>9}" + _losses(st, "  ")
        if st.get("units"):
            text += f"  {_bar(st.get('units_done', 0), st['units'])} of {st['units']:,} files"
        if st.get("tokens"):
            text += f"  {st['tokens']:,} tokens"
        lines.append(text)
    return lines


def format_stopped(stages: dict[str, dict[str, int]], order=STAGE_ORDER, top: int = 3) -> list[str]:
    """Where a failed run stopped: per stage the documents in, kept, and the top reasons."""
    names = [s for s in order if s in stages] + sorted(s for s in stages if s not in order)
    lines = []
    for s in names:
        st = stages[s]
        why = sorted(((k[len(WHY):], v) for k, v in st.items() if k.startswith(WHY)), key=lambda kv: (-kv[1], kv[0]))
        text = f"  {s:<9} {st.get('in', 0):>9,} in {st.get('out', 0):>9,} kept"
        if why:
            text += "  " + ", ".join(f"{r} {n:,}" for r, n in why[:top])
        lines.append(text)
    return lines


class _LiveBlock:
    """Lines redrawn in place on a terminal. ``clear()`` erases them (a log record is about to be
    printed); the next ``draw`` starts below whatever was printed."""

    def __init__(self, stream):
        self.stream = stream
        self.shown = 0
        self.lock = threading.Lock()

    def _erase(self) -> str:
        # Up to the block's first line, then clear to the end of the screen.
        return f"\x1b[{self.shown}F\x1b[J" if self.shown else ""

    def draw(self, lines: list[str]) -> None:
        cols = shutil.get_terminal_size((120, 24)).columns
        with self.lock:
            text = self._erase() + "".join(line[: cols - 1] + "\n" for line in lines)
            self.shown = len(lines)
            self.stream.write(text)
            self.stream.flush()

    def clear(self) -> None:
        with self.lock:
            if self.shown:
                self.stream.write(self._erase())
                self.stream.flush()
                self.shown = 0


class _ClearBeforeLog(logging.Filter):
    """On the handlers that write to the terminal: erase the live block before a record prints."""

    def __init__(self, block: _LiveBlock):
        super().__init__()
        self.block = block

    def filter(self, record) -> bool:
        self.block.clear()
        return True


def _terminal_handlers(stream) -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)
            and getattr(h, "stream", None) in (stream, sys.stderr, sys.stdout)]


class watch:
    """Context manager for the CLI: makes a private heartbeat folder (a temporary directory, so
    the output folder is untouched and may be remote), points the workers at it and emits a
    progress line every ``interval`` seconds when the totals changed; removes it on exit.
    ``emit`` defaults to the "curate" logger at INFO. ``live`` (default: stderr is a terminal
    and no ``emit`` is given) redraws one line per stage every second on ``stream`` instead."""

    def __init__(self, interval: float = 5.0, emit: Callable[[str], None] | None = None, order=STAGE_ORDER,
                 live: bool | None = None, stream=None):
        self.directory: Path | None = None
        self.stream = stream or sys.stderr
        if live is None:
            live = emit is None and _isatty(self.stream)
        self.live = _LiveBlock(self.stream) if live else None
        self._log_filter = _ClearBeforeLog(self.live) if live else None
        self.interval = 1.0 if live else interval
        self.emit = emit or log.info
        self.order = tuple(order)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last = None
        self._last_emit = 0.0
        self._first_seen: dict[str, float] = {}
        self._last_change: dict[str, float] = {}
        self._prev: dict = {}
        self._env_before: str | None = None

    def __enter__(self) -> "watch":
        global _dir, _beat
        self.directory = Path(tempfile.mkdtemp(prefix="curate-progress-"))
        _beat = None
        self._env_before = os.environ.get(ENV)
        os.environ[ENV] = str(self.directory)  # inherited by multi_processing workers
        _dir = str(self.directory)  # this process's own DoFns (in-memory and multi_threading runners)
        self._started = time.monotonic()
        if self._log_filter is not None:
            for h in _terminal_handlers(self.stream):
                h.addFilter(self._log_filter)
        self._thread = threading.Thread(target=self._loop, name="curate-progress", daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        # Poll often (when each stage finished), emit at most once per interval.
        while not self._stop.wait(min(POLL_EVERY, self.interval)):
            self._poll()
            if time.monotonic() - self._last_emit >= self.interval:
                self.report()

    def _poll(self) -> dict:
        stages = snapshot(self.directory)
        now = time.monotonic() - self._started
        for name, fields in stages.items():
            self._first_seen.setdefault(name, now)
            if fields != self._prev.get(name):
                self._last_change[name] = now
        self._prev = stages
        return stages

    def report(self) -> None:
        """Redraw the live block, or emit one line if the totals changed since the last one."""
        stages = self._poll()
        if self.live is not None:
            self._last_emit = time.monotonic()
            self.live.draw(format_stage_lines(stages, time.monotonic() - self._started, self.order))
            return
        if stages and stages != self._last:
            self._last = stages
            self._last_emit = time.monotonic()
            self.emit(format_progress(stages, time.monotonic() - self._started, self.order))

    def stage_done_at(self) -> dict[str, float]:
        """Per stage, seconds from the start of the run to the last change of its counts: when
        it finished, to the poll's quarter second (workers write their counts at the end of every
        bundle). Beam runs stages fused and overlapping, so this is a timeline, not a duration."""
        return {s: round(t, 1) for s, t in self._last_change.items()}

    def totals(self) -> dict[str, dict[str, int]]:
        """The last totals seen (valid after exit too)."""
        return self._prev

    def __exit__(self, *exc) -> None:
        global _dir, _beat
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if _beat is not None:
            _beat.write()  # this process's last counts
        if exc[0] is None:
            self.report()
        elif self.live is not None:
            self.live.clear()  # an error or Ctrl-C: its message, not a stale frame, is the last word
        if self._log_filter is not None:
            for h in logging.getLogger().handlers:
                h.removeFilter(self._log_filter)
        _dir, _beat = None, None
        if self._env_before is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = self._env_before
        shutil.rmtree(self.directory, ignore_errors=True)


def use_directory(directory: str) -> None:
    """Point this process's ``record()`` at ``directory`` from now on (a worker whose
    environment was set before the watcher's folder existed: pipelines/dask_runner.py)."""
    global _dir, _beat
    with _beat_lock:
        if _dir != directory:
            _dir, _beat = directory, None
