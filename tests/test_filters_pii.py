"""PII: emails and public IP addresses replaced, look-alikes left alone, never a drop."""

from __future__ import annotations

from curation.config import PIIConfig
from curation.document import Document
from filters.pii import RedactPII


def test_redacts_emails_and_public_ips_only():
    text = ("Contact jane.doe+news@example.co.uk or admin@mail.example.org. Our resolver is 8.8.8.8 and "
            "the mirror 2606:4700:4700::1111; the router 192.168.1.1, localhost 127.0.0.1, docs 203.0.113.7, "
            "version 1.2.3.4.5, build 10.0.19041.1, C++ std::vector and time 12:30:45 stay.")
    doc, verdict = RedactPII().apply(Document("d", text, "web"))
    assert verdict.keep
    assert verdict.values == {"emails": 2, "ip_addresses": 2}
    for kept in ("192.168.1.1", "127.0.0.1", "203.0.113.7", "1.2.3.4.5", "10.0.19041.1", "std::vector", "12:30:45"):
        assert kept in doc.text
    assert "8.8.8.8" not in doc.text and "example.co.uk" not in doc.text and "2606:" not in doc.text
    assert doc.text.count("<EMAIL>") == 2 and doc.text.count("<IP_ADDRESS>") == 2


def test_placeholders_configurable_and_switchable():
    f = RedactPII(PIIConfig(emails=False, ip_placeholder="[IP]"))
    doc, verdict = f.apply(Document("d", "mail a@b.com from 1.1.1.1", "code"))
    assert doc.text == "mail a@b.com from [IP]" and verdict.values == {"emails": 0, "ip_addresses": 1}


def test_nothing_to_redact_returns_same_document():
    d = Document("d", "No personal data here.", "books")
    doc, verdict = RedactPII().apply(d)
    assert doc is d and verdict.keep and not verdict.values
