"""URL blocklists: list format, domain/subdomain semantics, reason codes, errors at start."""

from __future__ import annotations

import pickle

import pytest

from curation.config import PipelineConfig, UrlFilterConfig, load_config
from curation.document import Document
from curation.errors import ConfigError
from filters import registry
from filters.url import UrlFilter, host_of
from quality_signal_cases import url_filter, url_lists

TEXT = "A page body that the URL decides about."


def _verdict(flt, url=None, source="web", **meta):
    meta = dict(meta, **({"url": url} if url is not None else {}))
    return flt.apply(Document("d", TEXT, source, meta))[1]


@pytest.mark.parametrize("url,rule", [
    ("https://casino-bonus.example/", "url_blocked_domain"),
    ("http://WWW.Casino-Bonus.Example:8080/a", "url_blocked_domain"),  # case and port ignored
    ("https://a.b.spam-farm.example/x", "url_blocked_domain"),  # "*." entry: subdomains
    ("https://spam-farm.example./", "url_blocked_domain"),  # trailing dot
    ("https://ads.example.net/banner", "url_blocked_domain"),  # "." entry
    ("https://shop.example.com/CASINO/slots", "url_blocked_substring"),  # substrings ignore case
    ("https://shop.example.com/p?refid=42", "url_blocked_substring"),
    ("https://news.example.org/a?x=1&utm_campaign=spring", "url_blocked_regex"),
    ("http://host123456.example.org/", "url_blocked_regex"),
])
def test_blocked(url, rule):
    v = _verdict(url_filter(), url)
    assert not v.keep and v.rule == rule and v.values["match"]


@pytest.mark.parametrize("url", [
    "https://notcasino-bonus.example/",  # a suffix of the name is not a subdomain
    "https://casino-bonus.example.org/",  # nor is a different registered domain
    "https://example.net/",  # parent of a listed domain
    "https://news.example.org/casino-review",  # "/casino/" needs both slashes
    "https://news.example.org/a?utm_term=x",  # not in the regex's alternatives
    "http://[bad-ipv6/",  # unparseable: no host, nothing matches
])
def test_kept(url):
    assert _verdict(url_filter(), url).keep


def test_missing_url_and_domain_fallback():
    f = url_filter()
    assert _verdict(f).keep  # no URL in metadata: nothing to decide on
    v = _verdict(f, domain="www.spam-farm.example")
    assert v.rule == "url_blocked_domain"


def test_list_format_and_hosts(tmp_path):
    p = tmp_path / "domains.txt"
    p.write_text("# comment\n\n   Example.COM   \n", encoding="utf-8")
    f = UrlFilter(UrlFilterConfig(domains_file=str(p)))
    assert _verdict(f, "https://sub.example.com/").rule == "url_blocked_domain"
    assert host_of("example.com/path") == "example.com" and host_of("") == ""


def test_errors_name_the_file_and_line(tmp_path):
    bad = tmp_path / "re.txt"
    bad.write_text("ok\\.example\n# fine\n(unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"re\.txt:3: bad regular expression"):
        UrlFilter(UrlFilterConfig(regex_file=str(bad)))
    with pytest.raises(ConfigError, match="quality.url.domains_file"):
        load_config(overrides=[f"quality.url.domains_file={tmp_path / 'missing.txt'}"])


def test_routing_web_only_and_first():
    cfg = load_config(overrides=[f"quality.url.{k}={v}" for k, v in url_lists().items()])
    chain = registry.quality_filters(cfg)
    assert chain[0].name == "url_filter_v1"
    assert chain[0].applies_to(Document("d", "", "web")) and not chain[0].applies_to(Document("d", "", "books"))
    assert "url_filter_v1" not in [f.name for f in registry.quality_filters(PipelineConfig())]  # no lists: not run


def test_pickles_without_lists_loaded():
    f = url_filter()
    f.setup()
    clone = pickle.loads(pickle.dumps(f))
    assert not clone._loaded and _verdict(clone, "https://casino-bonus.example/").rule == "url_blocked_domain"
