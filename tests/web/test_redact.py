"""Redaction and inert rendering of hostile text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tgintel.model import Entity
from tgintel.web.redact import plain_redacted, redaction_spans, render_text


def test_victims_data_is_masked_and_sellers_contacts_are_not() -> None:
    text = (
        "Seller @shop_x, wallet bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq, victim +31 6 1234 5678, "
        "mail anna.b@example.org, passport NL1234567, IBAN NL91ABNA0417164300, 40 EUR"
    )
    masked = plain_redacted(text, redaction_spans(text))
    for secret in ("1234 5678", "anna.b@example.org", "NL1234567"):
        assert secret not in masked
    for kept in ("@shop_x", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "NL91ABNA0417164300", "40 EUR"):
        assert kept in masked
    assert masked.count("[phone]") == 1 and masked.count("[email]") == 1


def test_stored_entity_offsets_are_masked_even_when_patterns_miss() -> None:
    text = "call me at zero six one two"
    spans = redaction_spans(text, [Entity("phone", "+31612", 11, 27)])
    assert plain_redacted(text, spans) == "call me at [phone]"


@settings(deadline=None)  # no timing in tests: the machine is shared
@given(st.text(max_size=200))
def test_rendered_text_never_contains_markup_or_bidi_controls(text: str) -> None:
    html = str(render_text(text, redaction_spans(text)))
    stripped = html.replace('<span class="redacted" title="redacted phone">', "").replace(
        '<span class="redacted" title="redacted email">', "").replace(
        '<span class="redacted" title="redacted id_number">', "").replace('<span class="ctl">', "").replace(
        "</span>", "")  # fmt: skip
    assert "<" not in stripped and ">" not in stripped
    assert not any(c in html for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200f\u200e")
