"""PII beyond emails and IPs: phone numbers, payment cards (Luhn), IBANs (mod 97); real-looking
numbers replaced by stable placeholders and counted, look-alikes left alone."""

from __future__ import annotations

import pytest

from curation.config import PIIConfig
from curation.document import Document
from filters.pii import RedactPII
from filters.pii_numbers import is_card_number, is_iban, luhn_ok


def _redact(text: str, **cfg):
    doc, verdict = RedactPII(PIIConfig(**cfg)).apply(Document("d", text, "web"))
    assert verdict.keep
    return doc.text, verdict.values


@pytest.mark.parametrize("number", [
    "4111 1111 1111 1111",  # Visa test number
    "4012888888881881",
    "5555-5555-5555-4444",  # Mastercard
    "2223 0031 2200 3222",  # Mastercard 2-series
    "3782 822463 10005",  # American Express, printed 4-6-5
    "6011111111111117",  # Discover
    "3530111333300000",  # JCB
])
def test_card_numbers_redacted(number):
    text, values = _redact(f"Paid with card {number} on the site.")
    assert text == "Paid with card <CARD_NUMBER> on the site." and values["payment_cards"] == 1


@pytest.mark.parametrize("text", [
    "Card 4111 1111 1111 1112 was declined.",  # Luhn check digit wrong
    "Order 1234567890123456 shipped.",  # no issuer prefix
    "Tracking 9400 1000 0000 0000 0000 00 sent.",  # too long, wrong grouping
    "Card 4111 1111-1111 1111 mixed separators.",
    "ISBN 978-3-16-148410-0 and 2024-01-15.",
    "Population 8,000,000,000 by 2023.",
])
def test_card_look_alikes_kept(text):
    assert _redact(text)[0] == text


def test_luhn_and_card_checks():
    assert luhn_ok("79927398713") and not luhn_ok("79927398710")
    assert is_card_number("4111111111111111") and not is_card_number("4111111111111")  # 13 digits, bad check


@pytest.mark.parametrize("iban", [
    "GB82 WEST 1234 5698 7654 32",
    "DE89370400440532013000",
    "FR14 2004 1010 0505 0001 3M02 606",
    "NL91ABNA0417164300",
    "BE68539007547034",
])
def test_ibans_redacted(iban):
    text, values = _redact(f"Transfer to {iban} by Friday.")
    assert text == "Transfer to <IBAN> by Friday." and values["ibans"] == 1


@pytest.mark.parametrize("text", [
    "Transfer to GB82 WEST 1234 5698 7654 33 by Friday.",  # checksum fails
    "Transfer to DE8937040044053201300 by Friday.",  # one digit short for DE
    "Part number XX82WEST12345698765432 in stock.",  # no such country
    "Model AB12 CDEF GHIJ KLMN is new.",
])
def test_iban_look_alikes_kept(text):
    assert _redact(text)[0] == text
    assert not is_iban("GB82WEST12345698765433")


@pytest.mark.parametrize("phone", [
    "+44 20 7946 0958",
    "+1 (415) 555-2671",
    "+49 30 901820",
    "+33 1 42 68 53 00",
    "(415) 555-2671",
    "415-555-2671",
    "415.555.2671",
    "1-800-555-0199",
])
def test_phones_redacted(phone):
    text, values = _redact(f"Call {phone} today.")
    assert text == "Call <PHONE> today." and values["phones"] == 1


@pytest.mark.parametrize("text", [
    "Released 2024-01-15 at 12:30:45.",
    "Version 1.202.555.0143 is out.",
    "Dial 555-1234 locally.",  # seven digits: no area code
    "Score +2 3 4 in the game.",  # too few digits for a number
    "Area 123-555-2671 is not a US area code.",
    "Invoice 20231115001 paid.",
    "Coordinates 51.5074, -0.1278 and 40.7128.",
    "The years 1914-1918 and 1939-1945.",
])
def test_phone_look_alikes_kept(text):
    assert _redact(text)[0] == text


def test_order_counts_and_switches():
    text = ("Alice (alice@example.com, +44 20 7946 0958) paid 4111 1111 1111 1111 from GB82 WEST 1234 5698 7654 32 "
            "via 8.8.8.8; Bob paid from DE89 3704 0044 0532 0130 00.")
    out, values = _redact(text)
    assert values == {"emails": 1, "ip_addresses": 1, "phones": 1, "payment_cards": 1, "ibans": 2}
    assert out == ("Alice (<EMAIL>, <PHONE>) paid <CARD_NUMBER> from <IBAN> via <IP_ADDRESS>; Bob paid from <IBAN>.")
    off, v2 = _redact(text, phones=False, payment_cards=False, ibans=False, card_placeholder="[CARD]")
    assert "+44 20 7946 0958" in off and "4111 1111 1111 1111" in off and set(v2) == {"emails", "ip_addresses"}
    assert PIIConfig().placeholders() == ["<EMAIL>", "<IP_ADDRESS>", "<PHONE>", "<CARD_NUMBER>", "<IBAN>"]
