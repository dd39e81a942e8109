"""TrainConfig: every knob of the training job in one flat, frozen dataclass.

Flat on purpose: each field is also a command-line flag (`--n-layer 4`, `--set n_layer=4`) and a key
of a JSON/YAML config file, with no nesting to remember. The defaults are GPT-2 124M on a real
corpus (the `gpt2-124m` preset); `tiny` trains 50 steps on a laptop CPU in about a minute.
The resolved config is saved in every checkpoint. Standard library only.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from curation.train import TrainError

ATTENTION_MODES = ("auto", "flex", "sdpa", "causal")
DTYPES = ("auto", "float32", "bfloat16")


@dataclass(frozen=True)
class TrainConfig:
    # model (GPT-2 small: Radford et al. 2019; nanoGPT's train_gpt2 config)
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768
    seq_len: int = 1024  # tokens a position sees; windows hold seq_len + 1 tokens
    vocab_size: int = 0  # 0: the tokenizer's vocabulary rounded up to a multiple of 64
    dropout: float = 0.0
    bias: bool = False
    attention: str = "auto"  # auto: flex on CUDA, sdpa (explicit mask) on CPU; causal: no document masking
    # data
    global_batch: int = 512  # sequences per optimizer step, over all ranks (~0.5M tokens at T=1024)
    micro_batch: int = 32  # sequences per forward pass on one rank
    seed: int = 1337
    shuffle_row_groups: int = 4  # documents are shuffled within runs of this many shuffled row groups
    pack_slack: float = 0.125  # leftover window fraction padded so the next document starts a window
    prefetch: int = 4  # optimizer steps prepared ahead on the background thread
    val_windows: int = 512  # validation windows evaluated (0: none)
    max_epochs: float = 4.0  # refuse a budget of more passes over the train tokens (0: no limit)
    # optimization (GPT-3 paper, table 2.1, for the 125M model; warmup as in build-nanogpt)
    steps: int = 19_073  # 10B tokens at 0.5M tokens per step
    lr: float = 6e-4
    min_lr: float = 6e-5
    warmup_steps: int = 715
    decay_steps: int = 0  # steps of the cosine decay (0: steps); min_lr after it
    weight_decay: float = 0.1
    beta1: float = 0.9
    beta2: float = 0.95
    grad_clip: float = 1.0  # 0 disables clipping
    # cadence
    log_every: int = 10
    eval_every: int = 250  # 0: only at the end
    ckpt_every: int = 1000  # 0: only at the end
    keep_checkpoints: int = 3  # numbered checkpoints kept besides the latest
    # system
    device: str = "auto"  # auto | cpu | cuda | cuda:N
    dtype: str = "auto"  # auto: bfloat16 autocast on CUDA, float32 elsewhere
    compile: bool = False
    threads: int = 0  # CPU intra-op threads (0: torch's default)
    peak_tflops: float = 0.0  # for MFU; 0: looked up from the GPU name (H100/H200/A100)

    def validate(self) -> "TrainConfig":
        def need(ok: bool, msg: str) -> None:
            if not ok:
                raise TrainError(f"config: {msg}")

        for name in ("n_layer", "n_head", "n_embd", "seq_len", "global_batch", "micro_batch", "steps",
                     "shuffle_row_groups", "prefetch", "log_every"):
            need(getattr(self, name) > 0, f"{name} must be positive (got {getattr(self, name)})")
        for name in ("vocab_size", "val_windows", "max_epochs", "warmup_steps", "decay_steps", "eval_every", "ckpt_every",
                     "keep_checkpoints",
                     "threads", "weight_decay", "grad_clip", "peak_tflops", "min_lr"):
            need(getattr(self, name) >= 0, f"{name} must not be negative (got {getattr(self, name)})")
        need(self.n_embd % self.n_head == 0, f"n_embd ({self.n_embd}) must be a multiple of n_head ({self.n_head})")
        need(self.global_batch % self.micro_batch == 0,
             f"global_batch ({self.global_batch}) must be a multiple of micro_batch ({self.micro_batch})")
        need(0 < self.lr and self.min_lr <= self.lr, f"need 0 < min_lr <= lr (got lr={self.lr}, min_lr={self.min_lr})")
        need(0.0 <= self.dropout < 1.0, f"dropout must be in [0, 1) (got {self.dropout})")
        need(0.0 <= self.pack_slack <= 1.0, f"pack_slack must be in [0, 1] (got {self.pack_slack})")
        need(0.0 <= self.beta1 < 1.0 and 0.0 <= self.beta2 < 1.0, "beta1 and beta2 must be in [0, 1)")
        need(self.attention in ATTENTION_MODES, f"attention must be one of {', '.join(ATTENTION_MODES)}")
        need(self.dtype in DTYPES, f"dtype must be one of {', '.join(DTYPES)}")
        need(self.device == "auto" or self.device == "cpu" or self.device.startswith("cuda"),
             f"device must be auto, cpu, cuda or cuda:N (got {self.device!r})")
        return self

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# Presets are overrides of the defaults, so a preset never hides a field from the saved config.
PRESETS: dict[str, dict[str, Any]] = {
    "gpt2-124m": {"compile": True},
    # ~1.3M parameters with a 32k vocabulary; 50 steps of 16 x 128 tokens take about a minute on a
    # laptop CPU (docs/training.md has the measured figure).
    "tiny": {
        "n_layer": 4, "n_head": 4, "n_embd": 128, "seq_len": 128,
        "global_batch": 16, "micro_batch": 16, "steps": 50, "lr": 3e-3, "min_lr": 3e-4, "warmup_steps": 5,
        "val_windows": 32, "log_every": 5, "eval_every": 25, "ckpt_every": 25, "keep_checkpoints": 2,
        "weight_decay": 0.0, "prefetch": 2,
    },
}


_TYPES = {"int": int, "float": float, "bool": bool, "str": str}


def field_types() -> dict[str, type]:
    # Annotations are strings under `from __future__ import annotations`.
    return {f.name: _TYPES[f.type] if isinstance(f.type, str) else f.type for f in fields(TrainConfig)}


def coerce(key: str, value: Any) -> Any:
    """A config value from a string (command line) or JSON value, checked against the field type."""
    types = field_types()
    if key not in types:
        close = difflib.get_close_matches(key, types, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise TrainError(f"config: unknown key '{key}'{hint}")
    tp = types[key]
    try:
        if tp is bool:
            if isinstance(value, bool):
                return value
            s = str(value).strip().lower()
            if s in ("1", "true", "yes", "on"):
                return True
            if s in ("0", "false", "no", "off"):
                return False
            raise ValueError(value)
        if tp is int:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError(value)
            return int(str(value).replace("_", "")) if isinstance(value, str) else int(value)
        if tp is float:
            if isinstance(value, bool):
                raise ValueError(value)
            return float(value)
        return str(value)
    except (TypeError, ValueError):
        raise TrainError(f"config: {key} expects {tp.__name__}, got {value!r}") from None


def parse_set(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise TrainError(f"--set expects KEY=VALUE, got {item!r}")
        key = key.strip().replace("-", "_")
        out[key] = coerce(key, value.strip())
    return out


def read_json_config(path: str | Path) -> dict[str, Any]:
    """A JSON config file: an object of TrainConfig keys, optionally with "preset"."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TrainError(f"--config {path}: no such file") from None
    except (OSError, ValueError) as e:
        raise TrainError(f"--config {path}: not readable JSON: {e}") from None
    if not isinstance(data, dict):
        raise TrainError(f"--config {path}: expected a mapping of config keys")
    return data


def resolve(preset: str | None = None, file_values: dict[str, Any] | None = None,
            overrides: dict[str, Any] | None = None) -> tuple[TrainConfig, str]:
    """Defaults < preset < config file < command line. Returns the config and the preset name."""
    file_values = dict(file_values or {})
    preset = preset or file_values.pop("preset", None) or "gpt2-124m"
    file_values.pop("preset", None)
    if preset not in PRESETS:
        raise TrainError(f"unknown preset '{preset}' (choose from {', '.join(PRESETS)})")
    values: dict[str, Any] = dict(PRESETS[preset])
    for source in (file_values, overrides or {}):
        for key, value in source.items():
            key = key.replace("-", "_")
            values[key] = coerce(key, value)
    return TrainConfig(**values).validate(), preset


# ------------------------------------------------------------------------------ command line
def add_arguments(parser) -> None:
    """The flags of `curate train` and `python -m curation.train` (argparse; stdlib only)."""
    parser.add_argument("--shards", required=True, action="append", metavar="DIR[:WEIGHT]",
                        help="a build-shards output folder (manifest.json); repeat with DIR:WEIGHT to mix several "
                        "folders by weight (--shards web:2 --shards books:1)")
    parser.add_argument("--out", "--output", dest="out", default="runs/train", metavar="DIR",
                        help="checkpoints, log.jsonl, config.json, summary.json (default: runs/train)")
    parser.add_argument("--config", metavar="FILE", help="config file: JSON (YAML with `curate train` and PyYAML)")
    parser.add_argument("--preset", choices=sorted(PRESETS), help="starting values (default: gpt2-124m; tiny for `curate train` without a GPU)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override one config key, e.g. --set lr=1e-3 (repeatable)")
    parser.add_argument("--resume", nargs="?", const="latest", metavar="CHECKPOINT",
                        help="continue from --out's latest checkpoint, or from the file given")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    g = parser.add_argument_group("config keys (each also settable with --set KEY=VALUE or in --config)")
    for name, tp in field_types().items():
        flag = "--" + name.replace("_", "-")
        default = getattr(TrainConfig, name)
        if tp is bool:
            g.add_argument(flag, dest=f"cfg_{name}", nargs="?", const="true", metavar="BOOL",
                           help=f"(default: {str(default).lower()})")
        else:
            g.add_argument(flag, dest=f"cfg_{name}", metavar=tp.__name__.upper(), help=f"(default: {default})")


def shards_arg(values: list[str]) -> str | list[str]:
    """--shards as the trainer takes it: the folder itself when one is given, else the DIR:WEIGHT list."""
    return values[0] if len(values) == 1 else list(values)


def config_from_args(args, file_values: dict[str, Any] | None = None) -> tuple[TrainConfig, str]:
    overrides = {name: getattr(args, f"cfg_{name}") for name in field_types()
                 if getattr(args, f"cfg_{name}", None) is not None}
    overrides.update(parse_set(args.overrides or []))
    return resolve(args.preset, file_values, overrides)
