"""Properties that must hold for any text: no crash, offsets slice to a surface the value came from."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tgintel.detect.entities import ENTITY_TYPES, extract_entities

# Text mixing arbitrary unicode with the characters entities are made of, so candidates actually occur.
PIECES = st.sampled_from([
    "@", ".", " ", "t.me/", "+31", "0x", "bc1", "€", "$", "руб", "[.]", " dot ", "http://", "onion", "IBAN ",
    "NL91", "@shop_", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "+7 (999) 123-45-67", "vendor@mail.ru", "40,-",
    "PayPal", "крипта", "0612345678", "\n", "İ", "ß", "😀", "\u200b",
])  # fmt: skip
TEXTS = st.lists(st.one_of(PIECES, st.text(max_size=12)), max_size=30).map("".join)


@settings(max_examples=400, deadline=None)
@given(TEXTS, st.sampled_from([None, "NL", "RU", "GB"]))
def test_offsets_are_valid_sorted_and_disjoint(text: str, region: str | None) -> None:
    ents = extract_entities(text, default_region=region)
    last = 0
    for e in ents:
        assert e.type in ENTITY_TYPES
        assert last <= e.start < e.end <= len(text)
        assert text[e.start : e.end].strip() == text[e.start : e.end]  # no padding in a surface
        last = e.end


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40))
def test_a_handle_between_arbitrary_words_is_found_where_it_stands(before: str, after: str) -> None:
    before, after = before + " ", " " + after
    text = before + "@Vendor_Shop24" + after
    hits = [e for e in extract_entities(text) if e.value == "@vendor_shop24"]
    assert [(e.start, e.end) for e in hits] == [(len(before), len(before) + 14)]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_deterministic(text: str) -> None:
    assert extract_entities(text) == extract_entities(text)


# Multi-line adverts: line breaks before bullets/emoji (where a message is cut into memoised lines), next to
# writings that a whitespace could join across a break ("40\n€", "bank\ntransfer", "[.]\nonion").
LINE_PIECES = st.sampled_from([
    "\n", "\n▪️ ", "\n📞 ", "\n➡️ https://", "\n• ", " ", "40", "€", "bank", "USD", "t.me/", "shop_24",
    "@vendor", "[.]", "onion", "http/", "1.2.3.4", "/", "+31 6 1234 5678", "NL91 ABNA 0417 1643 00",
    "TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW", "İ", "ΟΣ", "hxxp", "40\n€", "€\n40", "USD\n40", "40\nk€",
    "bank\ntransfer", "cash\napp", "shop\ndot\ncom", "shop [at]\nmail.ru", "\n(.)\nonion", "a\n[.]\nb",
])  # fmt: skip
LINE_TEXTS = st.lists(st.one_of(LINE_PIECES, st.text(max_size=6)), max_size=24).map("".join)


@settings(max_examples=400, deadline=None)
@given(LINE_TEXTS, st.sampled_from([None, "NL", "NO"]))
def test_memoised_lines_give_what_one_pass_over_the_whole_text_gives(text: str, region: str | None) -> None:
    from tgintel.detect import entities

    whole = [entities.Entity(*e) for e in entities._whole(text, region)]
    assert extract_entities(text, default_region=region) == whole
    # Memo state must not matter: the same text again (text memo), and after every memo is emptied.
    assert extract_entities(text, default_region=region) == whole
    entities.clear_memos()
    assert extract_entities(text, default_region=region) == whole
