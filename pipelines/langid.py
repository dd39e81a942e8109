"""Stage "langid": text repair first (filters/repair.py: ftfy, control characters, NFC; never
drops), then fastText language ID annotates ``lang``/``lang_score`` and keeps by allowlist and
minimum score. Returns ``{"docs", "rejected", "counts"}`` like every stage (pipelines/transforms.py).
"""

from __future__ import annotations

from filters import registry
from pipelines.transforms import FilterStage


class LangId(FilterStage):
    """``docs | LangId(cfg)``: the chain of filters/registry.langid_filters."""

    stage = "langid"

    def filters(self):
        return registry.langid_filters(self.config)
