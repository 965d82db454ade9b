"""Collected and imported copies of the same posts become the same rows.

The same posts are written once as a Telegram Desktop export (``result.json``, read by ``tgintel ingest``'s
own reader) and once as the Telethon objects a live client receives; both go through their real paths into
two stores, and the stored rows are compared column by column.

Columns that legitimately differ, and why (everything else must be equal):

- ``raw``: by definition the source's own leftovers (Desktop's ``markup_extra``/``message_id`` keys, the live
  client's reply count and Telegram media id).
- ``views``, ``forwards``, ``grouped_id``, ``fwd_msg_id``, ``fwd_date``: Telegram Desktop's JSON export does
  not contain them; only the live API knows view counts, album ids and the original post of a forward.
- ``media.extra.file`` / ``media.extra.thumbnail``: paths inside the export folder, which a live copy has not.
- ``digest``: a fingerprint over all columns, so it differs exactly when one of the above does.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import text
from telegram_fakes import T0, FakeClock, FakeTelegram, channel, jpeg_photo, message, user
from telethon.tl import types

from tgintel.jobs.collect import CollectOptions, collect
from tgintel.jobs.ingest import ingest_paths

LIVE_ONLY = {"raw", "views", "forwards", "grouped_id", "fwd_msg_id", "fwd_date", "digest"}
EXPORT_PATHS = {"file", "thumbnail"}
SHOP = "Alpha Market 🔥"


def u16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def unix(dt) -> str:  # type: ignore[no-untyped-def]
    return str(int(dt.timestamp()))


def desktop(mid: int, date, **kw: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {"id": mid, "type": "message", "date": date.strftime("%Y-%m-%dT%H:%M:%S"),
            "date_unixtime": unix(date), **kw}  # fmt: skip


def build() -> tuple[list[dict[str, Any]], FakeTelegram]:
    """Desktop records of two chats and the same posts as Telethon objects in a fake Telegram."""
    shop = channel(1001, "alpha_market", SHOP)
    group = channel(2002, "alpha_chat", "Alpha Chat", megagroup=True)
    origin = channel(555, "origin_shop", "Origin Shop")
    seller = user(4242, "Ann", "Seller", "ann_sells")
    d = [T0 + timedelta(hours=i) for i in range(10)]

    # 1. astral emoji before formatted spans: UTF-16 offsets must become Python offsets
    pre, bold, mid_, link, tail = "🔥🔥 Fresh ", "stock", " today, order ", "here", " 💊 #drop"
    t1 = pre + bold + mid_ + link + tail
    hashtag_at = t1.index("#drop")
    live = [
        message(shop, 1, t1, date=d[1], views=1200, forwards=4, post_author="Max",
                edit_date=d[2],
                replies=types.MessageReplies(replies=3, replies_pts=1),
                reactions=types.MessageReactions(results=[
                    types.ReactionCount(types.ReactionEmoji("👍"), 5),
                    types.ReactionCount(types.ReactionCustomEmoji(998877), 2)]),
                entities=[types.MessageEntityBold(u16(pre), u16(bold)),
                          types.MessageEntityTextUrl(u16(pre + bold + mid_), u16(link), "https://example.invalid/o"),
                          types.MessageEntityHashtag(u16(t1[:hashtag_at]), u16("#drop"))]),
    ]  # fmt: skip
    export_shop = [
        desktop(1, d[1], edited=d[2].strftime("%Y-%m-%dT%H:%M:%S"), edited_unixtime=unix(d[2]),
                **{"from": SHOP}, from_id="channel1001", author="Max",
                reactions=[{"type": "emoji", "count": 5, "emoji": "👍"},
                           {"type": "custom_emoji", "count": 2, "document_id": "998877"}],
                text=[pre, {"type": "bold", "text": bold}, mid_,
                      {"type": "text_link", "text": link, "href": "https://example.invalid/o"}, " 💊 ",
                      {"type": "hashtag", "text": "#drop"}],
                text_entities=[{"type": "plain", "text": pre}, {"type": "bold", "text": bold},
                               {"type": "plain", "text": mid_},
                               {"type": "text_link", "text": link, "href": "https://example.invalid/o"},
                               {"type": "plain", "text": " 💊 "}, {"type": "hashtag", "text": "#drop"}]),
    ]  # fmt: skip
    # 2. a forward from another channel, replying to post 1
    live.append(message(shop, 2, "restock soon", date=d[3], known=[origin], reply_to=types.MessageReplyHeader(
        reply_to_msg_id=1), fwd_from=types.MessageFwdHeader(date=d[0], from_id=types.PeerChannel(555),
                                                           channel_post=77)))  # fmt: skip
    export_shop.append(desktop(2, d[3], **{"from": SHOP}, from_id="channel1001",
                               forwarded_from="Origin Shop", forwarded_from_id="channel555",
                               reply_to_message_id=1, text="restock soon",
                               text_entities=[{"type": "plain", "text": "restock soon"}]))  # fmt: skip
    # 3./4. an album: photo + video
    live.append(
        message(shop, 3, "menu", date=d[4], grouped_id=13579, media=jpeg_photo(9001, 123456, 1280, 960))
    )
    export_shop.append(desktop(3, d[4], **{"from": SHOP}, from_id="channel1001",
                               photo="photos/photo_3@01-03-2026_13-00-00.jpg", photo_file_size=123456,
                               width=1280, height=960, text="menu",
                               text_entities=[{"type": "plain", "text": "menu"}]))  # fmt: skip
    video = types.Document(id=9002, access_hash=1, file_reference=b"", date=d[4], mime_type="video/mp4",
                           size=2_000_000, dc_id=2, attributes=[
                               types.DocumentAttributeVideo(duration=12, w=720, h=1280),
                               types.DocumentAttributeFilename("promo.mp4")])  # fmt: skip
    live.append(
        message(shop, 4, "", date=d[4], grouped_id=13579, media=types.MessageMediaDocument(document=video))
    )
    export_shop.append(desktop(4, d[4], **{"from": SHOP}, from_id="channel1001",
                               file="files/promo.mp4", file_name="promo.mp4", file_size=2_000_000,
                               thumbnail="files/promo.mp4_thumb.jpg", media_type="video_file",
                               mime_type="video/mp4", duration_seconds=12, width=720, height=1280,
                               text="", text_entities=[]))  # fmt: skip
    # 5. a poll
    poll = types.Poll(id=1, question=types.TextWithEntities("Which?", []), answers=[
        types.PollAnswer(types.TextWithEntities("A", []), b"0"),
        types.PollAnswer(types.TextWithEntities("B", []), b"1")], hash=0)  # fmt: skip
    votes = [types.PollAnswerVoters(b"0", voters=3), types.PollAnswerVoters(b"1", voters=1)]
    results = types.PollResults(results=votes, total_voters=4)
    live.append(message(shop, 5, "", date=d[5], media=types.MessageMediaPoll(poll, results)))
    export_shop.append(desktop(5, d[5], **{"from": SHOP}, from_id="channel1001", text="",
                               text_entities=[], poll={
                                   "question": "Which?", "closed": False, "total_voters": 4,
                                   "answers": [{"text": "A", "voters": 3, "chosen": False},
                                               {"text": "B", "voters": 1, "chosen": False}]}))  # fmt: skip
    # 6. a pin (service message)
    pin = types.MessageService(id=6, peer_id=types.PeerChannel(1001), date=d[6], post=True,
                               action=types.MessageActionPinMessage(),
                               reply_to=types.MessageReplyHeader(reply_to_msg_id=1))  # fmt: skip
    live.append(pin)
    export_shop.append({"id": 6, "type": "service", "date": d[6].strftime("%Y-%m-%dT%H:%M:%S"),
                        "date_unixtime": unix(d[6]), "actor": SHOP, "actor_id": "channel1001",
                        "action": "pin_message", "message_id": 1, "text": "",
                        "text_entities": []})  # fmt: skip
    # 7. a user writing in a supergroup, mentioning someone without a username
    t7 = "ask Bob for 🍀 prices"
    group_live = [message(group, 7, t7, date=d[7], known=[seller], from_id=types.PeerUser(4242),
                          entities=[types.MessageEntityMentionName(4, 3, 31337)])]  # fmt: skip
    export_group = [desktop(7, d[7], **{"from": "Ann Seller"}, from_id="user4242", text=[
        "ask ", {"type": "mention_name", "text": "Bob", "user_id": 31337}, " for 🍀 prices"],
        text_entities=[{"type": "plain", "text": "ask "},
                       {"type": "mention_name", "text": "Bob", "user_id": 31337},
                       {"type": "plain", "text": " for 🍀 prices"}])]  # fmt: skip
    tg = FakeTelegram()
    tg.add(shop, live)
    tg.add(group, group_live)
    tg.add(origin)
    exports = [
        {"name": SHOP, "type": "public_channel", "id": 1001, "messages": export_shop},
        {"name": "Alpha Chat", "type": "public_supergroup", "id": 2002, "messages": export_group},
    ]
    return exports, tg


def rows(store) -> dict[tuple[int, int], dict[str, Any]]:  # type: ignore[no-untyped-def]
    with store.connect() as conn:
        out = {}
        for r in conn.execute(text("SELECT * FROM messages")).mappings():
            d = {k: v for k, v in r.items() if k not in LIVE_ONLY | {"pk", "analyzed"}}
            if d["media"]:
                media = orjson.loads(d["media"])
                extra = {k: v for k, v in (media.pop("extra", None) or {}).items() if k not in EXPORT_PATHS}
                d["media"] = {**media, "extra": extra or None}
            out[(r["channel_id"], r["id"])] = d
        return out


def test_collected_and_imported_rows_are_identical(tmp_path: Path, store) -> None:  # type: ignore[no-untyped-def]
    exports, tg = build()
    for i, chat in enumerate(exports):
        folder = tmp_path / f"export{i}"
        folder.mkdir()
        (folder / "result.json").write_text(json.dumps(chat, ensure_ascii=False), encoding="utf-8")
    from tgintel.store import open_store

    imported = open_store(str(tmp_path / "imported.sqlite"))
    try:
        ingest_paths(imported, [tmp_path / "export0", tmp_path / "export1"])
        store.watch_add(["@alpha_market", "@alpha_chat"])
        asyncio.run(collect(store, tg, CollectOptions(), clock=FakeClock()))
        got, want = rows(store), rows(imported)
        assert len(want) == 7 and sorted(got) == sorted(want)
        for key in want:
            assert got[key] == want[key], key
        # The live-only columns really are filled by the collector (so excluding them hides nothing else).
        _, post = store.get_message(1001, 1)
        _, fwd = store.get_message(1001, 2)
        _, photo = store.get_message(1001, 3)
        assert (post.views, post.forwards, post.raw) == (1200, 4, {"replies": 3})
        assert (fwd.fwd_channel_id, fwd.fwd_msg_id, fwd.fwd_date) == (555, 77, T0)
        assert photo.grouped_id == 13579 and photo.raw == {"media_id": "9001"}
        assert (
            post.markup[0].start == len("🔥🔥 Fresh ")
            and post.text[post.markup[1].start : post.markup[1].end] == "here"
        )
        for a, b in zip(imported.list_channels(), store.list_channels(), strict=True):
            assert (a.id, a.title, a.kind) == (b.id, b.title, b.kind)
    finally:
        imported.close()
