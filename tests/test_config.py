from pathlib import Path

import pytest

from curation.config import PipelineConfig, load_config, replace_path, to_dict
from curation.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def test_defaults_serve_a_real_corpus():
    cfg = PipelineConfig()
    assert cfg.tokenizer.vocab_size == 32_000
    assert cfg.shards.target_tokens == 100_000_000
    assert cfg.dedup.threshold == 0.8
    assert cfg.quality.gopher_quality.min_doc_words == 50


def test_yaml_and_overrides(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("dedup:\n  threshold: 0.7\ntokenizer:\n  vocab_size: 500\n")
    cfg = load_config(f, ["tokenizer.vocab_size=1000", "langid.allowlist=[en, fr]"])
    assert cfg.dedup.threshold == 0.7
    assert cfg.tokenizer.vocab_size == 1000
    assert cfg.langid.allowlist == ["en", "fr"]


def test_unknown_key_is_named(tmp_path):
    with pytest.raises(ConfigError, match="dedup.treshold"):
        load_config(None, ["dedup.treshold=0.5"])
    f = tmp_path / "c.yaml"
    f.write_text("quality:\n  gopher_quality:\n    min_doc_wordz: 3\n")
    with pytest.raises(ConfigError, match="quality.gopher_quality.min_doc_wordz"):
        load_config(f)


@pytest.mark.parametrize("override", ["dedup.threshold=abc", "dedup.exact=3", "dedup.threshold=1.5", "tokenizer.vocab_size=2.5"])
def test_bad_values(override):
    with pytest.raises(ConfigError):
        load_config(None, [override])


def test_bad_yaml(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("dedup: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(f)
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.yaml")


def test_replace_path_and_roundtrip():
    cfg = replace_path(PipelineConfig(), "dedup.num_perm", 256)
    assert cfg.dedup.num_perm == 256
    assert load_config(None, None) == PipelineConfig()
    assert to_dict(cfg)["dedup"]["num_perm"] == 256


def test_sample_config_loads():
    cfg = load_config(REPO / "sample_data" / "config.yaml")
    assert cfg.tokenizer.vocab_size < 32_000
