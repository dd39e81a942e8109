"""train(): the training loop, with DDP, checkpoints and exact resume.

One process per GPU under torchrun (NCCL), or per CPU worker (gloo); a single process otherwise.
Every optimizer step sees the same global batch whatever the number of ranks (data.py), and the
loss is normalised by the number of target tokens in the whole global batch, so 1 rank with
gradient accumulation and N ranks compute the same update. A checkpoint holds the model, the
optimizer, the loader state {manifest fingerprint, seed, epoch, step}, the resolved config and
every rank's RNG state; it is written under a temporary name and renamed. Resuming from step k
reproduces the losses of an uninterrupted run from step k+1 on.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import time
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import torch
import torch.distributed as dist

from curation.train import TrainError
from curation.train.checkpoint import CHECKPOINT, StopAfterStep, load_checkpoint, rng_state, set_rng_state, write_checkpoint
from curation.train.config import TrainConfig
from curation.train.data import IGNORE, Manifest, TokenLoader, check_vocab, load_shards
from curation.train.model import GPT, GPTConfig

# Dense bf16 peak FLOP/s by GPU name (vendor data sheets), for MFU.
PEAK_FLOPS = (("H100 PCIe", 756e12), ("H100", 989.4e12), ("H200", 989.4e12), ("GH200", 989.4e12),
              ("A100", 312e12), ("L40S", 362e12), ("A10G", 125e12), ("L4", 121e12))


@dataclass
class TrainResult:
    steps: int
    losses: list = field(default_factory=list)  # (step, train loss) of every step this run trained
    val_losses: list = field(default_factory=list)  # (step, val loss)
    train_loss: float | None = None
    val_loss: float | None = None
    tokens_per_s: float = 0.0
    mfu: float | None = None
    checkpoint: str = ""
    step_seconds: list = field(default_factory=list)  # wall time of each trained step (bench/train_gpu.py)
    tokens_per_step: int = 0
    flops_per_token: float = 0.0
    peak_flops: float | None = None  # of all ranks together


def lr_at(cfg: TrainConfig, it: int) -> float:
    """Linear warmup, then cosine decay to min_lr at the last step, or at decay_steps when set (then
    min_lr after it); nanoGPT's get_lr; `it` from 0."""
    if it < cfg.warmup_steps:
        return cfg.lr * (it + 1) / (cfg.warmup_steps + 1)
    horizon = cfg.decay_steps or cfg.steps
    if it >= horizon or horizon <= cfg.warmup_steps:
        return cfg.min_lr
    ratio = (it - cfg.warmup_steps) / (horizon - cfg.warmup_steps)
    return cfg.min_lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (cfg.lr - cfg.min_lr)


# ----------------------------------------------------------------------------- environment
@dataclass
class Env:
    rank: int
    world: int
    local_rank: int
    device: torch.device
    dtype: torch.dtype | None  # autocast dtype, None for float32
    owns_group: bool

    @property
    def master(self) -> bool:
        return self.rank == 0


def setup_env(cfg: TrainConfig) -> Env:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    want_cuda = cfg.device.startswith("cuda") or (cfg.device == "auto" and torch.cuda.is_available())
    if want_cuda and not torch.cuda.is_available():
        raise TrainError(f"device {cfg.device}: CUDA is not available on this machine (use --device cpu)")
    if want_cuda:
        device = torch.device(cfg.device if ":" in cfg.device else f"cuda:{local_rank}")
        torch.cuda.set_device(device)
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    else:
        device = torch.device("cpu")
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    owns = False
    if world > 1 and not dist.is_initialized():
        dist.init_process_group(backend="nccl" if want_cuda else "gloo")
        owns = True
    if cfg.dtype == "bfloat16" or (cfg.dtype == "auto" and device.type == "cuda"):
        dtype = torch.bfloat16
    else:
        dtype = None
    return Env(rank=rank, world=world, local_rank=local_rank, device=device, dtype=dtype, owns_group=owns)


def resolve_attention(cfg: TrainConfig, device: torch.device) -> str:
    if cfg.attention != "auto":
        return cfg.attention
    # FlexAttention needs compiled kernels to be fast: CUDA only. The explicit mask is O(T^2) memory.
    return "flex" if device.type == "cuda" else "sdpa"


def peak_flops(cfg: TrainConfig, device: torch.device) -> float | None:
    if cfg.peak_tflops:
        return cfg.peak_tflops * 1e12
    if device.type != "cuda":
        return None
    name = torch.cuda.get_device_name(device)
    return next((f for key, f in PEAK_FLOPS if key in name), None)


# ------------------------------------------------------------------------------------ train
def _fmt_rate(x: float) -> str:
    return f"{x / 1e6:.2f}M" if x >= 1e6 else f"{x / 1e3:.1f}k" if x >= 1e3 else f"{x:.0f}"


def _fmt_time(s: float) -> str:
    s = int(max(s, 0))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _all_sum(env: Env, *values: float) -> list[float]:
    if env.world == 1:
        return list(values)
    t = torch.tensor(values, dtype=torch.float64, device=env.device)
    dist.all_reduce(t)
    return t.tolist()


def evaluate(model: GPT, loader: TokenLoader | None, cfg: TrainConfig, env: Env) -> float | None:
    """Mean loss per target token over the first val_windows windows of the val split (all ranks)."""
    if loader is None or cfg.val_windows == 0:
        return None
    model.eval()
    total = count = 0.0
    ctx = torch.autocast(env.device.type, dtype=env.dtype) if env.dtype else nullcontext()
    with torch.no_grad(), ctx:
        for x, y, d in loader.eval_batches(cfg.val_windows):
            x, y, d = (t.to(env.device, non_blocking=True) for t in (x, y, d))
            _, loss = model(x, y, d, reduction="sum")
            total += float(loss)
            count += float((y != IGNORE).sum())
    model.train()
    total, count = _all_sum(env, total, count)
    return total / count if count else None


def _print(line: str) -> None:
    print(line, flush=True)  # flushed: under torchrun or a pipe the progress must show as it happens


def train(cfg: TrainConfig, shards: str | Path | list, out: str | Path, *, preset: str = "", resume: str | None = None,
          echo: Callable[[str], None] = _print) -> TrainResult:
    """Train on DIR/manifest.json's shards into `out`. `resume`: None, "latest" or a checkpoint path."""
    cfg.validate()
    env = setup_env(cfg)
    try:
        return _train(cfg, shards, Path(out), preset, resume, env, echo)
    finally:
        if env.owns_group:
            dist.destroy_process_group()


@dataclass
class _Run:
    """What one training run holds between steps (built by ``_setup``)."""

    cfg: TrainConfig
    env: Env
    out: Path
    preset: str
    manifest: Manifest
    gconf: GPTConfig
    model: GPT
    step_model: Callable
    optimizer: torch.optim.Optimizer
    loader: TokenLoader
    val_loader: TokenLoader | None
    start: int
    say: Callable[[str], None]
    result: TrainResult
    state: dict = field(default_factory=dict)  # the loader state after the last trained step
    step: int = 0  # the last step trained (or resumed at)
    last_ckpt: str = ""
    ckpt_step: int = -1  # the step of the last checkpoint this run wrote


def _check_schedule(cfg: TrainConfig, ckpt: dict, say) -> TrainConfig:
    """Resuming with another --steps must not stretch or squeeze the cosine schedule the run was
    following: the learning rate would jump. Unless decay_steps is given, keep the checkpoint's
    horizon (past it the learning rate stays at min_lr) and say so."""
    saved = ckpt.get("config", {})
    horizon = saved.get("decay_steps") or saved.get("steps")
    if cfg.decay_steps or not horizon or horizon == cfg.steps:
        return cfg
    say(f"train: resuming with --steps {cfg.steps}; the checkpoint's learning-rate schedule decays over {horizon} "
        f"steps and is kept (min_lr {cfg.min_lr:.1e} after step {horizon}); pass --decay-steps N to plan another")
    return dataclasses.replace(cfg, decay_steps=int(horizon))


def _check_epochs(cfg: TrainConfig, train_tokens: int, tokens_per_step: int, start: int) -> None:
    """Refuse a token budget that is many passes over a small corpus (the gpt2-124m budget of 10B
    tokens on sample data is hundreds of thousands of epochs). Up to 4 epochs of repeated data do
    about as well as unique data (Muennighoff et al. 2023, "Scaling Data-Constrained Language
    Models"); more is allowed when asked for with max_epochs."""
    if not cfg.max_epochs or not train_tokens:
        return
    epochs = (cfg.steps - start) * tokens_per_step / train_tokens
    if epochs > cfg.max_epochs:
        fit = int(cfg.max_epochs * train_tokens // tokens_per_step)
        way = (f"pass --steps {start + fit} (or fewer)" if fit >= 1 else
               f"one step alone is {tokens_per_step / train_tokens:,.1f} epochs: pass a smaller --global-batch and "
               "--steps (or --preset tiny)")
        raise TrainError(
            f"{cfg.steps - start:,} steps x {tokens_per_step:,} tokens is {epochs:,.1f} epochs of the {train_tokens:,} "
            f"train tokens (max_epochs {cfg.max_epochs:g}): {way}, or --max-epochs {math.ceil(epochs)} to train "
            "that long anyway")


def _setup(cfg: TrainConfig, shards: str | Path | list, out: Path, preset: str, resume: str | None, env: Env, echo) -> _Run:
    say = echo if env.master else (lambda _msg: None)
    manifest: Manifest = load_shards(shards)  # one folder, or several DIR:WEIGHT
    vocab = cfg.vocab_size or -(-manifest.vocab_size // 64) * 64  # a multiple of 64: faster matmuls
    check_vocab(manifest, vocab)

    out.mkdir(parents=True, exist_ok=True)
    ckpt = None
    if resume:
        ckpt = load_checkpoint(out / CHECKPOINT if resume == "latest" else Path(resume))
        check_vocab(manifest, vocab, ckpt["tokenizer"])
        cfg = _check_schedule(cfg, ckpt, say)
    elif (out / CHECKPOINT).exists():
        raise TrainError(f"--out {out} holds a checkpoint: pass --resume to continue it, or choose another --out")

    # Before building anything: a budget of many epochs is refused at once.
    train_tokens = sum(int(e.get("tokens", 0)) for e in manifest.shards if e.get("split") == "train")
    _check_epochs(cfg, train_tokens, cfg.global_batch * cfg.seq_len, int(ckpt["step"]) if ckpt is not None else 0)

    gconf = GPTConfig(block_size=cfg.seq_len, vocab_size=vocab, n_layer=cfg.n_layer, n_head=cfg.n_head,
                      n_embd=cfg.n_embd, dropout=cfg.dropout, bias=cfg.bias,
                      attention=resolve_attention(cfg, env.device))
    if ckpt is not None:
        saved = {k: v for k, v in ckpt["model_config"].items() if k != "attention"}
        now = {k: v for k, v in asdict(gconf).items() if k != "attention"}
        if saved != now:
            diff = ", ".join(f"{k} {saved.get(k)} -> {now.get(k)}" for k in now if saved.get(k) != now.get(k))
            raise TrainError(f"cannot resume: the model differs from the checkpoint's ({diff})")
    torch.manual_seed(cfg.seed)  # the same initial weights on every rank
    model = GPT(gconf)
    if ckpt is not None:
        model.load_state_dict(ckpt["model"])
    model.to(env.device)
    optimizer = model.configure_optimizer(cfg.weight_decay, cfg.lr, (cfg.beta1, cfg.beta2), env.device.type)
    if ckpt is not None:
        optimizer.load_state_dict(ckpt["optimizer"])
    torch.manual_seed(cfg.seed + 1 + env.rank)  # dropout differs between ranks
    if ckpt is not None:
        states = ckpt["rng"]
        set_rng_state(states[env.rank] if env.rank < len(states) else states[0])

    step_model = torch.compile(model) if cfg.compile else model
    if env.world > 1:
        from torch.nn.parallel import DistributedDataParallel as DDP

        step_model = DDP(step_model, device_ids=[env.device.index] if env.device.type == "cuda" else None)

    loader = TokenLoader(manifest, split="train", seq_len=cfg.seq_len, global_batch=cfg.global_batch,
                         micro_batch=cfg.micro_batch, rank=env.rank, world=env.world, seed=cfg.seed,
                         shuffle_row_groups=cfg.shuffle_row_groups, pack_slack=cfg.pack_slack, token_limit=vocab,
                         prefetch=cfg.prefetch, pin_memory=env.device.type == "cuda")
    if ckpt is not None:
        loader.load_state_dict(ckpt["loader"])
    has_val = any(s.get("split") == "val" for s in manifest.shards) and cfg.val_windows > 0
    val_loader = TokenLoader(manifest, split="val", seq_len=cfg.seq_len, global_batch=cfg.micro_batch * env.world,
                             micro_batch=cfg.micro_batch, rank=env.rank, world=env.world, shuffle=False,
                             pack_slack=cfg.pack_slack, token_limit=vocab) if has_val else None

    start = int(ckpt["step"]) if ckpt is not None else 0
    tokens_per_step = cfg.global_batch * cfg.seq_len
    peak = peak_flops(cfg, env.device)
    result = TrainResult(steps=cfg.steps, tokens_per_step=tokens_per_step, flops_per_token=model.flops_per_token(),
                         peak_flops=peak * env.world if peak else None)
    if ckpt is not None:
        result.train_loss, result.val_loss = ckpt.get("train_loss"), ckpt.get("val_loss")
    run = _Run(cfg=cfg, env=env, out=out, preset=preset, manifest=manifest, gconf=gconf, model=model,
               step_model=step_model, optimizer=optimizer, loader=loader, val_loader=val_loader, start=start, say=say,
               result=result, state=loader.state_dict(), step=start)
    if env.master:
        (out / "config.json").write_text(json.dumps(
            {"preset": preset, "config": cfg.to_dict(), "model": asdict(gconf), "tokenizer": manifest.tokenizer,
             "shards": str(shards), "fingerprint": manifest.fingerprint}, indent=2, sort_keys=True) + "\n")
    _say_header(run, ckpt is not None)
    return run


def _say_header(run: _Run, resumed: bool) -> None:
    cfg, env, loader = run.cfg, run.env, run.loader
    plan = loader.plan(loader.epoch)
    placed = int(loader.index.n_tokens + (plan.end_win - plan.start_win).sum())
    pad = 1 - placed / max(plan.n_windows * plan.window, 1)
    accum = cfg.global_batch // (cfg.micro_batch * env.world)
    epochs = (cfg.steps - run.start) * run.result.tokens_per_step / max(loader.index.n_tokens, 1)
    run.say(f"train: {run.model.num_params() / 1e6:.2f}M parameters, {cfg.n_layer} layers x {cfg.n_embd}, "
            f"T={cfg.seq_len}, vocab {run.gconf.vocab_size} | {env.world} rank(s) on {env.device.type}, "
            f"{'bfloat16 autocast' if env.dtype else 'float32'}, attention {run.gconf.attention}"
            f"{'' if run.gconf.attention == 'causal' else ' (document-masked)'}{', compiled' if cfg.compile else ''} | "
            f"batch {cfg.global_batch} x {cfg.seq_len} = {run.result.tokens_per_step:,} tokens/step, accum {accum} | "
            f"{loader.index.n_tokens:,} train tokens in {plan.n_windows:,} windows/epoch ({pad:.1%} padding), "
            f"{epochs:,.1f} epochs in {cfg.steps - run.start:,} steps"
            + (f" | resuming at step {run.start}" if resumed else ""))


def _train_step(run: _Run, batches, step: int, autocast) -> tuple[float, float]:
    """One optimizer step over the global batch; returns (train loss, learning rate)."""
    cfg, env = run.cfg, run.env
    lr = lr_at(cfg, step - 1)
    for g in run.optimizer.param_groups:
        g["lr"] = lr
    batch = next(batches)
    (n_targets,) = _all_sum(env, float(sum(int((y != IGNORE).sum()) for _, y, _ in batch.micro)))
    n_targets = max(n_targets, 1.0)
    loss_sum = torch.zeros((), device=env.device)
    for i, (x, y, d) in enumerate(batch.micro):
        x, y, d = (t.to(env.device, non_blocking=True) for t in (x, y, d))
        last = i == len(batch.micro) - 1
        # gradients are all-reduced once per step, on the last micro-batch
        sync = run.step_model.no_sync() if env.world > 1 and not last else nullcontext()
        with sync:
            with autocast:
                _, loss = run.step_model(x, y, d, reduction="sum")
            # DDP averages over ranks; x world / global count makes it the global per-token mean
            (loss * (env.world / n_targets)).backward()
        loss_sum += loss.detach()
    if cfg.grad_clip:
        torch.nn.utils.clip_grad_norm_(run.model.parameters(), cfg.grad_clip)
    run.optimizer.step()
    run.optimizer.zero_grad(set_to_none=True)
    (total,) = _all_sum(env, float(loss_sum))
    run.state = batch.state
    run.step = step
    return total / n_targets, lr


def _save_checkpoint(run: _Run, gather: bool = True) -> str:
    """The checkpoint of the last trained step (every rank's RNG state when ``gather``)."""
    env = run.env
    states = [rng_state()]
    if env.world > 1 and gather:
        states = [None] * env.world
        dist.all_gather_object(states, rng_state())
    if env.master:
        path = write_checkpoint(run.out, {
            "version": 1, "step": run.step, "model": run.model.state_dict(), "optimizer": run.optimizer.state_dict(),
            "loader": run.state, "config": run.cfg.to_dict(), "preset": run.preset, "model_config": asdict(run.gconf),
            "tokenizer": run.manifest.tokenizer, "rng": states, "train_loss": run.result.train_loss,
            "val_loss": run.result.val_loss}, run.cfg.keep_checkpoints)
        run.last_ckpt = str(path)
    run.ckpt_step = run.step
    if env.world > 1 and gather:
        dist.barrier()
    return run.last_ckpt


def _train(cfg: TrainConfig, shards: Path, out: Path, preset: str, resume: str | None, env: Env, echo) -> TrainResult:
    run = _setup(cfg, shards, out, preset, resume, env, echo)
    cfg, say = run.cfg, run.say
    log = open(out / "log.jsonl", "a", encoding="utf-8") if env.master else None
    autocast = torch.autocast(env.device.type, dtype=env.dtype) if env.dtype else nullcontext()
    t_run = time.perf_counter()
    batches = iter(run.loader) if run.start < cfg.steps else iter(())
    try:
        with StopAfterStep(say) as stop:
            train_time = _loop(run, batches, autocast, log, stop)
    except KeyboardInterrupt:
        _save_on_interrupt(run)
        raise
    finally:
        if hasattr(batches, "close"):
            batches.close()
        if log:
            log.close()
    return _summarize(run, time.perf_counter() - t_run, train_time)


def _loop(run: _Run, batches, autocast, log, stop: StopAfterStep) -> float:
    """Steps start+1 .. steps with logging, evaluation and checkpoints; returns the seconds spent
    in training steps."""
    cfg, env, result, say = run.cfg, run.env, run.result, run.say
    tokens_per_step, flops_tok, peak = result.tokens_per_step, result.flops_per_token, result.peak_flops
    t_log, tokens_log, train_time = time.perf_counter(), 0, 0.0
    for step in range(run.start + 1, cfg.steps + 1):
        if stop.requested:
            raise KeyboardInterrupt
        t0 = time.perf_counter()
        train_loss, lr = _train_step(run, batches, step, autocast)
        result.losses.append((step, train_loss))
        result.train_loss = train_loss
        dt = time.perf_counter() - t0
        result.step_seconds.append(dt)
        train_time += dt
        tokens_log += tokens_per_step
        if not math.isfinite(train_loss):
            raise TrainError(f"step {step}: loss is {train_loss}; lower lr or check the shards")
        if step == run.start + 1 and cfg.steps > step:
            # The first step (compilation, warm caches) is the slowest: an upper bound.
            say(f"step {step}: {dt:.2f}s/step -> about {_fmt_time(dt * (cfg.steps - step))} for the remaining "
                f"{cfg.steps - step:,} steps")

        if step % cfg.log_every == 0 or step == cfg.steps:
            elapsed = time.perf_counter() - t_log
            tps = tokens_log / elapsed if elapsed > 0 else 0.0
            mfu = flops_tok * tps / peak if peak else None
            result.tokens_per_s, result.mfu = tps, mfu
            done = int(20 * step / cfg.steps)
            left = (cfg.steps - step) * (train_time / max(step - run.start, 1))
            say(f"step {step:>{len(str(cfg.steps))}}/{cfg.steps} [{'#' * done}{'.' * (20 - done)}] "
                f"loss {train_loss:.4f} | lr {lr:.2e} | {_fmt_rate(tps)} tok/s | "
                f"mfu {'n/a' if mfu is None else f'{mfu:.1%}'} | {_fmt_time(left)} left")
            if log:
                log.write(json.dumps({"step": step, "loss": train_loss, "lr": lr, "tokens_per_s": tps,
                                      "mfu": mfu, "epoch": run.state["epoch"]}) + "\n")
                log.flush()
            t_log, tokens_log = time.perf_counter(), 0

        is_last = step == cfg.steps
        if (cfg.eval_every and step % cfg.eval_every == 0) or is_last:
            t_eval = time.perf_counter()
            val = evaluate(run.model, run.val_loader, cfg, env)
            if val is not None:
                result.val_losses.append((step, val))
                result.val_loss = val
                say(f"step {step}: val loss {val:.4f}")
                if log:
                    log.write(json.dumps({"step": step, "val_loss": val}) + "\n")
                    log.flush()
            t_log += time.perf_counter() - t_eval  # evaluation is not training throughput
        if (cfg.ckpt_every and step % cfg.ckpt_every == 0) or is_last:
            t_ck = time.perf_counter()
            _save_checkpoint(run)
            t_log += time.perf_counter() - t_ck
    return train_time


def _save_on_interrupt(run: _Run) -> None:
    """Ctrl-C: keep the steps trained since the last checkpoint (one process: the state after
    the last complete step is exact; under DDP the other ranks are stopping too, so no collective
    can be trusted and the last periodic checkpoint stands)."""
    if run.step > run.start and run.env.world == 1 and run.ckpt_step != run.step:
        _save_checkpoint(run, gather=False)
        where = f"saved a checkpoint at step {run.step} ({run.last_ckpt})"
    elif run.last_ckpt:
        where = f"the last checkpoint is {run.last_ckpt}"
    else:
        where = "no step was checkpointed"
    run.say(f"train: interrupted after step {run.step}/{run.cfg.steps}; {where}; continue with the same command "
            "and --resume")


def _summarize(run: _Run, wall: float, train_time: float) -> TrainResult:
    cfg, result, env = run.cfg, run.result, run.env
    result.checkpoint = run.last_ckpt or str(run.out / CHECKPOINT)
    trained = len(result.losses)
    avg_tps = trained * result.tokens_per_step / train_time if train_time else 0.0
    peak = result.peak_flops
    summary = {"steps": cfg.steps, "trained_steps": trained, "train_loss": result.train_loss,
               "val_loss": result.val_loss, "tokens": trained * result.tokens_per_step, "tokens_per_s": avg_tps,
               "mfu": result.flops_per_token * avg_tps / peak if peak and avg_tps else None,
               "seconds": wall, "checkpoint": result.checkpoint}
    if env.master:
        (run.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    tl = "n/a" if result.train_loss is None else f"{result.train_loss:.4f}"
    vl = "n/a (no val split)" if result.val_loss is None else f"{result.val_loss:.4f}"
    run.say(f"summary: step {cfg.steps}/{cfg.steps} | train loss {tl} | val loss {vl} | "
            f"{summary['tokens']:,} tokens in {wall:.1f}s ({_fmt_rate(avg_tps)} tok/s, "
            f"mfu {'n/a' if summary['mfu'] is None else format(summary['mfu'], '.1%')}) | checkpoint {result.checkpoint}")
    return result
