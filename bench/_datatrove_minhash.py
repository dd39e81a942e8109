"""datatrove 0.10.1's 4-stage MinHash dedup with its defaults (run by bench/dedup.py inside
bench/.venvs/datatrove). argv: INPUT_DIR (jsonl parts) WORK_DIR WORKERS [TOKENIZER]. Prints JSON
timings. TOKENIZER "spacy" (datatrove's default English word tokenizer) or "whitespace"
(``str.split``, what curate shingles by): spaCy is most of datatrove's signature time, so the
comparison is reported both ways (issue 24)."""

import json
import sys
import time

from datatrove.pipeline.dedup.minhash import MinhashDedupSignature
from datatrove.utils.word_tokenizers import WordTokenizer


class WhitespaceTokenizer(WordTokenizer):
    """Words are what ``str.split`` returns."""

    def word_tokenize(self, text: str) -> list[str]:
        return text.split()

    def sent_tokenize(self, text: str) -> list[str]:
        return [text]

    def span_tokenize(self, text: str) -> list[tuple[int, int]]:
        raise NotImplementedError("the MinHash signature step only splits words")


class WhitespaceMinhashSignature(MinhashDedupSignature):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.word_tokenizer = WhitespaceTokenizer("en")


def main():
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig, MinhashDedupBuckets, MinhashDedupCluster, MinhashDedupFilter,
    )
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers.jsonl import JsonlWriter

    inp, work, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
    tokenizer = sys.argv[4] if len(sys.argv) > 4 else "spacy"
    signature = {"spacy": MinhashDedupSignature, "whitespace": WhitespaceMinhashSignature}[tokenizer]
    import os

    tasks = len([f for f in os.listdir(inp) if f.endswith(".jsonl")])
    cfg = MinhashConfig()  # defaults: word 5-grams, 14 buckets x 8 hashes
    times = {}
    t0 = time.time()
    LocalPipelineExecutor(
        pipeline=[JsonlReader(inp), signature(output_folder=f"{work}/signatures", config=cfg)],
        tasks=tasks, workers=workers, logging_dir=f"{work}/logs/s1",
    ).run()
    times["signatures"] = time.time() - t0
    t = time.time()
    LocalPipelineExecutor(
        pipeline=[MinhashDedupBuckets(input_folder=f"{work}/signatures", output_folder=f"{work}/buckets", config=cfg)],
        tasks=cfg.num_buckets, workers=workers, logging_dir=f"{work}/logs/s2",
    ).run()
    times["buckets"] = time.time() - t
    t = time.time()
    LocalPipelineExecutor(
        pipeline=[MinhashDedupCluster(input_folder=f"{work}/buckets", output_folder=f"{work}/remove_ids", config=cfg)],
        tasks=1, logging_dir=f"{work}/logs/s3",
    ).run()
    times["cluster"] = time.time() - t
    t = time.time()
    LocalPipelineExecutor(
        pipeline=[
            JsonlReader(inp),
            MinhashDedupFilter(input_folder=f"{work}/remove_ids", exclusion_writer=JsonlWriter(f"{work}/removed", compression=None)),
            JsonlWriter(f"{work}/kept", compression=None),
        ],
        tasks=tasks, workers=workers, logging_dir=f"{work}/logs/s4",
    ).run()
    times["filter"] = time.time() - t
    times["total"] = time.time() - t0
    print(json.dumps(times))


if __name__ == "__main__":  # LocalPipelineExecutor starts workers with spawn
    main()
