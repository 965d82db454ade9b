# ruff: noqa: E501  (one Desktop record per line reads better than wrapped dicts)
"""Every message shape Telegram Desktop writes lands in the model as it should, nothing silently dropped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from export_builder import NOT_INCLUDED, T0, account, chat, msg, stamp, write

from tgintel.jobs.ingest import ingest_paths
from tgintel.model import Markup
from tgintel.sources.desktop_export import iter_export

CID = 1400000001


def shapes() -> list[dict]:
    return [
        msg(1, "plain text", **{"from": "Shop"}, from_id=f"channel{CID}", author="Max"),
        # list form with entities, an astral emoji before them (UTF-16 vs Python offsets)
        msg(2, ["🔥 ", {"type": "bold", "text": "Fresh"}, " see ",
                {"type": "text_link", "text": "here", "href": "https://example.invalid/x"}, " ask ",
                {"type": "mention_name", "text": "Ann", "user_id": 4242}, " ",
                {"type": "pre", "text": "code", "language": "python"}],
            from_id="user77", **{"from": "Ann"}),
        # string text with text_entities (newer exports)
        msg(3, "call @seller now", text_entities=[{"type": "plain", "text": "call "},
                                                  {"type": "mention", "text": "@seller"},
                                                  {"type": "plain", "text": " now"}]),
        {"id": 4, "type": "service", **stamp(T0), "actor": "Admin", "actor_id": "user9", "action": "invite_members",
         "members": ["A", "B"], "text": "", "text_entities": []},
        msg(5, "old sender form", from_id=123456),
        msg(6, "from a chat", from_id="chat31"),
        msg(7, "fwd", forwarded_from="Origin Shop", forwarded_from_id="channel555", reply_to_message_id=1),
        msg(8, "fwd from user", forwarded_from="Bob", forwarded_from_id="user66"),
        msg(9, "name only", forwarded_from="Hidden Person"),
        msg(10, "saved", saved_from="Some Chat"),
        msg(11, "via", via_bot="@shop_bot", inline_bot_buttons=[[{"type": "url", "text": "Buy",
                                                                   "data": "https://example.invalid"}]]),
        msg(12, "", photo=NOT_INCLUDED, photo_file_size=5000, width=800, height=600),
        msg(13, "", file="files/a.pdf", file_name="a.pdf", file_size=1234, mime_type="application/pdf"),
        msg(14, "", file=NOT_INCLUDED, media_type="sticker", sticker_emoji="😀", width=512, height=512),
        msg(15, "", file=NOT_INCLUDED, media_type="voice_message", mime_type="audio/ogg", duration_seconds=3),
        msg(16, "clip", file=NOT_INCLUDED, thumbnail=NOT_INCLUDED, media_type="video_file",
            mime_type="video/mp4", duration_seconds=14, width=720, height=1280),
        msg(17, "", file=NOT_INCLUDED, media_type="animation", mime_type="video/mp4", width=320, height=240),
        msg(18, "", file=NOT_INCLUDED, media_type="audio_file", performer="P", title="T", duration_seconds=200),
        msg(19, "", file=NOT_INCLUDED, media_type="video_message", duration_seconds=9),
        msg(20, "", poll={"question": "Q?", "closed": False, "total_voters": 3,
                          "answers": [{"text": "A", "voters": 2, "chosen": False}]}),
        msg(21, "", contact_information={"first_name": "C", "last_name": "D", "phone_number": "+31600000000"},
            contact_vcard=NOT_INCLUDED),
        msg(22, "", location_information={"latitude": 52.1, "longitude": 4.25}),
        msg(23, "", location_information={"latitude": 52.1, "longitude": 4.25}, place_name="Cafe",
            address="Main St 1"),
        msg(24, "edited text", edited=stamp(T0 + timedelta(hours=1))["date"],
            edited_unixtime=stamp(T0 + timedelta(hours=1))["date_unixtime"]),
        msg(25, "liked", reactions=[{"type": "emoji", "count": 5, "emoji": "👍"},
                                    {"type": "custom_emoji", "count": 2, "document_id": "998877"}]),
        msg(26, "with who", reactions=[{"type": "emoji", "count": 1, "emoji": "❤",
                                        "recent": [{"from": "A", "from_id": "user1", "date": "x"}]}]),
        msg(27, "future field", some_new_field={"nested": [1, 2]}, self_destruct_period_seconds=10),
    ]


@pytest.fixture
def stored(sqlite_store, tmp_path: Path):  # type: ignore[no-untyped-def]
    path = write(tmp_path / "ChatExport" / "result.json", chat(CID, shapes(), name="Shop 🔥"))
    counts = ingest_paths(sqlite_store, [tmp_path])
    assert counts["messages"] == counts["inserted"] == 27
    return sqlite_store, path


def get(store, mid):  # type: ignore[no-untyped-def]
    found = store.get_message(CID, mid)
    assert found is not None, mid
    return found[1]


def test_channel_header(stored) -> None:  # type: ignore[no-untyped-def]
    store, _ = stored
    ch = store.get_channel(CID)
    assert (ch.title, ch.kind, ch.source) == ("Shop 🔥", "channel", "export")
    assert ch.raw == {"type": "public_channel"}


def test_text_forms_and_markup(stored) -> None:  # type: ignore[no-untyped-def]
    store, _ = stored
    m1 = get(store, 1)
    assert (m1.text, m1.markup, m1.sender_key, m1.sender_name, m1.author) == (
        "plain text", [], f"channel{CID}", "Shop", "Max")
    m2 = get(store, 2)
    assert m2.text == "🔥 Fresh see here ask Ann code"
    spans = {mk.type: (m2.text[mk.start:mk.end], mk.url) for mk in m2.markup}
    assert spans == {"bold": ("Fresh", None), "text_link": ("here", "https://example.invalid/x"),
                     "mention_name": ("Ann", "4242"), "pre": ("code", None)}  # fmt: skip
    assert m2.raw == {"markup_extra": [{"index": 3, "language": "python"}]}
    m3 = get(store, 3)
    assert m3.text == "call @seller now" and m3.markup == [Markup("mention", 5, 12, None)]


def test_service_and_senders(stored) -> None:  # type: ignore[no-untyped-def]
    store, _ = stored
    m4 = get(store, 4)
    assert (m4.kind, m4.action, m4.sender_key, m4.sender_name) == ("service", "invite_members", "user9", "Admin")
    assert m4.raw == {"members": ["A", "B"]}
    assert get(store, 5).sender_key == "user123456"
    assert get(store, 6).sender_key == "chat31"


def test_forwards_replies_bots(stored) -> None:  # type: ignore[no-untyped-def]
    store, _ = stored
    m7 = get(store, 7)
    assert (m7.fwd_from, m7.fwd_channel_id, m7.reply_to, m7.raw) == ("Origin Shop", 555, 1, None)
    m8 = get(store, 8)
    assert (m8.fwd_from, m8.fwd_channel_id, m8.raw) == ("Bob", None, {"forwarded_from_id": "user66"})
    assert (get(store, 9).fwd_from, get(store, 9).fwd_channel_id) == ("Hidden Person", None)
    m10 = get(store, 10)
    assert (m10.fwd_from, m10.raw) == ("Some Chat", {"saved_from": "Some Chat"})
    m11 = get(store, 11)
    assert m11.via_bot == "@shop_bot"
    assert m11.raw == {"inline_bot_buttons": [[{"type": "url", "text": "Buy", "data": "https://example.invalid"}]]}


@pytest.mark.parametrize(
    ("mid", "kind", "fields"),
    [
        (12, "photo", {"size": 5000, "width": 800, "height": 600, "extra": {"file": "not_included"}}),
        (13, "document", {"mime": "application/pdf", "size": 1234, "file_name": "a.pdf",
                          "extra": {"file": "files/a.pdf"}}),
        (14, "sticker", {"width": 512, "extra": {"file": "not_included", "sticker_emoji": "😀"}}),
        (15, "voice", {"mime": "audio/ogg", "duration": 3.0}),
        (16, "video", {"duration": 14.0, "height": 1280, "extra": {"file": "not_included",
                                                                   "thumbnail": "not_included"}}),
        (17, "animation", {"width": 320}),
        (18, "audio", {"duration": 200.0, "extra": {"file": "not_included", "performer": "P", "title": "T"}}),
        (19, "video_note", {"duration": 9.0}),
        (20, "poll", {"extra": {"question": "Q?", "closed": False, "total_voters": 3,
                                "answers": [{"text": "A", "voters": 2, "chosen": False}]}}),
        (21, "contact", {"extra": {"first_name": "C", "last_name": "D", "phone_number": "+31600000000",
                                   "vcard": "not_included"}}),
        (22, "location", {"extra": {"latitude": 52.1, "longitude": 4.25}}),
        (23, "venue", {"extra": {"latitude": 52.1, "longitude": 4.25, "place_name": "Cafe",
                                 "address": "Main St 1"}}),
    ],
)  # fmt: skip
def test_media_metadata(stored, mid: int, kind: str, fields: dict) -> None:  # type: ignore[no-untyped-def]
    store, _ = stored
    m = get(store, mid)
    assert m.media is not None and m.media.kind == kind
    for name, value in fields.items():
        assert getattr(m.media, name) == value, name
    assert m.raw is None  # every media key was modelled


def test_edits_reactions_unknown_fields(stored) -> None:  # type: ignore[no-untyped-def]
    store, _ = stored
    assert get(store, 24).edited == T0 + timedelta(hours=1)
    m25 = get(store, 25)
    assert m25.reactions == {"👍": 5, "custom:998877": 2} and m25.raw is None
    m26 = get(store, 26)
    assert m26.reactions == {"❤": 1} and m26.raw["reactions"][0]["recent"][0]["from_id"] == "user1"
    assert get(store, 27).raw == {"some_new_field": {"nested": [1, 2]}, "self_destruct_period_seconds": 10}


def test_dates_without_unixtime(tmp_path: Path) -> None:
    rec = {"id": 1, "type": "message", "date": "2026-01-05T12:00:00", "text": "x"}
    path = write(tmp_path / "r.json", chat(5, [rec]))
    [(_, [m])] = list(iter_export(path))
    assert m.date == datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    [(_, [m])] = list(iter_export(path, tz=ZoneInfo("Europe/Amsterdam")))
    assert m.date == datetime(2026, 1, 5, 11, 0, tzinfo=UTC)


def test_full_account_export(sqlite_store, tmp_path: Path) -> None:
    kinds = ["public_channel", "private_channel", "public_supergroup", "private_supergroup", "private_group",
             "personal_chat", "bot_chat"]  # fmt: skip
    chats = [chat(100 + i, [msg(j, f"chat {i} msg {j}") for j in range(1, i + 2)], name=f"C{i}", kind=k)
             for i, k in enumerate(kinds)]  # fmt: skip
    chats.append({"type": "saved_messages", "id": 900, "messages": [msg(1, "note to self")]})
    chats.append({"name": "No messages key", "type": "private_group", "id": 901})
    left = [chat(950, [msg(5, "left chat msg")], name="Left", kind="private_supergroup")]
    path = write(tmp_path / "DataExport" / "result.json", account(chats, left))
    counts = ingest_paths(sqlite_store, [path], batch_size=3)
    assert counts["chats"] == 10 and counts["messages"] == sum(range(1, 8)) + 2
    assert counts["empty_chats"] == 1
    got = {c.id: (c.title, c.kind) for c in sqlite_store.list_channels()}
    assert got == {
        100: ("C0", "channel"), 101: ("C1", "channel"), 102: ("C2", "supergroup"), 103: ("C3", "supergroup"),
        104: ("C4", "group"), 105: ("C5", "private"), 106: ("C6", "bot"), 900: ("Saved Messages", "saved"),
        901: ("No messages key", "group"), 950: ("Left", "supergroup"),
    }  # fmt: skip
    # every message in its own chat, none swapped across chat boundaries
    for i in range(7):
        texts = {m.text for batch in sqlite_store.iter_messages(channel_id=100 + i) for _, m in batch}
        assert texts == {f"chat {i} msg {j}" for j in range(1, i + 2)}
    assert sqlite_store.get_message(950, 5)[1].text == "left chat msg"


def test_folder_search_and_empty_chat(run_cli, tmp_path: Path) -> None:
    write(tmp_path / "exports" / "a" / "result.json", chat(1, [msg(1, "a")]))
    write(tmp_path / "exports" / "b" / "deeper" / "result.json", chat(2, [], name="Quiet"))
    write(tmp_path / "exports" / "b" / "notes.json", {"not": "an export"})  # not named result.json: ignored
    proc = run_cli("ingest", "--db", "t.sqlite", "exports")
    assert proc.returncode == 0, proc.stderr
    assert "2 file(s), 2 chat(s), 1 messages read, 1 new" in proc.stdout
    assert "1 chat(s) had no messages" in proc.stdout
    assert "ingest: reading" in proc.stderr  # plain progress lines when stderr is not a terminal
    stats = run_cli("stats", "--db", "t.sqlite", "--json", check=True)
    import json

    rows = {r["id"]: r for r in json.loads(stats.stdout)}
    assert rows[1]["messages"] == 1 and rows[2]["messages"] == 0 and rows[2]["title"] == "Quiet"


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    import os
    import pty
    import subprocess

    write(tmp_path / "result.json", chat(1, [msg(i, f"m {i}") for i in range(1, 50)]))
    tgintel = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "tgintel"
    main, child = pty.openpty()
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "120"}
    env.pop("TGINTEL_DB", None)
    proc = subprocess.Popen([str(tgintel), "ingest", "--db", "t.sqlite", "result.json"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=child, env=env)  # fmt: skip
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    out, _ = proc.communicate(timeout=120)
    os.close(main)
    screen = b"".join(chunks).decode(errors="replace")
    assert proc.returncode == 0
    assert "msgs" in screen and "/s" in screen and "100%" in screen  # Rich bar, not log lines
    assert "ingest: reading" not in screen
    assert b"49 new" in out


def test_header_after_messages_and_extra_header_keys(tmp_path: Path) -> None:
    # Desktop writes name/type/id first; a file written by another tool may not.
    data = {"messages": [msg(1, "a"), msg(2, "b")], "name": "Late", "type": "private_supergroup", "id": 42}
    [(ch, batch)] = list(iter_export(write(tmp_path / "late.json", data)))
    assert (ch.id, ch.title, ch.kind, [m.id for m in batch]) == (42, "Late", "supergroup", [1, 2])
    data = {"name": "Early", "type": "public_channel", "id": 43, "exported_by": "tool", "messages": [msg(1, "x")]}
    [(ch, _)] = list(iter_export(write(tmp_path / "early.json", data)))
    assert ch.raw == {"type": "public_channel", "exported_by": "tool"}
