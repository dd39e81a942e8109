"""Pure dedup math: normalisation, shingles, MinHash banding, connected components."""

from __future__ import annotations

import random

import numpy as np
import pytest

from curation.dedup import components as cc
from curation.dedup import normalize as nz
from curation.dedup.keep import node_key, quality_flags
from curation.dedup.minhash import Signer, band_hashes, collision_probability, estimated_jaccard, lsh_params
from curation.document import Document


def test_normalize_folds_case_width_punctuation_and_space():
    assert nz.normalize("Hello,  World!!\n\tＦＵＬＬ—width") == "hello world full width"
    assert nz.normalize("") == "" and nz.normalize(" \n\t ") == ""
    assert nz.exact_key(nz.normalize("A b.")) == nz.exact_key(nz.normalize("a   B"))


def test_long_texts_are_normalised_slice_by_slice_with_the_same_result(monkeypatch):
    """Cuts fall before a space: Greek final sigma, combining marks after a space, NFKC
    compatibility characters, ligatures, surrogates and punctuation on both sides of one."""
    rng = random.Random(5)
    atoms = ["ΟΔΟΣ", "Σ", "ΣΑ", " ", "  ", " \u0301", "e\u0301", "\u00b4", "ﬁ", "Ｆ", "\u00a0", "...", "—", "İ", "ß",
             "word", "Word.", "\ud800", "\t", "\n", "中文", "'s", "Σ'", "x\u0345"]
    text = "".join(rng.choice(atoms) for _ in range(20_000))
    whole = nz._normalize_piece(text)
    monkeypatch.setattr(nz, "_SLICE_CHARS", 64)
    assert nz.normalize(text) == whole
    assert nz.normalize("  " + text + "   ") == nz._normalize_piece("  " + text + "   ")
    assert nz.normalize("x" * 1000) == "x" * 1000  # no space: one slice


def test_word_shingles_ignore_formatting_and_count_ngrams():
    a = nz.word_shingle_hashes(nz.normalize("The quick brown fox jumps over the lazy dog"), 5)
    b = nz.word_shingle_hashes(nz.normalize("the QUICK, brown fox -- jumps over the lazy dog!"), 5)
    assert len(a) == 5 and np.array_equal(a, b)
    assert np.all(np.diff(a.astype(np.int64)) > 0)  # sorted, unique


def test_short_texts_get_one_shingle_and_empty_none():
    assert len(nz.word_shingle_hashes("hello", 5)) == 1
    assert len(nz.word_shingle_hashes("", 5)) == 0
    assert not np.array_equal(nz.word_shingle_hashes("a b c", 5), nz.word_shingle_hashes("a b c d", 5))


def test_slicing_a_long_text_changes_no_shingle(monkeypatch, shared_data):
    text = nz.normalize((shared_data / "books" / "pg1342" / "1342-0.txt").read_text(encoding="utf-8")[:200_000])
    whole = nz.word_shingle_hashes(text, 5)
    monkeypatch.setattr(nz, "_SLICE_CHARS", 997)
    assert np.array_equal(nz.word_shingle_hashes(text, 5), whole)
    chars = nz.char_shingle_hashes(text[:50_000], 5)
    monkeypatch.setattr(nz, "_SLICE_CHARS", 1 << 20)
    assert np.array_equal(nz.char_shingle_hashes(text[:50_000], 5), chars)


def test_ten_megabytes_of_one_token_is_one_shingle():
    sh, kind, _ = nz.shingle_hashes("spam " * 2_000_000, 5, 5)
    assert kind == "word" and len(sh) == 1


def test_scripts_without_spaces_use_character_shingles(shared_data):
    ja = (shared_data / "langid" / "udhr2" / "jpn.txt").read_text(encoding="utf-8")
    th = (shared_data / "langid" / "udhr2" / "tha.txt").read_text(encoding="utf-8")
    assert nz.shingle_hashes(ja, 5, 5)[1] == "char"
    assert nz.shingle_hashes(th, 5, 5)[1] == "char"
    assert nz.shingle_hashes("plain english words here", 5, 5, lang="zh")[1] == "char"
    assert nz.shingle_hashes(ja, 5, 5, lang="en")[1] == "word"
    sh, _, _ = nz.shingle_hashes(ja, 5, 5)
    assert len(sh) > 500  # a word split would give a handful of long "words"


def test_jaccard_sorted():
    a = np.array([1, 2, 3, 4], dtype=np.uint32)
    b = np.array([3, 4, 5], dtype=np.uint32)
    assert nz.jaccard_sorted(a, b) == pytest.approx(2 / 5)
    assert nz.jaccard_sorted(a[:0], b[:0]) == 0.0


def test_lsh_params_reach_recall_at_the_threshold():
    for t in (0.7, 0.8, 0.9):
        b, r = lsh_params(t, 128)
        assert b * r <= 128
        assert collision_probability(t, b, r) >= 0.99
    assert lsh_params(0.8, 128) == (21, 6)


def test_signatures_are_seeded_and_bulk_matches_single(shared_data):
    text = (shared_data / "books" / "pg84" / "84-0.txt").read_text(encoding="utf-8", errors="replace")[:40_000]
    paras = [nz.word_shingle_hashes(nz.normalize(p), 5) for p in text.split("\n\n") if len(p) > 300][:20]
    s1, s2 = Signer(128, 1), Signer(128, 1)
    single = [s1.signature(p) for p in paras]
    assert all(np.array_equal(a, b) for a, b in zip(single, s2.signatures(paras)))
    assert not np.array_equal(single[0], Signer(128, 2).signature(paras[0]))
    assert len(Signer(128, 1).signature(paras[0][:0])) == 0 and len(band_hashes(np.empty(0, np.uint32), 21, 6)) == 0


def test_numpy_signature_is_datasketch_update_batch_bit_for_bit(shared_data):
    """Signer.signature runs datasketch's affine32 arithmetic on the array directly; it must
    equal MinHash.update_batch on whole books (many batches of 16,384) and on paragraphs."""
    from datasketch.minhash import _fmix

    from curation.dedup.minhash import fmix32

    x = np.random.default_rng(3).integers(0, 2**32, 100_000, dtype=np.uint64).astype(np.uint32)
    assert np.array_equal(fmix32(x), _fmix(x, 32))
    for book in ("pg84/84-0.txt", "pg1342/1342-0.txt"):
        text = (shared_data / "books" / book).read_text(encoding="utf-8", errors="replace")
        whole = nz.word_shingle_hashes(nz.normalize(text), 5)
        assert len(whole) > 3 * 16_384
        for num_perm, seed in ((128, 1), (256, 7)):
            s = Signer(num_perm, seed)
            assert np.array_equal(s.signature(whole), s.signature_datasketch(whole))
            for p in [x for x in text.split("\n\n") if len(x) > 200][:50]:
                sh = nz.word_shingle_hashes(nz.normalize(p), 5)
                assert np.array_equal(s.signature(sh), s.signature_datasketch(sh))


def test_minhash_estimate_tracks_true_jaccard():
    rng = np.random.default_rng(0)
    base = np.unique(rng.integers(0, 2**32, 2000, dtype=np.uint64).astype(np.uint32))
    other = np.unique(np.concatenate([base[:1600], rng.integers(0, 2**32, 400, dtype=np.uint64).astype(np.uint32)]))
    true = nz.jaccard_sorted(base, other)
    s = Signer(256, 1)
    assert abs(estimated_jaccard(s.signature(base), s.signature(other)) - true) < 0.08


def test_keep_key_orders_by_policy():
    prio = ["books", "docs", "web", "code"]
    web = Document("a", "one two three", "web")
    book = Document("z", "one", "books")
    flagged = Document("b", "one two three four", "web", {"quality_flags": ["x"]})
    assert node_key(book, prio) < node_key(web, prio) < node_key(flagged, prio)
    assert node_key(Document("q", "x", "web"), prio, reference=True) < node_key(book, prio)
    assert node_key(Document("b", "one two three", "web"), prio) > node_key(web, prio)  # id breaks ties
    assert node_key(Document("c", "one two three four", "web"), prio) < node_key(web, prio)  # more words
    assert quality_flags({"quality_flags": 3}) == 3 and quality_flags({}) == 0


def _components(edges):
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for u, v in edges:
        parent[find(u)] = find(v)
    groups = {}
    for x in list(parent):
        groups.setdefault(find(x), set()).add(x)
    return list(groups.values())


@pytest.mark.parametrize("seed", range(5))
def test_large_small_star_converges_to_component_minimum(seed):
    rng = random.Random(seed)
    nodes = rng.sample(range(10_000), 600)
    edges = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(500)]
    edges += [(nodes[i], nodes[i + 1]) for i in range(100, 300)]  # a long path
    parents = cc.run_local(edges, rounds=12)
    for comp in _components(edges):
        if len(comp) < 2:
            continue
        m = min(comp)
        assert m not in parents
        assert all(parents[x] == m for x in comp if x != m)


def test_too_few_rounds_is_safe():
    edges = [(i, i + 1) for i in range(1000)]  # the worst case: an ordered path
    parents = cc.run_local(edges, rounds=1)
    survivors = set(range(1001)) - set(parents)
    assert 0 in survivors and len(survivors) >= 1
    assert all(p < x for x, p in parents.items())  # removed only in favour of a smaller node


def test_star_operations_match_the_paper():
    assert sorted(cc.large_star(5, [3, 7, 9])) == [(7, 3), (9, 3)]
    assert sorted(cc.large_star(2, [3, 7])) == [(3, 2), (7, 2)]
    assert sorted(cc.small_star(9, [3, 7])) == [(7, 3), (9, 3)]
    assert list(cc.small_star(3, [])) == []
    assert cc.decide(4, [1]) == (1, True) and cc.decide(4, [1, 2]) == (1, False) and cc.decide(1, [4, 5]) == (None, True)
