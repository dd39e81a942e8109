"""`curate train`: the bundled pre-training job on the shards of `curate build-shards`.

The work is in curation/train/ (standard library, torch, numpy and pyarrow only); this module
adds what needs the rest of curate: YAML config files and curate's error conventions. torch is
imported in run(), so `curate --help` works without the [train] extra."""

from __future__ import annotations

import argparse

from curation.errors import ConfigError, UserError
from curation.train import TrainError
from curation.train.config import add_arguments, config_from_args, parse_set, read_json_config, shards_arg
from curation.train.data import parse_shards_spec


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "train", help="train a GPT on the shards (torch; also under torchrun)",
        description="Train a GPT decoder on DIR/manifest.json's shards. Presets: tiny (a laptop CPU, ~1 min; "
                    "the default without a GPU), "
                    "gpt2-124m (the default on a GPU). Under torchrun each process trains one rank (NCCL on GPUs, gloo on CPU).",
        allow_abbrev=False)
    add_arguments(p)
    p.add_argument("--tokenizer", metavar="PATH",
                   help="the tokenizer your model uses (sentencepiece .model or tokenizers .json): refused unless it is "
                   "the one the shards were built with")
    return p


def _read_config(path: str) -> dict:
    if not path.endswith((".yaml", ".yml")):
        return read_json_config(path)
    try:
        import yaml
    except ImportError:
        raise ConfigError(f"--config {path}: reading YAML needs PyYAML; use a JSON file") from None
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f) or {}
    except FileNotFoundError:
        raise ConfigError(f"--config {path}: no such file") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"--config {path}: not valid YAML: {str(e).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"--config {path}: expected a mapping of config keys")
    return data.get("train", data) if isinstance(data.get("train"), dict) else data


def check_tokenizer(shards_dir: str, path: str) -> None:
    """Refuse to train on shards built with another tokenizer than the user's (hash and kind)."""
    import hashlib
    import json
    from pathlib import Path

    p = Path(path)
    if not p.is_file():
        raise UserError(f"--tokenizer {path}: no such file")
    manifest_path = Path(shards_dir) / "manifest.json"
    if not manifest_path.is_file():
        raise UserError(f"--shards {shards_dir}: no manifest.json")
    tok = json.loads(manifest_path.read_text()).get("tokenizer") or {}
    sha = hashlib.sha256(p.read_bytes()).hexdigest()
    if sha != tok.get("sha256"):
        raise UserError(
            f"tokenizer mismatch: --tokenizer {path} (sha256 {sha[:12]}) is not the {tok.get('kind', '?')} tokenizer the "
            f"shards were built with (sha256 {str(tok.get('sha256'))[:12]}, vocab {tok.get('vocab_size')})"
        )


def run(args) -> int:
    if getattr(args, "tokenizer", None):
        for spec in args.shards:
            check_tokenizer(parse_shards_spec(spec)[0], args.tokenizer)
    try:
        file_values = _read_config(args.config) if args.config else None
        try:
            from curation.train.loop import train
        except ImportError as e:
            raise UserError(f"curate train needs torch ({e}); install the [train] extra") from None
        _cpu_preset(args, file_values)
        cfg, preset = config_from_args(args, file_values)
        train(cfg, shards_arg(args.shards), args.out, preset=preset, resume=args.resume)
    except TrainError as e:
        raise UserError(str(e)) from None
    return 0


def _cpu_preset(args, file_values: dict | None) -> None:
    """No --preset (nor one in --config) and no GPU to train on: the default gpt2-124m preset
    (124M parameters, 0.5M tokens a step) would run for days, so take the CPU-sized one and say so."""
    import torch

    if args.preset or (file_values or {}).get("preset"):
        return
    device = args.cfg_device or parse_set(args.overrides or []).get("device") or (file_values or {}).get("device") or "auto"
    if str(device).startswith("cuda") or (device == "auto" and torch.cuda.is_available()):
        return
    args.preset = "tiny"
    print("train: no GPU and no --preset: using the CPU-sized preset 'tiny' (about 1M parameters, 50 steps of "
          "16 x 128 tokens); pass --preset gpt2-124m for GPT-2 small", flush=True)
