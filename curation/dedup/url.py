"""URL dedup (``dedup.url``): one document per normalised URL, the newest capture.

A crawl fetches one page many times, and successive captures differ by a date or a counter, so
content dedup keeps several of them. Captures of one normalised URL are grouped (within a
source); the survivor is the newest capture (``crawl_date``, the WARC-Date, ISO 8601 so it
sorts as text), then the longest text, then the smallest id. The others are removed as
``dedup/url`` before content dedup sees them.

Normalisation: scheme lower case, http and https alike (one page served both ways), host lower
case without a trailing dot, default ports (80, 443) dropped, fragment dropped, tracking
parameters dropped (``utm_*`` and the click ids below), the other query parameters sorted,
an empty path as ``/``. Paths stay case-sensitive (servers may tell them apart).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

# Query parameters that only say where a visitor came from.
TRACKING = frozenset({"gclid", "dclid", "fbclid", "msclkid", "yclid", "mc_cid", "mc_eid", "igshid", "_ga", "_gl",
                      "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id", "wickedid", "ref_src"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_url(url: str) -> str | None:
    """The grouping key of a URL; None for one that has no host (nothing to group on)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # a malformed port or IPv6 literal: not a URL to group on
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if not host or scheme not in ("http", "https", ""):
        return None
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not k.lower().startswith("utm_") and k.lower() not in TRACKING)
    q = f"?{urlencode(query)}" if query else ""
    return f"http://{netloc}{parts.path or '/'}{q}"


def capture_rank(crawl_date: str, text_len: int, doc_id: str, rec: int) -> tuple:
    """Sort key of one capture: the smallest survives (newest date, longest text, smallest id;
    an undated capture after every dated one)."""
    return (not crawl_date, tuple(-ord(c) for c in crawl_date), -text_len, doc_id, rec)
