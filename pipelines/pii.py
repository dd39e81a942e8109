"""Stage "pii": emails, public IPs, phones, card numbers and IBANs replaced by placeholders; never
removes a document. Runs last, after dedup (docs/contracts.md, "Routing")."""

from __future__ import annotations

from filters import registry
from pipelines.transforms import FilterStage


class RedactPII(FilterStage):
    """``docs | RedactPII(cfg)``: the chain of filters/registry.pii_filters."""

    stage = "pii"
    routed = False  # redaction runs on every source, routed to "none" included

    def filters(self):
        return registry.pii_filters(self.config)
