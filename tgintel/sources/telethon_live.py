"""Live Telegram as a source: Telethon objects in, the one model (``tgintel.model``) out.

Two halves:

- :class:`TelegramSource` is the small, Telethon-shaped surface the collector needs (resolve a username, get a
  channel by id and access hash, iterate history, download one media into memory). :class:`TelethonSource`
  implements it over a real ``TelegramClient``; tests implement it with a fake that hands out Telethon's own
  types and raises Telethon's own errors, so the collector runs without a network.
- :func:`channel_from_telethon` and :func:`message_from_telethon` turn Telethon's types into ``Channel`` and
  ``Message`` records exactly as the Telegram Desktop export reader does for the same post (same sender keys,
  the Desktop names of formatting spans with offsets in Python characters, the same media kinds), so a
  channel that is both imported and collected meets on identical rows.

Nothing here writes media anywhere: :meth:`TelethonSource.download_media` returns bytes held in memory and
aborts a download that grows past its cap.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any, Protocol

from telethon import utils as tl_utils
from telethon.tl import functions, types

from tgintel.model import Channel, Markup, Media, Message, utc

__all__ = [
    "MediaTooLarge",
    "TelegramSource",
    "TelethonSource",
    "channel_from_telethon",
    "declared_media_size",
    "message_from_telethon",
]


class MediaTooLarge(Exception):
    """A download passed its byte cap and was abandoned (the partial bytes are dropped)."""


class TelegramSource(Protocol):
    """What the collector asks of Telegram. Every call may raise Telethon's RPC errors (``FloodWaitError``,
    ``ChannelPrivateError`` …) or ``ConnectionError``/``OSError``; the collector decides what they mean."""

    async def resolve_username(self, username: str) -> Any:
        """The ``Channel`` (or ``User``/``Chat``) a public username points at: ONE contacts.resolveUsername
        call, the most rate-limited request there is. Raises ``UsernameNotOccupiedError`` and friends."""
        ...

    async def get_channel(self, channel_id: int, access_hash: int) -> Any:
        """The current ``Channel`` for a cached id and access hash (channels.getChannels; cheap, and tells a
        channel that went private or was renamed)."""
        ...

    def iter_messages(
        self, channel_id: int, access_hash: int, *, min_id: int = 0, offset_date: datetime | None = None
    ) -> AsyncIterator[Any]:
        """Messages with ``id > min_id`` (and, when given, dated at or after ``offset_date``), OLDEST FIRST,
        as ``telethon.tl.types.Message``/``MessageService`` with their sender entities attached."""
        ...

    async def download_media(self, message: Any, *, max_bytes: int) -> bytes:
        """The message's photo or document as bytes in memory; raises :class:`MediaTooLarge` past
        ``max_bytes``."""
        ...


class TelethonSource:
    """:class:`TelegramSource` over a connected ``telethon.TelegramClient``.

    The client is created with ``flood_sleep_threshold=0`` by the caller so that every FloodWait reaches the
    collector's own policy (sleep, requeue or stop) instead of being slept through invisibly.
    """

    def __init__(self, client: Any) -> None:
        self.client = client

    async def resolve_username(self, username: str) -> Any:
        result = await self.client(functions.contacts.ResolveUsernameRequest(username=username))
        peer = result.peer
        for entity in [*result.chats, *result.users]:
            if tl_utils.get_peer_id(entity) == tl_utils.get_peer_id(peer):
                return entity
        raise LookupError(f"@{username} resolved to a peer Telegram did not describe")

    async def get_channel(self, channel_id: int, access_hash: int) -> Any:
        result = await self.client(
            functions.channels.GetChannelsRequest([types.InputChannel(channel_id, access_hash)])
        )
        return result.chats[0]

    def iter_messages(
        self, channel_id: int, access_hash: int, *, min_id: int = 0, offset_date: datetime | None = None
    ) -> AsyncIterator[Any]:
        peer = types.InputPeerChannel(channel_id, access_hash)
        # reverse=True walks oldest → newest from min_id (or from offset_date), which is what lets the cursor
        # advance monotonically and a crash lose nothing.
        return self.client.iter_messages(peer, min_id=min_id, offset_date=offset_date, reverse=True)

    async def download_media(self, message: Any, *, max_bytes: int) -> bytes:
        def guard(received: int, _total: int) -> None:
            if received > max_bytes:
                raise MediaTooLarge(received)

        # file=bytes keeps the download in a BytesIO inside Telethon (never a path); the progress callback
        # aborts as soon as the cap is passed, whatever size the message declared.
        data = await self.client.download_media(message, file=bytes, progress_callback=guard)
        if data is None:
            return b""
        if len(data) > max_bytes:
            raise MediaTooLarge(len(data))
        return bytes(data)


# -- channels ---------------------------------------------------------------------------------------------


def channel_kind(entity: Any) -> str:
    """Desktop's vocabulary: broadcast channels are ``channel``, megagroups ``supergroup``."""
    if isinstance(entity, types.Channel):
        return "supergroup" if entity.megagroup else "channel"
    if isinstance(entity, (types.Chat, types.ChatForbidden)):
        return "group"
    if isinstance(entity, types.User):
        return "bot" if entity.bot else "private"
    return "unknown"


def channel_from_telethon(entity: Any) -> Channel:
    """A ``Channel`` record keyed by the bare channel id (as Desktop exports key theirs)."""
    return Channel(
        id=int(entity.id),
        title=getattr(entity, "title", None) or tl_utils.get_display_name(entity) or "",
        username=getattr(entity, "username", None),
        kind=channel_kind(entity),
        source="live",
    )


# -- messages ---------------------------------------------------------------------------------------------

# Telethon entity class → Telegram Desktop export's ``text_entities`` type.
MARKUP_TYPES: dict[type, str] = {
    types.MessageEntityMention: "mention",
    types.MessageEntityHashtag: "hashtag",
    types.MessageEntityBotCommand: "bot_command",
    types.MessageEntityUrl: "link",
    types.MessageEntityEmail: "email",
    types.MessageEntityBold: "bold",
    types.MessageEntityItalic: "italic",
    types.MessageEntityCode: "code",
    types.MessageEntityPre: "pre",
    types.MessageEntityTextUrl: "text_link",
    types.MessageEntityMentionName: "mention_name",
    types.InputMessageEntityMentionName: "mention_name",
    types.MessageEntityPhone: "phone",
    types.MessageEntityCashtag: "cashtag",
    types.MessageEntityUnderline: "underline",
    types.MessageEntityStrike: "strikethrough",
    types.MessageEntityBankCard: "bank_card",
    types.MessageEntitySpoiler: "spoiler",
    types.MessageEntityCustomEmoji: "custom_emoji",
    types.MessageEntityBlockquote: "blockquote",
}


def _utf16_index(text: str) -> list[int] | None:
    """UTF-16 offset of every character, or None when the text has no astral characters (offsets equal)."""
    if text.isascii() or max(text, default=" ") < "\U00010000":
        return None
    starts, pos = [], 0
    for ch in text:
        starts.append(pos)
        pos += 2 if ord(ch) > 0xFFFF else 1
    starts.append(pos)
    return starts


def markup_from_telethon(text: str, entities: list[Any] | None) -> list[Markup]:
    """Telegram's UTF-16 entity offsets → Python character offsets, with Desktop's type names."""
    if not entities:
        return []
    starts = _utf16_index(text)
    out: list[Markup] = []
    for e in entities:
        kind = MARKUP_TYPES.get(type(e), "unknown")
        lo, hi = e.offset, e.offset + e.length
        if starts is not None:
            lo, hi = bisect_left(starts, lo), bisect_left(starts, hi)
        lo, hi = min(lo, len(text)), min(hi, len(text))
        url: str | None = None
        if kind == "text_link":
            url = e.url
        elif kind == "mention_name":
            uid = getattr(e, "user_id", None)
            url = str(getattr(uid, "user_id", uid)) if uid is not None else None
        out.append(Markup(kind, lo, hi, url))
    return out


def _largest_photo_size(photo: Any) -> tuple[int | None, int | None, int | None]:
    """(width, height, bytes) of the biggest downloadable size of a ``Photo``."""
    best: tuple[int, int, int] | None = None
    for s in getattr(photo, "sizes", None) or []:
        if isinstance(s, types.PhotoSize):
            cand = (s.w, s.h, s.size)
        elif isinstance(s, types.PhotoSizeProgressive):
            cand = (s.w, s.h, max(s.sizes) if s.sizes else 0)
        elif isinstance(s, types.PhotoCachedSize):
            cand = (s.w, s.h, len(s.bytes))
        else:  # stripped/path sizes are previews, not the photo
            continue
        if best is None or cand[0] * cand[1] > best[0] * best[1]:
            best = cand
    return best if best is not None else (None, None, None)


def declared_media_size(message: Any) -> int | None:
    """The byte size Telegram declares for a message's photo or document (checked before any download)."""
    media = getattr(message, "media", None)
    if isinstance(media, types.MessageMediaPhoto) and isinstance(media.photo, types.Photo):
        return _largest_photo_size(media.photo)[2]
    if isinstance(media, types.MessageMediaDocument) and isinstance(media.document, types.Document):
        return int(media.document.size)
    return None


def _text(value: Any) -> str:
    """Poll questions/answers are ``TextWithEntities`` in newer layers, plain str in older ones."""
    return getattr(value, "text", value) or ""


def _document_media(doc: Any) -> Media:
    kind, width, height, duration, file_name = "document", None, None, None, None
    extra: dict[str, Any] = {}
    for a in doc.attributes or []:
        if isinstance(a, types.DocumentAttributeFilename):
            file_name = a.file_name
        elif isinstance(a, types.DocumentAttributeSticker):
            kind = "sticker"
            if a.alt:
                extra["sticker_emoji"] = a.alt
        elif isinstance(a, types.DocumentAttributeAnimated):
            kind = "animation"
        elif isinstance(a, types.DocumentAttributeVideo):
            width, height, duration = a.w, a.h, float(a.duration)
            if kind == "document":
                kind = "video_note" if a.round_message else "video"
        elif isinstance(a, types.DocumentAttributeAudio):
            duration = float(a.duration)
            if kind == "document":
                kind = "voice" if a.voice else "audio"
            if not a.voice:  # Desktop keeps a song's performer and title beside the file
                extra.update({k: v for k, v in (("performer", a.performer), ("title", a.title)) if v})
        elif isinstance(a, types.DocumentAttributeImageSize):
            width, height = a.w, a.h
    return Media(kind=kind, mime=doc.mime_type or None, size=int(doc.size), width=width, height=height,
                 duration=duration, file_name=file_name, extra=extra or None)  # fmt: skip


def media_from_telethon(media: Any) -> Media | None:
    """Metadata of an attachment; ``None`` for no media and for link previews (Desktop exports carry none)."""
    if media is None or isinstance(media, (types.MessageMediaEmpty, types.MessageMediaWebPage)):
        return None
    if isinstance(media, types.MessageMediaPhoto):
        if not isinstance(media.photo, types.Photo):
            return Media(kind="photo")
        w, h, size = _largest_photo_size(media.photo)
        return Media(kind="photo", size=size, width=w, height=h)
    if isinstance(media, types.MessageMediaDocument):
        if not isinstance(media.document, types.Document):
            return Media(kind="document")
        return _document_media(media.document)
    # The ``extra`` payloads below use the keys of Desktop's ``poll``, ``contact_information``,
    # ``location_information`` … objects, so imported and collected copies agree.
    if isinstance(media, types.MessageMediaPoll):
        poll, results = media.poll, media.results
        counts = {r.option: r for r in (results.results or [])} if results and results.results else {}
        return Media(kind="poll", extra={
            "question": _text(poll.question),
            "closed": bool(poll.closed),
            "total_voters": (results.total_voters if results else None) or 0,
            "answers": [
                {"text": _text(a.text),
                 "voters": (counts[a.option].voters or 0) if a.option in counts else 0,
                 "chosen": bool(counts[a.option].chosen) if a.option in counts else False}
                for a in poll.answers
            ],
        })  # fmt: skip
    if isinstance(media, types.MessageMediaContact):
        return Media(kind="contact", extra={
            "first_name": media.first_name, "last_name": media.last_name, "phone_number": media.phone_number,
        })  # fmt: skip
    if isinstance(media, types.MessageMediaVenue):
        return Media(
            kind="venue", extra={**_geo(media.geo), "place_name": media.title, "address": media.address}
        )
    if isinstance(media, types.MessageMediaGeoLive):
        return Media(kind="location", extra={**_geo(media.geo), "live_location_period_seconds": media.period})
    if isinstance(media, types.MessageMediaGeo):
        return Media(kind="location", extra=_geo(media.geo))
    if isinstance(media, types.MessageMediaGame):
        return Media(kind="game", extra={"game_title": media.game.title,
                                         "game_description": media.game.description})  # fmt: skip
    if isinstance(media, types.MessageMediaInvoice):
        return Media(
            kind="invoice",
            extra={"title": media.title, "description": media.description, "amount": media.total_amount,
                   "currency": media.currency},
        )  # fmt: skip
    if isinstance(media, types.MessageMediaDice):
        return Media(kind="dice", extra={"emoticon": media.emoticon, "value": media.value})
    if isinstance(media, types.MessageMediaStory):
        return Media(kind="story")
    return Media(kind="unknown")


def _geo(geo: Any) -> dict[str, float]:
    if isinstance(geo, types.GeoPoint):
        return {"latitude": geo.lat, "longitude": geo.long}
    return {}


_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")

# Telethon action class → Telegram Desktop export's ``action`` string, where the names differ from the
# mechanical snake_case of the class name.
ACTION_NAMES: dict[type, str] = {
    types.MessageActionChannelCreate: "create_channel",
    types.MessageActionChatCreate: "create_group",
    types.MessageActionChatEditTitle: "edit_group_title",
    types.MessageActionChatEditPhoto: "edit_group_photo",
    types.MessageActionChatDeletePhoto: "delete_group_photo",
    types.MessageActionChatAddUser: "invite_members",
    types.MessageActionChatDeleteUser: "remove_members",
    types.MessageActionChatJoinedByLink: "join_group_by_link",
    types.MessageActionChatJoinedByRequest: "join_group_by_request",
    types.MessageActionChatMigrateTo: "migrate_to_supergroup",
    types.MessageActionChannelMigrateFrom: "migrate_from_group",
    types.MessageActionPinMessage: "pin_message",
    types.MessageActionHistoryClear: "clear_history",
    types.MessageActionGameScore: "score_in_game",
    types.MessageActionPhoneCall: "phone_call",
    types.MessageActionScreenshotTaken: "take_screenshot",
    types.MessageActionCustomAction: "custom_action",
    types.MessageActionContactSignUp: "joined_telegram",
    types.MessageActionGroupCall: "group_call",
    types.MessageActionInviteToGroupCall: "invite_to_group_call",
    types.MessageActionSetMessagesTTL: "set_messages_ttl",
    types.MessageActionGroupCallScheduled: "group_call_scheduled",
    types.MessageActionSetChatTheme: "edit_chat_theme",
    types.MessageActionTopicCreate: "topic_created",
    types.MessageActionTopicEdit: "topic_edit",
    types.MessageActionBoostApply: "boost_apply",
}


def action_name(action: Any) -> str:
    name = ACTION_NAMES.get(type(action))
    if name is None:
        name = _CAMEL.sub("_", type(action).__name__.removeprefix("MessageAction")).lower()
    return name


def _display(entity: Any) -> str | None:
    return (tl_utils.get_display_name(entity) or None) if entity is not None else None


def _peer_key(peer: Any) -> str | None:
    if isinstance(peer, types.PeerUser):
        return f"user{peer.user_id}"
    if isinstance(peer, types.PeerChannel):
        return f"channel{peer.channel_id}"
    if isinstance(peer, types.PeerChat):
        return f"chat{peer.chat_id}"
    return None


def message_from_telethon(msg: Any, channel: Channel) -> Message:
    """One Telethon ``Message``/``MessageService`` as the model's ``Message``, as ``ingest`` would store it.

    ``raw`` keeps the few live-only facts worth keeping (reply count, pinned, restriction reasons, Telegram's
    media id); it never holds bytes."""
    is_service = isinstance(msg, types.MessageService)
    text = "" if is_service else (msg.message or "")
    from_id = msg.from_id
    if from_id is not None:
        sender_key = _peer_key(from_id)
        sender_name = _display(getattr(msg, "sender", None))
    elif getattr(msg, "post", False) or channel.kind == "channel":
        # A broadcast post carries no from_id: Desktop names the channel itself as the sender.
        sender_key, sender_name = f"channel{channel.id}", channel.title or None
    else:
        sender_key = sender_name = None
    fwd = msg.fwd_from
    fwd_channel_id = fwd_msg_id = None
    fwd_name: str | None = None
    if fwd is not None:
        if isinstance(fwd.from_id, types.PeerChannel):
            fwd_channel_id = fwd.from_id.channel_id
            fwd_msg_id = fwd.channel_post
        forward = getattr(msg, "forward", None)
        origin = None
        if forward is not None:
            origin = getattr(forward, "chat", None) or getattr(forward, "sender", None)
        fwd_name = fwd.from_name or _display(origin)
    reply_to = None
    header_id = msg.reply_to.reply_to_msg_id if isinstance(msg.reply_to, types.MessageReplyHeader) else None
    if not is_service:
        reply_to = header_id
    via_bot = None
    if getattr(msg, "via_bot_id", None):
        bot = getattr(msg, "via_bot", None)
        via_bot = f"@{bot.username}" if bot is not None and getattr(bot, "username", None) else None
    reactions = None
    if not is_service and msg.reactions is not None and msg.reactions.results:
        reactions = {}
        for rc in msg.reactions.results:
            r = rc.reaction
            if isinstance(r, types.ReactionEmoji):
                key = r.emoticon
            elif isinstance(r, types.ReactionCustomEmoji):
                key = f"custom:{r.document_id}"
            elif isinstance(r, types.ReactionPaid):
                key = "paid"
            else:
                continue
            reactions[key] = reactions.get(key, 0) + rc.count
    raw: dict[str, Any] = {}
    if is_service and header_id is not None:
        raw["message_id"] = header_id  # what a pin points at; Desktop writes it as "message_id" too
    if not is_service:
        if msg.replies is not None and msg.replies.replies:
            raw["replies"] = msg.replies.replies
        if msg.pinned:
            raw["pinned"] = True
        if msg.restriction_reason:
            raw["restriction_reason"] = [
                {"platform": r.platform, "reason": r.reason, "text": r.text} for r in msg.restriction_reason
            ]
        media = msg.media
        if isinstance(media, types.MessageMediaPhoto) and isinstance(media.photo, types.Photo):
            raw["media_id"] = str(media.photo.id)
        elif isinstance(media, types.MessageMediaDocument) and isinstance(media.document, types.Document):
            raw["media_id"] = str(media.document.id)
        elif isinstance(media, types.MessageMediaWebPage) and isinstance(media.webpage, types.WebPage):
            raw["webpage"] = media.webpage.url
    return Message(
        channel_id=channel.id,
        id=int(msg.id),
        date=utc(msg.date),
        kind="service" if is_service else "message",
        text=text,
        markup=[] if is_service else markup_from_telethon(text, msg.entities),
        sender_key=sender_key,
        sender_name=sender_name,
        author=None if is_service else (msg.post_author or None),
        action=action_name(msg.action) if is_service else None,
        edited=None if is_service or msg.edit_date is None else utc(msg.edit_date),
        reply_to=reply_to,
        fwd_channel_id=fwd_channel_id,
        fwd_msg_id=fwd_msg_id,
        fwd_from=fwd_name,
        fwd_date=utc(fwd.date) if fwd is not None and fwd.date else None,
        via_bot=via_bot,
        views=None if is_service else msg.views,
        forwards=None if is_service else msg.forwards,
        grouped_id=None if is_service else msg.grouped_id,
        reactions=reactions,
        media=None if is_service else media_from_telethon(msg.media),
        raw=raw or None,
    )
