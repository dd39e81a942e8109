"""`python -m curation.train` and `torchrun --nproc_per_node N -m curation.train`, from the source tree.

The same flags as `curate train`, without the rest of curate's dependencies; a config file must be
JSON here (YAML needs PyYAML, which `curate train` reads)."""

from __future__ import annotations

import argparse
import sys

from curation.train import TrainError
from curation.train.config import add_arguments, config_from_args, read_json_config, shards_arg


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m curation.train", allow_abbrev=False,
                                     description="Train a GPT on the shards of `curate build-shards`.")
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        file_values = None
        if args.config:
            if args.config.endswith((".yaml", ".yml")):
                raise TrainError(f"--config {args.config}: YAML is read by `curate train`; here use a JSON file")
            file_values = read_json_config(args.config)
        cfg, preset = config_from_args(args, file_values)
        from curation.train.loop import train  # torch is imported only once the flags are good

        train(cfg, shards_arg(args.shards), args.out, preset=preset, resume=args.resume)
    except TrainError as e:
        if args.debug:
            raise
        print(f"train: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
