"""Helpers for the classification tests: messages in a store, small JSONL files."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tgintel.detect.classify.model import LinearModel
from tgintel.model import Channel, Message

TEXTS = {
    1: "Fresh cocaine and MDMA, 1g = 80€, stealth shipping, DM @zqxdealer",
    2: "hello, how are you all doing today?",
    3: "Glock 19 and 9mm ammo for sale, no serial, DM",
    4: "Fresh cocaine and MDMA, 1g = 90€, stealth shipping, DM @zqxother",
    5: "new zqxplaсeholder1 archive, contact @zqxseller",  # Cyrillic "с": a disguised placeholder token
}


def make_messages(channel_id: int = 100, texts: dict[int, str] | None = None) -> list[Message]:
    base = datetime(2025, 1, 1, tzinfo=UTC)
    return [
        Message(channel_id=channel_id, id=i, date=base.replace(minute=i), text=t, sender_key=f"user{i}")
        for i, t in (texts or TEXTS).items()
    ]


@pytest.fixture
def filled(store):  # type: ignore[no-untyped-def]
    """A store with one channel and the TEXTS messages, not analysed yet."""
    store.upsert_channels([Channel(id=100, title="zqx market")])
    store.upsert_messages(make_messages())
    return store


@pytest.fixture(scope="module")
def model() -> LinearModel:
    """The packaged linear model (skips where a build ships none)."""
    m = LinearModel.default()
    if m is None:
        pytest.skip("no packaged model")
    return m
