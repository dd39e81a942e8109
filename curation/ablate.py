"""`curate ablate`: train the same model on each variant's training set and compare, in bits per byte.

The Beam build (pipelines/graphs.ablation) writes DIR/variants/<name>/, one build-shards folder
per variant, all with the same tokenizer and the same val split: the evaluation set, cut into
chunks. curation/train/ablate.py runs the training side; this module holds what both halves
share (variants, chunking, bytes per token) and the statistics, with only numpy:

    for each variant, for each seed: train(preset, steps = tokens / tokens per step) -> curve
    validation loss (nats per target token) -> bits per byte of the evaluated text:
        bpb = loss x targets / bytes / ln 2
    over the same windows of the eval set for every variant and seed (``eval_windows``).

A difference between two variants is paired by seed (same initial weights and data order
seed) and reported with a 95% t-interval over seeds; when the interval covers zero the verdict
is "inconclusive", an honest result for a few seeds on a small corpus.
"""

from __future__ import annotations

import math

import numpy as np

# Stages applied to the decontaminated raw set, per variant. "langid_annotate": language ID
# that labels but removes nothing, so the quality rules still know each document's language.
STAGES: dict[str, tuple[str, ...]] = {
    "raw": (),
    "curated": ("langid", "quality", "dedup", "pii"),
    "no_dedup": ("langid", "quality", "pii"),
    "no_quality": ("langid", "dedup", "pii"),
    "no_langid": ("langid_annotate", "quality", "dedup", "pii"),
}
DEFAULT_VARIANTS = ("raw", "curated")
# Each ablation is compared with raw and, when it switches one stage off, with curated.
BASELINES = ("raw", "curated")
RESULTS = "ablate.json"
PIECE_BYTES = "tokenizer/piece_bytes.npy"
EVAL_POINTS = 10  # validation evaluations along a run, the last at the final step
# Two-sided 95% Student t quantiles by degrees of freedom (1..30); above that, the normal's.
_T95 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)


class AblateError(Exception):
    """A bad --variants list or an unusable variant folder: one line for the user."""


def parse_variants(spec: str) -> list[str]:
    names = [v.strip() for v in spec.split(",") if v.strip()]
    unknown = [v for v in names if v not in STAGES]
    if unknown:
        raise AblateError(f"unknown variant '{unknown[0]}' (choose from {', '.join(STAGES)})")
    if not names:
        raise AblateError("--variants is empty")
    return list(dict.fromkeys(names))


def chunk_text(text: str, max_bytes: int) -> list[str]:
    """Cut ``text`` on line ends into pieces of at most ``max_bytes`` UTF-8 bytes (a longer line
    is cut between characters); "".join(pieces) == text. Evaluation documents are cut so that
    the first ``eval_windows`` windows sample every evaluation document, not the first one."""
    out: list[str] = []
    cur: list[str] = []
    size = 0
    for line in text.splitlines(keepends=True):
        n = len(line.encode("utf-8", "surrogatepass"))
        while n > max_bytes:  # one long line: cut it where the bytes run out
            if cur:
                out.append("".join(cur))
                cur, size = [], 0
            cut, acc = 0, 0
            for i, ch in enumerate(line):
                acc += len(ch.encode("utf-8", "surrogatepass"))
                if acc > max_bytes:
                    break
                cut = i + 1
            cut = max(cut, 1)
            out.append(line[:cut])
            line = line[cut:]
            n = len(line.encode("utf-8", "surrogatepass"))
        if size + n > max_bytes and cur:
            out.append("".join(cur))
            cur, size = [], 0
        if line:
            cur.append(line)
            size += n
    if cur:
        out.append("".join(cur))
    return out


# ---------------------------------------------------------------- bytes per token
def piece_bytes(model: bytes, kind: str = "sentencepiece") -> np.ndarray:
    """UTF-8 bytes of text each token id stands for: 0 for BOS/EOS/PAD/UNK, 1 for a byte-fallback
    piece, the piece's text otherwise ("▁" is a space: the tokenizer adds no dummy prefix, so
    the sum over a document's ids is its exact byte length)."""
    if kind != "sentencepiece":
        from curation.tokenizer import Tokenizer

        tok = Tokenizer(model, kind)
        specials = {tok.bos_id, tok.eos_id, tok.pad_id, tok.unk_id}
        return np.asarray([0 if i in specials else len(tok.decode([i]).encode("utf-8")) for i in range(tok.vocab_size)],
                          dtype=np.int64)
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor()
    sp.LoadFromSerializedProto(model)
    out = np.zeros(sp.vocab_size(), dtype=np.int64)
    for i in range(sp.vocab_size()):
        if sp.is_control(i) or sp.is_unknown(i) or sp.is_unused(i):
            continue
        out[i] = 1 if sp.is_byte(i) else len(sp.id_to_piece(i).replace("\u2581", " ").encode("utf-8"))
    return out


# ---------------------------------------------------------------- statistics
def t95(dof: int) -> float:
    return _T95[dof - 1] if dof <= len(_T95) else 1.96


def spread(values: list[float]) -> dict:
    """Mean, sample standard deviation, min and max over seeds."""
    a = np.asarray(values, dtype=np.float64)
    return {"mean": float(a.mean()), "std": float(a.std(ddof=1)) if len(a) > 1 else 0.0,
            "min": float(a.min()), "max": float(a.max()), "n": int(len(a))}


def compare(variant: dict[int, float], baseline: dict[int, float]) -> dict | None:
    """Paired difference variant - baseline over the seeds both have (negative: variant better).

    verdict: "better" / "worse" when the 95% t-interval of the mean difference excludes zero,
    else "inconclusive" (always with a single seed: one run has no spread)."""
    seeds = sorted(set(variant) & set(baseline))
    if not seeds:
        return None
    d = [variant[s] - baseline[s] for s in seeds]
    st = spread(d)
    half = t95(len(d) - 1) * st["std"] / math.sqrt(len(d)) if len(d) > 1 else math.inf
    if len(d) > 1 and st["mean"] + half < 0:
        verdict = "better"
    elif len(d) > 1 and st["mean"] - half > 0:
        verdict = "worse"
    else:
        verdict = "inconclusive"
    return {"mean": st["mean"], "std": st["std"], "ci95": None if math.isinf(half) else half,
            "per_seed": dict(zip([str(s) for s in seeds], d)), "verdict": verdict}


def summarise(runs: dict[str, dict[int, dict]]) -> dict:
    """Per variant: final bpb per seed and its spread; paired differences against the baselines."""
    finals = {v: {s: r["final_bpb"] for s, r in seeds.items() if r.get("final_bpb") is not None} for v, seeds in runs.items()}
    out = {}
    for v, by_seed in finals.items():
        entry = {"final_bpb": spread(list(by_seed.values())) if by_seed else None, "vs": {}}
        for base in BASELINES:
            if base != v and base in finals:
                entry["vs"][base] = compare(by_seed, finals[base])
        out[v] = entry
    return out


# ---------------------------------------------------------------- the printed table
def format_table(results: dict) -> str:
    """One line per variant: training set, final bpb mean +- std over seeds, differences."""
    seeds = results["seeds"]
    lines = [f"ablation: preset {results['preset']}, {results['tokens_per_run']:,} tokens per run, "
             f"{len(seeds)} seed(s) {seeds}; eval: {results['eval']['windows']} windows, "
             f"{results['eval']['bytes']:,} bytes (bits per byte, lower is better)"]
    head = f"{'variant':<11} {'docs':>7} {'tokens':>11} {'decont.':>7} {'bpb mean':>9} {'std':>7}   {'vs raw':<28} {'vs curated':<28}"
    lines += [head, "-" * len(head)]
    for v in results.get("variant_order") or list(results["summary"]):
        entry = results["summary"][v]
        ts = results["variants"][v]["training_set"]
        fb = entry["final_bpb"]
        mean = f"{fb['mean']:.4f}" if fb else "n/a"
        std = f"{fb['std']:.4f}" if fb else "n/a"
        cols = []
        for base in BASELINES:
            c = entry["vs"].get(base)
            if c is None:
                cols.append("")
                continue
            ci = "" if c["ci95"] is None else f" ±{c['ci95']:.4f}"
            cols.append(f"{c['mean']:+.4f}{ci} {c['verdict']}")
        lines.append(f"{v:<11} {ts['documents']:>7,} {ts['tokens']:>11,} {ts['decontaminated']:>7,} {mean:>9} {std:>7}   "
                     f"{cols[0]:<28} {cols[1]:<28}")
    lines.append("differences are paired by seed (variant - baseline), ± the 95% t-interval; "
                 "inconclusive when it covers zero")
    return "\n".join(lines)
