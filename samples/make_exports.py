# ruff: noqa: E501  (sample records read better one per line)
"""Write the bundled sample exports (``samples/exports/``) that ``make demo`` ingests.

Invented, neutral content in the shapes Telegram Desktop writes: one single-channel export and one
full-account export with three chats (and one left chat), English, Russian and Dutch text, forwards, file
placeholders, a service message, a poll, a location, reactions and an edit. Handles, links and numbers are
placeholders (``example.invalid``, ``+31 6 00000000``); nothing here points anywhere real.

Run ``.venv/bin/python samples/make_exports.py`` to regenerate; the output is deterministic.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parent / "exports"
NOT_INCLUDED = "(File not included. Change data exporting settings to download.)"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

POSTS = [
    ("en", "Fresh stock of account bundles today. Order via @sample_shop_bot, payment in USDT only."),
    ("ru", "Новое поступление: аккаунты с историей. Пишите @sample_manager, оплата USDT."),
    ("nl", "Vandaag nieuwe voorraad! Bestellen via @sample_manager, betalen met crypto."),
    ("en", "Price list updated: starter pack 40 EUR, pro pack 120 EUR. DM @sample_manager"),
    ("ru", "Гарант сделки через бота @sample_shop_bot. Отзывы в канале."),
    ("nl", "Let op: nep-kanalen gebruiken onze naam. Enige contact: @sample_manager"),
    ("en", "Weekend discount -20% on all packs. Reply with the word ORDER."),
    ("ru", "Скидка на выходные 20%. Пишите менеджеру."),
]


def stamp(dt: datetime) -> dict[str, str]:
    # Desktop writes the local time of the exporting machine in `date`; our invented machine ran on UTC+1.
    return {"date": (dt + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S"), "date_unixtime": str(int(dt.timestamp()))}


def plain(text: str) -> dict[str, object]:
    return {"text": text, "text_entities": [{"type": "plain", "text": text}]}


def with_mention(text: str) -> dict[str, object]:
    """Text whose @handles are `mention` entities, in both of Desktop's forms (`text` list, `text_entities`)."""
    parts: list[object] = []
    ents: list[dict[str, str]] = []
    for i, word in enumerate(text.split(" ")):
        piece = word if i == 0 else " " + word
        if word.startswith("@"):
            lead = "" if i == 0 else " "
            if lead:
                parts.append(lead)
                ents.append({"type": "plain", "text": lead})
            handle = word.rstrip(",.")
            parts.append({"type": "mention", "text": handle})
            ents.append({"type": "mention", "text": handle})
            rest = word[len(handle):]
            if rest:
                parts.append(rest)
                ents.append({"type": "plain", "text": rest})
        else:
            parts.append(piece)
            ents.append({"type": "plain", "text": piece})
    return {"text": parts, "text_entities": ents}


def channel_export() -> dict[str, object]:
    cid, name = 1900000001, "Sample Market Board"
    base = {"from": name, "from_id": f"channel{cid}"}
    msgs: list[dict[str, object]] = [
        {"id": 1, "type": "service", **stamp(T0), "actor": name, "actor_id": f"channel{cid}",
         "action": "create_channel", "title": name, "text": "", "text_entities": []},
    ]  # fmt: skip
    for i, (_lang, text) in enumerate(POSTS * 3):
        mid = i + 2
        m: dict[str, object] = {"id": mid, "type": "message", **stamp(T0 + timedelta(hours=6 * i)), **base}
        m.update(with_mention(text))
        if i % 5 == 1:
            m.update(photo=NOT_INCLUDED, width=1280, height=960)
        if i % 7 == 3:
            m.update(forwarded_from="Sample Partner Channel", forwarded_from_id="channel1900000002")
        if i % 6 == 2:
            m["reactions"] = [{"type": "emoji", "count": 3 + i, "emoji": "👍"}]
        if i == 4:
            edited = T0 + timedelta(hours=6 * i + 2)
            m.update(edited=stamp(edited)["date"], edited_unixtime=stamp(edited)["date_unixtime"])
        if i % 8 == 5:
            m["author"] = "Admin"
        msgs.append(m)
    msgs.append({"id": len(msgs) + 1, "type": "message", **stamp(T0 + timedelta(days=7)), **base,
                 "file": NOT_INCLUDED, "thumbnail": NOT_INCLUDED, "media_type": "video_file",
                 "mime_type": "video/mp4", "duration_seconds": 14, "width": 720, "height": 1280,
                 **plain("Short video of the new packaging.")})  # fmt: skip
    msgs.append({"id": len(msgs) + 1, "type": "message", **stamp(T0 + timedelta(days=7, hours=1)), **base,
                 "poll": {"question": "Which pack next?", "closed": False, "total_voters": 12,
                          "answers": [{"text": "Starter", "voters": 7, "chosen": False},
                                      {"text": "Pro", "voters": 5, "chosen": False}]},
                 "text": "", "text_entities": []})  # fmt: skip
    return {"name": name, "type": "public_channel", "id": cid, "messages": msgs}


def account_export() -> dict[str, object]:
    group_id, chan_id, me = 1900000003, 1900000002, 5550001
    t = T0 + timedelta(days=1)
    group_msgs: list[dict[str, object]] = [
        {"id": 10, "type": "service", **stamp(t), "actor": "Sample Admin", "actor_id": "user5550002",
         "action": "invite_members", "members": ["Buyer One"], "text": "", "text_entities": []},
        {"id": 11, "type": "message", **stamp(t + timedelta(minutes=5)), "from": "Buyer One",
         "from_id": "user5550003", **plain("Does anyone know if @sample_manager is legit?")},
        {"id": 12, "type": "message", **stamp(t + timedelta(minutes=9)), "from": "Sample Admin",
         "from_id": "user5550002", "reply_to_message_id": 11, **with_mention("Yes, only trust @sample_manager")},
        {"id": 13, "type": "message", **stamp(t + timedelta(minutes=12)), "from": "Buyer Two",
         "from_id": "user5550004", **plain("Heeft iemand ervaring met deze winkel?")},
        {"id": 14, "type": "message", **stamp(t + timedelta(minutes=20)), "from": "Buyer Two",
         "from_id": "user5550004", "file": NOT_INCLUDED, "media_type": "sticker", "sticker_emoji": "😀",
         "width": 512, "height": 512, "text": "", "text_entities": []},
        {"id": 15, "type": "message", **stamp(t + timedelta(minutes=30)), "from": "Sample Admin",
         "from_id": "user5550002", "via_bot": "@sample_shop_bot",
         "inline_bot_buttons": [[{"type": "url", "text": "Open shop", "data": "https://example.invalid/shop"}]],
         **plain("Catalogue: tap the button below.")},
        {"id": 16, "type": "message", **stamp(t + timedelta(minutes=41)), "from": "Buyer One",
         "from_id": "user5550003", "location_information": {"latitude": 52.0, "longitude": 4.3},
         "text": "", "text_entities": []},
    ]  # fmt: skip
    chan_msgs = [
        {"id": 100 + i, "type": "message", **stamp(t + timedelta(hours=3 * i)), "from": "Sample Partner Channel",
         "from_id": f"channel{chan_id}", **with_mention(text)}
        for i, (_lang, text) in enumerate(POSTS[:5])
    ]  # fmt: skip
    personal = [
        {"id": 500, "type": "message", **stamp(t + timedelta(hours=2)), "from": "Me", "from_id": f"user{me}",
         **plain("Saving this channel for the report.")},
        {"id": 501, "type": "message", **stamp(t + timedelta(hours=2, minutes=1)), "from": "Me",
         "from_id": f"user{me}", "forwarded_from": "Sample Market Board", "saved_from": "Sample Market Board",
         **with_mention(POSTS[3][1])},
    ]  # fmt: skip
    return {
        "about": "Here is the data you requested.",
        "personal_information": {"user_id": me, "first_name": "Me", "last_name": "", "phone_number": "+31 6 00000000"},
        "chats": {"about": "This page lists all chats from this export.", "list": [
            {"name": "Sample Buyers Chat", "type": "public_supergroup", "id": group_id, "messages": group_msgs},
            {"name": "Sample Partner Channel", "type": "public_channel", "id": chan_id, "messages": chan_msgs},
            {"type": "saved_messages", "id": me, "messages": personal},
        ]},
        "left_chats": {"about": "This page lists all chats you left.", "list": [
            {"name": "Sample Old Group", "type": "private_group", "id": 1900000004, "messages": []},
        ]},
    }  # fmt: skip


def main() -> None:
    for folder, data in (("ChatExport_2026-03-10", channel_export()), ("DataExport_2026-03-10", account_export())):
        path = OUT / folder / "result.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(path.relative_to(OUT.parent.parent))


if __name__ == "__main__":
    main()
