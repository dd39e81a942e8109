"""URL blocklists for web documents: by domain, by substring and by regular expression.

The lists are plain text files the user gives (``quality.url.*_file``); none is downloaded.
Format, shared by the three files: UTF-8, one entry a line, surrounding whitespace ignored,
blank lines and lines starting with "#" skipped.

- domains: ``example.com`` blocks example.com and every subdomain (www.example.com,
  a.b.example.com), not ``notexample.com``; a leading ``*.`` or ``.`` means the same. Matched
  case-insensitively against the URL's host, port and trailing dot removed.
- substrings: matched case-insensitively anywhere in the whole URL (``/casino/``, ``utm_``).
- regex: Python ``re`` syntax, searched (not anchored) in the whole URL as written.

Reads ``metadata["url"]`` (else ``metadata["domain"]`` for the domain list); a document
without either is kept. Rule codes: ``url_blocked_domain``, ``url_blocked_substring``,
``url_blocked_regex``; the entry that matched goes into ``metadata["url_filter_v1"]``.
A domain list with millions of entries costs one set lookup per label of the host.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from curation.config import UrlFilterConfig
from curation.document import Document
from curation.errors import ConfigError
from filters.base import Filter, Verdict


def read_list(path: str) -> list[str]:
    """Entries of a list file: stripped, blank and "#" lines skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read URL list {path}: {e}") from None
    return [s for s in (ln.strip() for ln in lines) if s and not s.startswith("#")]


def _compile(path: str) -> list[re.Pattern]:
    out = []
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    for i, ln in enumerate(lines, 1):
        s = ln.strip()
        if not s or s.startswith("#"):
            continue
        try:
            out.append(re.compile(s))
        except re.error as e:
            raise ConfigError(f"{path}:{i}: bad regular expression {s!r}: {e}") from None
    return out


def host_of(url: str) -> str:
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname or ""
    except ValueError:  # "http://[bad" and other unparseable URLs: no host to match
        return ""
    return host.rstrip(".").lower()


class UrlFilter(Filter):
    name = "url_filter_v1"
    stage = "quality"
    rules = ("url_blocked_domain", "url_blocked_substring", "url_blocked_regex")

    def __init__(self, cfg: UrlFilterConfig | None = None):
        self.cfg = cfg or UrlFilterConfig()
        self.sources = tuple(self.cfg.sources)
        for key in ("domains_file", "substrings_file", "regex_file"):
            path = getattr(self.cfg, key)
            if path and not Path(path).is_file():
                raise ConfigError(f"quality.url.{key}: no such file {path}")
        if self.cfg.regex_file:
            _compile(self.cfg.regex_file)  # a bad pattern fails at start, naming file and line
        self._loaded = False

    @property
    def active(self) -> bool:
        c = self.cfg
        return bool(c.domains_file or c.substrings_file or c.regex_file)

    def setup(self) -> None:
        if self._loaded:
            return
        c = self.cfg
        self._domains = {d.lower().lstrip("*").lstrip(".").rstrip(".") for d in read_list(c.domains_file)} if c.domains_file else set()
        self._substrings = [s.lower() for s in read_list(c.substrings_file)] if c.substrings_file else []
        self._regexes = _compile(c.regex_file) if c.regex_file else []
        self._loaded = True

    def __getstate__(self):
        return {"cfg": self.cfg, "sources": self.sources, "_loaded": False}

    def blocked_domain(self, host: str) -> str:
        """The list entry covering ``host`` (itself or a parent domain), else ""."""
        labels = host.split(".")
        for i in range(len(labels)):
            d = ".".join(labels[i:])
            if d in self._domains:
                return d
        return ""

    def apply(self, doc: Document) -> tuple[Document, Verdict]:
        if not self._loaded:
            self.setup()
        url = doc.metadata.get("url") or ""
        url = url if isinstance(url, str) else ""
        if self._domains:
            host = host_of(url) if url else str(doc.metadata.get("domain") or "").rstrip(".").lower()
            hit = self.blocked_domain(host) if host else ""
            if hit:
                return doc, Verdict.drop("url_blocked_domain", match=hit)
        if not url:
            return doc, Verdict.ok()
        if self._substrings:
            low = url.lower()
            for s in self._substrings:
                if s in low:
                    return doc, Verdict.drop("url_blocked_substring", match=s)
        for rx in self._regexes:
            if rx.search(url):
                return doc, Verdict.drop("url_blocked_regex", match=rx.pattern)
        return doc, Verdict.ok()
