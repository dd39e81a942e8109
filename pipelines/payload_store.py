"""Shingle payloads kept in files beside the run instead of crossing a shuffle.

Verification needs every candidate's sorted shingle-hash set (about 2 KB for a 3 KB document).
Sent through the shuffle, those sets were the largest thing any runner buffer held: the
DirectRunner keeps a stage's input in memory, about three copies of it, so at 100k documents
the payload join set the run's peak (docs/bench-dedup.md). With ``dedup.payloads: files``
(the default for ``curate dedup``) each featurised chunk writes its payloads to one file,
``<output>/.dedup-payloads/chunk-<idx>.bin``, and the shuffle carries a 3-integer pointer
(chunk, offset, length). The verifying worker reads only the sets of its partition's pairs,
one sorted pass per chunk file, with nearby ranges read together. The folder is removed when
the run's output is complete.

A file is written under a temporary name and renamed, and its bytes depend only on its chunk,
so a retried bundle rewrites the same file.
"""

from __future__ import annotations

from collections import defaultdict

from curation import fs

FOLDER = ".dedup-payloads"
# Ranges of one file closer than this are read in one call (object stores bill per request).
_COALESCE = 256 << 10


def payload_dir(out_dir: str) -> str:
    return f"{out_dir.rstrip('/')}/{FOLDER}"


def chunk_file(folder: str, idx: int) -> str:
    return f"{folder}/chunk-{idx:05d}.bin"


class ChunkPayloads:
    """One chunk's payloads, streamed to the chunk's file while the chunk is featurised (a
    compressed input file is one chunk however large, so nothing is buffered) and renamed into
    place by ``write`` when the chunk ends."""

    def __init__(self, folder: str, idx: int):
        self.folder, self.idx = folder, idx
        self.size = 0
        self.f = None
        self._target = None

    def add(self, payload: bytes) -> tuple[int, int, int]:
        """Write ``payload``; the pointer that stands for it in the shuffle."""
        if self.f is None:
            self._target = fs.atomic_writer(chunk_file(self.folder, self.idx))  # renamed by write()
            self.f = self._target.__enter__()
        ptr = (self.idx, self.size, len(payload))
        self.f.write(payload)
        self.size += len(payload)
        return ptr

    def write(self) -> None:
        """Close and rename: before the bundle commits, so every pointer sent has its file."""
        if self.f is None:
            return
        self._target.__exit__(None, None, None)
        self.f = self._target = None


def resolve(folder: str | None, payloads) -> dict:
    """Pointers among ``payloads`` -> {pointer: bytes}; inline payloads (bytes, from reference
    documents or ``dedup.payloads: shuffle``) need no entry."""
    by_chunk: dict[int, set] = defaultdict(set)
    for p in payloads:
        if not isinstance(p, bytes):
            by_chunk[p[0]].add(p)
    out: dict = {}
    if not by_chunk:
        return out
    if folder is None:
        raise ValueError("payload pointers without a payload folder")
    for idx in sorted(by_chunk):
        ptrs = sorted(by_chunk[idx], key=lambda p: p[1])
        with fs.open_read(chunk_file(folder, idx)) as f:
            i = 0
            while i < len(ptrs):
                # One read spans consecutive pointers whose gaps are small.
                j, lo, hi = i + 1, ptrs[i][1], ptrs[i][1] + ptrs[i][2]
                while j < len(ptrs) and ptrs[j][1] - hi <= _COALESCE:
                    hi = max(hi, ptrs[j][1] + ptrs[j][2])
                    j += 1
                f.seek(lo)
                buf = f.read(hi - lo)
                if len(buf) != hi - lo:
                    raise OSError(f"payload file {chunk_file(folder, idx)} is shorter than its pointers")
                for p in ptrs[i:j]:
                    out[p] = buf[p[1] - lo : p[1] - lo + p[2]]
                i = j
    return out


def remove(folder: str) -> None:
    """Delete the payload folder (the run's output is complete)."""
    if not fs.is_remote(folder):
        fs.delete([folder])
        return
    # An object store has no folders: a trailing "/" deletes every object under the prefix.
    try:
        fs.delete([folder.rstrip("/") + "/"])
    except OSError:
        pass  # none was written (no near dedup, or no document); a leftover is rewritten next run
