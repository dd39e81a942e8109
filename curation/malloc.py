"""Keeping glibc's allocator from holding memory the pipeline has already freed.

glibc gives threads their own heap arenas (up to 8 per core). A Beam SDK worker runs gRPC and
bundle-processing threads, each of which grows an arena while a stage runs; memory freed there
is rarely returned. Capping arenas at 2 cut the 20k-document dedup's peak RSS from 1.86 to
1.30 GB at the same speed (docs/bench-dedup.md). The variable is read when a process starts, so
``limit_arenas`` sets it for the SDK workers the runner spawns and applies the same cap to the
running process with ``mallopt``. ``trim`` hands free heap pages back after a large transient
allocation (a re-read chunk). Both do nothing off glibc, and a user's own setting wins.

``zeroed_allocations`` makes every allocation inside it zero-filled. fastText 0.9.3 needs it:
its matrices are ``posix_memalign`` blocks that are never cleared, and with one training thread
it randomises only the first tenth of the input matrix (one block per thread, ten blocks). The
other nine tenths start as whatever the heap held before, so training gave different models
from the same seed and often stopped with "Encountered NaN." (under ``MALLOC_PERTURB_=1``, every
time; valgrind names ``DenseMatrix::DenseMatrix`` as the origin). Zeroed, they start as they did
in fastText 0.9.2, whose matrix was a zero-initialised ``std::vector``, and training is
bit-reproducible.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import os
from typing import Iterator

ARENAS = 2
_M_ARENA_MAX = -8  # mallopt parameter numbers (malloc.h)
_M_PERTURB = -6


@functools.cache
def _libc():
    name = ctypes.util.find_library("c")
    try:
        lib = ctypes.CDLL(name) if name else None
        return lib if lib is not None and hasattr(lib, "malloc_trim") else None
    except OSError:
        return None


def limit_arenas() -> None:
    if "MALLOC_ARENA_MAX" in os.environ:
        return
    os.environ["MALLOC_ARENA_MAX"] = str(ARENAS)  # inherited by the runner's worker processes
    lib = _libc()
    if lib is not None:
        lib.mallopt(_M_ARENA_MAX, ARENAS)


_last_trim = [0.0]


def trim(every_s: float = 1.0) -> None:
    """malloc_trim(0), at most once per ``every_s`` seconds per process (it walks the heap: a
    few milliseconds, which a runner with thousands of small bundles should not pay each)."""
    import time

    lib = _libc()
    now = time.monotonic()
    if lib is not None and now - _last_trim[0] >= every_s:
        _last_trim[0] = now
        lib.malloc_trim(0)


def _env_perturb() -> int:
    try:  # glibc reads MALLOC_PERTURB_ with atoi at start-up; put back what it read
        return int(os.environ.get("MALLOC_PERTURB_", "0") or 0) & 0xFF
    except ValueError:
        return 0


@contextlib.contextmanager
def zeroed_allocations() -> Iterator[bool]:
    """Inside, glibc fills each new allocation with zeros (its perturb byte set to 0xff: malloc
    fills with ``byte ^ 0xff``; memory fresh from the kernel is zero already). Yields whether it
    took effect: False off glibc. The cost is a memset per allocation and per free."""
    lib = _libc()
    ok = lib is not None and lib.mallopt(_M_PERTURB, 0xFF) == 1
    try:
        yield ok
    finally:
        if ok:
            lib.mallopt(_M_PERTURB, _env_perturb())
