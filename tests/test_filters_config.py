"""Filter config: published defaults, and bad values rejected with the key named."""

from __future__ import annotations

import pytest

from curation.config import PipelineConfig, load_config
from curation.errors import ConfigError
from filters.c4 import C4
from filters.registry import quality_filters


def test_published_defaults():
    q = PipelineConfig().quality
    assert (q.gopher_quality.min_doc_words, q.gopher_quality.max_doc_words, q.gopher_quality.min_stop_words) == (50, 100_000, 2)
    assert q.gopher_repetition.dup_n_grams[0] == [5, 0.15] and q.gopher_repetition.top_n_grams[-1] == [4, 0.16]
    assert (C4().min_words, C4().min_sentences) == (5, 3)
    assert (q.fineweb.line_punct_thr, q.fineweb.short_line_thr, q.fineweb.char_duplicates_ratio) == (0.12, 0.67, 0.1)


def test_disabling_a_rule_set_removes_it_from_the_chain():
    cfg = load_config(overrides=["quality.c4.enabled=false", "quality.books.repetition=false"])
    names = [f.name for f in quality_filters(cfg)]
    assert "c4_v1" not in names and "gopher_repetition_books_v1" not in names and "fineweb_v1" in names


@pytest.mark.parametrize("override,key", [
    ("quality.gopher_repetition.top_n_grams=[[0, 0.2]]", "top_n_grams"),
    ("langid.min_score_by_lang={de: 2}", "min_score_by_lang.de"),
    ("quality.books.repetition_skip_rules=[gopher_top_2_gram]", "repetition_skip_rules"),
    ("quality.c4.profile=t5", "quality.c4.profile"),
    ("langid.method=vote", "langid.method"),
])
def test_bad_values_name_the_key(override, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_config(overrides=[override])
