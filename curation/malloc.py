"""Keeping glibc's allocator from holding memory the pipeline has already freed.

glibc gives threads their own heap arenas (up to 8 per core). A Beam SDK worker runs gRPC and
bundle-processing threads, each of which grows an arena while a stage runs; memory freed there
is rarely returned. Capping arenas at 2 cut the 20k-document dedup's peak RSS from 1.86 to
1.30 GB at the same speed (docs/bench-dedup.md). The variable is read when a process starts, so
``limit_arenas`` sets it for the SDK workers the runner spawns and applies the same cap to the
running process with ``mallopt``. ``trim`` hands free heap pages back after a large transient
allocation (a re-read chunk). Both do nothing off glibc, and a user's own setting wins.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os

ARENAS = 2
_M_ARENA_MAX = -8  # mallopt parameter number (malloc.h)


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
