"""A Telegram stand-in built from Telethon's own types and errors, so the collector's policy is tested
without a network: messages are ``telethon.tl.types.Message`` objects initialised by Telethon's own
``_finish_init`` (sender entities attached as a real client attaches them), and failures are Telethon's
``FloodWaitError``, ``ChannelPrivateError`` … raised where Telegram would raise them."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from telethon import utils
from telethon._updates import EntityCache
from telethon.errors import UsernameNotOccupiedError
from telethon.tl import types

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class FakeClock:
    """Time that passes only when the collector sleeps."""

    def __init__(self, start: float = T0.timestamp() + 86400 * 30) -> None:
        self.t = start
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


class _TelethonInit:
    """What ``Message._finish_init`` reads from a client: our own id and the entity cache."""

    _self_id = 1
    _mb_entity_cache = EntityCache()


def channel(cid: int, username: str | None, title: str, *, megagroup: bool = False) -> types.Channel:
    return types.Channel(
        id=cid,
        title=title,
        photo=types.ChatPhotoEmpty(),
        date=T0,
        access_hash=cid * 7 + 3,
        username=username,
        broadcast=not megagroup,
        megagroup=megagroup,
    )


def user(uid: int, first: str, last: str | None = None, username: str | None = None) -> types.User:
    return types.User(id=uid, first_name=first, last_name=last, username=username, access_hash=uid * 11)


def jpeg_photo(pid: int, size: int, w: int = 640, h: int = 480) -> types.MessageMediaPhoto:
    photo = types.Photo(
        id=pid,
        access_hash=pid + 1,
        file_reference=b"\x00ref",
        date=T0,
        sizes=[
            types.PhotoStrippedSize("i", b"\x01\x02"),
            types.PhotoSize("m", 320, 240, size // 3),
            types.PhotoSize("y", w, h, size),
        ],
        dc_id=2,
    )
    return types.MessageMediaPhoto(photo=photo)


def message(
    chan: types.Channel,
    mid: int,
    text: str = "",
    *,
    date: datetime | None = None,
    entities: list[Any] | None = None,
    known: list[Any] = (),
    **kw: Any,
) -> types.Message:
    """A channel post as Telethon hands it over from iter_messages (entities resolved)."""
    msg = types.Message(
        id=mid,
        peer_id=types.PeerChannel(chan.id),
        date=date or T0 + timedelta(minutes=mid),
        message=text,
        entities=entities,
        post=chan.broadcast or None,
        **kw,
    )
    ents = {utils.get_peer_id(e): e for e in [chan, *known]}
    msg._finish_init(_TelethonInit(), ents, None)
    return msg


class FakeTelegram:
    """:class:`TelegramSource` over in-memory channels; counts calls and injects errors.

    ``fail`` maps ``(method, key)`` to a list of exceptions raised on successive calls (method: resolve |
    get_channel | history | download; key: username, channel id). ``fail_after`` raises an error after the
    n-th message of a channel's history has been yielded (a crash or flood mid-history)."""

    def __init__(self) -> None:
        self.by_username: dict[str, types.Channel] = {}
        self.by_id: dict[int, Any] = {}
        self.history: dict[int, list[types.Message]] = {}
        self.media: dict[int, bytes] = {}
        self.calls: Counter[tuple[str, Any]] = Counter()
        self.fail: dict[tuple[str, Any], list[BaseException]] = {}
        self.fail_after: dict[int, tuple[int, Callable[[], BaseException]]] = {}

    def add(self, chan: Any, posts: list[types.Message] = ()) -> None:
        if getattr(chan, "username", None):
            self.by_username[chan.username.lower()] = chan
        self.by_id[chan.id] = chan
        self.history[chan.id] = list(posts)

    def _maybe_fail(self, method: str, key: Any) -> None:
        self.calls[(method, key)] += 1
        queue = self.fail.get((method, key))
        if queue:
            raise queue.pop(0)

    async def resolve_username(self, username: str) -> Any:
        self._maybe_fail("resolve", username.lower())
        try:
            return self.by_username[username.lower()]
        except KeyError:
            raise UsernameNotOccupiedError(request=None) from None

    async def get_channel(self, channel_id: int, access_hash: int) -> Any:
        self._maybe_fail("get_channel", channel_id)
        chan = self.by_id[channel_id]
        assert access_hash == chan.access_hash, "collector used a wrong access hash"
        return chan

    async def iter_messages(
        self, channel_id: int, access_hash: int, *, min_id: int = 0, offset_date: datetime | None = None
    ) -> AsyncIterator[Any]:
        self._maybe_fail("history", channel_id)
        posts = sorted(self.history[channel_id], key=lambda m: m.id)
        yielded = 0
        for m in posts:
            if m.id <= min_id or (offset_date is not None and m.date < offset_date):
                continue
            after = self.fail_after.get(channel_id)
            if after is not None and yielded == after[0]:
                del self.fail_after[channel_id]
                raise after[1]()
            self.calls[("yield", channel_id)] += 1
            yielded += 1
            yield m

    async def download_media(self, message: Any, *, max_bytes: int) -> bytes:
        self._maybe_fail("download", message.id)
        buf = io.BytesIO(self.media[message.id])
        data = buf.read(max_bytes + 1)
        if len(data) > max_bytes:
            from tgintel.sources.telethon_live import MediaTooLarge

            raise MediaTooLarge(len(data))
        return data
