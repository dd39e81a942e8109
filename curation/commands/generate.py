"""`curate generate RUN_DIR --prompt TEXT`: text from a model `curate train` wrote.

Reads RUN_DIR/checkpoint.pt (the model's config is in it) and the tokenizer the shards were
built with (recorded in the checkpoint, found through RUN_DIR/config.json's shards folder, or
given with --tokenizer and checked against the recorded sha256)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from curation.errors import UserError


def add_parser(sub):
    p = sub.add_parser(
        "generate", help="sample text from a model trained by curate train",
        description="Continue --prompt with the model in RUN_DIR (its latest checkpoint), using the tokenizer the "
        "shards were built with. Only ids the tokenizer knows are sampled; generation stops at the end-of-document "
        "token or after --max-new-tokens.")
    p.add_argument("run_dir", metavar="RUN_DIR", help="the --out folder of curate train (holds checkpoint.pt)")
    p.add_argument("--prompt", required=True, help="text to continue")
    p.add_argument("--max-new-tokens", type=int, default=100, metavar="N", help="tokens to add at most (default 100)")
    p.add_argument("--temperature", type=float, default=0.8, metavar="T", help="sampling temperature; 0: greedy (default 0.8)")
    p.add_argument("--top-k", type=int, default=50, metavar="K", help="sample among the K most likely ids; 0: all (default 50)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed: the same seed, the same text (default 0)")
    p.add_argument("--checkpoint", metavar="FILE", help="another checkpoint than RUN_DIR/checkpoint.pt")
    p.add_argument("--tokenizer", metavar="PATH", help="the tokenizer file, if the shards folder has moved")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    return p


def _tokenizer_path(run_dir: Path, recorded: dict, given: str | None) -> Path:
    if given:
        path = Path(given)
    else:
        try:
            shards = json.loads((run_dir / "config.json").read_text(encoding="utf-8"))["shards"]
        except (OSError, ValueError, KeyError):
            raise UserError(f"{run_dir}/config.json does not name the shards folder: pass --tokenizer PATH") from None
        path = Path(shards) / recorded["file"]
    if not path.is_file():
        raise UserError(f"tokenizer {path}: no such file (the shards folder moved? pass --tokenizer PATH)")
    if hashlib.sha256(path.read_bytes()).hexdigest() != recorded.get("sha256"):
        raise UserError(f"tokenizer {path} is not the one the model was trained with (sha256 differs)")
    return path


def run(args) -> int:
    if args.max_new_tokens < 1:
        raise UserError(f"--max-new-tokens must be at least 1, got {args.max_new_tokens}")
    if args.temperature < 0:
        raise UserError(f"--temperature must not be negative, got {args.temperature}")
    if args.top_k < 0:
        raise UserError(f"--top-k must not be negative, got {args.top_k}")
    run_dir = Path(args.run_dir)
    try:
        from curation.train import TrainError
        from curation.train.generate import load_model, sample
    except ImportError as e:
        raise UserError(f"curate generate needs torch ({e}); install the [train] extra") from None
    from curation.tokenizer import Tokenizer

    try:
        model, recorded = load_model(run_dir, args.checkpoint)
        tok = Tokenizer.from_file(_tokenizer_path(run_dir, recorded, args.tokenizer))
        prompt = [tok.bos_id, *(int(i) for i in tok.encode(args.prompt))]
        new = sample(model, prompt, vocab_size=tok.vocab_size, max_new_tokens=args.max_new_tokens,
                     temperature=args.temperature, top_k=args.top_k, seed=args.seed, eos_id=tok.eos_id,
                     banned=tuple({tok.bos_id, tok.pad_id}))
    except TrainError as e:
        raise UserError(str(e)) from None
    print(tok.decode(prompt + new))
    return 0
