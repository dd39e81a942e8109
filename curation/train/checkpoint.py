"""Checkpoints of the training job: written atomically (temporary name, fsync, rename), the
latest hard-linked to the newest numbered one, read back with ``weights_only`` (no pickled code
runs), every rank's RNG state included so a resumed run repeats the uninterrupted one. And the
Ctrl-C handler that stops at a step boundary, so the checkpoint it leads to is exact."""

from __future__ import annotations

import os
import random
import signal
import threading
from pathlib import Path

import numpy as np
import torch

from curation.train import TrainError

CHECKPOINT = "checkpoint.pt"  # the latest, in --out; numbered ones in --out/checkpoints/


def rng_state() -> dict:
    np_state = np.random.get_state()
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "python": random.getstate(),
        "numpy": [np_state[0], np_state[1].tolist(), *np_state[2:]],
    }


def set_rng_state(s: dict) -> None:
    torch.set_rng_state(s["torch"])
    if s.get("cuda") and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(s["cuda"])
    random.setstate(_tuples(s["python"]))
    name, keys, *rest = s["numpy"]
    np.random.set_state((name, np.asarray(keys, dtype=np.uint32), *rest))


def _tuples(x):
    return tuple(_tuples(i) for i in x) if isinstance(x, (list, tuple)) else x


def save_atomic(obj: dict, path: Path) -> None:
    """torch.save under a temporary name in the same folder, fsync, rename: never half-written."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            torch.save(obj, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_checkpoint(out: Path, obj: dict, keep: int) -> Path:
    latest = out / CHECKPOINT
    if keep <= 0:
        save_atomic(obj, latest)
        return latest
    folder = out / "checkpoints"
    folder.mkdir(exist_ok=True)
    numbered = folder / f"step-{obj['step']:07d}.pt"
    save_atomic(obj, numbered)
    tmp = latest.with_name(f".{CHECKPOINT}.link{os.getpid()}")
    try:  # the latest is a hard link to the numbered one: one write, and still an atomic rename
        os.link(numbered, tmp)
        os.replace(tmp, latest)
    except OSError:
        if tmp.exists():
            tmp.unlink()
        save_atomic(obj, latest)
    for old in sorted(folder.glob("step-*.pt"))[:-keep]:
        old.unlink()
    return latest


def load_checkpoint(path: Path) -> dict:
    if not path.is_file():
        raise TrainError(f"--resume {path}: no such checkpoint")
    try:
        # weights_only: a checkpoint holds tensors and plain values only, so loading runs no pickled code
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # a truncated or foreign file
        raise TrainError(f"--resume {path}: not a readable checkpoint ({type(e).__name__}: {e})") from None


class StopAfterStep:
    """Ctrl-C during training: the first one lets the current step finish (so the checkpoint is
    exactly the state after a step) and then stops; a second one stops at once. Only in the main
    thread, where Python delivers signals; elsewhere Ctrl-C raises as usual."""

    def __init__(self, say):
        self.say = say
        self.requested = False
        self.previous = None

    def _handler(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        self.say("train: Ctrl-C: finishing this step, then saving a checkpoint (Ctrl-C again to stop at once)")

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
