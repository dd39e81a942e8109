"""Gopher quality and repetition beyond the one-case-per-code tests: the hashed n-gram counting
equals the plain string algorithm (datatrove's reading of the paper) on real text, and word
rules adapt to languages written without spaces."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from curation.config import GopherRepetitionConfig
from curation.document import Document
from filter_data import book_documents
from filters.gopher_quality import GopherQuality
import filters.gopher_repetition as gr
from filters.gopher_repetition import GopherRepetition, _repeated, _top_gram
from filters.text import split


def _reference(words: list[str], n_chars: int) -> dict:
    """String n-grams, as datatrove builds them (find_top_duplicate / find_all_duplicate)."""
    out = {}
    for n in (2, 3, 4):
        grams = [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
        gram, count = Counter(grams).most_common(1)[0]
        out[f"top_{n}_gram"] = round(len(gram) * count / n_chars, 4) if count > 1 else 0.0
    for n in range(5, 11):
        seen, rep, idx = set(), 0, 0
        while idx < len(words) - n + 1:
            g = "".join(words[idx : idx + n])
            if g in seen:
                rep += len(g)
                idx += n
            else:
                seen.add(g)
                idx += 1
        out[f"dup_{n}_gram"] = round(rep / n_chars, 4)
    return out


def _texts() -> list[str]:
    books = book_documents()
    out = [b.text[i : i + 20_000] for b in books[:4] for i in (0, 50_000)]
    chorus = "and we sang the song of the sea again and again all night long"
    out.append(" ".join([books[0].text[:3000], chorus, books[1].text[:500], chorus, chorus, "end"]))
    out.append(("la " * 200 + "la la land ") * 3)
    return out


@pytest.mark.parametrize("i", range(10))
def test_hashed_ngrams_match_string_algorithm(i):
    text = _texts()[i]
    off = GopherRepetitionConfig(dup_line_frac=1.0, dup_para_frac=1.0, dup_line_char_frac=1.0, dup_para_char_frac=1.0,
                                 top_n_grams=[[n, 99.0] for n in (2, 3, 4)], dup_n_grams=[[n, 99.0] for n in range(5, 11)])
    _, verdict = GopherRepetition(off).apply(Document("t", text, "web"))
    ref = _reference(split(text).words, len(text))
    assert {k: verdict.values[k] for k in ref} == ref


@pytest.mark.parametrize("parts", [1, 16, 2])
@pytest.mark.parametrize("seed", range(6))
def test_sorted_counts_equal_np_unique(seed, parts):
    """The low-memory counts give what np.unique's indices, inverse and counts gave, sorting the
    hashes whole or one slice of their values at a time (what a long document gets)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 5000))
    h = rng.integers(0, [2, 50, 4000, 2**63, 7, 1000][seed], size=n, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    _, first, counts = np.unique(h, return_index=True, return_counts=True)
    top, i = _top_gram(h, parts)
    assert top == counts.max() and i == (int(first[counts == top].min()) if top > 1 else -1)
    _, inverse, counts = np.unique(h, return_inverse=True, return_counts=True)
    gid, n_groups, any_repeated = _repeated(h, parts)
    want = np.where(counts[inverse] > 1, inverse, -1)
    assert n_groups == len(counts) and np.array_equal(gid, want) and gid.dtype == np.int32
    assert any_repeated == bool((counts > 1).any())


def test_long_documents_count_in_slices_with_the_same_values(monkeypatch):
    """Past _PARTITION_AT positions the counts sort slices of the hash values; the rules' values
    are the same as sorting whole, on real text and on text that repeats."""
    books = book_documents()
    texts = [books[0].text[:200_000], " ".join([books[1].text[:60_000]] * 3), ("la " * 300 + "la la land ") * 40]
    off = GopherRepetitionConfig(dup_line_frac=1.0, dup_para_frac=1.0, dup_line_char_frac=1.0, dup_para_char_frac=1.0,
                                 top_n_grams=[[n, 99.0] for n in (2, 3, 4)], dup_n_grams=[[n, 99.0] for n in range(5, 11)])

    def verdicts():
        return [(v.keep, v.rule, v.values) for cfg in (None, off) for t in texts
                for v in [GopherRepetition(cfg).apply(Document("t", t, "web"))[1]]]

    whole = verdicts()
    monkeypatch.setattr(gr, "_PARTITION_AT", 10)
    assert verdicts() == whole
    assert {keep for keep, _, _ in whole} == {True, False} and whole[4][2]["dup_10_gram"] > 0.5


def test_repetition_keeps_a_novel_and_annotates_values():
    alice = next(b for b in book_documents() if b.id == "pg11")
    doc, verdict = GopherRepetition().apply(alice)
    assert verdict.keep
    assert set(verdict.values) >= {"dup_line_frac", "top_2_gram", "dup_10_gram"}


def test_quality_keeps_prose_and_annotates():
    text = next(b for b in book_documents() if b.id == "pg11").text[5000:15000]
    _, verdict = GopherQuality().apply(Document("p", text, "web"))
    assert verdict.keep, verdict.values
    assert 3 <= verdict.values["mean_word_length"] <= 10 and verdict.values["stop_words"] >= 2


def test_no_space_language_skips_word_length_and_stop_words():
    # Article 1 of the UDHR in Chinese, repeated into a page-sized text: one character is one word.
    zh = ("人人生而自由，在尊严和权利上一律平等。他们赋有理性和良心，并应以兄弟关系的精神相对待。\n"
          "人人有资格享有本宣言所载的一切权利和自由，不分种族、肤色、性别、语言、宗教、政治或其他见解。\n")
    doc = Document("zh", zh, "web", {"lang": "zh"})
    _, verdict = GopherQuality().apply(doc)
    assert verdict.keep, verdict.values
    assert "mean_word_length" not in verdict.values and "stop_words" not in verdict.values
    # Without a language the published (English) rules apply, and the stop-word rule fires.
    _, verdict = GopherQuality().apply(Document("zh", zh, "web"))
    assert verdict.rule in ("gopher_mean_word_length", "gopher_stop_words")


def test_non_english_language_without_stop_word_list_skips_rule():
    de = ("Alle Menschen sind frei und gleich an Würde und Rechten geboren. Sie sind mit Vernunft und Gewissen "
          "begabt und sollen einander im Geist der Brüderlichkeit begegnen. ") * 5
    _, verdict = GopherQuality().apply(Document("de", de, "web", {"lang": "de"}))
    assert verdict.keep and "stop_words" not in verdict.values


def test_books_repetition_ignores_speaker_labels():
    from curation.config import PipelineConfig
    from filters.registry import book_repetition

    libretto = next(b for b in book_documents() if b.id == "pg31963")
    assert not GopherRepetition().apply(libretto)[1].keep  # the web rules drop a play
    assert book_repetition(PipelineConfig()).apply(libretto)[1].keep


def test_long_text_words_equal_one_findall(monkeypatch):
    """A text past LONG_TEXT is split into words piece by piece at whitespace, one string per
    distinct word (filters/text._tokenize_long): the same tokens as one findall over it, on real
    books mixed with e-mail addresses, URLs, clitics, abbreviations and scripts without spaces."""
    from filters import text as text_mod

    mixed = (" Write to a.b@example.com or see https://example.org/a?b=1. Don't stop, e.g. C++ and "
             "Ph.D. 3.14 -- ... 你好世界 नमस्ते cannot gonna ")
    corpus = "".join(b.text[:30_000] + mixed for b in book_documents()[:4])
    whole = text_mod.tokenize(corpus)
    monkeypatch.setattr(text_mod, "LONG_TEXT", 997)  # a cut every ~1,000 characters, at the next whitespace
    pieces = text_mod.tokenize(corpus)
    assert pieces == whole and len(whole) > 20_000
    assert len({id(w) for w in pieces}) == len(set(pieces))  # equal words share one object
