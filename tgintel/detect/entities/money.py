"""Money: wallet addresses and IBANs (checksum-validated), prices, and the payment methods sellers accept.

Prices are normalised to ``"<amount> <code>"`` with a dot decimal and no trailing zeros, whatever the
writing: ``40€``, ``€ 40,-``, ``1.800 USD``, ``500р``, ``0.01 BTC``. A separator followed by exactly three
digits is a thousands separator for fiat money (``1.800 USD`` is 1800) but a decimal for coins
(``1.500 BTC`` is 1.5), because nobody sells for 1500 bitcoin.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from tgintel.detect.entities import checksums
from tgintel.detect.entities.contacts import Candidate, all_matches

# --- wallets -----------------------------------------------------------------------------------------------
# First character, then what precedes it (a fixed-width lookbehind): the engine skips in C to the characters
# an address can start with (eth "0x", bech32 "bc1"/"BC1", base58 "1"/"3", TRON "T", Monero "4"/"8": tokens
# starting otherwise are no wallet) and rejects every position inside a word at once.
TOKEN_RE = re.compile(
    r"[01348bBT](?<![\w\-/=][01348bBT])(?:(?<=0)[xX][0-9a-fA-F]{40}|[0-9A-Za-z]{24,109})(?![\w\-])"
)


def scan_wallets(text: str, out: list[Candidate]) -> None:
    for m in all_matches(TOKEN_RE, text):
        tok = m.group(0)
        n = len(tok)
        first = tok[0]
        value: str | None = None
        kind = ""
        if n == 42 and tok[1] in "xX" and first == "0":
            kind, value = "eth", checksums.eth(tok)
        elif tok[:3].lower() == "bc1":
            kind, value = "btc", checksums.btc_bech32(tok)
        elif first in "13" and n <= 35:
            kind, value = "btc", checksums.btc_base58(tok)
        elif first == "T" and n == 34:
            kind, value = "tron", checksums.tron(tok)
        elif first in "48" and n in (95, 106):
            kind, value = "xmr", checksums.xmr(tok)
        if value is not None:
            out.append((m.start(), m.end(), 1, kind, value))


IBAN_RE = re.compile(r"[A-Z][A-Z](?<![\w\-][A-Z][A-Z])\d\d(?: ?[A-Z0-9]){11,30}")


def scan_iban(text: str, out: list[Candidate], pos: int = 0) -> None:
    """``pos``: where to start looking (an IBAN starts two letters before its first digit)."""
    for m in all_matches(IBAN_RE, text, pos):
        s = m.group(0)
        need = checksums.IBAN_LENGTHS.get(s[:2])
        if need is None:
            continue
        count = 0
        cut = 0
        for i, c in enumerate(s):
            if c != " ":
                count += 1
                if count == need:
                    cut = i + 1
                    break
        if not cut:
            continue
        end = m.start() + cut
        if end < len(text) and (text[end].isalnum() or text[end] == "-"):
            continue
        value = checksums.iban(s[:cut])
        if value is not None:
            out.append((m.start(), end, 1, "iban", value))


# --- prices ------------------------------------------------------------------------------------------------
CRYPTO = frozenset({"BTC", "ETH", "USDT", "XMR"})
_SIGNS = {"€": "EUR", "$": "USD", "£": "GBP", "₽": "RUB", "₴": "UAH", "₺": "TRY", "₹": "INR", "₸": "KZT",
          "us$": "USD", "c$": "CAD", "a$": "AUD", "¥": "JPY"}  # fmt: skip
# Words after an amount (lowercased) -> code; "kr" is resolved by region.
_WORDS = {
    "eur": "EUR", "euro": "EUR", "euros": "EUR", "евро": "EUR", "€": "EUR", "e": "EUR",
    "usd": "USD", "dollar": "USD", "dollars": "USD", "долларов": "USD", "доллара": "USD", "доллар": "USD",
    "долл": "USD", "бакс": "USD", "баксов": "USD", "бакса": "USD", "$": "USD",
    "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "£": "GBP",
    "rub": "RUB", "руб": "RUB", "рубль": "RUB", "рублей": "RUB", "рубля": "RUB", "р": "RUB", "₽": "RUB",
    "uah": "UAH", "грн": "UAH", "гривен": "UAH", "₴": "UAH",
    "pln": "PLN", "zł": "PLN", "zl": "PLN", "sek": "SEK", "nok": "NOK", "dkk": "DKK", "chf": "CHF",
    "czk": "CZK", "kč": "CZK", "try": "TRY", "₺": "TRY", "kzt": "KZT", "тг": "KZT", "₸": "KZT",
    "byn": "BYN", "cad": "CAD", "aud": "AUD", "inr": "INR", "₹": "INR",
    "btc": "BTC", "bitcoin": "BTC", "биткоин": "BTC", "eth": "ETH", "usdt": "USDT", "xmr": "XMR",
    "monero": "XMR",
}  # fmt: skip
_KRONA = {"NO": "NOK", "DK": "DKK", "IS": "ISK", "SE": "SEK"}
# The amount after its first digit; patterns start with a literal or a small character set (and check what
# precedes with a fixed-width lookbehind after it) so the regex engine can skip ahead in C.
# Each alternative is atomic: giving digits back leaves a digit (or a separator before one) where the tail
# needs a currency, so backtracking into an amount can never succeed; only the switch to the second
# alternative can ("1.8000 btc"). Phone numbers and ids stop costing a retry per digit.
_AMOUNT_REST = r"(?:(?>\d{0,2}(?:[ .,'\u00a0\u202f]\d{3})+(?:[.,]\d{1,8}|))|(?>\d*(?:[.,]\d{1,8}|)))"


def _trie_pattern(words: list[str]) -> str:
    tree: dict[str, dict] = {}
    for w in words:
        node = tree
        for c in w:
            node = node.setdefault(c, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        alts = [re.escape(c) + emit(sub) for c, sub in sorted(node.items()) if c]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body}|)" if "" in node else body

    return emit(tree)


# The currency words after an amount ("e" is its own alternative: only before a space or the end).
POST_WORDS = tuple(sorted(w for w in [*_WORDS, "kr"] if w != "e"))
# One trie-shaped alternation (each character tested once) instead of 60 alternatives tried in turn.
_WORD_ALT = _trie_pattern(list(POST_WORDS))
_PRE_TAIL = rf"\s?(?P<amt>[0-9]{_AMOUNT_REST})(?:(?P<k>[kKкК](?!\w))|)(?:,-{{1,2}}|\.-|)(?![\w.,]\d|\d)"
# "€ 40,-", "$80" ("US$ 80", "C$", "A$": the letters before "$" are read by scan_prices), "USD 1,800",
# "EUR 40": one pass; every alternative starts with a literal, so the engine skips to those characters in C.
PRICE_PRE_RE = re.compile(rf"(?P<pre>€|\$|£|₽|₴|₺|₹|₸|¥|EUR\s|USD\s|GBP\s|RUB\s|USDT\s|BTC\s){_PRE_TAIL}")
PRICE_POST_RE = re.compile(
    # "40€", "40 euro", "1.800 USD", "500р", "0.01 BTC", "5k$", "30 kr"
    rf"(?P<amt>[0-9](?<![\w.,+\-][0-9]){_AMOUNT_REST})(?:,-{{1,2}}|\.-|)\s?(?:(?P<k>[kк]\s?)|)"
    rf"(?P<post>{_WORD_ALT}|e(?=\s|$))\.?(?<!\.\.)(?![^\W\d_])",
)  # run on the lowercased text: case-insensitive matching costs ~4x more in Python's engine


# Necessary conditions of a PRICE_PRE_RE match in the text and of a PRICE_POST_RE match in the lowercased
# text, written for RE2 over the lowercased text (entities._FACT_SET): look-arounds dropped, every "\s" any
# character (RE2's "\s" is ASCII only), the amount any run of its characters (after its first, "\d" is any
# Unicode digit: RE2's \p{Nd}, the same class or, in a newer Unicode, a larger one); codes lowercased.
PRICE_PRE_GATE = r"(?:[€$£₽₴₺₹₸¥]|(?:eur|usd|gbp|rub|usdt|btc)(?s:.))(?s:.)?[0-9]"
PRICE_POST_GATE = rf"[0-9][0-9\p{{Nd}} .,'\x{{a0}}\x{{202f}}\-]*(?s:.)?(?:[kк](?s:.)?)?(?:{_WORD_ALT}|e)"


def parse_amount(raw: str, code: str) -> Decimal | None:
    s = raw.replace(" ", "").replace("\u00a0", "").replace("\u202f", "").replace("'", "")
    dots, commas = s.count("."), s.count(",")
    if dots and commas:
        dec = "." if s.rfind(".") > s.rfind(",") else ","
        s = s.replace("," if dec == "." else ".", "").replace(dec, ".")
    elif dots + commas:
        sep = "." if dots else ","
        head, _, tail = s.rpartition(sep)
        if dots + commas > 1:
            s = s.replace(sep, "")
        elif len(tail) == 3 and code not in CRYPTO and head.strip("0") != "":
            s = head + tail
        else:
            s = head + "." + tail
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def format_amount(d: Decimal) -> str:
    text = format(d.normalize(), "f")
    return text


@lru_cache(maxsize=8192)
def price_value(amount: str, code: str, thousands: bool) -> str | None:
    """``"<amount> <code>"`` as the entity contract writes it (prices repeat: cached)."""
    if not thousands and len(amount) <= 28 and amount.isdigit() and amount.isascii():
        # What parse_amount and format_amount make of plain ASCII digits (Decimal's normalize rounds to
        # its 28-digit precision only beyond 28 digits), without building a Decimal
        return f"{amount.lstrip('0') or '0'} {code}"
    value = parse_amount(amount, code)
    if value is None:
        return None
    if thousands:
        value *= 1000
    return f"{format_amount(value)} {code}"


_price_pre_search = PRICE_PRE_RE.search
assert PRICE_PRE_RE.groupindex == {"pre": 1, "amt": 2, "k": 3}  # scan_prices reads the groups by number
assert PRICE_POST_RE.groupindex == {"amt": 1, "k": 2, "post": 3}
_price_post_search = PRICE_POST_RE.search


def scan_prices(
    text: str,
    lower: str,
    region: str | None,
    out: list[Candidate],
    digit: int = 0,
    sign_first: bool = True,
    amount_first: bool = True,
) -> None:
    """``digit``: the position of the text's first digit (every amount starts with one, and a sign or code
    is at most six characters before it), so the searches skip what precedes it. ``sign_first`` /
    ``amount_first``: False where the caller knows that PRICE_PRE_RE / PRICE_POST_RE cannot match (see
    PRICE_PRE_GATE)."""
    m = _price_pre_search(text, digit - 6 if digit > 6 else 0) if sign_first else None
    while m is not None:
        start = m.start()
        pre = m.group(1)  # (groups by number: PRICE_PRE_RE.groupindex, a look-up less each)
        if len(pre) == 1:
            code = _SIGNS[pre]
            if pre == "$" and start and text[start - 1] in "SCA":
                prefix = "US" if text.endswith("US", 0, start) else text[start - 1]
                prefixed = _SIGNS.get(prefix.lower() + "$")  # "S$" alone is no sign we know (was a KeyError)
                if prefixed is not None:
                    start -= len(prefix)
                    code = prefixed
        else:
            code = pre[:-1]
        if not start or not (text[start - 1].isalnum() or text[start - 1] in ".,"):  # nothing glued before
            amount, k = m.group(2, 3)
            value = price_value(amount, code, k is not None)
            if value is not None:
                out.append((start, m.end(), 2, "price", value))
        after = m.end()
        m = _price_pre_search(text, after) if after < len(text) else None
    m = _price_post_search(lower, digit) if amount_first else None
    while m is not None:
        amount, k, post = m.group(1, 2, 3)  # amt, k, post
        if post != "e" or amount.isdigit():
            code = _KRONA.get(region or "", "SEK") if post == "kr" else _WORDS.get(post, "")
            if code:
                value = price_value(amount, code, k is not None)
                if value is not None:
                    out.append((m.start(), m.end(), 2, "price", value))
        after = m.end()
        m = _price_post_search(lower, after) if after < len(lower) else None


# --- payment methods ---------------------------------------------------------------------------------------
# Each writing is (key, rest, method): the key is a literal that starts a word; all keys form one trie-shaped
# pattern run over the lowercased text (a few microseconds), and only where a key occurs are the full
# writings tried. A big case-insensitive alternation of the writings costs ~50x more per message.
_PAYMENT_WRITINGS: tuple[tuple[str, str, str], ...] = (
    ("cash", r"\s?app", "cashapp"),
    ("cash", r"(?![\s\-]?(?:out|app|back|flow)\b)", "cash"),
    ("paypal", "", "paypal"), ("pay pal", "", "paypal"), ("пейпал", "", "paypal"), ("пэйпал", "", "paypal"),
    ("paysafe", r"(?:\s?card)?", "paysafecard"),
    ("amazon", r"\s?(?:gift\s?cards?|gutscheine?)", "gift_card"), ("gutschein", "e?", "gift_card"),
    ("steam", r"\s?(?:gift\s?)?cards?", "gift_card"),
    ("itunes", r"\s?(?:gift\s?)?cards?", "gift_card"), ("google play", r"\s?(?:gift\s?)?cards?", "gift_card"),
    ("gift", r"\s?cards?", "gift_card"), ("giftcard", "s?", "gift_card"),
    ("cadeaukaart", "(?:en)?", "gift_card"), ("cadeaubon", "(?:nen)?", "gift_card"),
    ("geschenkkarte", "n?", "gift_card"), ("gutscheinkarte", "n?", "gift_card"),
    ("lahjakort", "(?:ti|it|illa)", "gift_card"), ("подарочн", r"(?:ая|ые|ой|ую)\s?карт\w*", "gift_card"),
    ("bank", r"\s?(?:transfer|wire)", "bank_transfer"), ("wire", r"\s?transfer", "bank_transfer"),
    ("sepa", "", "bank_transfer"), ("überweisung", "", "bank_transfer"),
    ("ueberweisung", "", "bank_transfer"),
    ("banküberweisung", "", "bank_transfer"), ("overboeking", "", "bank_transfer"),
    ("bankoverschrijving", "", "bank_transfer"), ("pankkisiirto", "", "bank_transfer"),
    ("tilisiirto", "", "bank_transfer"), ("tilisiirrolla", "", "bank_transfer"),
    ("virement", r"(?:\sbancaire)?", "bank_transfer"), ("transferencia", r"(?:\sbancaria)?", "bank_transfer"),
    ("bonifico", "", "bank_transfer"), ("przelew", "", "bank_transfer"),
    ("перевод", r"(?:ом)?\s(?:на\s)?(?:карту|карточку)", "card"),  # card-to-card: see docs
    ("банковск", r"(?:ий|им)\sперевод(?:ом)?", "bank_transfer"),
    ("crypto", r"(?:currency|currencies)?", "crypto"), ("cryptovaluta", "", "crypto"),
    ("krypto", r"(?:valuutta|valuutalla|währung)?", "crypto"), ("крипт", r"(?:а|у|ой|е|овалют\w*)", "crypto"),
    ("bitcoin", "s?", "crypto"), ("биткоин", r"\w*", "crypto"), ("биток", "", "crypto"),
    ("monero", "", "crypto"), ("ethereum", "", "crypto"), ("tether", "", "crypto"),
    ("наличн", "(?:ые|ыми|ый|ых)", "cash"), ("налом", "", "cash"), ("нал", "", "cash"),
    ("contant", r"(?:e|\sgeld)?", "cash"), ("käteinen", "", "cash"), ("käteisellä", "", "cash"),
    ("bargeld", "", "cash"), ("efectivo", "", "cash"),
    ("western", r"\s?union", "western_union"), ("вестерн", r"\s?юнион", "western_union"),
    ("money", r"\s?gram", "moneygram"),
    ("revolut", "", "revolut"),
    ("transferwise", "", "wise"), ("wise.com", "", "wise"),
    ("wise", "", "wise"),  # only as the brand is written, "Wise"/"WISE": "wise" is an everyday word
    # "credit cards", "Kreditkarten", "Visa/Mastercard" are what carding channels sell, not how they are paid:
    # only card payment phrases count.
    ("pinpas", "", "card"), ("картой", "", "card"), ("оплат", r"\w*\sкартой", "card"),
    ("qiwi", "", "qiwi"), ("киви", "", "qiwi"),
    ("yoomoney", "", "yoomoney"), ("юmoney", "", "yoomoney"), ("юмани", "", "yoomoney"),
    ("яндекс", r"\.?\s?деньги", "yoomoney"), ("yandex", r"\.?\s?money", "yoomoney"),
    ("сбп", "", "sbp"), ("система быстрых платежей", "", "sbp"),
    ("apple", r"\s?pay", "apple_pay"), ("applepay", "", "apple_pay"),
    ("google", r"\s?pay", "google_pay"), ("gpay", "", "google_pay"),
    ("venmo", "", "venmo"), ("zelle", "", "zelle"), ("skrill", "", "skrill"),
    ("ideal", "", "ideal"),  # only as written "iDEAL"/"iDeal": "ideal" is an everyday word
    ("tikkie", "", "tikkie"),
    ("mobile", r"\s?pay", "mobilepay"), ("mobilepay", "", "mobilepay"),
)  # fmt: skip
_CASED = {"ideal": ("iDEAL", "iDeal"), "wise": ("Wise", "WISE")}
PAYMENT_METHODS = tuple(dict.fromkeys(w[2] for w in _PAYMENT_WRITINGS))


_PAYMENT_TRIE = _trie_pattern(sorted({w[0] for w in _PAYMENT_WRITINGS}))
# A key is tried only after a separator (space, punctuation, emoji, bullet): the pattern starts with that
# character class, which the regex engine tests in C, so letters inside words cost almost nothing (5x faster
# than trying the keys at every letter). The start of the text is tried on its own. The trie captures the
# longest key found there; every key that matches there is a prefix of it.
_SEPARATORS = " \n\t\r,.:;!?()\\[\\]{}/|*\"'«»<>=+#~\\-\u00a0\u2000-\u2bff\ufe0f\U0001f000-\U0001faff"
# (The look-ahead for a key's first letter is one set test; entering the trie's alternation costs more.)
_PAYMENT_FIRST_LETTERS = "".join(re.escape(c) for c in sorted({w[0][0] for w in _PAYMENT_WRITINGS}))
_PAYMENT_KEYS_RE = re.compile(f"[{_SEPARATORS}](?=[{_PAYMENT_FIRST_LETTERS}])({_PAYMENT_TRIE})")
_PAYMENT_FIRST_RE = re.compile(_PAYMENT_TRIE)


def _gate_writing(key: str, rest: str) -> str:
    """A writing for RE2, matching wherever the writing can (a superset): "\\s" and "\\w" (Unicode classes in
    Python, ASCII ones in RE2) widened to any character, a rest that is only a look-ahead dropped."""
    if rest.startswith("(?!"):
        rest = ""
    gate = re.escape(key) + rest.replace(r"\s", "(?s:.)").replace(r"\w", "(?s:.)")
    # (no look-around left, and no class a widened "\s" would have gone into)
    assert "(?!" not in gate and "(?=" not in gate and "(?<" not in gate and "[" not in gate, gate
    return gate


# Where scan_payments can find anything: a writing (its key and the rest _payment_at matches, without the
# look-arounds) at the start or after a separator: a necessary condition, for a DFA gate (see
# entities._FACT_SET). Keys alone said yes to every "bank", "gift", "money" or "google" in a line.
PAYMENT_GATE = f"(?:^|[{_SEPARATORS}])(?:{'|'.join(_gate_writing(k, r) for k, r, _m in _PAYMENT_WRITINGS)})"
# Longest key -> the writings whose key is a prefix of it, in _PAYMENT_WRITINGS order (ties keep the first).
_PAYMENT_BY_KEY: dict[str, list[tuple[re.Pattern[str], str]]] = {}
for _longest in {w[0] for w in _PAYMENT_WRITINGS}:
    _PAYMENT_BY_KEY[_longest] = [
        (re.compile(re.escape(_key) + _rest + r"(?![^\W_])"), _method)
        for _key, _rest, _method in _PAYMENT_WRITINGS
        if _longest.startswith(_key)
    ]


def _payment_at(text: str, lower: str, pos: int, key: str, out: list[Candidate]) -> int:
    best_end, best = -1, ""
    for pattern, method in _PAYMENT_BY_KEY[key]:
        m = pattern.match(lower, pos)
        if m is not None and m.end() > best_end:
            best_end, best = m.end(), method
    if best in _CASED and text[pos:best_end] not in _CASED[best]:
        return -1
    if best:
        out.append((pos, best_end, 5, "payment_method", best))
        return best_end
    return -1


_PAYMENT_FIRST_SET = frozenset(w[0][0] for w in _PAYMENT_WRITINGS)
_payment_keys_search = _PAYMENT_KEYS_RE.search


def scan_payments(text: str, lower: str, out: list[Candidate]) -> None:
    done = -1
    if lower[:1] in _PAYMENT_FIRST_SET:
        first = _PAYMENT_FIRST_RE.match(lower)
        if first is not None:
            done = _payment_at(text, lower, 0, first.group(0), out)
    k = _payment_keys_search(lower)
    while k is not None:
        pos = k.start(1)
        if pos >= done:
            end = _payment_at(text, lower, pos, k.group(1), out)
            if end != -1:
                done = end
        after = k.end()
        k = _payment_keys_search(lower, after) if after < len(lower) else None
