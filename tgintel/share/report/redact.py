"""Redaction of victims' personal data in what a report shows: phone numbers, IBANs and ID-like digit runs.

On by default (``tgintel report --no-redact`` turns it off for an investigator's own copy). Deliberately
over-eager: a report leaves the analyst's machine, and a masked vendor phone costs less than an exposed
victim's. The last digits stay visible so that an analyst can still tell two values apart.
"""

from __future__ import annotations

import re

_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b")
# 7+ digits, optionally with + and separators: phone numbers, national ID and passport numbers, accounts.
_DIGITS = re.compile(r"(?<![A-Za-z0-9])\+?\d(?:[\s().-]{0,2}\d){6,}(?![A-Za-z0-9])")


def _mask(s: str, keep: int = 2) -> str:
    total = sum(c.isalnum() for c in s)
    seen = 0
    out = []
    for c in s:
        if c.isalnum():
            seen += 1
            out.append(c if seen <= (2 if total > 8 else 0) or seen > total - keep else "•")
        else:
            out.append(c)
    return "".join(out)


def redact_text(text: str) -> str:
    text = _IBAN.sub(lambda m: _mask(m.group()), text)
    return _DIGITS.sub(lambda m: _mask(m.group()), text)


REDACTED_TYPES = {"phone", "iban"}


def redact_value(etype: str, value: str) -> str:
    return _mask(value) if etype in REDACTED_TYPES else value
