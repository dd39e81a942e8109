"""The GPT decoder: config invariants and document masking."""

from __future__ import annotations

import warnings

import pytest

torch = pytest.importorskip("torch")

from curation.train.model import GPT, GPTConfig, segment_positions  # noqa: E402


def small(attention="sdpa", **kw):
    torch.manual_seed(0)
    return GPT(GPTConfig(block_size=32, vocab_size=64, n_layer=2, n_head=2, n_embd=32, attention=attention, **kw)).eval()


@pytest.mark.parametrize("bad", [dict(n_embd=30, n_head=4), dict(vocab_size=0), dict(attention="ring"),
                                 dict(dropout=1.0), dict(attention="flex", dropout=0.1)])
def test_config_invariants_are_enforced(bad):
    with pytest.raises(ValueError):
        GPTConfig(**bad)


def test_segment_positions_restart_at_each_document():
    doc = torch.tensor([[0, 0, 0, 1, 1, 2], [0, 1, 1, 1, 1, 1]])
    assert segment_positions(doc).tolist() == [[0, 1, 2, 0, 1, 0], [0, 0, 1, 2, 3, 4]]


def packed_pair():
    a, b = torch.randint(4, 64, (1, 11)), torch.randint(4, 64, (1, 9))
    x = torch.cat([a, b], dim=1)
    doc = torch.tensor([[0] * 11 + [1] * 9])
    return a, b, x, doc


def test_a_packed_document_computes_what_it_would_alone():
    model = small("sdpa")
    a, b, x, doc = packed_pair()
    with torch.no_grad():
        packed, _ = model(x, doc_ids=doc)
        alone_a, _ = model(a, doc_ids=torch.zeros_like(a))
        alone_b, _ = model(b, doc_ids=torch.zeros_like(b))
        leaky, _ = small("causal")(x, doc_ids=doc)
    torch.testing.assert_close(packed[:, :11], alone_a, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(packed[:, 11:], alone_b, atol=1e-5, rtol=1e-5)
    assert not torch.allclose(leaky[:, 11:], alone_b, atol=1e-3)  # plain causal: b sees a


def test_flex_attention_matches_the_explicit_mask():
    a, b, x, doc = packed_pair()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # eager flex on CPU warns that it is unfused
        flex, _ = small("flex")(x, doc_ids=doc)
        sdpa, _ = small("sdpa")(x, doc_ids=doc)
    torch.testing.assert_close(flex, sdpa, atol=1e-5, rtol=1e-5)


def test_loss_ignores_masked_targets():
    model = small()
    x = torch.randint(4, 64, (2, 8))
    y = x.roll(-1, dims=1)
    y[:, -1] = -100
    _, mean = model(x, y)
    _, total = model(x, y, reduction="sum")
    torch.testing.assert_close(total / 14, mean)
