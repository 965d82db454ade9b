"""TelethonSource: the thin layer over a real TelegramClient, checked against a client stand-in that
receives Telethon's own request objects and answers with Telethon's own result types."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram_fakes import channel, jpeg_photo, message
from telethon.tl import functions, types

from tgintel.sources.telethon_live import MediaTooLarge, TelethonSource

SHOP = channel(1001, "alpha_market", "Alpha")


class ClientStandIn:
    def __init__(self, payload: bytes = b"") -> None:
        self.requests: list[Any] = []
        self.iter_kwargs: dict[str, Any] = {}
        self.payload = payload

    async def __call__(self, request: Any) -> Any:
        self.requests.append(request)
        if isinstance(request, functions.contacts.ResolveUsernameRequest):
            other = types.User(id=5, first_name="x", access_hash=1)
            return types.contacts.ResolvedPeer(peer=types.PeerChannel(SHOP.id), chats=[SHOP], users=[other])
        if isinstance(request, functions.channels.GetChannelsRequest):
            return types.messages.Chats(chats=[SHOP])
        raise AssertionError(f"unexpected request {request!r}")

    def iter_messages(self, entity: Any, **kw: Any) -> Any:
        self.iter_kwargs = {"entity": entity, **kw}
        return kw

    async def download_media(self, message: Any, *, file: Any, progress_callback: Any) -> bytes:
        assert file is bytes  # in memory: never a path
        got = b""
        for i in range(0, len(self.payload), 4):
            got += self.payload[i : i + 4]
            progress_callback(len(got), len(self.payload))
        return got


def test_requests_are_the_cheap_ones() -> None:
    client = ClientStandIn()
    src = TelethonSource(client)
    assert asyncio.run(src.resolve_username("alpha_market")) is SHOP
    assert asyncio.run(src.get_channel(SHOP.id, SHOP.access_hash)) is SHOP
    resolve, get = client.requests
    assert resolve.username == "alpha_market"
    assert get.id == [types.InputChannel(SHOP.id, SHOP.access_hash)]
    src.iter_messages(SHOP.id, SHOP.access_hash, min_id=40)
    assert client.iter_kwargs == {"entity": types.InputPeerChannel(SHOP.id, SHOP.access_hash), "min_id": 40,
                                  "offset_date": None, "reverse": True}  # fmt: skip


def test_download_stays_in_memory_and_stops_at_the_cap() -> None:
    msg = message(SHOP, 1, "", media=jpeg_photo(1, 30))
    assert (
        asyncio.run(TelethonSource(ClientStandIn(b"x" * 30)).download_media(msg, max_bytes=30)) == b"x" * 30
    )
    with pytest.raises(MediaTooLarge):
        asyncio.run(TelethonSource(ClientStandIn(b"x" * 31)).download_media(msg, max_bytes=30))
