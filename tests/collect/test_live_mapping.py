"""Telethon objects → model records: the details a reader of the live API most easily gets wrong."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from telegram_fakes import T0, channel, message, user
from telethon.tl import types

from tgintel.sources.telethon_live import (
    action_name,
    channel_from_telethon,
    markup_from_telethon,
    media_from_telethon,
    message_from_telethon,
)

SHOP = channel(1001, "alpha_market", "Alpha")
LIVE_SHOP = channel_from_telethon(SHOP)


def u16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


@settings(deadline=None)  # no timing in tests: the machine is shared
@given(st.text(max_size=30), st.text(min_size=1, max_size=10), st.text(max_size=30))
def test_utf16_offsets_become_python_offsets(before: str, span: str, after: str) -> None:
    text = before + span + after
    (m,) = markup_from_telethon(text, [types.MessageEntityBold(u16(before), u16(span))])
    assert (m.start, m.end) == (len(before), len(before) + len(span))
    assert text[m.start : m.end] == span


def test_entity_types_take_desktop_names() -> None:
    text = "@a #b $C /d e@x.io +3161 https://x.invalid link"
    t = types
    ents = [t.MessageEntityMention(0, 2), t.MessageEntityHashtag(3, 2), t.MessageEntityCashtag(6, 2),
            t.MessageEntityBotCommand(9, 2), t.MessageEntityEmail(12, 6), t.MessageEntityPhone(19, 5),
            t.MessageEntityUrl(25, 17), t.MessageEntityTextUrl(43, 4, "https://hidden.invalid"),
            t.MessageEntityStrike(0, 1), t.MessageEntitySpoiler(0, 1),
            t.MessageEntityCustomEmoji(0, 1, 5)]  # fmt: skip
    got = [(m.type, m.url) for m in markup_from_telethon(text, ents)]
    assert got == [("mention", None), ("hashtag", None), ("cashtag", None), ("bot_command", None),
                   ("email", None), ("phone", None), ("link", None), ("text_link", "https://hidden.invalid"),
                   ("strikethrough", None), ("spoiler", None), ("custom_emoji", None)]  # fmt: skip


def doc(*attrs, mime: str = "application/octet-stream", size: int = 10) -> types.MessageMediaDocument:  # type: ignore[no-untyped-def]
    d = types.Document(id=1, access_hash=1, file_reference=b"", date=T0, mime_type=mime, size=size, dc_id=2,
                       attributes=list(attrs))  # fmt: skip
    return types.MessageMediaDocument(document=d)


def test_media_kinds_match_desktop() -> None:
    kinds = {
        "sticker": doc(types.DocumentAttributeSticker("🙂", types.InputStickerSetEmpty()),
                       types.DocumentAttributeImageSize(512, 512), mime="image/webp"),
        "animation": doc(types.DocumentAttributeAnimated(), types.DocumentAttributeVideo(3, 320, 240)),
        "video_note": doc(types.DocumentAttributeVideo(9, 240, 240, round_message=True)),
        "voice": doc(types.DocumentAttributeAudio(4, voice=True), mime="audio/ogg"),
        "audio": doc(types.DocumentAttributeAudio(200, title="Song", performer="Band")),
        "document": doc(types.DocumentAttributeFilename("prices.xlsx")),
    }  # fmt: skip
    got = {k: media_from_telethon(v) for k, v in kinds.items()}
    assert {k: m.kind for k, m in got.items()} == {k: k for k in kinds}
    assert got["sticker"].extra == {"sticker_emoji": "🙂"} and got["sticker"].width == 512
    assert got["audio"].extra == {"performer": "Band", "title": "Song"} and got["audio"].duration == 200.0
    assert got["document"].file_name == "prices.xlsx"
    geo = types.GeoPoint(long=4.9, lat=52.37, access_hash=0)
    venue = media_from_telethon(types.MessageMediaVenue(geo, "Dam", "Dam 1", "", "", ""))
    assert (venue.kind, venue.extra) == ("venue", {"latitude": 52.37, "longitude": 4.9, "place_name": "Dam",
                                                   "address": "Dam 1"})  # fmt: skip
    contact = media_from_telethon(types.MessageMediaContact("+31600000000", "Jan", "", "", 0))
    assert contact.kind == "contact" and contact.extra["phone_number"] == "+31600000000"
    assert media_from_telethon(types.MessageMediaWebPage(types.WebPageEmpty(id=1))) is None
    assert media_from_telethon(types.MessageMediaUnsupported()).kind == "unknown"


def test_senders_forwards_and_services() -> None:
    seller = user(4242, "Ann", None, "ann")
    bot = user(99, "Shop Bot", None, "shopbot")
    bot.bot = True
    group = channel(2002, "chat_x", "Chat", megagroup=True)
    m = message(group, 5, "hi", known=[seller, bot], from_id=types.PeerUser(4242), via_bot_id=99,
                fwd_from=types.MessageFwdHeader(date=T0, from_name="Hidden Person"))  # fmt: skip
    got = message_from_telethon(m, channel_from_telethon(group))
    assert (got.sender_key, got.sender_name, got.via_bot) == ("user4242", "Ann", "@shopbot")
    assert (got.fwd_from, got.fwd_channel_id, got.fwd_msg_id) == ("Hidden Person", None, None)
    post = message_from_telethon(message(SHOP, 6, "signed", post_author="Max"), LIVE_SHOP)
    assert (post.sender_key, post.sender_name, post.author) == ("channel1001", "Alpha", "Max")
    svc = types.MessageService(id=7, peer_id=types.PeerChannel(1001), date=T0, post=True,
                               action=types.MessageActionChatEditTitle("New"))  # fmt: skip
    got = message_from_telethon(svc, LIVE_SHOP)
    assert (got.kind, got.action, got.text, got.sender_key) == (
        "service",
        "edit_group_title",
        "",
        "channel1001",
    )
    assert action_name(types.MessageActionGiveawayLaunch()) == "giveaway_launch"
