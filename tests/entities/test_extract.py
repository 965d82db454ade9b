"""Extraction of every entity type: valid, obfuscated and look-alike forms, normalised values, offsets."""

from __future__ import annotations

import itertools

import pytest

from tgintel.detect.entities import ENTITY_TYPES, PAYMENT_METHODS, extract_entities, normalize_value


def found(text: str, region: str | None = None) -> list[tuple[str, str, str]]:
    """(type, value, surface) of every entity, so a wrong offset shows as a wrong surface."""
    return [(e.type, e.value, text[e.start : e.end]) for e in extract_entities(text, default_region=region)]


def values(text: str, etype: str, region: str | None = None) -> list[str]:
    return [v for t, v, _ in found(text, region) if t == etype]


# --- Telegram ----------------------------------------------------------------------------------------------
def test_handles_and_public_links() -> None:
    text = "DM @Green_Plug24 or t.me/GreenPlugShop, https://telegram.me/s/other_chan/55 and www.t.me/x_shop_1"
    assert found(text) == [
        ("username", "@green_plug24", "@Green_Plug24"),
        ("tme_link", "t.me/greenplugshop", "t.me/GreenPlugShop"),
        ("tme_link", "t.me/other_chan", "https://telegram.me/s/other_chan/55"),
        ("tme_link", "t.me/x_shop_1", "www.t.me/x_shop_1"),
    ]


def test_invite_links_keep_hash_case_and_joinchat_becomes_plus() -> None:
    text = "join https://t.me/+AbC_dEf-123456 or t.me/joinchat/AbC_dEf-123456 or tg://join?invite=XyZ12345678"
    assert values(text, "tme_link") == ["t.me/+AbC_dEf-123456", "t.me/+AbC_dEf-123456", "t.me/+XyZ12345678"]


def test_tg_resolve_and_obfuscated_tme() -> None:
    assert values("open tg://resolve?domain=Shop_Bot&start=1", "tme_link") == ["t.me/shop_bot"]
    assert values("t[.]me/hidden_shop", "tme_link") == ["t.me/hidden_shop"]


def test_feature_paths_of_tme_are_not_chats() -> None:
    assert values("stickers: t.me/addstickers/Pack1 share t.me/share/url?x=1", "tme_link") == []


@pytest.mark.parametrize(
    "text",
    [
        "@vеndor_shop",  # Cyrillic е inside: not a Telegram username, and not a shorter one either
        "mail me at someone@vendorshop.com",  # the domain part of an email
        "@abc",  # too short
        "@1vendor",  # must start with a letter
    ],
)
def test_handle_lookalikes_are_rejected(text: str) -> None:
    assert values(text, "username") == []


# --- URLs, onions, emails ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("https://Shop.Example.com/Menu?id=5#top.", "https://shop.example.com/Menu?id=5"),
        ("hxxps://evil[.]example[.]com/path", "https://evil.example.com/path"),
        ("hxxp://bad(.)site/x", "http://bad.site/x"),
        ("go to shop dot ru now", "http://shop.ru"),
        ("go to example . com now", "http://example.com"),
        ("visit www.drugs-shop.nl", "http://www.drugs-shop.nl"),
        ("(see greenplug.store/menu)", "http://greenplug.store/menu"),
        ("http:/95.141.32.7:81/default.aspx", "http://95.141.32.7:81/default.aspx"),
        ("experiencehttp://www.vouch4me.com/x", "http://www.vouch4me.com/x"),
        ("магазин.рф", "http://магазин.рф"),
    ],
)
def test_urls(text: str, value: str) -> None:
    assert values(text, "url") == [value]


@pytest.mark.parametrize(
    "text",
    [
        "version 1.2.3 released", "e.g. this", "Done.It works", "I went.to bed", "file.txt", "price 12.50",
        "end of sentence. Next one", "user@example.com", "go.to", "http://localhost/x",
    ],
)  # fmt: skip
def test_url_false_positives(text: str) -> None:
    assert values(text, "url") == []


def test_onion_v2_and_v3_and_obfuscated() -> None:
    v3 = "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad"
    text = f"mirror http://{v3.upper()}.onion/shop old expyuzz4wqqyqhjn[.]onion"
    assert values(text, "onion") == [v3 + ".onion", "expyuzz4wqqyqhjn.onion"]
    assert values(text, "url") == []  # an onion host is an onion entity, not a web URL


def test_emails() -> None:
    text = "write Vendor.Name+shop@ProtonMail.com, or ops [at] tuta [dot] io; mailto:x@cock.li"
    assert values(text, "email") == ["vendor.name+shop@protonmail.com", "ops@tuta.io", "x@cock.li"]
    assert values("http://site.com/contact?to=a@b.com", "email") == []  # inside a URL: the URL owns it


# --- phones ------------------------------------------------------------------------------------------------
def test_phones_international_and_local_with_region() -> None:
    text = "call +31 6 1234 5678, 0031612345678 or +7 (999) 123-45-67"
    assert values(text, "phone") == ["+31612345678", "+31612345678", "+79991234567"]
    assert values("bel 06-12345678", "phone") == []  # a local number means nothing without a region
    assert values("bel 06-12345678", "phone", "NL") == ["+31612345678"]
    assert values("звони 8 (999) 123-45-67", "phone", "RU") == ["+79991234567"]


def test_international_00_numbers_next_to_amounts_without_region() -> None:
    # A "00" inside an amount ("0.0012", "1300") starts no number; one after a space, ":" or a letter does.
    assert values("0.0012 BTC, bel 0031612345678", "phone") == ["+31612345678"]
    assert values("1300 руб tel:0031612345678", "phone") == ["+31612345678"]
    assert values("whatsapp0031612345678", "phone") == ["+31612345678"]
    assert values("0.0031612345678 BTC", "phone") == []
    assert values("order 10031612345678", "phone") == []


@pytest.mark.parametrize(
    "text", ["date 12.05.2024 14:00", "order 1234567", "+31 6 1234", "price 1 800 000 RUB", "+00000000000"]
)
def test_phone_false_positives(text: str) -> None:
    assert values(text, "phone", "NL") == []


# --- wallets and IBAN in text ------------------------------------------------------------------------------
def test_wallets_in_text() -> None:
    text = (
        "BTC: 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa,\n"
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0\n"
        "ETH 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed USDT TRC20: TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t\n"
        "XMR 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A"
    )
    kinds = [(t, v[:6]) for t, v, _ in found(text) if t in ("btc", "eth", "tron", "xmr")]
    assert kinds == [
        ("btc", "1A1zP1"),
        ("btc", "bc1p0x"),
        ("eth", "0x5aae"),
        ("tron", "TR7NHq"),
        ("xmr", "44AFFq"),
    ]


def test_iban_with_spaces_and_followed_by_words() -> None:
    text = "IBAN: NL91 ABNA 0417 1643 00 EUR only, or DE89370400440532013000."
    assert found(text) == [
        ("iban", "NL91ABNA0417164300", "NL91 ABNA 0417 1643 00"),
        ("iban", "DE89370400440532013000", "DE89370400440532013000"),
    ]


# --- prices and payment methods ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("40€", "40 EUR"), ("€ 40,-", "40 EUR"), ("40 euro", "40 EUR"), ("$80", "80 USD"),
        ("1.800 USD", "1800 USD"), ("1,800.50 USD", "1800.5 USD"), ("40,50 €", "40.5 EUR"),
        ("500р", "500 RUB"), ("500 руб", "500 RUB"), ("1 500 ₽", "1500 RUB"), ("0.01 BTC", "0.01 BTC"),
        ("1.500 BTC", "1.5 BTC"), ("50 eur", "50 EUR"), ("£30", "30 GBP"), ("30 kr", "30 SEK"),
        ("25 USDT", "25 USDT"), ("5k$", "5000 USD"), ("USD 1,800", "1800 USD"), ("2 XMR", "2 XMR"),
        ("40e", "40 EUR"),        ("100 долларов", "100 USD"), ("300 грн", "300 UAH"),
    ],
)  # fmt: skip
def test_prices(text: str, value: str) -> None:
    assert found(f"only {text} today") == [("price", value, text)]


def test_krone_follows_region() -> None:
    assert values("30 kr", "price", "NO") == ["30 NOK"]
    assert values("30 kr", "price", "DK") == ["30 DKK"]


@pytest.mark.parametrize(
    "text", ["on 12.05.2024", "call 0612345678", "500 рабочих мест", "Model X5 2020", "v2.5", "100%"]
)
def test_price_false_positives(text: str) -> None:
    assert values(text, "price") == []


@pytest.mark.parametrize(
    ("surface", "method"),
    [
        ("PayPal", "paypal"), ("bank transfer", "bank_transfer"), ("Überweisung", "bank_transfer"),
        ("overboeking", "bank_transfer"), ("pankkisiirto", "bank_transfer"), ("tilisiirto", "bank_transfer"),
        ("перевод на карту", "card"), ("крипта", "crypto"), ("Krypto", "crypto"), ("crypto", "crypto"),
        ("Amazon gift card", "gift_card"), ("gift cards", "gift_card"), ("Amazon Gutschein", "gift_card"),
        ("Paysafecard", "paysafecard"), ("cash", "cash"), ("наличные", "cash"), ("contant", "cash"),
        ("käteinen", "cash"), ("Bargeld", "cash"), ("Western Union", "western_union"),
        ("MoneyGram", "moneygram"), ("Revolut", "revolut"), ("Wise", "wise"), ("QIWI", "qiwi"),
        ("ЮMoney", "yoomoney"), ("СБП", "sbp"), ("Apple Pay", "apple_pay"), ("Google Pay", "google_pay"),
        ("Cash App", "cashapp"), ("Venmo", "venmo"), ("Zelle", "zelle"), ("Skrill", "skrill"),
        ("iDEAL", "ideal"), ("Tikkie", "tikkie"), ("MobilePay", "mobilepay"), ("оплата картой", "card"),
    ],
)  # fmt: skip
def test_payment_methods(surface: str, method: str) -> None:
    assert method in PAYMENT_METHODS
    assert found(f"Оплата / payment: {surface}.") == [("payment_method", method, surface)]


@pytest.mark.parametrize(
    "text",
    ["an ideal place", "be wise", "cash out service", "cashback 5%", "no paypals", "fresh credit cards"],
)
def test_payment_false_positives(text: str) -> None:
    assert values(text, "payment_method") == []


# --- the whole message -------------------------------------------------------------------------------------
def test_market_post_sorted_non_overlapping_with_exact_surfaces() -> None:
    text = (
        "🔥 Koks 1g - 80€ | Hasch 5g - 50€\n📩 @GreenPlug_NL ➡️ https://t.me/greenplug_menu\n"
        "📞 +31 6 1234 5678\n💰 iDEAL, crypto\nBTC: bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
    )
    ents = extract_entities(text)
    assert [e.start for e in ents] == sorted(e.start for e in ents)
    assert all(a.end <= b.start for a, b in itertools.pairwise(ents))
    assert {e.type for e in ents} <= set(ENTITY_TYPES)
    assert [(e.type, e.value) for e in ents] == [
        ("price", "80 EUR"), ("price", "50 EUR"), ("username", "@greenplug_nl"),
        ("tme_link", "t.me/greenplug_menu"), ("phone", "+31612345678"), ("payment_method", "ideal"),
        ("payment_method", "crypto"), ("btc", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"),
    ]  # fmt: skip


def test_empty_and_plain_text() -> None:
    assert extract_entities("") == []
    assert extract_entities("just some chat without anything in it") == []


def test_offsets_survive_characters_that_grow_when_lowercased() -> None:
    text = "İİİ write @vendor_shop"
    (e,) = extract_entities(text)
    assert text[e.start : e.end] == "@vendor_shop"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("+31 6 1234 5678", ("phone", "+31612345678")),
        ("@Vendor_Shop", ("username", "@vendor_shop")),
        ("https://T.me/Vendor_Shop", ("tme_link", "t.me/vendor_shop")),
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", ("eth", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")),
        ("nl91 abna 0417 1643 00".upper(), ("iban", "NL91ABNA0417164300")),
        ("no entity here", (None, "no entity here")),
    ],
)
def test_normalize_value_for_pivots(query: str, expected: tuple[str | None, str]) -> None:
    assert normalize_value(query) == expected


def test_a_dollar_after_a_lone_s_is_no_crash_and_no_price() -> None:
    # "US$", "C$", "A$" are signs; "S$" was read as one and raised a KeyError (found by a mutation)
    assert extract_entities("S$5 or S$ 5") == []
    assert [(e.value, e.start) for e in extract_entities("US$ 80, C$5")] == [("80 USD", 0), ("5 CAD", 8)]
