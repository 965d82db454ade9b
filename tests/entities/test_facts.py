"""The RE2 set that computes a line's facts and scanner gates against the Python tests it replaces.

The set must give exactly the facts the Python path gives (they pick scanner modes and memo keys), and may
only say "maybe" more often for the gates (a gate that says no where its scanner finds something would lose
an entity). Both paths must therefore give the same entities for any text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tgintel.detect import entities
from tgintel.detect.entities import extract_entities

# Facts read by the scanners and memo keys: the set must agree with the Python tests bit for bit.
EXACT = (
    entities._DIGIT | entities._OBFUSCATED | entities._LOOSE_SCHEME | entities._SLASH | entities._ONION
    | entities._AT | entities._AT_WORD | entities._DOTS | entities._ONION_WORD | entities._UPPER
)  # fmt: skip

# Writings at the edge of each set entry: Unicode digits and spaces, capitals that lowercase to ASCII
# letters (Kelvin sign), letters RE2 folds differently (long s), dotted/dotless I, lone surrogates, emoji.
EDGES = [
    "€ 40,-", "EUR\u00a040", "USD\u200940", "usdt 5", "BTC\n0.5", "40\u00a0000 руб", "5k$", "5 к руб", "40 e",
    "1.800 USD", "500р", "0.01 BTC", "$\u00a080", "US$ 80", "30 kr", "٣٠ EUR", "40 ЕВРО", "12,-- eur",
    "NL91ABNA0417164300", "NL٩١ABNA0417164300", "nl91abna0417164300", "GB82 WEST 1234 5698 7654 32",
    "+31 6 12345678", "0031 6 12345678", "x0031612345678", "٣0031612345678", "1/00 31", "a+b", "00",
    "shop.com", "site.рф", "a. com", "a.\u00a0com", "0.0012", "x.5", "a._b", "hxxp://x[.]y", "htxp://x.y",
    "x [dot] y", "x (.) y", "x dot y", "http//a.b", "http:/a.b", "ftp://1.2.3.4/x", "[:]",
    "paypal", "💰PayPal", "(paypal)", "«bitcoin»", "xpaypal", "iDEAL", "ideal", "Wise", "wise", "нал",
    "\u212a", "ſepa", "onıon", "onİon", "İstanbul", "abc.onion", "x@y.com", "a(at)b.com", "@handle",
    "\ud800 paypal 40€", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "TPA1x937ZGrLsp3vq6RGeoPGK4i4TwyEjL",
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "0x52908400098527886E0F7030069857D2E4169EE7",
    "1/00 31٣٠ EUR", "5٣ eur", "40 000 ₽", "5 k eur",
]  # fmt: skip


def _texts() -> list[str]:
    data = Path(__file__).resolve().parent.parent / "data" / "tg-spam" / "spam-samples.txt"
    spam = [x for x in data.read_text("utf-8").splitlines() if x][:120]
    return EDGES + spam + [a + "\n" + b for a, b in zip(EDGES, reversed(EDGES), strict=True)]


def _extract_with(texts: list[str], region: str | None, fact_match: object) -> list[list[tuple]]:
    saved = entities._fact_match
    entities._fact_match = fact_match
    entities.clear_memos()
    try:
        return [[(e.type, e.value, e.start, e.end) for e in extract_entities(t, default_region=region)]
                for t in texts]  # fmt: skip
    finally:
        entities._fact_match = saved
        entities.clear_memos()


needs_re2 = pytest.mark.skipif(entities._fact_match is None, reason="google-re2 missing: Python path only")


@needs_re2
@pytest.mark.parametrize("region", [None, "NL", "NO"])
def test_both_paths_give_the_same_entities(region: str | None) -> None:
    texts = _texts()
    re2_path = _extract_with(texts, region, entities._fact_match)
    python_path = _extract_with(texts, region, None)
    assert re2_path == python_path
    assert sum(map(len, re2_path)) > 100  # the edges do hold entities


@needs_re2
def test_exact_facts_agree_and_gates_only_widen() -> None:
    for text in _texts():
        lower = text.lower()
        if len(lower) != len(text):
            continue  # _whole lowercases such texts its own way
        py_bits, py_digit = entities._facts_py(text, lower)
        bits, digit = entities._facts(text, lower)
        assert (bits & EXACT, digit) == (py_bits & EXACT, py_digit), text
        # "+" may be set more often (a "00" after a non-ASCII digit), never less often; the Python path
        # opens every scanner gate, so there is nothing to compare for those
        assert not py_bits & entities._PLUS or bits & entities._PLUS, text


@needs_re2
def test_gates_close_where_nothing_can_be_found() -> None:
    # the point of the set: a plain price line needs neither the payment nor the sign-first price scan
    bits, _ = entities._facts("✔️ Fake AirPods - 0.0008 BTC", "✔️ fake airpods - 0.0008 btc")
    assert not bits & (entities._PAYMENT_KEY | entities._PRICE_PRE | entities._LONG_TOKEN | entities._IBAN)
    assert bits & entities._PRICE_POST
    bits, _ = entities._facts("Pay with PayPal", "pay with paypal")
    assert bits & entities._PAYMENT_KEY


PIECES = st.sampled_from([*EDGES, " ", "\n", ".", "/", "0", "00", "+", "@", "€", "k", "😀", "\u00a0", "İ"])


@needs_re2
@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=12).map("".join))
def test_random_texts_same_entities_on_both_paths(text: str) -> None:
    assert _extract_with([text], None, entities._fact_match) == _extract_with([text], None, None)


# Payment writings as sellers write them, one or more for each of money._PAYMENT_WRITINGS, with the Unicode
# spaces and word endings the Python classes take and RE2's ASCII ones would not: the payment gate (each
# writing without its look-arounds) must say yes wherever scan_payments finds a method.
PAYMENTS = [
    "cash app", "cash\u00a0app", "cashapp", "cash", "paypal", "pay pal", "пейпал", "пэйпал", "paysafe",
    "paysafe\u2003card", "amazon gift cards", "amazon\u00a0gutscheine", "gutscheine", "steam\u2003gift card",
    "itunes cards", "google play gift\u00a0cards", "gift\u00a0card", "giftcards", "cadeaukaarten",
    "cadeaubonnen", "geschenkkarten", "gutscheinkarte", "lahjakortilla", "подарочные\u00a0картами",
    "bank\u00a0transfer", "bank wire", "wire\u2009transfer", "sepa", "überweisung", "ueberweisung",
    "banküberweisung", "overboeking", "bankoverschrijving", "pankkisiirto", "tilisiirto", "tilisiirrolla",
    "virement\u00a0bancaire", "transferencia bancaria", "bonifico", "przelew", "переводом\u00a0на\u2003карту",
    "перевод на карточку", "банковским\u00a0переводом", "cryptocurrencies", "cryptovaluta", "kryptowährung",
    "kryptovaluutalla", "криптовалютой", "крипту", "bitcoins", "биткоинами", "биток", "monero", "ethereum",
    "tether", "наличными", "налом", "нал", "contant\u00a0geld", "contante", "käteinen", "käteisellä",
    "bargeld", "efectivo", "western\u00a0union", "вестерн\u2003юнион", "money\u00a0gram", "revolut",
    "transferwise", "wise.com", "Wise", "pinpas", "картой", "оплатите\u00a0картой", "оплата картой", "qiwi",
    "киви", "yoomoney", "юmoney", "юмани", "яндекс.\u00a0деньги", "yandex money", "сбп",
    "система быстрых платежей", "apple\u00a0pay", "applepay", "google\u2003pay", "gpay", "venmo", "zelle",
    "skrill", "iDEAL", "tikkie", "mobile\u00a0pay", "mobilepay",
]  # fmt: skip


@needs_re2
@pytest.mark.parametrize("writing", PAYMENTS)
def test_the_payment_gate_opens_for_every_writing(writing: str) -> None:
    from tgintel.detect.entities import money

    for text in (writing, f"💳 {writing}!", f"Оплата: {writing.upper()}\u00a0·", f"x/{writing}"):
        lower = text.lower()
        found: list = []
        money.scan_payments(text, lower, found)
        bits, _ = entities._facts(text, lower)
        assert not found or bits & entities._PAYMENT_KEY, text
    # (each writing is one the scanner takes, so the test is not vacuous; "transferwise" and "wise.com" are
    # held to _CASED's "Wise"/"WISE" as "wise" is, and so found nowhere: the extractor's own behaviour)
    types = [e.type for e in extract_entities("💳 " + writing)]
    assert ("payment_method" in types) == (writing not in ("transferwise", "wise.com"))


@needs_re2
@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from([*PAYMENTS, " ", "\u00a0", "\u2003", "-", "/", "💳"]),
                          st.text(max_size=3)), max_size=8).map("".join))  # fmt: skip
def test_the_payment_gate_is_open_wherever_a_method_is_found(text: str) -> None:
    from tgintel.detect.entities import money

    lower = text.lower()
    if len(lower) != len(text):
        return
    found: list = []
    money.scan_payments(text, lower, found)
    bits, _ = entities._facts(text, lower)
    assert not found or bits & entities._PAYMENT_KEY
