"""Phone numbers, payment card numbers and IBANs: candidate patterns and the checks that tell
a real-looking number from a look-alike (no Beam, no I/O).

- Payment cards: 13-19 digits, written solid or in the groups card issuers print (4-4-4-4,
  4-6-5, 4-4-4-4-3), with an issuer prefix (ISO/IEC 7812 IINs of Visa, Mastercard, American
  Express, Discover, JCB, Diners, UnionPay, Maestro) and a valid Luhn check digit. A random
  16-digit order number passes Luhn one time in ten; the prefix and length rules cut that
  further, and dates, ISBNs and phone numbers never have the shape.
- IBANs (ISO 13616): a country code with its registered length and a mod-97 checksum equal
  to 1, written solid or in groups of four.
- Phones: an international number (``+`` country code, 8 to 15 digits as E.164 allows, with
  spaces, dots, dashes or a parenthesised area code) or a North American one with separators
  ((415) 555-2671, 415-555-2671, 1-800-555-0199; area code and exchange start with 2-9).
  Unformatted digit runs, dates (2024-01-15), times, versions (1.202.555.0143) and ISBNs
  are not phone numbers here: without a ``+`` or the NANP layout a digit string is as likely
  an id or a quantity, and redacting those would damage text.
"""

from __future__ import annotations

import re

CARD_RE = re.compile(
    r"(?<![\w+.-])(?:\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{3})?|\d{4}([ -])\d{6}\2\d{5}|\d{13,19})(?![\w-]|\.\d)"
)
IBAN_RE = re.compile(r"(?<![\w-])[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?)(?![\w-])")
PHONE_INTL_RE = re.compile(r"(?<![\w+])\+[1-9]\d{0,2}(?:[ .-]?(?:\(\d{1,4}\)|\d{1,4})){2,6}(?![\w]|[.-]\d)")
PHONE_NANP_RE = re.compile(
    r"(?<![\w.+-])(?:1[ -])?(?:\([2-9]\d{2}\) ?|[2-9]\d{2}([ .-]))[2-9]\d{2}[ .-]\d{4}(?![\w]|[.-]\d)"
)

# ISO 13616 registry: country -> IBAN length.
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
    "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
    "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
    "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card_issuer_ok(digits: str) -> bool:
    n, p2, p4, p6 = len(digits), int(digits[:2]), int(digits[:4]), int(digits[:6])
    if digits[0] == "4":
        return n in (13, 16, 19)  # Visa
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:
        return n == 16  # Mastercard
    if p2 in (34, 37):
        return n == 15  # American Express
    if p2 == 36 or 300 <= int(digits[:3]) <= 305 or p2 == 38:
        return 14 <= n <= 19  # Diners Club
    if p4 == 6011 or p2 == 65 or 644 <= int(digits[:3]) <= 649 or 622126 <= p6 <= 622925:
        return 16 <= n <= 19  # Discover
    if 3528 <= p4 <= 3589:
        return 16 <= n <= 19  # JCB
    if p2 == 62:
        return 16 <= n <= 19  # UnionPay
    if p2 == 50 or 56 <= p2 <= 69:
        return 12 <= n <= 19  # Maestro
    return False


def is_card_number(candidate: str) -> bool:
    digits = candidate.replace(" ", "").replace("-", "")
    return 13 <= len(digits) <= 19 and _card_issuer_ok(digits) and luhn_ok(digits)


def is_iban(candidate: str) -> bool:
    s = candidate.replace(" ", "")
    if IBAN_LENGTHS.get(s[:2]) != len(s):
        return False
    rearranged = s[4:] + s[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def is_phone(candidate: str) -> bool:
    n = sum(ch.isdigit() for ch in candidate)
    if candidate.startswith("+"):
        return 8 <= n <= 15
    return n in (10, 11)
