"""Jinja filters for dates and numbers: UTC always, ISO-like, the same on every analyst's screen."""

from __future__ import annotations

from datetime import UTC, datetime


def dt(ts: int | float | datetime | None) -> str:
    if ts is None:
        return "—"
    d = ts if isinstance(ts, datetime) else datetime.fromtimestamp(ts, tz=UTC)
    return d.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def day(ts: int | float | str | None) -> str:
    if ts is None:
        return "—"
    if isinstance(ts, str):
        return ts[:10]
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d")


def number(n: int | float | None) -> str:
    if n is None:
        return "—"
    if isinstance(n, float) and not n.is_integer():
        return f"{n:,.2f}"
    return f"{int(n):,}"
