"""Stage "tokenize": TrainTokenizer | Tokenize.

TrainTokenizer trains sentencepiece on a hash-chosen sample of the curated documents (or reuses
the user's model) and writes DIR/tokenizer/; Tokenize encodes every document, BOS first and EOS
last. The plain-Python halves live in curation/tokenizer.py; this module adds the Beam plumbing.
Nothing is written while the graph is built: every file is written by a DoFn (curation/fs.py).
"""

from __future__ import annotations

import logging

import apache_beam as beam
from apache_beam.pvalue import AsSingleton

from curation import fs
from curation.config import PipelineConfig
from curation.document import Document, id_hash64
from curation.errors import ConfigError
from curation.tokenizer import KIND_HF, KIND_SENTENCEPIECE, Tokenizer, train_sentencepiece
from pipelines.transforms import COUNTS, DOCS, REJECTED, BatchedDoFn, mark_rejected

log = logging.getLogger("curate")

STAGE = "tokenize"


# ---------------------------------------------------------------- tokenizer info
def tokenizer_info(tok: Tokenizer, output_dir: str) -> dict:
    """The side input that carries a tokenizer: manifest fields plus the model bytes, so any
    worker can load it without reading the output folder."""
    info = tok.info()
    info["path"] = f"{output_dir}/{info['file']}"
    info["model"] = tok.model
    return info


def load_tokenizer(info: dict) -> Tokenizer:
    return Tokenizer(info["model"], info["kind"])


def save_tokenizer(tok: Tokenizer, output_dir: str) -> None:
    fs.write_bytes_atomic(f"{output_dir}/tokenizer/{tok.file_name}", tok.model)
    if tok.kind == KIND_SENTENCEPIECE:
        fs.write_bytes_atomic(f"{output_dir}/tokenizer/tokenizer.vocab", tok.vocab_text().encode("utf-8"))


def sample_hash(doc_id: str, seed: int) -> int:
    """Order of the training sample: smallest first. Seed 0 is the shard hash itself."""
    return id_hash64(doc_id if seed == 0 else f"{seed}/{doc_id}")


# ---------------------------------------------------------------- TrainTokenizer
class _SmallestHashes(beam.CombineFn):
    """Hash threshold of the sample: take documents in ascending hash order while their text
    fits in ``budget`` bytes (at least one). An accumulator is a list of (hash, bytes) pairs
    trimmed to the budget whenever it doubles, so no worker ever holds all ids."""

    def __init__(self, budget: int):
        self.budget = budget

    def _trim(self, items: list) -> list:
        items.sort()
        total = 0
        for i, (_, n) in enumerate(items):
            total += n
            if total > self.budget and i > 0:
                return items[:i]
        return items

    def create_accumulator(self):
        return [[], 4096]  # items, length at which to trim next

    def add_input(self, acc, item):
        acc[0].append(item)
        if len(acc[0]) >= acc[1]:
            acc[0] = self._trim(acc[0])
            acc[1] = max(4096, 2 * len(acc[0]))
        return acc

    def merge_accumulators(self, accs):
        items = self._trim([x for a in accs for x in a[0]])
        return [items, max(4096, 2 * len(items))]

    def extract_output(self, acc):
        items = self._trim(acc[0])
        return items[-1][0] if items else -1


def _hash_and_size(doc: Document, seed: int):
    return sample_hash(doc.id, seed), len(doc.text.encode("utf-8", "surrogatepass"))


def _in_sample(doc: Document, threshold: int, seed: int):
    h = sample_hash(doc.id, seed)
    if h <= threshold:
        yield h, doc.id, doc.text


class _TrainDoFn(beam.DoFn):
    def __init__(self, config: PipelineConfig, output_dir: str):
        self.config = config
        self.output_dir = output_dir

    def process(self, sample: list):
        if not sample:
            raise ConfigError("no documents left to train the tokenizer on (every document was removed)").in_worker()
        sample = sorted(sample)  # Beam gives no order; training input must be the same every run
        cfg = self.config
        symbols = cfg.pii.placeholders()  # each placeholder one token: never split, easy to mask
        model = train_sentencepiece((text for _, _, text in sample), cfg.tokenizer, symbols)
        tok = Tokenizer(model, KIND_SENTENCEPIECE)
        save_tokenizer(tok, self.output_dir)
        log.info("tokenizer: trained vocab %s on %s documents (%s bytes)", f"{tok.vocab_size:,}", f"{len(sample):,}",
                 f"{sum(len(t.encode('utf-8', 'surrogatepass')) for _, _, t in sample):,}")
        if tok.vocab_size < cfg.tokenizer.vocab_size:
            log.warning("tokenizer: the sample supports %s ids, not tokenizer.vocab_size=%s: the vocabulary shrank "
                        "(a small corpus; set tokenizer.vocab_size to silence this, or add text)", f"{tok.vocab_size:,}",
                        f"{cfg.tokenizer.vocab_size:,}")
        yield tokenizer_info(tok, self.output_dir)


class _ReuseDoFn(beam.DoFn):
    def __init__(self, model_path: str, output_dir: str):
        self.model_path = model_path
        self.output_dir = output_dir

    def process(self, _):
        with fs.open_read(self.model_path) as f:
            data = f.read()
        tok = Tokenizer(data, KIND_HF if self.model_path.endswith(".json") else KIND_SENTENCEPIECE)
        save_tokenizer(tok, self.output_dir)
        yield tokenizer_info(tok, self.output_dir)


class TrainTokenizer(beam.PTransform):
    """Documents -> a singleton PCollection holding the tokenizer info (a side input).

    Trains sentencepiece on the documents of smallest id hash up to tokenizer.sample_bytes, or
    reuses tokenizer.model_path; either way the model is written to DIR/tokenizer/.
    """

    def __init__(self, config: PipelineConfig, output_dir: str, label: str | None = None):
        super().__init__(label)
        self.config = config
        self.output_dir = output_dir.rstrip("/")
        path = config.tokenizer.model_path
        if path and not fs.is_remote(path):
            Tokenizer.from_file(path)  # a missing or broken model fails now, not after the pipeline ran

    def expand(self, docs):
        cfg = self.config.tokenizer
        if cfg.model_path:
            return (
                docs.pipeline
                | "Impulse" >> beam.Create([None])
                | "Reuse" >> beam.ParDo(_ReuseDoFn(cfg.model_path, self.output_dir))
            )
        threshold = (
            docs
            | "HashAndSize" >> beam.Map(_hash_and_size, cfg.seed)
            | "Threshold" >> beam.CombineGlobally(_SmallestHashes(cfg.sample_bytes))
        )
        return (
            docs
            | "Sample" >> beam.FlatMap(_in_sample, AsSingleton(threshold), cfg.seed)
            | "Collect" >> beam.combiners.ToList()
            | "Train" >> beam.ParDo(_TrainDoFn(self.config, self.output_dir))
        )


# ---------------------------------------------------------------- Tokenize
class _TokenizeDoFn(BatchedDoFn):
    def __init__(self):
        self._tok = None

    def process_list(self, docs: list[Document], info: dict):
        # setup() cannot read side inputs: load on the first list (and again only if the
        # side input changes, which it does not within a run).
        if self._tok is None or self._tok.sha256 != info["sha256"]:
            self._tok = load_tokenizer(info)
        for doc in docs:
            yield from self._one(doc)

    def _one(self, doc: Document):
        self.count(STAGE, doc.source, "in")
        self.count(STAGE, doc.source, "metric", "bytes_in", len(doc.text.encode("utf-8", "surrogatepass")))
        try:
            ids = self._tok.encode_document(doc.text)
        except Exception as e:  # one bad text (e.g. lone surrogates) is a counted failure
            reason = f"{STAGE}/error_{type(e).__name__}"
            log.warning("%s: %s on document %s: %s", STAGE, type(e).__name__, doc.id, str(e)[:200])
            self.count(STAGE, doc.source, "failed", reason)
            yield beam.pvalue.TaggedOutput(REJECTED, mark_rejected(doc, STAGE, "error", reason))
            return
        if len(ids) <= 2:  # BOS and EOS only: nothing to learn from
            self.count(STAGE, doc.source, "removed", f"{STAGE}/empty")
            yield beam.pvalue.TaggedOutput(REJECTED, mark_rejected(doc, STAGE, "empty", f"{STAGE}/empty"))
            return
        self.count(STAGE, doc.source, "out")
        self.count(STAGE, doc.source, "metric", "tokens", len(ids))
        meta = doc.metadata
        yield (doc.id, doc.source, str(meta.get("lang") or ""), str(meta.get("url") or ""), ids, len(ids))


class Tokenize(beam.PTransform):
    """Documents -> (doc_id, source, lang, url, ids, n_tokens) rows, BOS first and EOS last.

    Stage "tokenize": in = out + removed (tokenize/empty) + failed; metric "tokens".
    """

    def __init__(self, config: PipelineConfig, tokenizer_info, label: str | None = None):
        super().__init__(label)
        self.config = config
        self.tokenizer_info = tokenizer_info

    def expand(self, docs):
        res = docs | "Encode" >> beam.ParDo(_TokenizeDoFn(), AsSingleton(self.tokenizer_info)).with_outputs(
            REJECTED, COUNTS, main=DOCS
        )
        return {DOCS: res[DOCS], REJECTED: res[REJECTED], COUNTS: res[COUNTS]}
