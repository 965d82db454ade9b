"""The compiled line loop (tgintel/detect/entities/_c_lines.c) gives exactly what the Python it mirrors gives.

Both paths run in this process: the Python one by pointing the module's dispatch names back at the ``*_py``
functions (every memo emptied before each path, then each text asked again to read the memos).
Under TGINTEL_PURE_PYTHON=1, or where the module was not built, only the Python path exists: the comparisons
skip and the rest of tests/entities checks that path.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tgintel.detect import entities
from tgintel.detect.entities import extract_entities

C = entities._c_lines
pytestmark = pytest.mark.skipif(C is None, reason="_c_lines not built or TGINTEL_PURE_PYTHON=1")
DATA = Path(__file__).resolve().parent.parent / "data"
REGIONS = (None, "NL", "NO", "RU", "GB", "US")


@contextmanager
def python_path() -> Iterator[None]:
    names = ("_line_parts", "_line_facts", "_scan", "_whole", "_entities", "_extract")
    saved = [getattr(entities, n) for n in names]
    for n in names[:-1]:
        setattr(entities, n, getattr(entities, n + "_py"))
    entities._extract = lru_cache(maxsize=entities.CACHE_SIZE)(entities._extract_py)
    entities.clear_memos()
    try:
        yield
    finally:
        for n, fn in zip(names, saved, strict=True):
            setattr(entities, n, fn)
        entities.clear_memos()


def rows(text: str, region: str | None) -> list[tuple[str, str, int, int]]:
    return [(e.type, e.value, e.start, e.end) for e in extract_entities(text, default_region=region)]


def answers(texts: list[str], region: str | None) -> list[list[tuple[str, str, int, int]]]:
    """Each text's entities cold, then all of them again (every line now memoised), as plain tuples."""
    out = [rows(t, region) for t in texts]
    assert [rows(t, region) for t in texts] == out
    return out


def assert_same(texts: list[str], region: str | None = None) -> None:
    entities.clear_memos()
    compiled = answers(texts, region)
    with python_path():
        reference = answers(texts, region)
    for text, c, p in zip(texts, compiled, reference, strict=True):
        assert c == p, text[:300]


# Multi-line adverts: bullets and emoji after line breaks (where messages are cut), writings that join across
# a break, characters that lengthen when lowercased, lone surrogates (no UTF-8: the Python fact tests), NUL,
# astral characters, every kind of entity.
PIECES = st.sampled_from([
    "\n", "\n▪️ ", "\n📞 ", "\n➡️ https://", "\n• ", "\n- ", "\n\n", "\r\n", " ", "\t", "40", "€", "$", "US$",
    "S$5", "bank", "USD", "t.me/", "t.me/+AbC_d", "shop_24", "@vendor", "[.]", " dot ", "onion", "http/",
    "hxxp://", "1.2.3.4", "/", "+31 6 1234 5678", "0612345678", "NL91 ABNA 0417 1643 00",
    "TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "0x52908400098527886E0F7030069857D2E4169EE7", "İ", "ΟΣ",
    "ß", "40\n€", "€\n40", "USD\n40", "40\nk€", "1.800 USD", "0.01 BTC", "500р", "5k$", "30 kr",
    "bank\ntransfer", "cash\napp", "PayPal", "iDEAL", "Wise", "крипта", "shop\ndot\ncom",
    "shop [at]\nmail.ru", "vendor@mail.ru", "\n(.)\nonion", "a\n[.]\nb", "\ud800", "\udfff", "\x00", "😀",
    "\U0010ffff", "٣٠",
    "https://example.com/x", "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvw.onion",
])  # fmt: skip
ANY_CHAR = st.characters(exclude_categories=())  # surrogates included
TEXTS = st.lists(st.one_of(PIECES, st.text(ANY_CHAR, max_size=8)), max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=6), st.sampled_from(REGIONS))
def test_generated_multiline_texts_give_the_same_entities(texts: list[str], region: str | None) -> None:
    # several texts per example: later ones meet the lines the earlier ones left in the memos
    assert_same(texts, region)


def _spam() -> list[str]:
    return [ln for ln in (DATA / "tg-spam" / "spam-samples.txt").read_text("utf-8").splitlines() if ln]


def _smishing() -> list[str]:
    path = next((DATA / "smishing").glob("*.csv"))
    with path.open(encoding="utf-8", errors="replace", newline="") as f:
        return [row[1] for row in csv.reader(f) if len(row) > 1 and row[1]]


def _adverts(lines: list[str]) -> list[str]:
    """Real lines joined into multi-line adverts as sellers lay them out (bullets, emoji, blank lines)."""
    heads = ("\n▪️ ", "\n📞 ", "\n", "\n\n", "\n• ", "\n➡️ ")
    return ["".join(heads[(i + j) % len(heads)] + ln for j, ln in enumerate(lines[i : i + 5])).lstrip("\n")
            for i in range(0, len(lines), 3)]  # fmt: skip


@pytest.mark.parametrize("region", [None, "NL", "RU"])
def test_real_messages_give_the_same_entities(region: str | None) -> None:
    spam, sms = _spam(), _smishing()[:1500]
    assert len(spam) > 100 and len(sms) > 1000
    assert_same(spam + sms + _adverts(spam) + _adverts(sms), region)


def test_simulated_market_gives_the_same_entities(tmp_path: Path) -> None:
    import orjson

    from tgintel.sources.simulate import simulate

    simulate(tmp_path, channels=8, days=6, seed=5, repetition=0.3)
    rows = [orjson.loads(ln) for ln in (tmp_path / "truth.jsonl").read_bytes().splitlines()]
    texts = list(dict.fromkeys(r["text"] for r in rows if r["kind"] == "message" and r["text"]))
    assert len(texts) > 100 and sum("\n" in t for t in texts) > 50
    assert_same(texts)
    assert_same(texts, "DE")


def test_very_long_texts_give_the_same_entities() -> None:
    line = "📞 +31 6 1234 5678 • 40€ • t.me/shop_24 • PayPal • NL91ABNA0417164300 • ΟΣ \ud800"
    long_lines = "\n▪️ ".join(f"{line} {i}" for i in range(20000))  # ~1.7 M characters, 20,000 lines
    one_line = "x " * 500_000 + "@vendor_shop"
    assert_same([long_lines, one_line, "\n" * 100_000 + "😀", "\n😀" * 50_000], "NL")


def test_the_split_is_the_regexs_for_every_character() -> None:
    for lo in range(0, sys.maxunicode + 1, 0x10000):
        text = "".join(f"\n{chr(c)}a" for c in range(lo, lo + 0x10000))
        assert C.split_lines(text) == entities._LINE_BREAK_RE.split(text)
    for text in ("", "\n", "\n\n", "a\n", "\n😀", "😀\n", "a\n😀\n", "\n\n😀", "€\n😀€\n€"):
        assert C.split_lines(text) == entities._LINE_BREAK_RE.split(text), repr(text)


def test_lowercase_is_strs_for_every_character() -> None:
    # each code point alone in UCS-2 and UCS-4 strings, beside ASCII capitals and the capital sigma
    for lo in range(0, sys.maxunicode + 1, 0x1000):
        block = "".join(map(chr, range(lo, lo + 0x1000)))
        for text in (block + "😀", block + "ā", "ΟΣ " + block + "A😀"):
            assert C.lower(text) == text.lower()
        for c in map(chr, range(lo, lo + 0x1000)):
            for text in (c + "😀A", c + "āB", "ā" + c, "x😀" + c + "ΟΣ", "Σ" + c + "😀"):
                assert C.lower(text) == text.lower(), hex(ord(c))


@settings(max_examples=300, deadline=None)
@given(st.text(ANY_CHAR, max_size=40) | st.lists(PIECES, max_size=10).map("".join))
def test_line_facts_are_the_pythons(line: str) -> None:
    line = line.replace("\n", " ")  # (a line has no break; its facts would not care)
    entities.clear_memos()
    compiled = C.line_facts(line)
    assert {line: compiled} == entities._FACTS
    entities.clear_memos()
    assert compiled == entities._line_facts_py(line)
    entities.clear_memos()


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.integers(0, (1 << 17) - 1), st.sampled_from(REGIONS))
def test_scan_is_the_pythons_for_any_gates(text: str, bits: int, region: str | None) -> None:
    # any bits (not only true facts), so every branch and gate combination is taken
    lower = text.lower()
    if len(lower) != len(text):
        return
    digit = next((i for i, c in enumerate(text) if "0" <= c <= "9"), len(text))
    for mask in (bits, bits & entities._MESSAGE_FACTS, 0):
        want = entities._scan_py(text, lower, region, mask, bits, digit)
        assert C.scan(text, lower, region, mask, bits, digit) == want


PRICE_PIECES = st.sampled_from([
    "€", "$", "£", "₽", "¥", "US$", "C$", "A$", "S$", "AS$", "xUS$", "EUR ", "USD ", "USDT ", "BTC ", "RUB ",
    "40", "1.800", "1,800", "0.01", "1 800", "1\u00a0800", "12'500", "0", "00", "5", "٣٠", "k", "K", "к",
    ",-", ".-", ",--", " ", "\n", "eur", "euro", " e ", "e", "kr", " kr", "руб", "р", "btc", "usdt", "zł",
    "kč", "тг", "dollars", ".", ",", "-", "+", "a", "A", "_", "😀", "İ", "\ud800",
])  # fmt: skip
PRICE_TEXTS = st.lists(st.one_of(PRICE_PIECES, st.text(ANY_CHAR, max_size=3)), max_size=25).map("".join)


# Each branch of scan_prices: glued before a sign (letter, digit, ".", ","), the US$/C$/A$/S$ prefixes, codes,
# "e" after a non-digit amount, krone by region, k thousands, no amount.
PRICE_EDGES = [
    ",€40", ".€40", "a€40", "1€40", "_€40", " €40", "€40", "US$5", "xUS$5", "S$5", "AS$5", "aC$5", "C$ 40",
    "A$40k", "€ 40,-", "EUR 40", "xEUR 40", "USDT 5", "40 kr", "40kr", "40 e ", "4.5 e ", "٣٠ e ", "40e",
    "5k$", "5 к руб", "1.800 USD", "1.800 BTC", "0,01 btc.", "40 €.", "40 €..", "40€x", "$", "€", "40",
    "€€40", "$$5", "US$US$5", "40 euro 50 eur", "\n€40\n40€",
]  # fmt: skip


@pytest.mark.parametrize("text", PRICE_EDGES)
def test_scan_prices_is_moneys_on_each_branch(text: str) -> None:
    for region in (None, "NO", "DK", ""):
        for flags in ((True, True), (True, False), (False, True)):
            check_scan_prices(text, region, *flags)


@settings(max_examples=400, deadline=None)
@given(PRICE_TEXTS, st.sampled_from((*REGIONS, "SE", "DK", "IS", "")), st.booleans(), st.booleans())
def test_scan_prices_is_moneys(text: str, region: str | None, sign_first: bool, amount_first: bool) -> None:
    check_scan_prices(text, region, sign_first, amount_first)


def check_scan_prices(text: str, region: str | None, sign_first: bool, amount_first: bool) -> None:
    from tgintel.detect.entities import money

    lower = text.lower()
    first = next((i for i, c in enumerate(text) if "0" <= c <= "9"), len(text))
    for digit in {first, 0, len(text)}:
        want: list = []
        money.scan_prices(text, lower, region, want, digit, sign_first, amount_first)
        got: list = []
        assert C.scan_prices(text, lower, region, got, digit, sign_first, amount_first) is None
        assert got == want


# The hand-written matchers for PRICE_PRE_RE and PRICE_POST_RE: each choice sre backtracks through (the two
# atomic amounts, thousands groups, decimals, ",-"/",--"/".-", a space, "k"/"к" with and without a space, a
# longer then a shorter currency word, "e" before a space or the end, a final ".", "..", a letter after).
MATCH_PIECES = st.sampled_from([
    *PRICE_EDGES, "1 000 000,50", "12 345", "1,234.5", "1'000'000", "1\u202f000", "123456789", "1.2345678901",
    "٣٠٠", "3٠0", "0", "9", ",", ".", "-", "--", ",--", ".-", "k", "K", "к", "К", "k ", "к\u00a0", "\u2003",
    "\u00a0", " ", "\n", "\t", "e", "e.", "e..", "eu", "eur", "euro", "euros", "eurosx", "euro5", "kr", "kr.",
    "k€", "к₽", "zł", "kč", "тг", "грн", "гривен", "долл", "доллар", "доллара", "р", "руб", "рубль", "₽", "€",
    "$", "£", "¥", "₴", "₺", "₹", "₸", "EUR", "EUR ", "EUR\u2009", "USD ", "USDT ", "USDT", "BTC\n", "GBP\t",
    "RUB ", "US$", "C$", "A$", "+", "_", "a", "Z", "ΟΣ", "İ", "\ud800", "😀", "\x00",
])  # fmt: skip
MATCH_TEXTS = st.lists(st.one_of(MATCH_PIECES, st.text(ANY_CHAR, max_size=2)), max_size=16).map("".join)
MATCH_EDGES = [
    "1 000 000,50 €", "12 345 eur", "1,234.5 usd", "10 kr.", "10 eur..", "5 к\u00a0руб", "40,-- €",
    "40.- eur", "€ 40k", "€40K", "€ 40кг", "EUR\u200940", "USDT\t5", "1.2345678901 btc", "٣٠٠ eur", "3٠0 usd",
    "40 euros", "40 eurosx", "40 euro5", "40e", "40 e", "40 e.", "4.5 e", "40 k e", "40 k€", "40к₽", "+40€",
    "-40€", "a40€", "_40€", ".40€", "40 zł", "40 kč", "40 тг", "40 гривен", "40 долл.", "40 $.", "40$..",
    "40 $...", "€ 1 000k", "€1.000,-", "$5,--x", "$5.5.5", "$5k5", "€5к", "€5Кx", "€ 5", "€  5", "EUR  5",
    "12 34 eur", "1 2345 eur", "1.23456789 eur", "1.234567890 eur", "€5 000 000", "5 000 €",
    "40\u00a0000 руб", "40 рублей.", "1e", "1234 567 eur", "€1234 567", "123 456 eur", "12 345 678,5 €",
    "1 234 567.891 usd", "1 2 3 eur", "€ 12 345 678", "1.234.567,89 €", "12'345.6789 btc",
    "1,23456789012 btc",
]  # fmt: skip
# Amounts: runs of digits and separators where the two atomic alternatives and the thousands groups differ.
AMOUNT_TEXTS = st.tuples(
    st.text(st.sampled_from("0123456789٣ .,'-\u00a0k"), max_size=14),
    st.sampled_from(["", " ", "€", " eur", "eur", " e", "e", " kr", "$", " btc", ".", "k€", " к руб", "x"]),
    st.text(st.sampled_from(" .,-e0€"), max_size=2),
).map(lambda t: ("€" if t[0][:1] == "k" else "") + "".join(t))


@pytest.mark.parametrize("text", MATCH_EDGES + PRICE_EDGES)
def test_price_search_is_the_patterns_on_each_choice(text: str) -> None:
    check_price_search(text)


@settings(max_examples=500, deadline=None)
@given(MATCH_TEXTS)
def test_price_search_is_the_patterns(text: str) -> None:
    check_price_search(text)


@settings(max_examples=500, deadline=None)
@given(AMOUNT_TEXTS)
def test_price_search_is_the_patterns_on_amounts(text: str) -> None:
    check_price_search(text)


def check_price_search(text: str) -> None:
    from tgintel.detect.entities import money

    cases = ((text, money.PRICE_PRE_RE, True), (text.lower(), money.PRICE_POST_RE, False))
    for s, pattern, sign_first in cases:
        for pos in range(len(s) + 1):
            m = pattern.search(s, pos)
            want = None
            if m is not None:
                g = m.groups()  # (pre, amt, k) / (amt, k, post)
                want = (m.start(), m.end(), *(g if sign_first else (g[2], g[0], g[1])))
            assert C.price_search(s, pos, sign_first) == want, (s, pos)


AMOUNTS = st.text(st.sampled_from("0123456789٣., '\u00a0"), min_size=1, max_size=32)


@settings(max_examples=400, deadline=None)
@given(AMOUNTS | st.sampled_from(["0" * 28, "1" * 28, "1" * 29, "0", "000", "007", "0.0", "1.800"]),
       st.sampled_from(["EUR", "BTC", "USDT", "XMR", "SEK", "€"]), st.booleans())  # fmt: skip
def test_price_value_is_moneys(amount: str, code: str, thousands: bool) -> None:
    from tgintel.detect.entities import money

    assert C.price_value(amount, code, thousands) == money.price_value.__wrapped__(amount, code, thousands)


def test_memo_limits_apply_to_both_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(entities, "LINE_CACHE_SIZE", 3)  # both read it (and _lines_held) at call time
    texts = [f"📞 +31 6 1234 567{i}\n▪️ {i}0€\n▪️ t.me/shop{i}\n▪️ PayPal" for i in range(10)]
    assert_same(texts, "NL")
    entities.clear_memos()
    for t in texts:
        extract_entities(t)
    c_state = (entities._lines_held, len(entities._FACTS), sum(map(len, entities._LINES[None])))
    with python_path():
        for t in texts:
            extract_entities(t)
        assert (entities._lines_held, len(entities._FACTS), sum(map(len, entities._LINES[None]))) == c_state
    assert c_state[0] <= 3 and c_state[1] <= 3


def test_the_fact_matcher_switch_reaches_the_compiled_path(monkeypatch: pytest.MonkeyPatch) -> None:
    # C reads _fact_match at call time, as the Python does: None selects the Python fact tests
    texts = _spam()[:200]
    entities.clear_memos()
    with_re2 = answers(texts, None)
    monkeypatch.setattr(entities, "_fact_match", None)
    entities.clear_memos()
    assert answers(texts, None) == with_re2
    entities.clear_memos()


def test_bad_arguments_raise_instead_of_crashing() -> None:
    with pytest.raises(TypeError):
        C.split_lines(b"a\n-b")
    with pytest.raises(TypeError):
        C.line_parts(None, None)
    with pytest.raises(TypeError):
        C.extract(1, None)
    with pytest.raises(TypeError):
        C.lower(None)
    with pytest.raises(TypeError):
        C.scan_prices("40€", "40€", None, (), 0, True, True)  # out must be a list
    with pytest.raises(TypeError):
        C.price_search(b"40", 0, False)
    with pytest.raises(TypeError):
        C.price_value("40", None, False)
    with pytest.raises(TypeError):
        C.line_parts("a\n-b")
    with pytest.raises(TypeError):
        C.entities((((("username", "@a", 0),), 0),), entities.Entity)  # a row of three
    with pytest.raises(TypeError):
        C.entities([], entities.Entity)
    with pytest.raises(TypeError):
        C.configure(None)
    C.configure(vars(entities))  # again, as a reload of the package would: the same answers after
    entities.clear_memos()
    assert extract_entities("📞 +31 6 1234 5678\n▪️ 40€", default_region="NL")[1].value == "40 EUR"
    parts = (((), 0), ((("price", "1 EUR", 0, 2),), 5), ((("price", "2 EUR", 1, 3),), 2**70))
    want = [entities.Entity("price", "1 EUR", 5, 7), entities.Entity("price", "2 EUR", 2**70 + 1, 2**70 + 3)]
    assert C.entities(parts, entities.Entity) == entities._entities_py(parts, entities.Entity) == want


class _LowerOverride(str):
    """A str subclass with its own lower(): both paths call it, as the Python does."""

    answer: object = None

    def lower(self) -> object:  # type: ignore[override]
        return type(self).answer


@pytest.mark.parametrize("text", ["call me 0612345678", "звоните 0612345678", "📞 0612345678 40€"])
def test_a_str_subclass_lower_is_honoured_or_refused_alike(text: str) -> None:
    """A lower() that returns no str is a TypeError on both paths (the C once read past such an object);
    one that returns a str is used by both (1-, 2- and 4-byte texts)."""
    for answer in (object(), 12345):
        _LowerOverride.answer = answer
        for path in (python_path, _compiled_path):
            entities.clear_memos()
            with path(), pytest.raises(TypeError):
                extract_entities(_LowerOverride(text), default_region="NL")
    _LowerOverride.answer = text.lower()
    got = []
    for path in (python_path, _compiled_path):
        entities.clear_memos()
        with path():
            got.append([(e.type, e.value, e.start, e.end) for e in
                        extract_entities(_LowerOverride(text), default_region="NL")])
    assert got[0] == got[1] and got[0]


@contextmanager
def _compiled_path() -> Iterator[None]:
    yield


def test_scan_survives_a_candidate_whose_comparison_empties_the_list(monkeypatch: pytest.MonkeyPatch) -> None:
    """The overlap pass compares candidates' positions; a position whose comparison runs Python code that
    empties the candidate list must not leave the C reading a freed candidate."""
    found_lists: list[list] = []  # type: ignore[type-arg]

    class Pos(int):
        def __ge__(self, other: object) -> bool:
            for found in found_lists:
                found.clear()
            return int(self) >= other  # type: ignore[operator]

    def scanner(text, lower, found):  # type: ignore[no-untyped-def]
        found_lists.append(found)
        found.append((Pos(0), Pos(3), 0, "username", "@abc" * 50))
        found.append((Pos(5), Pos(9), 0, "username", "@defg" * 50))
        found.append((Pos(10), Pos(14), 0, "username", "@hijk" * 50))

    monkeypatch.setattr(entities.contacts, "scan_telegram", scanner)
    C.configure(vars(entities))  # the compiled scan takes its scanners at configure time
    try:
        entities.clear_memos()
        text = "@abc x @defg y @hijk"
        rows_ = C.scan(text, text.lower(), None, -1, -1, 0)  # may be cut short; must not crash
        assert isinstance(rows_, tuple) and found_lists  # the scanner ran inside the compiled scan
    finally:
        monkeypatch.undo()
        C.configure(vars(entities))
        entities.clear_memos()
