"""PII redaction: email addresses and public IP addresses become fixed placeholders.

Runs last, after dedup (docs/contracts.md), on every source, and never removes a document: the
number of replacements goes into metadata and the stage's metrics. IP candidates are checked
with ``ipaddress``: only globally routable addresses are personal data worth removing;
private, loopback, documentation and reserved ranges ("127.0.0.1", "192.168.0.1",
"203.0.113.7") and version-like strings that are not valid addresses stay. As in the BigCode
PII pipeline (Li et al. 2023), a placeholder is the same for every match, so redacted text is
deterministic and carries no hash of the original.
"""

from __future__ import annotations

import ipaddress
import re

from curation.config import PIIConfig
from curation.document import Document
from filters.base import Filter, Verdict

EMAIL_RE = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63})@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}\b"
)
IPV4_RE = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.]*\d)")
IPV6_RE = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")  # checked by ipaddress


def _public(candidate: str) -> bool:
    if ":" in candidate and (sum(1 for g in candidate.split(":") if g) < 3 or not any(c.isdigit() for c in candidate)):
        return False  # "a::b", "dead::beef": C++ scopes and hex words, not addresses seen in text
    try:
        return ipaddress.ip_address(candidate).is_global
    except ValueError:
        return False


class RedactPII(Filter):
    name = "pii_v1"
    stage = "pii"
    rules = ()
    metrics = ("emails", "ip_addresses")

    def __init__(self, cfg: PIIConfig | None = None, sources=None):
        self.cfg = cfg or PIIConfig()
        self.sources = tuple(sources) if sources is not None else None

    def redact(self, text: str) -> tuple[str, int, int]:
        """``(text, emails replaced, IP addresses replaced)``."""
        cfg = self.cfg
        n_email = n_ip = 0
        if cfg.emails and "@" in text:
            text, n_email = EMAIL_RE.subn(cfg.email_placeholder, text)
        if cfg.ip_addresses:
            counter = [0]

            def sub_ip(m: re.Match) -> str:
                if _public(m.group(0)):
                    counter[0] += 1
                    return cfg.ip_placeholder
                return m.group(0)

            text = IPV4_RE.sub(sub_ip, text)
            if "::" in text or text.count(":") >= 2:
                text = IPV6_RE.sub(sub_ip, text)
            n_ip = counter[0]
        return text, n_email, n_ip

    def apply(self, doc: Document) -> tuple[Document, Verdict]:
        text, n_email, n_ip = self.redact(doc.text)
        if not (n_email or n_ip):
            return doc, Verdict.ok()
        return Document(doc.id, text, doc.source, dict(doc.metadata)), Verdict.ok(emails=n_email, ip_addresses=n_ip)
