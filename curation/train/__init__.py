"""The bundled pre-training job: a GPT decoder trained on the shards `curate build-shards` writes.

This package imports only the standard library, torch, numpy and pyarrow (docs/contracts.md,
"Training module"): the GPU machine that runs it from the source tree has nothing else. Nothing
here imports torch at package import, so `curate --help` stays fast without the [train] extra.

    config.py   TrainConfig, presets (tiny, gpt2-124m), overrides
    model.py    GPTConfig and the GPT decoder (nanoGPT's layout, document-masked attention)
    data.py     manifest, packing plan, the rank-sliced prefetching loader
    loop.py     train(): optimizer, schedule, DDP, checkpoints, exact resume, logging
"""


class TrainError(Exception):
    """Something the user must fix (bad config, mismatched tokenizer, broken shards): one line."""
