"""PII redaction: email addresses, public IP addresses, phone numbers, payment card numbers
(Luhn-checked) and IBANs (mod-97 checked) become fixed placeholders.

Runs last, after dedup (docs/contracts.md), on every source, and never removes a document: the
number of replacements goes into metadata and the stage's metrics. IP candidates are checked
with ``ipaddress``: only globally routable addresses are personal data worth removing;
private, loopback, documentation and reserved ranges ("127.0.0.1", "192.168.0.1",
"203.0.113.7") and version-like strings that are not valid addresses stay. As in the BigCode
PII pipeline (Li et al. 2023), a placeholder is the same for every match, so redacted text is
deterministic and carries no hash of the original. The number patterns and their checks are in
filters/pii_numbers.py. Order matters: IBANs and cards are replaced before IP addresses and
phones, so a digit group inside an IBAN is never taken for a phone number.
"""

from __future__ import annotations

import ipaddress
import re

from curation.config import PIIConfig
from curation.document import Document
from filters.base import Filter, Verdict
from filters.pii_numbers import CARD_RE, IBAN_RE, PHONE_INTL_RE, PHONE_NANP_RE, is_card_number, is_iban, is_phone

EMAIL_RE = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63})@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}\b"
)
_DIGIT_RE = re.compile(r"\d")
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
    metrics = ("emails", "ip_addresses", "phones", "payment_cards", "ibans")

    def __init__(self, cfg: PIIConfig | None = None, sources=None):
        self.cfg = cfg or PIIConfig()
        self.sources = tuple(sources) if sources is not None else None

    def redact(self, text: str) -> tuple[str, dict[str, int]]:
        """``(text, replacements per kind)``; kinds as in ``metrics``."""
        cfg = self.cfg
        counts = dict.fromkeys(self.metrics, 0)
        if cfg.emails and "@" in text:
            text, counts["emails"] = EMAIL_RE.subn(cfg.email_placeholder, text)
        if not _DIGIT_RE.search(text):
            return text, counts  # every remaining kind needs digits

        def checked(kind: str, check, placeholder: str):
            def sub(m: re.Match) -> str:
                if check(m.group(0)):
                    counts[kind] += 1
                    return placeholder
                return m.group(0)
            return sub

        if cfg.ibans:
            text = IBAN_RE.sub(checked("ibans", is_iban, cfg.iban_placeholder), text)
        if cfg.payment_cards:
            text = CARD_RE.sub(checked("payment_cards", is_card_number, cfg.card_placeholder), text)
        if cfg.ip_addresses:
            sub_ip = checked("ip_addresses", _public, cfg.ip_placeholder)
            text = IPV4_RE.sub(sub_ip, text)
            if "::" in text or text.count(":") >= 2:
                text = IPV6_RE.sub(sub_ip, text)
        if cfg.phones:
            text = PHONE_INTL_RE.sub(checked("phones", is_phone, cfg.phone_placeholder), text)
            text = PHONE_NANP_RE.sub(checked("phones", is_phone, cfg.phone_placeholder), text)
        return text, counts

    def apply(self, doc: Document) -> tuple[Document, Verdict]:
        text, counts = self.redact(doc.text)
        if not any(counts.values()):
            return doc, Verdict.ok()
        # emails and ip_addresses always (the v1 annotation), the newer kinds when found
        values = {k: n for k, n in counts.items() if n or k in ("emails", "ip_addresses")}
        return Document(doc.id, text, doc.source, dict(doc.metadata)), Verdict.ok(**values)
