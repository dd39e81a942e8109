"""The training loader: manifest checks, the packing plan, rank slices, resumable state."""

from __future__ import annotations

import json

import numpy as np
import pyarrow.parquet as pq
import pytest

pytest.importorskip("torch")

from curation.train import TrainError  # noqa: E402
from curation.train.data import (IGNORE, TokenLoader, build_window, check_vocab, load_manifest, pack,  # noqa: E402
                                 window_tokens)  # noqa: E402

try:
    from tests.train_shards import sample_shards, write_shards
except ImportError:  # tests/ is not a package: pytest put it on sys.path
    from train_shards import sample_shards, write_shards


@pytest.fixture(scope="session")
def books(tmp_path_factory, shared_data):
    return sample_shards(tmp_path_factory.getbasetemp() / "train-shards", shared_data / "books")


def loader(path, **kw):
    args = dict(seq_len=64, global_batch=8, micro_batch=4, seed=7)
    args.update(kw)
    return TokenLoader(load_manifest(path), **args)


def shard_docs(path, split="train"):
    """Every document's tokens, read the slow obvious way (pyarrow to Python lists)."""
    m = json.loads((path / "manifest.json").read_text())
    docs = []
    for s in m["shards"]:
        if s["split"] == split:
            docs.extend(pq.read_table(path / s["path"], columns=["input_ids"]).column(0).to_pylist())
    return docs


@pytest.mark.parametrize("slack", [0.0, 0.125, 1.0])
def test_one_epoch_holds_every_token_and_every_target_once(books, slack):
    ld = loader(books, pack_slack=slack)
    plan = ld.plan(0)
    docs = shard_docs(books)
    assert sorted(plan.order.tolist()) == list(range(len(docs)))  # each document once
    seen = {d: [] for d in range(len(docs))}
    targets = 0
    prev_last_doc = None
    for k in range(plan.n_windows):
        x, y, seg = build_window(ld.index, plan, k, ld.manifest.pad_id)
        tok = window_tokens(ld.index, plan, k, ld.manifest.pad_id)[0]
        assert np.array_equal(x, tok[:-1])
        segs = plan.segments(k, ld.index.doc_len)
        for doc, a, n, dest in segs:
            assert tok[dest:dest + n].tolist() == docs[doc][a:a + n]
            seen[doc].append((a, n))
        # a window starts at a document's BOS, or continues the document that ended the last one
        doc0, a0, _, dest0 = segs[0]
        assert dest0 == 0
        assert (a0 == 0 and tok[0] == 2) or doc0 == prev_last_doc
        prev_last_doc = segs[-1][0]
        targets += int((y != IGNORE).sum())
        assert (y[:-1][seg[:-1] != seg[1:]] == IGNORE).all()  # no target crosses a boundary
    for doc, pieces in seen.items():
        pos = 0
        for i, (a, n) in enumerate(pieces):
            assert a == (0 if i == 0 else pos - 1)  # continuations repeat one token: no target lost
            pos = a + n
        assert pos == len(docs[doc])  # nothing cropped
    assert targets == sum(len(d) - 1 for d in docs)  # every next-token pair trained exactly once


def test_strict_alignment_keeps_short_documents_whole(books):
    plan = loader(books, pack_slack=1.0).plan(0)
    lens = loader(books).index.doc_len[plan.order]
    short = lens <= 65
    assert short.any()
    assert (plan.start_win[short] == plan.end_win[short]).all()


def test_pack_is_greedy_and_pads_only_within_slack():
    lens = np.array([10, 10, 60, 200, 5], dtype=np.int64)
    order = np.arange(5)
    tight = pack(order, lens, 63, 0.0)  # windows of 64
    # doc 2 fills window 0 and ends at slot 17 of window 1 (which repeats one token); doc 3 runs to window 4
    assert tight.start_win.tolist() == [0, 0, 0, 1, 4] and tight.offset.tolist() == [0, 10, 20, 17, 28]
    assert tight.end_win.tolist() == [0, 0, 1, 4, 4] and tight.n_windows == 5
    loose = pack(order, lens, 63, 0.75)  # 44 slots left after two short docs (<= 48): pad, doc 2 starts fresh
    assert loose.start_win.tolist()[:3] == [0, 0, 1] and loose.offset.tolist()[2] == 0


def test_order_is_seeded_per_epoch(books):
    a, b = loader(books, seed=1), loader(books, seed=1)
    assert np.array_equal(a.plan(0).order, b.plan(0).order)
    assert not np.array_equal(a.plan(0).order, a.plan(1).order)
    assert not np.array_equal(a.plan(0).order, loader(books, seed=2).plan(0).order)


def test_ranks_split_the_global_batch_without_changing_it(books):
    one = iter(loader(books, global_batch=8, micro_batch=2))
    ranks = [iter(loader(books, global_batch=8, micro_batch=2, rank=r, world=2)) for r in range(2)]
    for _ in range(3):
        whole = next(one)
        parts = [next(r) for r in ranks]
        assert whole.windows == parts[0].windows + parts[1].windows
        x_whole = np.concatenate([m[0].numpy() for m in whole.micro])
        x_parts = np.concatenate([m[0].numpy() for p in parts for m in p.micro])
        assert np.array_equal(x_whole, x_parts)


def test_epochs_follow_without_a_gap(books):
    ld = loader(books, global_batch=24, micro_batch=24, seq_len=256)
    n0 = ld.windows_per_epoch(0)
    assert n0 % 24  # the epoch boundary falls inside a step
    seen = []
    for batch in ld:
        seen.extend(batch.windows)
        if batch.state["epoch"] == 1:
            break
    assert [w for e, w in seen if e == 0] == list(range(n0))
    assert seen[n0] == (1, 0)


def test_state_resumes_the_same_stream(books):
    ld = loader(books)
    it = iter(ld)
    batches = [next(it) for _ in range(5)]
    it.close()
    assert ld.state_dict()["step"] == 5  # rewound to what was handed out, not what was prefetched
    again = loader(books)
    again.load_state_dict(batches[1].state)
    rest = [b.windows for b, _ in zip(again, range(3))]
    assert rest == [b.windows for b in batches[2:]]
    other = loader(books, seed=8)
    with pytest.raises(TrainError, match="seed"):
        other.load_state_dict(batches[1].state)
    with pytest.raises(TrainError, match="fingerprint"):
        loader(books).load_state_dict({**batches[1].state, "fingerprint": "0" * 64})


def test_vocabulary_mismatch_is_refused(books):
    m = load_manifest(books)
    with pytest.raises(TrainError, match="smaller than the tokenizer"):
        check_vocab(m, m.vocab_size - 1)
    check_vocab(m, m.vocab_size, dict(m.tokenizer))
    with pytest.raises(TrainError, match="tokenizer mismatch.*sha256"):
        check_vocab(m, 512, {**m.tokenizer, "sha256": "f" * 64})


def test_broken_shards_are_refused(tmp_path):
    docs = [[2, 5, 6, 3], [2, 7, 3], [2, 9, 9, 9, 3]] * 4
    good = write_shards(tmp_path / "good", docs, vocab_size=16)
    m = json.loads((good / "manifest.json").read_text())
    shard = good / m["shards"][0]["path"]
    shard.write_bytes(shard.read_bytes() + b"x")
    with pytest.raises(TrainError, match="shard changed after the build"):
        load_manifest(good)
    shard.unlink()
    with pytest.raises(TrainError, match="missing"):
        load_manifest(good)
    with pytest.raises(TrainError, match="no manifest.json"):
        load_manifest(tmp_path / "nowhere")
    wide = write_shards(tmp_path / "wide", [[2, 40, 3]] * 12, vocab_size=16)  # id 40 >= vocab 16
    with pytest.raises(TrainError, match="outside the vocabulary"):
        next(iter(loader(wide, seq_len=4, global_batch=2, micro_batch=2)))


def test_loss_mask_and_padding_are_ignored(tmp_path):
    docs = [[2, 10, 11, 12, 3], [2, 13, 14, 3]]
    masks = [[0, 0, 1, 1, 1], [1, 1, 1, 1]]
    path = write_shards(tmp_path / "m", docs, vocab_size=32, split_every=0, loss_masks=masks)
    ld = loader(path, seq_len=15, global_batch=1, micro_batch=1, pack_slack=0.0)
    x, y, d = next(iter(ld)).micro[0]
    order = ld.plan(0).order.tolist()
    first = docs[order[0]]
    assert x[0, :len(first)].tolist() == first
    kept = [int(t) for t in y[0] if t != IGNORE]
    want = [t for doc in (docs[i] for i in order) for t, m in zip(doc[1:], masks[docs.index(doc)][1:]) if m]
    assert kept == want
    assert (y[0, 9:] == IGNORE).all()  # 9 tokens, then padding
