"""The training job: loss falls, exact resume, DDP over gloo, the command line."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from curation.train import TrainError  # noqa: E402
from curation.train.config import resolve  # noqa: E402
from curation.train.data import TokenLoader, load_manifest  # noqa: E402
from curation.train.loop import train  # noqa: E402

try:
    from tests.train_shards import sample_shards
except ImportError:  # tests/ is not a package: pytest put it on sys.path
    from train_shards import sample_shards

REPO = Path(__file__).resolve().parents[1]
# Small enough for 2 shared CPU cores; the tiny preset itself is sized for a laptop.
SMALL = dict(n_layer=2, n_head=2, n_embd=32, seq_len=32, global_batch=8, micro_batch=8, val_windows=8,
             log_every=2, eval_every=0, ckpt_every=0, threads=1)


@pytest.fixture(scope="session")
def books(tmp_path_factory, shared_data):
    return sample_shards(tmp_path_factory.getbasetemp() / "train-shards", shared_data / "books")


def cfg(**kw):
    return resolve("tiny", None, {**SMALL, **kw})[0]


def test_loss_falls_and_the_last_line_is_a_summary(books, tmp_path):
    lines = []
    res = train(cfg(steps=60, lr=1e-2, warmup_steps=3), books, tmp_path / "run", preset="tiny", echo=lines.append)
    losses = [loss for _, loss in res.losses]
    assert len(losses) == 60 and abs(losses[0] - 6.24) < 0.3  # ln(512): an untrained model
    assert sum(losses[-5:]) / 5 < sum(losses[:5]) / 5 - 0.5
    assert res.val_loss is not None and res.val_loss < losses[0] - 0.5
    assert lines[-1].startswith("summary: step 60/60 | train loss ")
    assert f"val loss {res.val_loss:.4f}" in lines[-1]
    saved = torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=True)
    assert saved["step"] == 60 and saved["config"]["n_embd"] == 32 and saved["loader"]["step"] == 60
    assert saved["tokenizer"]["sha256"] == load_manifest(books).tokenizer["sha256"]
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["val_loss"] == res.val_loss


def test_resume_at_step_k_repeats_the_uninterrupted_run(books, tmp_path):
    # dropout makes the RNG state matter; accumulation makes the micro-batch order matter
    c = cfg(steps=8, ckpt_every=4, keep_checkpoints=5, dropout=0.1, micro_batch=4)
    full = train(c, books, tmp_path / "full", echo=lambda _: None)
    assert (tmp_path / "full" / "checkpoints" / "step-0000004.pt").exists()
    resumed = train(c, books, tmp_path / "again", resume=str(tmp_path / "full" / "checkpoints" / "step-0000004.pt"),
                    echo=lambda _: None)
    assert [s for s, _ in resumed.losses] == [5, 6, 7, 8]
    assert resumed.losses == full.losses[4:]  # bitwise on CPU
    assert resumed.val_loss == full.val_loss


def test_a_used_output_or_another_model_is_refused(books, tmp_path):
    c = cfg(steps=2)
    train(c, books, tmp_path / "run", echo=lambda _: None)
    with pytest.raises(TrainError, match="holds a checkpoint"):
        train(c, books, tmp_path / "run", echo=lambda _: None)
    with pytest.raises(TrainError, match="model differs.*n_layer 2 -> 3"):
        train(cfg(steps=4, n_layer=3), books, tmp_path / "run", resume="latest", echo=lambda _: None)
    with pytest.raises(TrainError, match="cannot resume exactly.*seed=1337, this run has 5"):
        train(cfg(steps=4, seed=5), books, tmp_path / "run", resume="latest", echo=lambda _: None)
    with pytest.raises(TrainError, match="smaller than the tokenizer"):
        train(cfg(vocab_size=256), books, tmp_path / "small-vocab", echo=lambda _: None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rank(rank: int, world: int, port: int, shards: str, out: str) -> None:
    """One gloo rank: walk an epoch of the loader, then train 3 steps with DDP."""
    import torch.distributed as dist

    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world),
                      LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=world)
    try:
        ld = TokenLoader(load_manifest(shards), seq_len=128, global_batch=8, micro_batch=2, rank=rank, world=world,
                         seed=3)
        windows = []
        for batch in ld:
            windows.extend(batch.windows)
            if batch.state["epoch"] == 1:
                break
        res = train(cfg(steps=3, micro_batch=4, seed=3), shards, Path(out) / "ddp", echo=lambda _: None)
        with open(Path(out) / f"rank{rank}.json", "w") as f:
            json.dump({"windows": windows, "n_windows": ld.windows_per_epoch(0), "losses": res.losses,
                       "val": res.val_loss}, f)
    finally:
        dist.destroy_process_group()


def test_two_gloo_ranks_cover_each_window_once_and_match_one_process(books, tmp_path):
    import torch.multiprocessing as mp

    mp.spawn(_rank, args=(2, _free_port(), str(books), str(tmp_path)), nprocs=2, join=True)
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in range(2)]
    n = ranks[0]["n_windows"]
    epoch0 = [[tuple(w) for w in r["windows"] if w[0] == 0] for r in ranks]
    assert not set(epoch0[0]) & set(epoch0[1])  # no window on both ranks
    assert sorted(epoch0[0] + epoch0[1]) == [(0, k) for k in range(n)]  # every window exactly once
    # the same 3 steps in one process (accumulating 2 micro-batches of 4) give the same losses
    one = train(cfg(steps=3, micro_batch=4, seed=3), books, tmp_path / "one", echo=lambda _: None)
    for (s1, l1), (s2, l2) in zip(one.losses, ranks[0]["losses"]):
        assert s1 == s2 and l1 == pytest.approx(l2, rel=1e-5)
    assert ranks[0]["losses"] == ranks[1]["losses"]
    assert ranks[0]["val"] == pytest.approx(one.val_loss, rel=1e-5)


def test_curate_train_command_line(books, tmp_path, capsys):
    from curation.cli import main

    conf = tmp_path / "train.yaml"
    conf.write_text("preset: tiny\nn_layer: 1\nn_head: 2\nn_embd: 16\nseq_len: 16\nval_windows: 4\nthreads: 1\n")
    rc = main(["train", "--shards", str(books), "--out", str(tmp_path / "cli"), "--config", str(conf),
               "--steps", "2", "--set", "global_batch=4", "--micro-batch", "2", "--log-every", "1"])
    out = capsys.readouterr().out.strip().splitlines()
    assert rc == 0 and out[-1].startswith("summary: step 2/2 | train loss")
    saved = json.loads((tmp_path / "cli" / "config.json").read_text())
    assert saved["preset"] == "tiny" and saved["config"]["micro_batch"] == 2 and saved["config"]["n_layer"] == 1
    rc = main(["train", "--shards", str(books), "--out", str(tmp_path / "bad"), "--set", "n_layers=2"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and err == ["curate train: error: config: unknown key 'n_layers' (did you mean 'n_layer'?)"]
    rc = main(["train", "--shards", str(tmp_path / "nowhere"), "--out", str(tmp_path / "bad"), "--preset", "tiny"])
    assert rc == 2 and "no manifest.json" in capsys.readouterr().err


def test_python_m_curation_train_needs_only_torch_numpy_pyarrow(books, tmp_path):
    conf = tmp_path / "train.json"
    conf.write_text(json.dumps({"preset": "tiny", **SMALL, "steps": 2, "val_windows": 4}))
    # run the module as `python -m` does, then list what it imported
    probe = (
        "import runpy, sys\n"
        "sys.argv = ['curation.train'] + sys.argv[1:]\n"
        "try:\n    runpy.run_module('curation.train', run_name='__main__', alter_sys=True)\n"
        "except SystemExit as e:\n    code = e.code\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('apache_beam', 'yaml', 'pipelines', 'filters')"
        " or (m.startswith('curation.') and not m.startswith(('curation.train', 'curation.document'))))\n"
        "print('IMPORTED', bad)\nsys.exit(code)\n"
    )
    res = subprocess.run([sys.executable, "-c", probe, "--shards", str(books), "--out", str(tmp_path / "m"),
                          "--config", str(conf)], cwd=REPO, capture_output=True, text=True, timeout=300)
    lines = res.stdout.strip().splitlines()
    assert res.returncode == 0, res.stderr[-2000:]
    assert lines[-1] == "IMPORTED []"
    assert lines[-2].startswith("summary: step 2/2")
