"""Decontamination stage: remove training documents that share an n-gram with a test set.

    test files --ReadTestSet--> (n-gram hash, test set)  ┐
    docs --------NGrams-------> (n-gram hash, doc id)    ┴-GroupByKey(hash)-> (doc id, (set, hash))
    docs + hits --CoGroupByKey(doc id)--> docs | rejected (reason decontaminate/<set>) | counts

The test sets and the corpus meet in a keyed shuffle on the 64-bit n-gram hash (the same
shape as dedup's exact groups), so no worker ever holds more than one n-gram's postings
(the ids of the documents containing it); only hashes and ids are shuffled, and documents
travel once, to the final join on id. The matching n-gram, as normalised text, is stored in
the rejected document's ``metadata["decontaminate"]`` with every test set it matched.

Runs right after dedup (docs/quality-signals.md). Each ``decontaminate.test_sets`` path (a
JSONL/Parquet file, folder or glob) is one test set, named after the path ("mmlu.jsonl" ->
"mmlu"); stats.json counts removals per test set (``decontaminate/mmlu``) and, as metrics of
source "test", the test documents, their n-grams and those too short to have one.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import apache_beam as beam

from curation.config import PipelineConfig
from curation.contamination import find_ngram, ngram_hashes
from curation.docio import iter_documents
from curation.errors import InputError
from curation.inputs import resolve_inputs
from curation.document import Document
from pipelines.transforms import COUNTS, DOCS, REJECTED, CountingDoFn, mark_rejected

log = logging.getLogger("curate")

STAGE = "decontaminate"
TEST_SOURCE = "test"  # the "source" of the test-set metrics in stats.json
_ERRORS = "errors"  # tagged output of documents that could not be hashed
_ERROR = "\x00error"  # the "test set" of such a hit
_SUFFIXES = (".gz", ".zst", ".jsonl", ".json", ".parquet")


def names_of_test_sets(paths: list[str]) -> list[str]:
    """One name per test-set path: the file or folder name without document suffixes, lower
    case, other characters as "_"; a repeated name gets "_2", "_3"."""
    names: list[str] = []
    for p in paths:
        base = Path(p.rstrip("/")).name
        while base.lower().endswith(_SUFFIXES):
            base = base[: base.rfind(".")]
        name = re.sub(r"[^a-z0-9]+", "_", base.lower()).strip("_") or "test"
        candidate, i = name, 2
        while candidate in names:
            candidate, i = f"{name}_{i}", i + 1
        names.append(candidate)
    return names


def files_of_test_sets(paths: list[str]) -> list[tuple[str, str]]:
    """(test set name, document file) pairs; a test set given as a folder or glob spans
    several files. A path that matches nothing is an InputError naming it (exit 2)."""

    out = []
    for name, path in zip(names_of_test_sets(paths), paths):
        try:
            files = resolve_inputs(docs=[path])
        except InputError as e:
            raise InputError(str(e).replace("--docs ", "--decontaminate ", 1)) from None
        if not files:
            raise InputError(f"--decontaminate {path}: no document files (JSONL or Parquet) there")
        out.extend((name, f.path) for f in files)
    return out


class _TestNGrams(CountingDoFn):
    """(name, path) -> (n-gram hash, name) for every test document of that file."""

    def __init__(self, n: int, char_n: int, text_key: str, id_key: str):
        self.n, self.char_n, self.text_key, self.id_key = n, char_n, text_key, id_key

    def process(self, item):

        name, path = item
        for doc, reason in iter_documents(path, self.text_key, self.id_key):
            if doc is None:
                log.warning("decontaminate: test set %s: bad record (%s) in %s skipped", name, reason, path)
                self.count(STAGE, TEST_SOURCE, "metric", f"test_bad_records/{name}")
                continue
            hashes = ngram_hashes(doc.text, self.n, self.char_n)
            self.count(STAGE, TEST_SOURCE, "metric", f"test_docs/{name}")
            if not len(hashes):
                self.count(STAGE, TEST_SOURCE, "metric", f"test_docs_too_short/{name}")
                continue
            self.count(STAGE, TEST_SOURCE, "metric", f"test_ngrams/{name}", len(hashes))
            for h in hashes.tolist():
                yield h, name


class _TrainNGrams(beam.DoFn):
    """Document -> (n-gram hash, doc id) once per distinct n-gram."""

    def __init__(self, n: int, char_n: int):
        self.n, self.char_n = n, char_n

    def process(self, doc: Document):

        try:
            hashes = ngram_hashes(doc.text, self.n, self.char_n)
        except (ValueError, MemoryError, UnicodeError) as e:
            log.warning("decontaminate: %s on document %s: %s", type(e).__name__, doc.id, str(e)[:200])
            yield beam.pvalue.TaggedOutput(_ERRORS, (doc.id, (_ERROR, type(e).__name__)))
            return
        for h in hashes.tolist():
            yield h, doc.id


def _hits(item):
    """One n-gram's postings -> (doc id, (test set, hash)) for every training document holding
    it, when a test set holds it too. Only this n-gram's ids are in memory."""
    h, members = item
    sets, ids = set(), []
    for tag, value in members:
        (sets.add if tag == 0 else ids.append)(value)
    if sets:
        for doc_id in ids:
            for name in sorted(sets):
                yield doc_id, (name, h)


class _Decide(CountingDoFn):
    def __init__(self, n: int, char_n: int):
        self.n, self.char_n = n, char_n

    def process(self, item):

        _, grouped = item
        hits = list(grouped["hits"])
        for doc in grouped["docs"]:
            self.count(STAGE, doc.source, "in")
            errors = [v for k, v in hits if k == _ERROR]
            if errors:
                kind = f"{STAGE}/error_{errors[0]}"
                self.count(STAGE, doc.source, "failed", kind)
                yield beam.pvalue.TaggedOutput(REJECTED, mark_rejected(doc, STAGE, "error", kind))
                continue
            if not hits:
                self.count(STAGE, doc.source, "out")
                yield doc
                continue
            by_set: dict[str, list[int]] = {}
            for name, h in hits:
                by_set.setdefault(name, []).append(h)
            name = min(by_set)
            info = {
                "test_set": name,
                "ngram": find_ngram(doc.text, by_set[name], self.n, self.char_n),  # the first in the text
                "matches": {k: len(set(v)) for k, v in sorted(by_set.items())},
            }
            reason = f"{STAGE}/{name}"
            self.count(STAGE, doc.source, "removed", reason)
            yield beam.pvalue.TaggedOutput(REJECTED, mark_rejected(doc.with_metadata(decontaminate=info), STAGE, name, reason))


class Decontaminate(beam.PTransform):
    """Stage "decontaminate": documents sharing an n-gram with any test set are removed."""

    def __init__(self, config: PipelineConfig, label: str | None = None):
        super().__init__(label)
        self.config = config
        self.files = files_of_test_sets(config.decontaminate.test_sets)

    def expand(self, docs):
        dc = self.config.decontaminate
        p = docs.pipeline
        test = (
            p | "TestFiles" >> beam.Create(self.files)
            | "ReshuffleTestFiles" >> beam.Reshuffle()
            | "TestNGrams" >> beam.ParDo(_TestNGrams(dc.n, dc.char_n, dc.text_key, dc.id_key)).with_outputs(COUNTS, main="ngrams")
        )
        train = docs | "TrainNGrams" >> beam.ParDo(_TrainNGrams(dc.n, dc.char_n)).with_outputs(_ERRORS, main="ngrams")
        hits = (
            (test["ngrams"] | "TagTest" >> beam.Map(lambda kv: (kv[0], (0, kv[1]))),
             train["ngrams"] | "TagTrain" >> beam.Map(lambda kv: (kv[0], (1, kv[1]))))
            | "FlattenNGrams" >> beam.Flatten()
            | "GroupByNGram" >> beam.GroupByKey()
            | "Hits" >> beam.FlatMap(_hits)
        )
        all_hits = (hits, train[_ERRORS]) | "FlattenHits" >> beam.Flatten()
        decided = (
            {"docs": docs | "KeyById" >> beam.Map(lambda d: (d.id, d)), "hits": all_hits}
            | "JoinById" >> beam.CoGroupByKey()
            | "Decide" >> beam.ParDo(_Decide(dc.n, dc.char_n)).with_outputs(REJECTED, COUNTS, main=DOCS)
        )
        counts = (test[COUNTS], decided[COUNTS]) | "FlattenCounts" >> beam.Flatten()
        return {DOCS: decided[DOCS], REJECTED: decided[REJECTED], COUNTS: counts}
