"""The shards as training windows: manifest checks, a packing plan, a rank-sliced prefetching loader.

The plan is computed from token counts only (the `n_tokens` column), never from the tokens:
1. order: a seeded shuffle of the row groups, then of the documents within each run of
   `shuffle_row_groups` consecutive row groups (a global shuffle would make every window read
   from a different row group; this keeps reads local and the order still changes every epoch);
2. packing into windows of seq_len + 1 tokens. A document starts at the next free slot of the
   current window; when it does not fit and the space left is at most `pack_slack` of a window,
   the rest is padded so the document starts the next window at its BOS. Otherwise (a long
   document, or much space left) it continues into the next window, which repeats the previous
   window's last token as its first input, so every next-token target in a document is trained
   exactly once. Nothing is cropped.
A global optimizer step takes the next `global_batch` windows of the stream (epochs follow each
other without a gap) and rank r of W takes the r-th contiguous slice: the token stream is the
same for any number of ranks. Tokens are read from Arrow buffers with numpy (list offsets and
flat values), never through Python lists.
"""

from __future__ import annotations

import hashlib
import json
import queue
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import pyarrow.parquet as pq

from curation.train import TrainError

IGNORE = -100  # cross_entropy's ignore_index: padding, document boundaries, loss_mask == 0
DTYPE_MAX = {"uint16": 1 << 16, "uint32": 1 << 32}


# ------------------------------------------------------------------------------------ manifest
@dataclass(frozen=True)
class Manifest:
    root: Path
    tokenizer: dict
    shards: tuple[dict, ...]
    fingerprint: str

    @property
    def vocab_size(self) -> int:
        return int(self.tokenizer["vocab_size"])

    @property
    def pad_id(self) -> int:
        return int(self.tokenizer.get("pad_id", 0))

    @property
    def bos_id(self) -> int:
        return int(self.tokenizer["bos_id"])


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_manifest(shards_dir: str | Path) -> Manifest:
    """Read DIR/manifest.json and check what is cheap to check: files present, sizes, tokenizer hash."""
    root = Path(shards_dir)
    path = root / "manifest.json"
    if not path.is_file():
        raise TrainError(f"--shards {shards_dir}: no manifest.json (not a build-shards output, or the build did not finish)")
    raw = path.read_bytes()
    try:
        m = json.loads(raw)
    except ValueError as e:
        raise TrainError(f"{path}: not valid JSON: {e}") from None
    if m.get("schema_version") != 1:
        raise TrainError(f"{path}: schema_version {m.get('schema_version')!r} is not supported (expected 1)")
    tok = m.get("tokenizer") or {}
    for key in ("vocab_size", "bos_id", "eos_id", "dtype"):
        if key not in tok:
            raise TrainError(f"{path}: tokenizer.{key} missing")
    if tok["dtype"] not in DTYPE_MAX or int(tok["vocab_size"]) > DTYPE_MAX[tok["dtype"]]:
        raise TrainError(f"{path}: token dtype {tok['dtype']!r} cannot hold vocab_size {tok['vocab_size']}")
    if tok.get("file") and tok.get("sha256") and (root / tok["file"]).is_file():
        if _sha256(root / tok["file"]) != tok["sha256"]:
            raise TrainError(f"{root / tok['file']}: sha256 differs from the manifest: tokenizer replaced after the build")
    shards = []
    for s in m.get("shards") or []:
        rel = Path(s["path"])
        if rel.is_absolute() or ".." in rel.parts:
            raise TrainError(f"{path}: shard path {s['path']!r} must be relative to the shards folder")
        f = root / rel
        if not f.is_file():
            raise TrainError(f"{f}: listed in the manifest but missing")
        if "bytes" in s and f.stat().st_size != int(s["bytes"]):
            raise TrainError(f"{f}: {f.stat().st_size} bytes, the manifest says {s['bytes']}: shard changed after the build")
        shards.append(dict(s))
    fingerprint = m.get("fingerprint") or hashlib.sha256(raw).hexdigest()
    return Manifest(root=root, tokenizer=dict(tok), shards=tuple(shards), fingerprint=str(fingerprint))


def parse_shards_spec(spec: str) -> tuple[str, float]:
    """"DIR" or "DIR:WEIGHT" (a weight of 2 repeats every document twice per epoch, 0.5 takes half)."""
    head, sep, tail = str(spec).rpartition(":")
    if sep and head:
        try:
            w = float(tail)
        except ValueError:
            return str(spec), 1.0
        if not 0.0 <= w <= 1000.0:
            raise TrainError(f"--shards {spec}: weight must be in [0, 1000]")
        return head, w
    return str(spec), 1.0


def load_shards(shards: str | Path | list) -> Manifest:
    """One shards folder, or several `DIR[:WEIGHT]` specs mixed by weight (docs/export.md, "Mixing").

    Several folders must share one tokenizer (same sha256). Each shard entry carries its folder's
    weight and an absolute path; the fingerprint names every folder's fingerprint and weight."""
    specs = [shards] if isinstance(shards, (str, Path)) else list(shards)
    if not specs:
        raise TrainError("--shards: give at least one folder")
    parsed = [parse_shards_spec(str(s)) for s in specs]
    if len(parsed) == 1 and parsed[0][1] == 1.0:
        return load_manifest(parsed[0][0])
    parts = [(load_manifest(d), w) for d, w in parsed]
    first = parts[0][0]
    for m, _ in parts[1:]:
        if m.tokenizer.get("sha256") != first.tokenizer.get("sha256") or m.vocab_size != first.vocab_size:
            raise TrainError(f"--shards {m.root}: built with another tokenizer than {first.root} "
                             f"(sha256 {str(m.tokenizer.get('sha256'))[:12]} vs {str(first.tokenizer.get('sha256'))[:12]})")
    shards_out = []
    h = hashlib.sha256(b"curate-mix-v1\n")
    for m, w in parts:
        h.update(f"{m.fingerprint}\t{w!r}\n".encode())
        for s in m.shards:
            shards_out.append({**s, "path": str((m.root / s["path"]).resolve()), "weight": w})
    return Manifest(root=first.root, tokenizer=first.tokenizer, shards=tuple(shards_out), fingerprint=h.hexdigest())


def check_vocab(manifest: Manifest, model_vocab: int, checkpoint_tokenizer: dict | None = None) -> None:
    """Refuse a model that cannot embed every token id, or a checkpoint trained on another tokenizer."""
    if model_vocab < manifest.vocab_size:
        raise TrainError(f"model vocab_size {model_vocab} is smaller than the tokenizer's {manifest.vocab_size}")
    if checkpoint_tokenizer is not None:
        for key in ("sha256", "vocab_size", "bos_id", "eos_id", "pad_id"):
            a, b = checkpoint_tokenizer.get(key), manifest.tokenizer.get(key)
            if a != b:
                raise TrainError(f"tokenizer mismatch: the checkpoint has {key}={a!r}, the shards have {key}={b!r}")


# -------------------------------------------------------------------------------- shard index
class ShardIndex:
    """Documents of one split, known by their token counts; tokens are read on demand per row group."""

    def __init__(self, manifest: Manifest, split: str, token_limit: int | None = None, cache_row_groups: int = 16):
        self.manifest = manifest
        self.split = split
        self.token_limit = token_limit or manifest.vocab_size
        self.files: list[Path] = []
        rg_file, rg_index, counts, weights = [], [], [], []
        for s in manifest.shards:
            if s.get("split", "train") != split:
                continue
            f = manifest.root / s["path"]
            pf = pq.ParquetFile(f)
            names = pf.schema_arrow.names
            for col in ("n_tokens", "input_ids"):
                if col not in names:
                    raise TrainError(f"{f}: column {col!r} missing")
            self.files.append(f)
            for i in range(pf.num_row_groups):
                n = pf.read_row_group(i, columns=["n_tokens"]).column(0).to_numpy(zero_copy_only=False)
                rg_file.append(len(self.files) - 1)
                rg_index.append(i)
                counts.append(n.astype(np.int64))
                weights.append(float(s.get("weight", 1.0)))
        self.rg_file = np.asarray(rg_file, dtype=np.int64)
        self.rg_index = np.asarray(rg_index, dtype=np.int64)
        sizes = np.asarray([len(c) for c in counts], dtype=np.int64)
        self.rg_first = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.doc_len = np.concatenate(counts) if counts else np.zeros(0, dtype=np.int64)
        if (self.doc_len < 0).any():
            raise TrainError(f"{split} shards: negative n_tokens")
        # Folder weights (load_shards): None when every weight is 1, so an unweighted order is unchanged.
        # The val split is never up-sampled: weights above 1 count as 1 there.
        w = np.repeat(np.asarray(weights, dtype=np.float64), sizes) if counts else np.zeros(0)
        if split == "val":
            w = np.minimum(w, 1.0)
        self.doc_weight = w if (w != 1.0).any() else None
        self._files: dict[int, pq.ParquetFile] = {}
        self._cache: OrderedDict[int, tuple] = OrderedDict()
        self._cache_size = cache_row_groups

    @property
    def n_docs(self) -> int:
        return len(self.doc_len)

    @property
    def n_row_groups(self) -> int:
        return len(self.rg_file)

    @property
    def n_tokens(self) -> int:
        return int(self.doc_len.sum())

    def _row_group(self, r: int) -> tuple:
        hit = self._cache.get(r)
        if hit is not None:
            self._cache.move_to_end(r)
            return hit
        fi = int(self.rg_file[r])
        pf = self._files.get(fi) or self._files.setdefault(fi, pq.ParquetFile(self.files[fi]))
        cols = ["input_ids"] + (["loss_mask"] if "loss_mask" in pf.schema_arrow.names else [])
        table = pf.read_row_group(int(self.rg_index[r]), columns=cols)
        ids = table.column("input_ids").combine_chunks()
        # offsets index into the flat child array (slicing-aware); values stay in the Arrow buffer
        offsets = ids.offsets.to_numpy()
        values = ids.values.to_numpy()
        lens = np.diff(offsets)
        want = self.doc_len[self.rg_first[r]:self.rg_first[r + 1]]
        where = f"{self.files[fi]} row group {int(self.rg_index[r])}"
        if not np.array_equal(lens, want):
            raise TrainError(f"{where}: n_tokens disagrees with the length of input_ids")
        if len(values) and int(values[offsets[0]:offsets[-1]].max(initial=0)) >= self.token_limit:
            raise TrainError(f"{where}: token id {int(values.max())} outside the vocabulary ({self.token_limit})")
        mask = None
        if "loss_mask" in cols:
            lm = table.column("loss_mask").combine_chunks()
            if lm.null_count == 0:
                mask = (lm.offsets.to_numpy(), lm.values.to_numpy())
                if not np.array_equal(np.diff(mask[0]), lens):
                    raise TrainError(f"{where}: loss_mask and input_ids differ in length")
        entry = (offsets, values, mask)
        self._cache[r] = entry
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return entry

    def tokens(self, doc: int, start: int, length: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Tokens [start, start+length) of a document, and its loss mask there (None: all ones)."""
        r = int(np.searchsorted(self.rg_first, doc, side="right")) - 1
        offsets, values, mask = self._row_group(r)
        row = doc - int(self.rg_first[r])
        a = int(offsets[row]) + start
        m = None
        if mask is not None:
            ma = int(mask[0][row]) + start
            m = mask[1][ma:ma + length]
        return values[a:a + length], m

    def _weighted(self, docs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Each document floor(w) times, plus once with probability frac(w), drawn afresh every epoch."""
        w = self.doc_weight[docs]
        whole = np.floor(w)
        n = (whole + (rng.random(len(docs)) < (w - whole))).astype(np.int64)
        return np.repeat(docs, n)

    def order(self, seed: int, epoch: int, shuffle: bool, shuffle_row_groups: int) -> np.ndarray:
        """Documents in packing order for an epoch; empty documents are left out (nothing to train)."""
        if not shuffle:
            order = np.arange(self.n_docs, dtype=np.int64)
            if self.doc_weight is not None:
                order = self._weighted(order, np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, epoch]))))
        else:
            rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, epoch])))
            rgs = rng.permutation(self.n_row_groups)
            parts = []
            for c in range(0, len(rgs), shuffle_row_groups):
                docs = np.concatenate([np.arange(self.rg_first[r], self.rg_first[r + 1]) for r in rgs[c:c + shuffle_row_groups]])
                if self.doc_weight is not None:
                    docs = self._weighted(docs, rng)
                parts.append(rng.permutation(docs))
            order = np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)
        return order[self.doc_len[order] > 0]


# ---------------------------------------------------------------------------------------- plan
@dataclass(frozen=True)
class Plan:
    """Where every document of an epoch lands: window and offset of its first token, last window."""

    order: np.ndarray  # document index, in packing order
    start_win: np.ndarray
    offset: np.ndarray
    end_win: np.ndarray  # non-decreasing: documents are placed in order
    n_windows: int
    window: int  # seq_len + 1

    def segments(self, k: int, doc_len: np.ndarray) -> list[tuple[int, int, int, int]]:
        """(document, first token, token count, slot in the window) of every piece in window k."""
        T1, T = self.window, self.window - 1
        lo = int(np.searchsorted(self.end_win, k, side="left"))
        hi = int(np.searchsorted(self.start_win, k, side="right"))
        out = []
        for i in range(lo, hi):
            doc, s, o = int(self.order[i]), int(self.start_win[i]), int(self.offset[i])
            L = int(doc_len[doc])
            if k == s:
                out.append((doc, 0, min(L, T1 - o), o))
            else:  # a continuation repeats the previous window's last token as its first input
                a = (T1 - o) - 1 + (k - s - 1) * T
                out.append((doc, a, min(T1, L - a), 0))
        return out


def pack(order: np.ndarray, doc_len: np.ndarray, seq_len: int, pack_slack: float) -> Plan:
    """Greedy BOS-aligned packing of documents (in order) into windows of seq_len + 1 tokens."""
    T1, T = seq_len + 1, seq_len
    slack = int(pack_slack * T1)
    n = len(order)
    start_win = np.empty(n, dtype=np.int64)
    offset = np.empty(n, dtype=np.int64)
    end_win = np.empty(n, dtype=np.int64)
    w = o = 0
    for i, L in enumerate(doc_len[order].tolist()):  # token counts only: one int per document
        free = T1 - o
        if L > free and 0 < free <= slack and o > 0:
            w, o = w + 1, 0  # pad the rest: the document starts the next window at its BOS
            free = T1
        start_win[i], offset[i] = w, o
        if L <= free:
            o += L
            end_win[i] = w
        else:
            r = L - free  # tokens left after the first window; each next window adds T new ones
            m = -(-r // T)
            end_win[i] = w = w + m
            o = 1 + r - (m - 1) * T
        if o == T1:
            w, o = w + 1, 0
    return Plan(order=order, start_win=start_win, offset=offset, end_win=end_win,
                n_windows=w + (1 if o > 0 else 0), window=T1)


def window_tokens(index: ShardIndex, plan: Plan, k: int, pad_id: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The seq_len + 1 tokens of window k, their segment numbers, and where a target may be trained."""
    T1 = plan.window
    tok = np.full(T1, pad_id, dtype=np.int64)
    seg = np.empty(T1, dtype=np.int32)
    keep = np.zeros(T1, dtype=bool)
    segs = plan.segments(k, index.doc_len)
    end = 0
    for j, (doc, a, n, dest) in enumerate(segs):
        t, m = index.tokens(doc, a, n)
        tok[dest:dest + n] = t
        seg[dest:dest + n] = j
        keep[dest:dest + n] = True if m is None else m.astype(bool)
        end = dest + n
    seg[end:] = len(segs)  # padding is a segment of its own, so no row of the mask is empty
    return tok, seg, keep


def build_window(index: ShardIndex, plan: Plan, k: int, pad_id: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Inputs, targets and segment ids (seq_len each) of window k.

    A target is ignored where it is padding, crosses into another document, or has loss_mask 0."""
    tok, seg, keep = window_tokens(index, plan, k, pad_id)
    x, y = tok[:-1].copy(), tok[1:].copy()
    y[~(keep[1:] & (seg[1:] == seg[:-1]))] = IGNORE
    return x, y, seg[:-1].copy()


# -------------------------------------------------------------------------------------- loader
@dataclass
class Batch:
    """One optimizer step for one rank: micro-batches of (inputs, targets, doc_ids) tensors."""

    micro: list
    windows: list  # (epoch, window) of each sequence, in order
    state: dict  # loader state after this step


class TokenLoader:
    """Rank-sliced, resumable stream of optimizer steps over the train (or val) split."""

    def __init__(self, manifest: Manifest, *, split: str = "train", seq_len: int, global_batch: int,
                 micro_batch: int, rank: int = 0, world: int = 1, seed: int = 0, shuffle: bool = True,
                 shuffle_row_groups: int = 4, pack_slack: float = 0.125, token_limit: int | None = None,
                 prefetch: int = 2, pin_memory: bool = False):
        if global_batch % (micro_batch * world):
            raise TrainError(f"global_batch {global_batch} is not a multiple of micro_batch {micro_batch} x {world} ranks")
        self.manifest = manifest
        self.index = ShardIndex(manifest, split, token_limit=token_limit, cache_row_groups=2 * shuffle_row_groups + 2)
        if self.index.n_tokens == 0:
            raise TrainError(f"--shards {manifest.root}: no {split} tokens")
        self.split, self.seq_len, self.global_batch, self.micro_batch = split, seq_len, global_batch, micro_batch
        self.rank, self.world, self.seed, self.shuffle = rank, world, seed, shuffle
        self.shuffle_row_groups, self.pack_slack = shuffle_row_groups, pack_slack
        self.prefetch, self.pin_memory = prefetch, pin_memory
        self.epoch = self.window = self.step = 0
        self._plans: OrderedDict[int, Plan] = OrderedDict()

    # ------------------------------------------------------------------ state (exact resume)
    def state_dict(self) -> dict:
        return {"fingerprint": self.manifest.fingerprint, "seed": self.seed, "epoch": self.epoch,
                "step": self.step, "window": self.window, "split": self.split, "seq_len": self.seq_len,
                "global_batch": self.global_batch}

    def load_state_dict(self, state: dict) -> None:
        mine = self.state_dict()
        for key in ("fingerprint", "seed", "split", "seq_len", "global_batch"):
            if state.get(key) != mine[key]:
                raise TrainError(f"cannot resume exactly: the checkpoint's loader has {key}={state.get(key)!r}, "
                                 f"this run has {mine[key]!r}")
        self.epoch, self.window, self.step = int(state["epoch"]), int(state["window"]), int(state["step"])

    # ------------------------------------------------------------------------------- plan
    def plan(self, epoch: int) -> Plan:
        p = self._plans.get(epoch)
        if p is None:
            order = self.index.order(self.seed, epoch, self.shuffle, self.shuffle_row_groups)
            p = self._plans[epoch] = pack(order, self.index.doc_len, self.seq_len, self.pack_slack)
            while len(self._plans) > 2:
                self._plans.popitem(last=False)
        return p

    def windows_per_epoch(self, epoch: int = 0) -> int:
        return self.plan(epoch).n_windows

    def _next_windows(self) -> list[tuple[int, int]]:
        """The next global step's windows (all ranks), advancing the state; epochs run on without a gap."""
        ids: list[tuple[int, int]] = []
        while len(ids) < self.global_batch:
            n = self.plan(self.epoch).n_windows
            take = min(self.global_batch - len(ids), n - self.window)
            ids.extend((self.epoch, self.window + i) for i in range(take))
            self.window += take
            if self.window == n:
                self.epoch, self.window = self.epoch + 1, 0
        self.step += 1
        return ids

    def _tensors(self, windows: list[tuple[int, int]]):
        import torch

        rows = [build_window(self.index, self.plan(e), k, self.manifest.pad_id) for e, k in windows]
        out = []
        for arrs in zip(*rows):
            t = torch.from_numpy(np.stack(arrs))
            out.append(t.pin_memory() if self.pin_memory else t)
        return tuple(out)

    def _produce(self) -> Iterator[Batch]:
        per_rank = self.global_batch // self.world
        while True:
            ids = self._next_windows()
            mine = ids[self.rank * per_rank:(self.rank + 1) * per_rank]
            micro = [self._tensors(mine[i:i + self.micro_batch]) for i in range(0, per_rank, self.micro_batch)]
            yield Batch(micro=micro, windows=mine, state=self.state_dict())

    def __iter__(self) -> Iterator[Batch]:
        """Steps from the current state, prepared on a background thread `prefetch` steps ahead.

        The loader's own counters run ahead of training; a checkpoint stores `batch.state` of the
        last step actually trained."""
        q: queue.Queue = queue.Queue(maxsize=self.prefetch)
        stop = threading.Event()

        def work() -> None:
            try:
                for b in self._produce():
                    while not stop.is_set():
                        try:
                            q.put(b, timeout=0.1)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        return
            except BaseException as e:  # handed to the consumer, which re-raises it
                while not stop.is_set():
                    try:
                        q.put(e, timeout=0.1)
                        break
                    except queue.Full:
                        continue

        consumed = self.state_dict()
        thread = threading.Thread(target=work, name="curate-train-prefetch", daemon=True)
        thread.start()
        try:
            while True:
                item = q.get()
                if isinstance(item, BaseException):
                    raise item
                consumed = item.state
                yield item
        finally:
            stop.set()
            thread.join(timeout=5)
            # the producer ran ahead: rewind to what was handed out, so iterating again continues there
            self.epoch, self.window, self.step = consumed["epoch"], consumed["window"], consumed["step"]

    # ------------------------------------------------------------------------- validation
    def eval_batches(self, max_windows: int) -> Iterator[tuple]:
        """This rank's share of the first `max_windows` windows (epoch 0 plan), in micro-batches."""
        n = min(max_windows, self.plan(0).n_windows)
        lo, hi = self.rank * n // self.world, (self.rank + 1) * n // self.world
        for i in range(lo, hi, self.micro_batch):
            yield self._tensors([(0, k) for k in range(i, min(i + self.micro_batch, hi))])
