"""Which rules a document's source gets (docs/contracts.md, "Routing of unknown sources").

A source is *named* when a routing list of the config names it (``langid.sources``,
``quality.web_sources``, ``quality.repair.sources``, the URL and classifier lists) or it is one of
the built-in ``books`` and ``code``; its filters then decide by those lists. ``routing:`` in the
config maps other names to ``web``, ``books`` or ``code`` (the document is judged as that source
and keeps its own name) or to ``none`` (explicitly no language ID and no quality rules; PII
redaction still runs on every source). A name nobody named, such as a ``--docs`` row's own
``source: common-crawl``, gets the web rules and one notice line: nothing goes unfiltered by
accident.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger("curate")

ROUTES = ("web", "books", "code", "none")
NONE = "none"
_noticed: set[str] = set()
_lock = threading.Lock()


def named_sources(cfg) -> frozenset[str]:
    """Every source name a routing list of ``cfg`` (a PipelineConfig) names."""
    q = cfg.quality
    lists = (cfg.langid.sources, cfg.langid.min_score_sources, q.web_sources, q.repair.sources, q.url.sources,
             q.classifier.sources, ("books", "code"))
    return frozenset(s for lst in lists for s in lst)


class Router:
    """``router(source) -> str | None``: the source name the filters see (None: no rules)."""

    def __init__(self, cfg):
        self.routing = dict(cfg.routing)
        self.named = named_sources(cfg)

    def __call__(self, source: str) -> str | None:
        route = self.routing.get(source)
        if route is not None:
            return None if route == NONE else route
        if source in self.named:
            return source
        notice(source)
        return "web"


def notice(source: str) -> None:
    """One line per source per process: the source got the web rules."""
    with _lock:
        if source in _noticed:
            return
        _noticed.add(source)
    log.warning("routing: source '%s' is named by no routing list: it gets the web rules (language ID, Gopher, C4, FineWeb; "
                "map it with routing: {%s: web|books|code|none})", source, source)
