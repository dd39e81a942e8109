"""Sampling from a trained checkpoint (`curate generate`): torch only, like the rest of curation/train.

The model's vocabulary is the tokenizer's rounded up to a multiple of 64 (loop.py), so the last
rows of the output layer are ids no tokenizer knows: they are masked out, with the BOS and pad
ids, before sampling. Generation stops at EOS (a document's end) or after ``max_new_tokens``.
"""

from __future__ import annotations

from pathlib import Path

import torch

from curation.train import TrainError
from curation.train.checkpoint import CHECKPOINT, load_checkpoint
from curation.train.model import GPT, GPTConfig


def load_model(run_dir: str | Path, checkpoint: str | None = None) -> tuple[GPT, dict]:
    """The model of ``run_dir``'s latest checkpoint (or ``checkpoint``), in eval mode on the CPU,
    and the checkpoint's tokenizer record (the manifest's)."""
    path = Path(checkpoint) if checkpoint else Path(run_dir) / CHECKPOINT
    if not path.is_file():
        raise TrainError(f"{path}: no checkpoint (train first: curate train --shards DIR --out {run_dir})")
    ckpt = load_checkpoint(path)
    conf = dict(ckpt["model_config"])
    conf["dropout"] = 0.0
    if conf.get("attention") == "flex":
        conf["attention"] = "sdpa"  # one sequence, no document mask: plain causal attention either way
    model = GPT(GPTConfig(**conf))
    model.load_state_dict(ckpt["model"])
    model.eval()
    return model, ckpt["tokenizer"]


@torch.no_grad()
def sample(model: GPT, prompt: list[int], *, vocab_size: int, max_new_tokens: int = 100, temperature: float = 0.8,
           top_k: int = 50, seed: int = 0, eos_id: int | None = None, banned: tuple[int, ...] = ()) -> list[int]:
    """New token ids after ``prompt``; only ids below ``vocab_size`` (the tokenizer's) and not in
    ``banned``. ``temperature`` 0 takes the most likely id (greedy)."""
    if not prompt:
        raise TrainError("generate: the prompt has no tokens")
    gen = torch.Generator().manual_seed(seed)
    ids = torch.tensor([prompt], dtype=torch.long)
    block = model.config.block_size
    out: list[int] = []
    for _ in range(max_new_tokens):
        logits, _ = model(ids[:, -block:])
        logits = logits[0, -1].float()
        logits[vocab_size:] = float("-inf")  # padding rows of the output layer: no token
        for b in banned:
            if 0 <= b < logits.numel():
                logits[b] = float("-inf")
        if temperature <= 0:
            nxt = int(torch.argmax(logits))
        else:
            logits = logits / temperature
            if 0 < top_k < vocab_size:
                kth = torch.topk(logits, top_k).values[-1]
                logits[logits < kth] = float("-inf")
            nxt = int(torch.multinomial(torch.softmax(logits, dim=-1), 1, generator=gen))
        if eos_id is not None and nxt == eos_id:
            break
        out.append(nxt)
        ids = torch.cat([ids, torch.tensor([[nxt]])], dim=1)
    return out
