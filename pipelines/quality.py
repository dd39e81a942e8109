"""Stage "quality": the rule sets routed by source (filters/registry.py), then any plugin filters
the config names (filters/plugins.py), in the shared wrapper (pipelines/transforms.ApplyFilters),
which also sums the values filters declare as ``metrics`` (C4's removed lines) into the stage's
metrics. Returns ``{"docs", "rejected", "counts"}``; in = out + removed + failed.

    docs | LangId(cfg) | Quality(cfg) | ... dedup ... | RedactPII(cfg)
"""

from __future__ import annotations

from filters import registry
from filters.plugins import plugin_filters
from pipelines.transforms import FilterStage


class Quality(FilterStage):
    """``docs | Quality(cfg)``: quality_filters for the routed rule sets, then the plugins."""

    stage = "quality"

    def filters(self):
        return registry.quality_filters(self.config) + plugin_filters(self.config.plugins)
