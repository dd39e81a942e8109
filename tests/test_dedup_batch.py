"""The batched featurisation path (curation/dedup/batch_features.py) gives bit-identical
shingle sets, exact keys, MinHash signatures and Featurizer outputs to the per-document path,
on real text: news articles, books in five languages, 388 UDHR translations (character-shingled
scripts among them) and standard-library source files."""

from __future__ import annotations

import dataclasses
import json
import random
import sysconfig
from pathlib import Path

import numpy as np

from curation.config import PipelineConfig
from curation.dedup import batch_features as bf
from curation.dedup import normalize as nz
from curation.dedup.features import Featurizer
from curation.dedup.minhash import Signer
from curation.document import Document


def real_texts(shared: Path) -> list[str]:
    out = []
    for name in ("extraction", "extraction-readability", "extraction-newspaper"):
        truth = json.loads((shared / name / "ground-truth.json").read_text(encoding="utf-8"))
        out += [v["articleBody"] for v in truth.values() if isinstance(v.get("articleBody"), str)]
    for f in sorted((shared / "books").glob("*/*.txt")):
        raw = f.read_bytes()
        text = raw.decode("latin-1") if f.stem.endswith("-8") else raw.decode("utf-8", "replace")
        out += [p for p in text.split("\n\n")[:300]]  # paragraphs: many shorter than 5 words
    out += [f.read_text(encoding="utf-8") for f in sorted((shared / "langid" / "udhr2").glob("*.txt"))]
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    out += [f.read_text(encoding="utf-8", errors="replace") for f in sorted(stdlib.glob("*.py"))[:150]]
    out += ["", "   ", "one", "a b c d", "a b c d e", "!!! ...", "ＦＵＬＬ width, ok"]
    random.Random(0).shuffle(out)
    return out


def test_shingles_and_exact_keys_equal_the_per_document_path(shared_data, monkeypatch):
    texts = real_texts(shared_data)
    # A small join limit too, so batches split at many places.
    for limit in (bf.JOIN_CHARS, 5_000):
        monkeypatch.setattr(bf, "JOIN_CHARS", limit)
        got = bf.shingle_hashes_batch(texts, 5, 5, [None] * len(texts))
        for text, (sh, key) in zip(texts, got):
            want, _, want_key = nz.shingle_hashes(text, 5, 5)
            assert sh.dtype == np.uint32 and np.array_equal(sh, want) and key == want_key


def test_a_text_longer_than_a_slice_and_a_lang_annotation(shared_data):
    book = (shared_data / "books" / "pg1342" / "1342-0.txt").read_text(encoding="utf-8")
    texts = [book * 2, "plain english words here and there", book[:5000]]
    got = bf.shingle_hashes_batch(texts, 5, 5, [None, "zh", "en"])
    for text, lang, (sh, _) in zip(texts, [None, "zh", "en"], got):
        assert np.array_equal(sh, nz.shingle_hashes(text, 5, 5, lang)[0])


def test_signatures_equal_signer_signature(shared_data):
    texts = real_texts(shared_data)[:600]
    signer = Signer(128, 1)
    sets = [sh for sh, _ in bf.shingle_hashes_batch(texts, 5, 5, [None] * len(texts))]
    sets.append(np.arange(40_000, dtype=np.uint32))  # bigger than one permutation batch
    for sh, sig in zip(sets, bf.signatures_batch(signer, sets)):
        assert np.array_equal(sig, signer.signature(sh))


def test_featurizer_batch_outputs_equal_one_call_per_document(shared_data):
    texts = real_texts(shared_data)[:400]
    docs = [Document(id=f"d{i}", text=t, source="web", metadata={"lang": "ja"} if i % 50 == 0 else {})
            for i, t in enumerate(texts)]
    docs.append(Document(id="bad", text=b"raw bytes", source="web", metadata={}))  # fails alone, as before
    for verify in (True, False):
        base = PipelineConfig()
        cfg = dataclasses.replace(base, dedup=dataclasses.replace(base.dedup, verify=verify))
        f = Featurizer(cfg, False)
        locs = list(range(len(docs)))
        one = [out for doc, loc in zip(docs, locs) for out in f(doc, loc)]
        assert list(f.batch(docs, locs)) == one
        assert list(f.batch(docs[:-1], locs[:-1])) == one[: len(one) - 1]


def test_tables_agree_with_the_per_document_rules():
    # The script pre-check is a superset of normalize's regex; the lowercase table is lower().
    found = bf._no_space_mask()
    for cp in range(0x20000):
        if nz._NO_SPACE_RE.match(chr(cp)):
            assert found[cp], hex(cp)
    assert found[bf._TABLE_SIZE]
    low = bf._lower_to_space()
    for text in ("ΣΟΦΙΑ ΚΑΙ ΛΟΓΟΣ.", "İstanbul'da", "Straße — ÉTÉ…", "ǅ ǈ ǋ"):
        want = nz.normalize(text)
        assert bf._normalized_batch([text, text])[1] == [want, want]
    assert low[ord("A")] == ord("a") and low[ord(",")] == 32 and low[0x3000] == 32


def test_signer_permutations_and_known_lsh_params_equal_datasketch():
    from curation.dedup import minhash

    for num_perm, seed in ((128, 1), (256, 7), (64, 0)):
        s, m = Signer(num_perm, seed), Signer(num_perm, seed)._tmpl()
        a, b = m.permutations
        assert np.array_equal(s.a, np.asarray(a, dtype=np.uint32)) and np.array_equal(s.b, np.asarray(b, dtype=np.uint32))
        assert np.array_equal(s.init, np.asarray(m.hashvalues, dtype=np.uint32))
    known = dict(minhash.KNOWN_LSH_PARAMS)
    try:
        minhash.KNOWN_LSH_PARAMS.clear()
        minhash.lsh_params.cache_clear()
        for key, want in known.items():
            assert minhash.lsh_params(*key) == want
    finally:
        minhash.KNOWN_LSH_PARAMS.update(known)
        minhash.lsh_params.cache_clear()
