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

from tgintel import accel
from tgintel.detect.entities import contacts, money
from tgintel.model import Entity

try:  # google-re2 (a dependency) computes a line's facts and scanner gates; without it Python's tests do
    import re2 as _re2
except ImportError:  # pragma: no cover
    _re2 = None

__all__ = ["ENTITY_TYPES", "PAYMENT_METHODS", "extract_entities", "normalize_value"]

ENTITY_TYPES = (
    "username", "tme_link", "url", "onion", "phone", "email", "btc", "eth", "tron", "xmr", "iban", "price",
    "payment_method",
)  # fmt: skip
PAYMENT_METHODS = money.PAYMENT_METHODS


# Wallets, IBANs, prices and phones all contain an ASCII digit; lines without one skip those scanners.
_DIGIT_RE = re.compile(r"[0-9]")
# Cheap tests that a scanner can find nothing (each a necessary condition of its pattern, so skipping the
# scanner when it fails changes no answer; bench/entities_equivalence.py checks it): a wallet is 25+ ASCII
# letters and digits in a row (this costs half a whitespace split of the line); an IBAN's first match; a
# clean-text URL's ".tld" anchor.
_long_token_search = re.compile(r"[0-9A-Za-z]{25}").search
_iban_search = money.IBAN_RE.search
_tld_anchor_search = contacts.TLD_ANCHOR_RE.search
_onion_word_search = contacts.ONION_WORD_RE.search
# An email's "@" follows a character of its local part ("@handle" at a line's start or after a space is
# no email: the email scanner, which reads the local part backwards from each "@", would find nothing).
_email_at_search = re.compile(r"@(?<=[A-Za-z0-9._%+\-]@)").search


# Reposts are the norm in these markets (the same advert dozens of times a day; ~96% of messages in the
# studies the simulator reproduces): a repost's entities come from this cache for the price of a dict lookup.
CACHE_SIZE = 16384  # about 1.7 kB a text with its entities: under 30 MB
# Adverts that are not reposts are mostly edits of one: the same contact, wallet and payment lines under a
# new price list. Lines are memoised too (see _LINE_BREAK_RE), so an edited advert costs its new lines.
LINE_CACHE_SIZE = 65536  # about 0.5 kB a line with its entities and 0.3 kB with its facts: under 55 MB
_by_start_then_priority = itemgetter(0, 2)
# A line break where a message is cut into separately scanned lines: one followed by a character that no
# pattern continues with after a whitespace (every pattern that can span a "\n" does so through a "\s"
# followed by a letter, digit, space, bracket or currency sign), typically an emoji or bullet. Every scanner's
# look-around treats "\n" as it treats the end of the text, so a line gives the same entities alone.
_LINE_BREAK_RE = re.compile(r"\n(?=[^\w\s\[({€$£₽₴₺₹₸¥])")

Gates = tuple[bool, bool, bool, bool, bool]  # digit, obfuscated, loose scheme, "/", "onion": whole-text facts
# The same facts as bits (the low five), then facts only the line's own scanners read. Every fact is "this
# substring occurs", and none of these substrings holds a "\n", so a message's facts are its lines' facts
# or-ed together: a line's facts are memoised with the line, and a message of known lines is never
# lowercased or searched as a whole (both cost more than its lines' look-ups).
_DIGIT, _OBFUSCATED, _LOOSE_SCHEME, _SLASH, _ONION = 1, 2, 4, 8, 16
_MESSAGE_FACTS = 31
_AT, _AT_WORD, _DOTS, _ONION_WORD, _PLUS, _UPPER = 32, 64, 128, 256, 512, 1024
# scan_payments, the wallet scan, the IBAN scan, the prices' sign-first or amount-first pattern may find
# something (set by _facts's RE2 set; always by _facts_py)
_PAYMENT_KEY, _LONG_TOKEN, _IBAN, _PRICE_PRE, _PRICE_POST = 2048, 4096, 8192, 16384, 32768
_TLD = 65536  # a "." before a character that can start a top-level domain (contacts.TLD_ANCHOR_RE)
_GROWS = 1 << 17  # only in a line's memoised facts: lowercasing changes its length (its message is not cut)
_WHOLE_ONLY = _OBFUSCATED | _GROWS  # a message with either fact is scanned whole


_GATES: tuple[Gates, ...] = tuple(
    (bool(m & 1), bool(m & 2), bool(m & 4), bool(m & 8), bool(m & 16)) for m in range(32)
)
# The facts of a line in one pass: an RE2 set over its lowercased UTF-8, whose DFA answers every entry at
# once for about the price of one of Python's character-class searches (each of those, and each substring
# test, reads the whole line again). Each entry says exactly what _facts_py's test for its bit says (a
# substring test on the lowercased text, where ASCII letters, digits and signs of the text stay what they
# are), except "+" (here also a "00" after a non-ASCII digit) and the gates, which may say yes more often
# (that only runs a scanner that then finds nothing; _facts_py opens every gate): each gate is a necessary
# condition of its scanner finding anything, mostly the scanner's own pattern without look-arounds, "\s"
# widened to any character and capitals lowercased: payment words (a regex attempt at every separator
# before a letter), wallets (25 ASCII letters or digits in a row), IBANs, sign-first and amount-first
# prices, a URL's ".tld" anchor. bench/entities_equivalence.py and tests/entities/test_facts.py compare.
_FACT_SET = (
    (money.PAYMENT_GATE, _PAYMENT_KEY),
    ("[0-9A-Za-z]{25}", _LONG_TOKEN),
    ("[0-9]", _DIGIT),
    (r"\+|(?:^|[^0-9+/.,])00", _PLUS),  # contacts.PHONE_00_RE: a "00" not after a digit, "+", "/", ".", ","
    ("/", _SLASH),
    ("://|:/|p//", _LOOSE_SCHEME),
    (r"\.|dot", _DOTS),
    (r" dot | \.|\[:\]|hxxp|htxp|[\[({](?:\.|dot)[\])}]", _OBFUSCATED),  # contacts.obfuscated
    ("onion", _ONION),
    ("on[i\u0131\u0130]on", _ONION_WORD),  # contacts.ONION_WORD_RE
    ("@", _AT),
    (r"\(at\)|\[at\]", _AT_WORD),
    # money.IBAN_RE lowercased, its look-behind dropped; "\d" is Python's Unicode digit (RE2's \p{Nd} is the
    # same class or, in a newer Unicode, a larger one)
    (r"[a-z][a-z]\p{Nd}\p{Nd}(?: ?[a-z0-9]){11,30}", _IBAN),
    (money.PRICE_PRE_GATE, _PRICE_PRE),
    (money.PRICE_POST_GATE, _PRICE_POST),
    # contacts.TLD_ANCHOR_RE's "." and first letter: any character but an ASCII digit, "_" or ASCII space
    (r"\.[^0-9_\t\n\v\f\r ]", _TLD),
)
_FACT_BITS = tuple(bit for _expr, bit in _FACT_SET)
_fact_bit = _FACT_BITS.__getitem__
_digit_search = _DIGIT_RE.search


def _fact_matcher() -> object | None:
    if _re2 is None:
        return None
    try:
        opts = _re2.Options()
        opts.log_errors = False
        opts.max_mem = 64 << 20  # room for the lazily built DFA (a set's DFA restarts its cache, never fails)
        rset = _re2.Set.SearchSet(opts)
        for expr, _bit in _FACT_SET:
            rset.Add(expr)
        rset.Compile()
    except Exception:  # pragma: no cover  # any RE2 trouble: Python's tests instead
        return None
    raw = getattr(rset, "_set", None)  # the extension object under the wrapper: one call less
    return raw.Match if raw is not None and hasattr(raw, "Match") else rset.Match


_fact_match = _fact_matcher()


Found = tuple[tuple[str, str, int, int], ...]
Parts = tuple[tuple[Found, int], ...]  # entities of a text or of its lines, each with the offset to add
# lowercased (None, with _GROWS as its bits: lowercasing changes its length), bits, reads (see _FACTS), first
# digit's position
Facts = tuple[str | None, int, int, int]
# line -> its Facts. ``reads``: the message facts the line's entities depend on. A line depends on a message
# fact only where it lacks that fact itself and a scanner the line can feed reads it: wallets the digit fact
# (a line without digits), the URL scanner the scheme and "/" facts (a line with a dot), the onion scanner
# the "onion" fact (a line with an onion word). Keyed by those facts alone, a contact line is scanned once,
# not once per kind of message it closes.
_FACTS: dict[str, Facts] = {}
# region -> the 32 message-fact combinations -> line -> entities (plain dicts: a look-up costs a third of an
# lru_cache call with a tuple key, and every line of every multi-line message takes one).
_LINES: dict[str | None, list[dict[str, Found]]] = {}
_lines_held = 0


def extract_entities(text: str, *, default_region: str | None = None) -> list[Entity]:
    """Entities in ``text``, sorted by start; ``default_region`` (ISO 3166 alpha-2, e.g. the channel's
    country) lets local phone numbers without ``+`` be read and picks the krone for ``kr``."""
    if not text:
        return []
    return _entities(_extract(text, default_region.upper() if default_region else None), Entity)


def _entities_py(parts: Parts, entity: type[Entity]) -> list[Entity]:
    """The entities of a text's parts, each line's offsets shifted to the text's."""
    return [entity(k, v, s + o, e + o) for found, o in parts for k, v, s, e in found]


def clear_memos() -> None:
    """Empty every memo the extractor keeps (texts, lines, phone parses, checksums, prices): a cold start,
    for benchmarks that measure never-seen texts."""
    from tgintel.detect.entities import checksums

    global _lines_held
    _FACTS.clear()
    _LINES.clear()
    _lines_held = 0
    for fn in (_extract, contacts.parse_phone, money.price_value, checksums.btc_base58, checksums.btc_bech32,
               checksums.eth, checksums.tron, checksums.xmr, checksums.onion, checksums.iban):  # fmt: skip
        fn.cache_clear()


def _extract_py(text: str, region: str | None) -> Parts:
    """A text's entities as parts (see Parts); memoised as _extract."""
    if "\n" in text:
        parts = _line_parts(text, region)
        if parts is not None:
            return parts
    return ((_whole(text, region), 0),)


def _line_parts_py(text: str, region: str | None) -> Parts | None:
    """The entities of a message cut into lines, each line's from the memos (scanned where new); None
    where the message is read whole (one line only; a line with a whole-only fact)."""
    lines = _LINE_BREAK_RE.split(text)
    if len(lines) == 1:
        return None
    facts = []
    mask = 0
    get_facts = _FACTS.get
    for line in lines:
        f = get_facts(line)
        if f is None:
            f = _line_facts(line)
        mask |= f[1]
        facts.append(f)
    # obfuscated writing: the URL scanner's slow mode sees the whole text; a character that lengthens when
    # lowercased: see _whole
    if mask & _WHOLE_ONLY:
        return None
    by_facts = _LINES.get(region)
    if by_facts is None:
        by_facts = _LINES[region] = [{} for _ in range(32)]
    parts = []
    offset = 0
    for line, f in zip(lines, facts):  # noqa: B905 (same length by construction)
        key = mask & f[2]
        found = by_facts[key].get(line)
        if found is None:
            found = _scan_line(line, f, key, region, by_facts[key])
        if found:
            parts.append((found, offset))
        offset += len(line) + 1
    return tuple(parts)


def _scan_line(line: str, f: Facts, key: int, region: str | None, memo: dict[str, Found]) -> Found:
    """Scan a line as its message would (its own facts with the message facts it reads) and memoise it.
    (Scanning a message's new lines joined into one text gives the same answers but costs 7 % more: each
    scanner is gated by each line's own facts, and most new lines need two or three scanners of nine.)"""
    global _lines_held
    lower, bits, _reads, digit = f
    found = _scan(line, lower, region, bits | key, bits, digit)  # type: ignore[arg-type]
    if _lines_held >= LINE_CACHE_SIZE:
        for memos in list(_LINES.values()):  # (a copy: another thread may add a region meanwhile)
            for m in memos:
                m.clear()
        _lines_held = 0
    memo[line] = found
    _lines_held += 1
    return found


def _line_facts_py(line: str) -> Facts:
    lower = line.lower()
    if len(lower) != len(line):
        f: Facts = (None, _GROWS, 0, 0)
    else:
        bits, digit = _facts(line, lower)
        reads = (_LOOSE_SCHEME | _SLASH if bits & _DOTS else 0) | (_ONION if bits & _ONION_WORD else 0)
        if not bits & _DIGIT:
            reads |= _DIGIT
        f = (lower, bits, reads, digit)
    if len(_FACTS) >= LINE_CACHE_SIZE:
        _FACTS.clear()
    _FACTS[line] = f
    return f


def _whole_py(text: str, region: str | None) -> Found:
    """One pass over the whole text (single lines, obfuscated writing, characters that lengthen)."""
    lower = text.lower()
    if len(lower) != len(text):  # a few characters ("İ") lengthen when lowercased; keep offsets aligned
        lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    bits, digit = _facts(text, lower)
    return _scan(text, lower, region, bits, bits, digit)


def _facts(text: str, lower: str) -> tuple[int, int]:
    """The text's facts as bits, and where its first digit is (its length when it has none): one pass of
    the RE2 set (see _FACT_SET) where it can read the text, else the same facts with Python's tests."""
    if _fact_match is not None:
        try:
            data = lower.encode()
        except UnicodeEncodeError:  # a lone surrogate: no UTF-8 for RE2 to read
            return _facts_py(text, lower)
        bits = sum(map(_fact_bit, _fact_match(data)))  # distinct bits: the sum is their or
        if not bits & _DIGIT:
            return bits & ~_PLUS, len(text)  # (a "+" counts only with a digit, as in _facts_py)
        if text != lower:
            bits |= _UPPER
        return bits, _digit_search(text).start()  # type: ignore[union-attr]
    return _facts_py(text, lower)


def _facts_py(text: str, lower: str) -> tuple[int, int]:
    """_facts without RE2. Cheapest tests first: a fact that only digit-bearing scanners read is tested
    only where there is a digit."""
    d = _DIGIT_RE.search(text)
    if d is None:
        bits, digit = 0, len(text)
    else:
        bits, digit = _DIGIT, d.start()
        if "+" in text or ("00" in text and contacts.PHONE_00_RE.search(text) is not None):
            bits |= _PLUS
        if text != lower:
            bits |= _UPPER
    if "/" in lower:
        bits |= _SLASH | _LOOSE_SCHEME if ":/" in text or "p//" in lower else _SLASH
    if "." in lower or "dot" in lower:
        bits |= _DOTS
        if contacts.obfuscated(lower):
            bits |= _OBFUSCATED
    elif ("[" in lower or "xp" in lower) and contacts.obfuscated(lower):  # "[:]", "hxxp", "htxp"
        bits |= _OBFUSCATED
    if "on" in lower and _onion_word_search(lower) is not None:  # "onion" or a writing ONION_RE accepts
        bits |= _ONION | _ONION_WORD if "onion" in lower else _ONION_WORD
    if "@" in text:
        bits |= _AT
    if ("(" in lower or "[" in lower) and ("(at)" in lower or "[at]" in lower):
        bits |= _AT_WORD
    bits |= _PAYMENT_KEY | _IBAN | _PRICE_PRE | _PRICE_POST | _TLD
    if _long_token_search(text) is not None:
        bits |= _LONG_TOKEN
    return bits, digit


def _gates(text: str, lower: str) -> Gates:
    """The whole-text facts the scanners are gated by (for tests and callers of ``_scan``)."""
    return _GATES[_facts(text, lower)[0] & _MESSAGE_FACTS]


def _scan_py(text: str, lower: str, region: str | None, mask: int, bits: int, digit: int) -> Found:
    """Entities of ``text`` (a message or one of its lines) given its message's facts ``mask``, its own
    facts ``bits`` and its first digit's position. Each scanner runs only where a string it cannot match
    without occurs: most lines an advert is cut into hold one or two kinds of entity, and a scanner's call
    and first search cost more than these tests."""
    found: list[contacts.Candidate] = []
    if bits & (_AT | _SLASH):
        contacts.scan_telegram(text, lower, found)
    if mask & _ONION and bits & _ONION_WORD:
        contacts.scan_onion(text, lower, found, True)
    if bits & _AT_WORD or (bits & _AT and _email_at_search(text) is not None):
        contacts.scan_email(text, lower, found)
    # Clean writing without a loose scheme: the URL scanner finds nothing without a "." and a letter (the
    # anchor it starts from); amounts like "0.0012" stop here.
    if bits & _DOTS and (
        mask & (_OBFUSCATED | _LOOSE_SCHEME) or (bits & _TLD and _tld_anchor_search(lower) is not None)
    ):
        contacts.scan_url(text, lower, found, _GATES[mask & _MESSAGE_FACTS][1:4])
    if bits & _PAYMENT_KEY:
        money.scan_payments(text, lower, found)
    if mask & _DIGIT:
        # (A TRON address may lack digits: wallets are looked for wherever the message has a digit.) An
        # address is 25+ ASCII letters and digits in a row: _LONG_TOKEN, which both _facts paths always
        # test (RE2's set over the lowercased text, where such a run of the text stays one, or
        # _long_token_search), so a text without it is not scanned, however long.
        n = len(text)
        wallets = n > 24 and bits & _LONG_TOKEN != 0
        if bits & _DIGIT:  # IBANs, prices and phone numbers have digits themselves
            if wallets:
                money.scan_wallets(text, found)
            # An IBAN starts with two capitals, two characters before its first digit.
            if bits & _IBAN and bits & _UPPER and _iban_search(text, digit - 2 if digit > 2 else 0):
                money.scan_iban(text, found, digit - 2 if digit > 2 else 0)
            if bits & (_PRICE_PRE | _PRICE_POST):
                # (sign first, amount first: positional, a keyword call costs more)
                money.scan_prices(
                    text, lower, region, found, digit, bits & _PRICE_PRE != 0, bits & _PRICE_POST != 0
                )
            if region is not None or bits & _PLUS:  # no "+" or "00" that can start a number: a local one
                contacts.scan_phone(text, region, found)
        elif wallets:
            money.scan_wallets(text, found)
    if not found:
        return ()
    if len(found) == 1:
        start, end, _prio, kind, value = found[0]
        return ((kind, value, start, end),)
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


# The compiled mirror of the per-message and per-line bookkeeping above (tgintel/detect/entities/_c_lines.c:
# _extract_py, _line_parts_py with _scan_line, _line_facts_py with _facts, _whole_py, _scan_py, _entities_py),
# where it was built and TGINTEL_PURE_PYTHON=1 does not rule it out. On distinct multi-line adverts that
# bookkeeping was most of the Python path's instructions; the scanners it calls stay in Python.
# tests/entities/test_c_lines.py compares both paths.
_c_lines = accel.load("tgintel.detect.entities._c_lines")
if _c_lines is not None:
    _c_lines.configure(globals())  # (reads _fact_match, _FACTS, _LINES and the cache sizes at call time)
    _line_parts, _line_facts, _scan = _c_lines.line_parts, _c_lines.line_facts, _c_lines.scan
    _whole, _entities = _c_lines.whole, _c_lines.entities
    _extract = lru_cache(maxsize=CACHE_SIZE)(_c_lines.extract)
else:
    _line_parts, _line_facts, _scan = _line_parts_py, _line_facts_py, _scan_py
    _whole, _entities = _whole_py, _entities_py
    _extract = lru_cache(maxsize=CACHE_SIZE)(_extract_py)


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
