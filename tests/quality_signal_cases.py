"""Reason-code cases for the quality-signal filters (URL lists, classifier), merged into
tests/rule_cases.py so the one-test-per-code and contract tests cover them."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from classifier_data import article_pages, small_model
from curation.config import ClassifierConfig, UrlFilterConfig
from curation.document import Document
from filters.classifier import QualityClassifier
from filters.url import UrlFilter


@lru_cache(maxsize=1)
def url_lists() -> dict[str, str]:
    """Small blocklists in the documented format, in a temporary folder removed at exit."""
    d = Path(tempfile.mkdtemp(prefix="curate-url-lists-"))
    atexit.register(shutil.rmtree, d, True)
    files = {
        "domains_file": "# gambling and link farms\n\ncasino-bonus.example\n*.spam-farm.example\n.ads.example.net\n",
        "substrings_file": "# affiliate paths\n/casino/\nrefid=\n",
        "regex_file": "# tracking-parameter pages\n[?&]utm_(source|medium|campaign)=\n^https?://[^/]*\\d{5,}\\.\n",
    }
    out = {}
    for key, text in files.items():
        p = d / f"{key.split('_')[0]}.txt"
        p.write_text(text, encoding="utf-8")
        out[key] = str(p)
    return out


def url_filter() -> UrlFilter:
    return UrlFilter(UrlFilterConfig(**url_lists()))


def classifier() -> QualityClassifier:
    return QualityClassifier(ClassifierConfig(model_path=str(small_model())))


def quality_signal_cases() -> dict[str, tuple]:
    """rule -> (filter, Document)."""
    pos, neg = article_pages(None)
    article = pos[100]  # a real article body, not in the classifier's training pages
    page = lambda url: Document("case", article.text, "web", {"url": url})  # noqa: E731
    uf = url_filter()
    return {
        "url_blocked_domain": (uf, page("https://www.blog.spam-farm.example/2019/10/wework-story.html")),
        "url_blocked_substring": (uf, page("https://news.example.org/casino/free-spins-tonight")),
        "url_blocked_regex": (uf, page("https://news.example.org/story?id=7&utm_source=newsletter")),
        # The menus and share buttons of a news page the model never saw.
        "classifier_low_score": (classifier(), Document("case", neg[100].text, "web", {"url": neg[100].metadata["url"]})),
    }
