"""Entity extraction: validated contact points and values in message text, with character offsets.

``extract_entities`` is a detect stage: pure, no I/O. It runs a handful of specialised scanners, each
skipped when its trigger character is absent from the text, then resolves overlaps (the earliest, then the
longest, then the most specific span wins) so each character belongs to at most one entity. Checksummed
types (wallets, v3 onions, IBANs) are only reported when the checksum holds; phone numbers only when
``phonenumbers`` says the number is valid for its region.
"""

from __future__ import annotations

import re
from functools import lru_cache
from operator import itemgetter

from tgintel.detect.entities import contacts, money
from tgintel.model import Entity

__all__ = ["ENTITY_TYPES", "PAYMENT_METHODS", "extract_entities", "normalize_value"]

ENTITY_TYPES = (
    "username", "tme_link", "url", "onion", "phone", "email", "btc", "eth", "tron", "xmr", "iban", "price",
    "payment_method",
)  # fmt: skip
PAYMENT_METHODS = money.PAYMENT_METHODS


# Wallets, IBANs, prices and phones all contain an ASCII digit; lines without one skip those scanners.
_DIGIT_RE = re.compile(r"[0-9]")


# Reposts are the norm in these markets (the same advert dozens of times a day; ~96% of messages in the
# studies the simulator reproduces): a repost's entities come from this cache for the price of a dict lookup.
CACHE_SIZE = 16384  # about 1.7 kB a text with its entities: under 30 MB
# Adverts that are not reposts are mostly edits of one: the same contact, wallet and payment lines under a
# new price list. Lines are memoised too (see _LINE_BREAK_RE), so an edited advert costs its new lines.
LINE_CACHE_SIZE = 65536  # about 0.5 kB a line with its entities: under 35 MB
_by_start_then_priority = itemgetter(0, 2)
# A line break where a message is cut into separately scanned lines: one followed by a character that no
# pattern continues with after a whitespace (every pattern that can span a "\n" does so through a "\s"
# followed by a letter, digit, space, bracket or currency sign), typically an emoji or bullet. Every scanner's
# look-around treats "\n" as it treats the end of the text, so a line gives the same entities alone.
_LINE_BREAK_RE = re.compile(r"\n(?=[^\w\s\[({€$£₽₴₺₹₸¥])")

Gates = tuple[bool, bool, bool, bool, bool]  # digit, obfuscated, loose scheme, "/", "onion": whole-text facts


def extract_entities(text: str, *, default_region: str | None = None) -> list[Entity]:
    """Entities in ``text``, sorted by start; ``default_region`` (ISO 3166 alpha-2, e.g. the channel's
    country) lets local phone numbers without ``+`` be read and picks the krone for ``kr``."""
    if not text:
        return []
    region = default_region.upper() if default_region else None
    return [Entity(*e) for e in _extract(text, region)]


@lru_cache(maxsize=CACHE_SIZE)
def _extract(text: str, region: str | None) -> tuple[tuple[str, str, int, int], ...]:
    lower = text.lower()
    if len(lower) != len(text):  # a few characters ("İ") lengthen when lowercased; keep offsets aligned
        lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        gates = _gates(text, lower)
        return _scan(text, lower, region, gates, gates[0])
    gates = _gates(text, lower)
    if gates[1] or "\n" not in text:  # obfuscated writing: the URL scanner's slow mode sees the whole text
        return _scan(text, lower, region, gates, gates[0])
    lines = _LINE_BREAK_RE.split(text)
    if len(lines) == 1:
        return _scan(text, lower, region, gates, gates[0])
    # str.lower of a line equals its slice of the lowered text (no length change, and "\n" ends the context
    # of the one context-dependent mapping, the final sigma), so each line can be lowered on its own.
    result: list[tuple[str, str, int, int]] = []
    offset = 0
    for line in lines:
        if line:
            found = _scan_line(line, region, gates)
            if offset:
                result.extend([(k, v, s + offset, e + offset) for k, v, s, e in found])
            else:
                result.extend(found)
        offset += len(line) + 1
    return tuple(result)


def _gates(text: str, lower: str) -> Gates:
    return (_DIGIT_RE.search(text) is not None, *contacts.url_gates(text, lower), "onion" in lower)


@lru_cache(maxsize=LINE_CACHE_SIZE)
def _scan_line(line: str, region: str | None, gates: Gates) -> tuple[tuple[str, str, int, int], ...]:
    return _scan(line, line.lower(), region, gates, gates[0] and _DIGIT_RE.search(line) is not None)


def _scan(
    text: str, lower: str, region: str | None, gates: Gates, digits: bool
) -> tuple[tuple[str, str, int, int], ...]:
    found: list[contacts.Candidate] = []
    contacts.scan_telegram(text, lower, found)
    contacts.scan_onion(text, lower, found, gates[4])
    contacts.scan_email(text, lower, found)
    contacts.scan_url(text, lower, found, gates[1:4])
    money.scan_payments(text, lower, found)
    if gates[0]:
        # (A TRON address may lack digits: wallets are looked for wherever the message has a digit.)
        money.scan_wallets(text, found)
        if digits:  # IBANs, prices and phone numbers have digits themselves
            money.scan_iban(text, found)
            money.scan_prices(text, lower, region, found)
            contacts.scan_phone(text, region, found)
    if not found:
        return ()
    # Overlaps: the earliest span wins, then the most specific type (Telegram link over URL, wallet over
    # phone, price over phone …); each character belongs to at most one entity.
    found.sort(key=_by_start_then_priority)
    result: list[tuple[str, str, int, int]] = []
    last_end = -1
    for start, end, _prio, kind, value in found:
        if start >= last_end:
            result.append((kind, value, start, end))
            last_end = end
    return tuple(result)


def normalize_value(value: str, *, default_region: str | None = None) -> tuple[str | None, str]:
    """The (type, normalised value) an analyst's query means, using the extractor's own rules so that
    ``+31 6 1234 5678`` finds ``+31612345678``; (None, stripped text) when it is no single entity."""
    q = value.strip()
    ents = extract_entities(q, default_region=default_region)
    if len(ents) == 1 and ents[0].start == 0 and ents[0].end == len(q):
        return ents[0].type, ents[0].value
    if q.startswith("@") or q.lower().startswith(("t.me/", "https://t.me/")):
        name = q.lower().split("/")[-1].lstrip("@")
        return "username", "@" + name
    return None, q
