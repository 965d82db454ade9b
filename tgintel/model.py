"""The one vocabulary every part of tgintel speaks.

Sources produce these records, detect stages enrich them, the store persists them and the faces show them.
They are msgspec Structs rather than dataclasses because ingest builds millions of them: Structs are slotted,
skip the cyclic GC (``gc=False``) and encode straight to JSON/msgpack, which makes bulk work several times
cheaper. Dates are always timezone-aware UTC ``datetime`` objects.

Media is metadata only, by construction: there is no field that could hold bytes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

__all__ = [
    "Actor",
    "Channel",
    "Cluster",
    "Entity",
    "Finding",
    "Markup",
    "Media",
    "Message",
    "utc",
    "utc_from_unix",
]


def utc(dt: datetime) -> datetime:
    """Return ``dt`` as aware UTC; naive values are taken to be UTC already."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def utc_from_unix(ts: int | float) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


class Channel(msgspec.Struct, kw_only=True, gc=False):
    """A monitored chat: a broadcast channel, a (super)group or a private chat from an export.

    ``id`` is Telegram's bare peer id (the ``channel_id`` of ``PeerChannel``, the ``id`` of a Desktop export),
    so that imported and collected copies of one channel meet on the same key.
    """

    id: int
    title: str = ""
    username: str | None = None
    kind: str = "channel"  # channel | supergroup | group | private | bot | saved | unknown
    source: str = "export"  # export | live | simulate | ndjson
    raw: dict[str, Any] | None = None


class Actor(msgspec.Struct, kw_only=True, gc=False):
    """Whoever posted: a user, a channel posting as itself, or an anonymous signature.

    ``key`` is stable across sources: ``user<ID>``, ``channel<ID>``, ``chat<ID>`` when Telegram gave an id,
    else ``sig:<channel id>:<signature>`` for a post signed only by name.
    """

    key: str
    name: str | None = None
    username: str | None = None


class Markup(msgspec.Struct, array_like=True, gc=False):
    """A formatting or link span in a message, offsets in Python characters into ``Message.text``.

    Types follow Telegram Desktop's names (``link``, ``text_link``, ``mention``, ``mention_name``,
    ``hashtag``, ``bold`` …); ``url`` carries the hidden target of a ``text_link`` or the user id of a
    ``mention_name``.
    """

    type: str
    start: int
    end: int
    url: str | None = None


class Media(msgspec.Struct, kw_only=True, omit_defaults=True, gc=False):
    """What is known about an attachment without its bytes.

    ``kind`` is one of photo, video, animation, sticker, voice, audio, video_note, document, poll, contact,
    location, venue, game, invoice, webpage, dice, story, unknown. ``extra`` holds the small structured
    payloads (poll question and answers, contact name, coordinates) that are text, not media.
    """

    kind: str
    mime: str | None = None
    size: int | None = None
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    file_id: str | None = None
    file_name: str | None = None
    extra: dict[str, Any] | None = None


class Entity(msgspec.Struct, array_like=True, gc=False):
    """A validated contact point or value found in text: type, normalised value and character offsets."""

    type: str
    value: str
    start: int
    end: int


class Finding(msgspec.Struct, kw_only=True, gc=False):
    """A category decision about one message, with the evidence that makes it explainable.

    ``source`` says which detector decided: ``rules``, ``model``, ``indicator`` (a user-loaded list),
    ``hash`` (a media hash-list match) or ``analyst`` (a human label).
    """

    category: str
    score: float
    evidence: list[str] = []
    source: str = "rules"


class Message(msgspec.Struct, kw_only=True, omit_defaults=True, gc=False):
    """One post in one chat; ``(channel_id, id)`` is its identity everywhere.

    ``kind`` is ``message`` or ``service`` (joins, pins, title changes: ``action`` names which).
    ``fwd_channel_id``/``fwd_msg_id`` point at the original post when Telegram says where a forward came from;
    ``fwd_from`` keeps the origin's display name. ``raw`` keeps every field of the source record that this
    model does not hold, so nothing an export carries is ever silently dropped.
    """

    channel_id: int
    id: int
    date: datetime
    kind: str = "message"
    text: str = ""
    markup: list[Markup] = []
    sender_key: str | None = None
    sender_name: str | None = None
    author: str | None = None  # post signature in channels
    action: str | None = None
    edited: datetime | None = None
    reply_to: int | None = None
    fwd_channel_id: int | None = None
    fwd_msg_id: int | None = None
    fwd_from: str | None = None
    fwd_date: datetime | None = None
    via_bot: str | None = None
    views: int | None = None
    forwards: int | None = None
    grouped_id: int | None = None
    reactions: dict[str, int] | None = None
    media: Media | None = None
    raw: dict[str, Any] | None = None


class Cluster(msgspec.Struct, kw_only=True, gc=False):
    """A near-duplicate cluster: messages whose normalised text is the same or nearly so.

    A cluster spread over channels and weeks is what analysts call a campaign.
    """

    id: str
    size: int
    first_seen: datetime
    last_seen: datetime
    channels: int = 1
    representative: str = ""
