"""A GPT decoder in one file, laid out like nanoGPT's model.py (Karpathy), plus document masking.

Windows are packed with several documents (curation/train/data.py). `doc_ids[b, t]` numbers the
document segment each position belongs to; when given,
  * attention is causal *and* within a segment, so a document never sees its neighbour:
    FlexAttention with a block mask on CUDA (`attention="flex"`), or an explicit block-diagonal
    causal boolean mask with scaled_dot_product_attention (`"sdpa"`, O(T^2) memory: CPU and small
    T); `"causal"` is plain causal attention, no document masking;
  * positions restart at 0 in every segment, so a packed document computes exactly what it would
    alone in a window (tests/test_train_model.py checks this).
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass

import torch
import torch.nn as nn
from torch.nn import functional as F

ATTENTION = ("flex", "sdpa", "causal")


@dataclass
class GPTConfig:
    block_size: int = 1024
    vocab_size: int = 50304  # GPT-2's 50257 rounded up to a multiple of 64 for fast matmuls
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768
    dropout: float = 0.0
    bias: bool = False  # no bias in Linears and LayerNorms: a little better and faster
    attention: str = "sdpa"

    def __post_init__(self) -> None:
        # Invariants raise (not assert) so they hold under `python -O` too.
        for name in ("block_size", "vocab_size", "n_layer", "n_head", "n_embd"):
            if getattr(self, name) <= 0:
                raise ValueError(f"GPTConfig.{name} must be positive, got {getattr(self, name)}")
        if self.n_embd % self.n_head:
            raise ValueError(f"GPTConfig: n_embd {self.n_embd} is not a multiple of n_head {self.n_head}")
        if self.attention not in ATTENTION:
            raise ValueError(f"GPTConfig.attention must be one of {ATTENTION}, got {self.attention!r}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"GPTConfig.dropout must be in [0, 1), got {self.dropout}")
        if self.attention == "flex" and self.dropout > 0:
            raise ValueError("GPTConfig: FlexAttention has no attention dropout; use dropout=0 or attention=sdpa")


def _flex():
    """flex_attention, compiled on CUDA: eager flex materialises the full score matrix."""
    from torch.nn.attention.flex_attention import flex_attention

    if torch.cuda.is_available() and not hasattr(_flex, "compiled"):
        _flex.compiled = torch.compile(flex_attention, dynamic=False)
    return getattr(_flex, "compiled", flex_attention)


class CausalSelfAttention(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)  # q, k, v for all heads
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.resid_dropout = nn.Dropout(config.dropout)
        self.n_head = config.n_head
        self.n_embd = config.n_embd
        self.dropout = config.dropout

    def forward(self, x: torch.Tensor, mask) -> torch.Tensor:
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, T, hs)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        p = self.dropout if self.training else 0.0
        if mask is None:
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=p, is_causal=True)
        elif isinstance(mask, torch.Tensor):
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p)
        else:  # a FlexAttention BlockMask
            y = _flex()(q, k, v, block_mask=mask)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP(config)

    def forward(self, x: torch.Tensor, mask) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x), mask)
        return x + self.mlp(self.ln_2(x))


def segment_positions(doc_ids: torch.Tensor) -> torch.Tensor:
    """Position of every token within its segment: 0 where doc_ids changes, counting up after."""
    B, T = doc_ids.shape
    idx = torch.arange(T, device=doc_ids.device).expand(B, T)
    starts = torch.ones_like(doc_ids, dtype=torch.bool)
    starts[:, 1:] = doc_ids[:, 1:] != doc_ids[:, :-1]
    first = torch.where(starts, idx, torch.zeros_like(idx)).cummax(dim=1).values
    return idx - first


class GPT(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(config.vocab_size, config.n_embd),
            wpe=nn.Embedding(config.block_size, config.n_embd),
            drop=nn.Dropout(config.dropout),
            h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
            ln_f=nn.LayerNorm(config.n_embd, bias=config.bias),
        ))
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        # Weight tying (Press & Wolf 2017): the output projection shares the token embedding.
        self.transformer.wte.weight = self.lm_head.weight
        self.apply(self._init_weights)
        # GPT-2 scales the residual projections by 1/sqrt(2 * n_layer): each layer adds two.
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

    def _init_weights(self, module: nn.Module) -> None:
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def num_params(self, non_embedding: bool = True) -> int:
        """Parameter count; the position embedding is left out by default (it costs no FLOPs)."""
        n = sum(p.numel() for p in self.parameters())
        return n - self.transformer.wpe.weight.numel() if non_embedding else n

    def attention_mask(self, doc_ids: torch.Tensor | None):
        """What attention needs to keep documents apart: None (plain causal), a bool mask or a BlockMask."""
        if doc_ids is None or self.config.attention == "causal":
            return None
        B, T = doc_ids.shape
        if self.config.attention == "sdpa":
            causal = torch.ones(T, T, dtype=torch.bool, device=doc_ids.device).tril()
            return (causal & (doc_ids[:, :, None] == doc_ids[:, None, :]))[:, None]  # (B, 1, T, T)
        from torch.nn.attention.flex_attention import create_block_mask

        def document_causal(b, h, q, kv):
            return (q >= kv) & (doc_ids[b, q] == doc_ids[b, kv])

        return create_block_mask(document_causal, B=B, H=None, Q_LEN=T, KV_LEN=T, device=doc_ids.device)

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None, doc_ids: torch.Tensor | None = None,
                reduction: str = "mean"):
        """Logits (B, T, vocab) and, with targets (-100 = ignored), the cross-entropy loss."""
        B, T = idx.size()
        if T > self.config.block_size:
            raise ValueError(f"sequence of length {T} exceeds block_size {self.config.block_size}")
        if doc_ids is None:
            pos = torch.arange(T, device=idx.device)
        else:
            pos = segment_positions(doc_ids)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        mask = self.attention_mask(doc_ids)
        for block in self.transformer.h:
            x = block(x, mask)
        logits = self.lm_head(self.transformer.ln_f(x))
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)).float(), targets.reshape(-1),
                                   ignore_index=-100, reduction=reduction)
        return logits, loss

    def configure_optimizer(self, weight_decay: float, lr: float, betas: tuple[float, float], device_type: str):
        """AdamW; weight decay on matrices only (not biases, LayerNorm gains); fused on CUDA."""
        params = [p for p in self.parameters() if p.requires_grad]
        groups = [
            {"params": [p for p in params if p.dim() >= 2], "weight_decay": weight_decay},
            {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
        ]
        fused = device_type == "cuda" and "fused" in inspect.signature(torch.optim.AdamW).parameters
        extra = {"fused": True} if fused else {}
        return torch.optim.AdamW(groups, lr=lr, betas=betas, **extra)

    def flops_per_token(self) -> float:
        """Training FLOPs per token (PaLM appendix B): 6N for the matmuls + 12 L H Q T for attention."""
        cfg = self.config
        n, L, H, Q, T = self.num_params(), cfg.n_layer, cfg.n_head, cfg.n_embd // cfg.n_head, cfg.block_size
        return 6 * n + 12 * L * H * Q * T
