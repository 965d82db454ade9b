"""price_value's shortcut for plain ASCII digits against the Decimal path every other amount takes.

The shortcut must write exactly what parse_amount + format_amount write (leading zeros dropped, zero as
"0"); Decimal's normalize rounds to 28 significant digits, so longer amounts must stay on the Decimal path.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tgintel.detect.entities import money


def _decimal_path(amount: str, code: str, thousands: bool) -> str | None:
    value = money.parse_amount(amount, code)
    if value is None:
        return None
    if thousands:
        value *= 1000
    return f"{money.format_amount(value)} {code}"


@pytest.mark.parametrize(
    "amount",
    ["0", "00", "000", "7", "07", "0040", "40", "100", "1800", "10000", "9" * 28, "1" + "0" * 27,
     "9" * 29, "1" + "0" * 28, "12345678901234567890123456789", "0" * 30 + "5", "٣٠", "٣", "40 000", "1.800"],
)  # fmt: skip
@pytest.mark.parametrize("code", ["EUR", "BTC", "RUB"])
@pytest.mark.parametrize("thousands", [False, True])
def test_shortcut_writes_what_decimal_writes(amount: str, code: str, thousands: bool) -> None:
    assert money.price_value.__wrapped__(amount, code, thousands) == _decimal_path(amount, code, thousands)


@settings(deadline=None)  # no timing in tests: the machine is shared
@given(st.text(alphabet="0123456789", min_size=1, max_size=40), st.booleans())
def test_any_digit_run(amount: str, thousands: bool) -> None:
    assert money.price_value.__wrapped__(amount, "USD", thousands) == _decimal_path(amount, "USD", thousands)
