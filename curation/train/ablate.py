"""`curate ablate`'s training side: every variant x seed trained on DIR/variants/<name>/, each
validation loss turned into bits per byte of the evaluated text (curation/ablate.py has the
method, the statistics and the table). Needs the standard library, numpy and the training job
only, so it also runs on a GPU machine without Beam.
"""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
from pathlib import Path
from typing import Callable

import numpy as np

from curation import fs
from curation.ablate import EVAL_POINTS, PIECE_BYTES, RESULTS, AblateError, summarise
from curation.train.config import resolve
from curation.train.data import IGNORE, ShardIndex, build_window, load_manifest, pack
from curation.train.loop import train


def eval_coverage(variant_dir: str | Path, cfg, table: np.ndarray) -> dict:
    """Targets and text bytes of the validation windows train() evaluates (the first
    ``cfg.val_windows`` windows of the val split, unshuffled, exactly as loop.evaluate builds them)."""
    manifest = load_manifest(variant_dir)
    index = ShardIndex(manifest, "val")
    if index.n_tokens == 0:
        raise AblateError(f"{variant_dir}: the evaluation split is empty")
    plan = pack(index.order(0, 0, False, 1), index.doc_len, cfg.seq_len, cfg.pack_slack)
    n = min(cfg.val_windows, plan.n_windows)
    targets = nbytes = 0
    for k in range(n):
        _, y, _ = build_window(index, plan, k, manifest.pad_id)
        t = y[y != IGNORE]
        targets += int(len(t))
        nbytes += int(table[t].sum())
    return {"windows": n, "windows_available": int(plan.n_windows), "targets": targets, "bytes": nbytes,
            "eval_tokens": index.n_tokens, "eval_documents": index.n_docs}


def to_bpb(loss_nats: float, coverage: dict) -> float:
    return loss_nats * coverage["targets"] / coverage["bytes"] / math.log(2)


# ---------------------------------------------------------------- training runs
def run_config(preset: str, overrides: dict, tokens: int | None, seed: int, eval_windows: int):
    """The TrainConfig of one run: the preset, the user's overrides, then the ablation's own
    steps (tokens / tokens per step), seed, evaluation cadence and a checkpoint only at the end."""
    base, name = resolve(preset, None, overrides)
    per_step = base.global_batch * base.seq_len
    steps = base.steps if tokens is None else max(1, math.ceil(tokens / per_step))
    warmup = base.warmup_steps if base.warmup_steps < steps else steps // 10
    cfg = dataclasses.replace(
        base, seed=seed, steps=steps, warmup_steps=warmup, val_windows=eval_windows,
        eval_every=max(1, steps // EVAL_POINTS), ckpt_every=0, keep_checkpoints=0,
    )
    return cfg.validate(), name


def train_one(variant_dir: Path, run_dir: Path, cfg, preset: str, coverage: dict, fingerprint: str,
              echo: Callable[[str], None]) -> dict:
    """Train one (variant, seed), or reuse a finished run of the same config on the same shards."""
    record_path = run_dir / "ablate-run.json"
    key = {"config": cfg.to_dict(), "preset": preset, "fingerprint": fingerprint}
    if record_path.is_file():
        try:
            record = json.loads(record_path.read_text(encoding="utf-8"))
            if record.get("key") == key:
                echo(f"reusing {run_dir} (same config and shards)")
                return record
        except ValueError:
            pass
    shutil.rmtree(run_dir, ignore_errors=True)
    res = train(cfg, variant_dir, run_dir, preset=preset, echo=echo)
    per_step = cfg.global_batch * cfg.seq_len
    curve = [{"step": s, "tokens": s * per_step, "loss": v, "bpb": to_bpb(v, coverage)} for s, v in res.val_losses]
    record = {
        "key": key,
        "seed": cfg.seed,
        "steps": cfg.steps,
        "tokens": cfg.steps * per_step,
        "train_loss": res.train_loss,
        "val_loss": res.val_loss,
        "final_bpb": to_bpb(res.val_loss, coverage) if res.val_loss is not None else None,
        "curve": curve,
        "tokens_per_s": sum(1 for _ in res.losses) * per_step / max(sum(res.step_seconds), 1e-9),
    }
    fs.write_json(str(record_path), record)
    return record


# ---------------------------------------------------------------- the whole harness
def variant_info(variant_dir: Path) -> dict:
    """Training-set figures of one variant folder: documents, tokens, bytes, decontamination."""
    manifest = json.loads((variant_dir / "manifest.json").read_text(encoding="utf-8"))
    stats = json.loads((variant_dir / "stats.json").read_text(encoding="utf-8"))
    st = stats.get("stages", {})
    decon = st.get("decontaminate", {})
    tok = st.get("tokenize", {})
    return {
        "documents": manifest["totals"]["train"]["documents"],
        "tokens": manifest["totals"]["train"]["tokens"],
        "bytes": int(tok.get("metrics", {}).get("bytes_in", 0)) if isinstance(tok.get("metrics"), dict) else None,
        "decontaminated": sum(decon.get("removed", {}).values()) if decon else 0,
        "decontaminated_by_reason": decon.get("removed", {}),
        "stages": {k: {"in": v.get("in"), "out": v.get("out"), "removed": v.get("removed")} for k, v in st.items()},
        "fingerprint": manifest["fingerprint"],
        "eval_shards": sorted(s["sha256"] for s in manifest["shards"] if s["split"] == "val"),
    }


def run_ablation(output_dir: str | Path, variants: list[str], *, preset: str = "tiny", seeds: int = 3,
                 tokens: int | None = None, eval_windows: int = 256, overrides: dict | None = None,
                 echo: Callable[[str], None] = print, build: dict | None = None) -> dict:
    """Train every variant x seed on DIR/variants/<name>/ and write DIR/ablate.json.

    ``build``: details of the build (inputs, eval set) recorded in the results."""
    out = Path(output_dir)
    table_path = out / PIECE_BYTES
    if not table_path.is_file():
        raise AblateError(f"{table_path} missing: run the build first (curate ablate)")
    table = np.load(table_path)
    infos = {}
    for v in variants:
        vdir = out / "variants" / v
        if not (vdir / "manifest.json").is_file():
            raise AblateError(f"{vdir}: no manifest.json: the variant was not built")
        infos[v] = variant_info(vdir)
    if len({tuple(i["eval_shards"]) for i in infos.values()}) != 1:
        raise AblateError("the variants' evaluation shards differ: rebuild with one `curate ablate` run")

    overrides = overrides or {}
    base_seed = resolve(preset, None, overrides)[0].seed
    seed_values = [base_seed + i for i in range(seeds)]
    first_cfg, preset_name = run_config(preset, overrides, tokens, seed_values[0], eval_windows)
    coverage = eval_coverage(out / "variants" / variants[0], first_cfg, table)
    if coverage["bytes"] <= 0:
        raise AblateError("the evaluated windows hold no text bytes")

    runs: dict[str, dict[int, dict]] = {v: {} for v in variants}
    for seed in seed_values:  # seeds outermost: after one seed every variant has a point
        for v in variants:
            cfg, _ = run_config(preset, overrides, tokens, seed, eval_windows)
            tag = f"[{v} seed {seed}]"
            echo(f"ablate: training {v}, seed {seed}: {cfg.steps} steps x {cfg.global_batch * cfg.seq_len:,} tokens")
            runs[v][seed] = train_one(out / "variants" / v, out / "runs" / v / f"seed-{seed}", cfg, preset_name,
                                      coverage, infos[v]["fingerprint"], lambda m, t=tag: echo(f"{t} {m}"))

    results = {
        "preset": preset_name,
        "variant_order": list(variants),
        "seeds": seed_values,
        "tokens_per_run": first_cfg.steps * first_cfg.global_batch * first_cfg.seq_len,
        "steps": first_cfg.steps,
        "train_config": {k: v for k, v in first_cfg.to_dict().items() if k != "seed"},
        "eval": coverage,
        "build": build or {},
        "variants": {v: {"training_set": {k: x for k, x in infos[v].items() if k not in ("eval_shards",)},
                         "epochs": first_cfg.steps * first_cfg.global_batch * first_cfg.seq_len / max(infos[v]["tokens"], 1),
                         "runs": {str(s): {k: x for k, x in r.items() if k != "key"} for s, r in runs[v].items()}}
                     for v in variants},
        "summary": summarise(runs),
    }
    fs.write_json(str(out / RESULTS), results)
    return results
