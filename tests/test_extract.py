"""HTML to main text: boiler-plate removed, limits (size, depth, time) that hold on threads."""

from __future__ import annotations

import gzip
import threading

import pytest

from curation.config import ExtractConfig, WebConfig
from curation.extract import HtmlExtractor, max_depth
from curation.readers.warc import iter_warc


@pytest.fixture(scope="module")
def extractor():
    ex = HtmlExtractor(ExtractConfig())
    ex.setup()
    return ex


def pages(path, **web):
    return {o.doc.metadata["url"]: o.doc for o in iter_warc(str(path), path.name, WebConfig(**web)) if o.kept}


def slow_page(n: int = 10000) -> str:
    """A link list: ~0.5 MB that takes trafilatura seconds (superlinear; 3 MB takes ~20 s)."""
    return "<html><body>" + '<div><a href="/x">link text</a> some words here</div>' * n + "</body></html>"


def test_sample_page_loses_its_boilerplate(sample_data, extractor):
    docs = pages(sample_data / "web" / "sample.warc.gz")
    res = extractor.extract(docs["https://www.riverside-courier.example/2024/05/rooftop-bees"].text)
    assert res.kind == "out"
    assert "Margaret Oyelaran, who taught biology" in res.text
    for boiler in ("We use cookies", "Accept all", "All rights reserved", "Most read", "Privacy policy", "Get our newsletter"):
        assert boiler not in res.text, boiler
    blog = extractor.extract(docs["https://notes.greenfieldhome.example/2024/05/sourdough-guide"].text)
    assert "Great read, thank you!" not in blog.text  # comments are not main text (include_comments=False)


def test_common_crawl_pages_give_real_text(shared_data, extractor):
    docs = pages(shared_data / "web" / "resiliparse" / "warcfile.warc.gz")
    texts = [extractor.extract(d.text, d.metadata["url"]) for d in docs.values()]
    good = [r for r in texts if r.kind == "out" and len(r.text) > 200]
    assert len(good) >= 12, [(r.kind, r.reason, len(r.text)) for r in texts]
    assert not any("<div" in r.text or "</p>" in r.text for r in good)


def test_fifty_megabyte_page_is_too_large(tmp_path, extractor):
    html = b"<html><body>" + b"<p>spam and eggs and more text here.</p>" * (50 * 1024 * 1024 // 40) + b"</body></html>"
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html
    rec = (b"WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: http://big.example/\r\nWARC-Date: 2024-01-01T00:00:00Z\r\n"
           b"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000050>\r\nContent-Type: application/http;msgtype=response\r\n"
           + f"Content-Length: {len(http)}\r\n\r\n".encode() + http + b"\r\n\r\n")
    p = tmp_path / "big.warc.gz"
    p.write_bytes(gzip.compress(rec, compresslevel=1, mtime=0))
    (doc,) = pages(p).values()  # read keeps it (under read.web.max_record_bytes) ...
    assert len(doc.text) > 50_000_000
    res = extractor.extract(doc.text)  # ... and extraction refuses to parse it
    assert (res.kind, res.reason) == ("failed", "extract/too_large")


def test_deep_nesting_is_refused_before_parsing(extractor):
    assert extractor.extract("<div>" * 2000 + "x" + "</div>" * 2000).reason == "extract/too_deep"
    assert max_depth("<div><p>a<p>b<br><img src=x><span>c</span></div>", 100) == 2


def test_timeout_on_worker_threads():
    page = slow_page()  # ~5 s of trafilatura work
    slow = HtmlExtractor(ExtractConfig(timeout_s=0.3))
    slow.setup()
    results = {}

    def work(i):
        first = slow.extract(page)
        after = slow.extract("<html><body><article><p>" + "A short page with enough words in it. " * 20 + "</p></article></body></html>")
        results[i] = (first.reason, first.seconds, after.kind)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for reason, seconds, after in results.values():
        assert reason == "extract/timeout"
        assert seconds < 3  # stopped near the limit, not after the whole page
        assert after == "out"  # no stray exception left for the next page


def test_empty_extraction(extractor):
    assert extractor.extract("").reason == "extract/empty"
    assert extractor.extract("<html><head><title>x</title></head><body><script>var a = 1;</script></body></html>").reason == "extract/empty"


def _shared_page(shared_data, subset: str, key: str) -> tuple[str, str]:
    import json

    from curation.readers.warc import decode_html

    data = shared_data / subset
    gold = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))[key]["articleBody"]
    raw = gzip.decompress((data / "html" / f"{key}.html.gz").read_bytes())
    return decode_html(raw, "")[0], gold


def _recall(text: str, gold: str) -> float:
    import re
    from collections import Counter

    t, g = (Counter(w.lower() for w in re.findall(r"\w+", s)) for s in (text, gold))
    return sum((t & g).values()) / sum(g.values())


@pytest.mark.parametrize("key", ["bhg.com1", "upworthy.com1"])
def test_fast_mode_miss_reruns_in_full(shared_data, key):
    # newspaper3k's test pages where trafilatura's fast path returns a teaser instead of the article.
    html, gold = _shared_page(shared_data, "extraction-newspaper", key)
    no_fallback = HtmlExtractor(ExtractConfig(fast=True, fast_fallback_ratio=0.0))
    with_fallback = HtmlExtractor(ExtractConfig(fast=True))
    assert _recall(no_fallback.extract(html).text, gold) < 0.1
    res = with_fallback.extract(html)
    assert res.engine == "trafilatura-full" and _recall(res.text, gold) > 0.95


def test_resiliparse_first_keeps_prose_and_asks_trafilatura_otherwise(shared_data):
    from curation.extract import reads_as_prose

    ex = HtmlExtractor(ExtractConfig(engine="resiliparse-first"))
    ex.setup()
    keys = ["svg-parsing", "hidden-nodes", "social-buttons", "yahoo-2", "nytimes-5", "qq"]
    engines = set()
    for key in keys:
        html, gold = _shared_page(shared_data, "extraction-readability", key)
        res = ex.extract(html)
        assert res.kind == "out" and "\n\n" not in res.text
        assert reads_as_prose(res.text) or res.engine == "trafilatura"
        engines.add(res.engine)
    assert engines == {"resiliparse", "trafilatura"}
    prose = "A real sentence that goes on for a while here. " * 8
    assert reads_as_prose(prose)
    assert not reads_as_prose("\n".join(["Home", "News", "Sport", "Weather", "Contact us", "Subscribe now"] * 5) + "\n" + prose)


def test_extract_engine_is_validated(tmp_path):
    from curation.config import load_config
    from curation.errors import ConfigError

    cfg = tmp_path / "c.yaml"
    cfg.write_text("read:\n  extract:\n    engine: goose\n")
    with pytest.raises(ConfigError, match="read.extract.engine"):
        load_config(str(cfg))
