"""curation/malloc.py on the running glibc: zero-filled allocations inside the context manager,
the user's own MALLOC_PERTURB_ back in force after it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from curation import malloc

_CHILD = """
import ctypes
from curation import malloc
lib = malloc._libc()
lib.malloc.restype = ctypes.c_void_p
def first_bytes():
    p = lib.malloc(4096)  # below the mmap threshold: served from the heap, where perturb applies
    out = ctypes.string_at(p, 16)
    lib.free(ctypes.c_void_p(p))
    return out.hex()
before = first_bytes()
with malloc.zeroed_allocations() as ok:
    inside = first_bytes()
print(before, inside, first_bytes(), ok)
"""


@pytest.mark.skipif(malloc._libc() is None, reason="not glibc")
def test_zeroed_allocations_override_and_restore_the_perturb_byte():
    env = {**os.environ, "MALLOC_PERTURB_": "1"}  # glibc then fills new allocations with 0xfe
    run = subprocess.run([sys.executable, "-c", _CHILD], cwd=Path(__file__).resolve().parents[1], env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    before, inside, after, ok = run.stdout.split()
    assert ok == "True"
    assert before == after == "fe" * 16
    assert inside == "00" * 16
