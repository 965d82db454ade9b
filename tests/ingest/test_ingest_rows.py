"""Rows made straight from Desktop message dicts (``to_row``) equal the rows of the Messages (``to_message``
then the store's ``message_values``), digest included, on generated messages of every shape — and the two
refuse the same messages with the same words. Ingest stores the first; everything else reads the second."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tgintel.sources.desktop_export import BadMessage, RowMaker, to_message, to_row
from tgintel.store.sql import ROW_NULL, message_values, row_nulls_to_none, seal_message_values

ROWS = RowMaker(seal_message_values, ROW_NULL)  # as ingest makes them: NaN in NULL columns


def stored(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The row as the database holds it; the columns the store reads in Python never hold the NaN."""
    assert all(row[i] == row[i] for i in (0, 1, 2, 6, 7)), row  # channel_id, id, date, sender_key/_name
    return row_nulls_to_none(row)

PLACEHOLDER = "(File not included. Change data exporting settings to download.)"

scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), st.text(max_size=12),
                    st.floats(allow_nan=False, allow_infinity=False))  # fmt: skip
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8)  # fmt: skip
texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
unix = st.one_of(
    st.integers(0, 4_102_444_800).map(str),  # Desktop's form: a string of digits
    st.integers(0, 4_102_444_800),
    st.sampled_from(["", "abc", "12a", "²", "-5", " 17 ", "99999999999999999", "100000000000", "١٢٣"]),
)
iso = st.one_of(
    st.datetimes().map(lambda d: d.isoformat(timespec="seconds")),
    st.sampled_from(["2026-01-05T12:00:00", "2026-01-05T12:00:00.250000", "2026-01-05T12:00:00+02:00", "x"]),
)
peers = st.one_of(st.sampled_from(["user1", "channel7", "chat9"]), st.integers(1, 10**10), st.none(), texts)
entity_types = st.sampled_from(["plain", "link", "text_link", "mention", "mention_name", "bold", "hashtag"])


@st.composite
def entity(draw: st.DrawFn) -> dict[str, Any]:
    e: dict[str, Any] = {"type": draw(entity_types), "text": draw(st.one_of(texts, st.integers(0, 99)))}
    if e["type"] == "text_link" or (draw(st.booleans()) and draw(st.booleans())):
        e["href"] = draw(texts)
    if e["type"] == "mention_name":
        e["user_id"] = draw(st.one_of(st.integers(1, 10**9), st.none()))
    if draw(st.integers(0, 5)) == 0:
        e["document_id"] = draw(texts)  # a key beyond type/text/url: kept as markup_extra
    return e


@st.composite
def text_fields(draw: st.DrawFn) -> dict[str, Any]:
    shape = draw(st.integers(0, 6))
    body = draw(texts)
    if shape == 0:  # the common shape: plain text, one plain entity
        return {"text": body, "text_entities": [{"type": "plain", "text": body}]}
    if shape == 1:
        return {"text": body, "text_entities": []}
    if shape == 2:
        return {"text": body}
    parts = draw(st.lists(st.one_of(texts, entity()), max_size=5))
    ents = [{"type": "plain", "text": p} if isinstance(p, str) else p for p in parts]
    if shape == 3:  # the list form with its entities, as Desktop writes it
        return {"text": parts, "text_entities": ents}
    if shape == 4:  # entities that do not fit the text: kept in raw
        return {"text": body, "text_entities": draw(st.lists(entity(), max_size=3))}
    if shape == 5:
        return {"text": parts}
    ents = draw(st.one_of(st.none(), st.lists(entity(), max_size=2)))
    return {"text": draw(json_values), "text_entities": ents}


def media_fields(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.integers(0, 9))
    size = st.one_of(st.integers(0, 10**9), st.none())
    if kind == 1:
        return {"photo": draw(st.sampled_from([PLACEHOLDER, "photos/p.jpg"])), "photo_file_size": draw(size),
                "width": 1280, "height": 960}  # fmt: skip
    if kind == 2:
        d = {"file": PLACEHOLDER, "thumbnail": PLACEHOLDER, "mime_type": "video/mp4",
             "duration_seconds": draw(st.integers(0, 99)), "file_size": draw(size), "file_name": draw(texts),
             "media_type": draw(st.sampled_from(["video_file", "sticker", "odd"]))}  # fmt: skip
        if draw(st.booleans()):
            d["sticker_emoji"] = draw(texts)
        return d
    if kind == 3:
        return {"poll": {"question": draw(texts), "total_voters": draw(st.integers(0, 9))}}
    if kind == 4:
        return {"contact_information": {"first_name": draw(texts)}, "contact_vcard": PLACEHOLDER}
    if kind == 5:
        d = {"location_information": {"latitude": 52.1, "longitude": 4.3}}
        if draw(st.booleans()):
            d["place_name"] = draw(texts)
        return d
    if kind == 6:
        return {"game_title": draw(texts), "game_link": "https://example.invalid/g"}
    if kind == 7:
        return {"invoice_information": {"title": draw(texts), "amount": draw(st.integers(0, 999))}}
    return {}


@st.composite
def messages(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 40)) == 0:
        return draw(json_values)  # not an object at all
    d: dict[str, Any] = {}
    if draw(st.integers(0, 30)):
        d["id"] = draw(st.integers(1, 2**40))
    elif draw(st.booleans()):
        d["id"] = draw(st.one_of(texts, st.floats(allow_nan=False)))
    service = draw(st.integers(0, 6)) == 0
    d["type"] = "service" if service else draw(st.sampled_from(["message", "message", "odd"]))
    if draw(st.integers(0, 8)):
        d["date"] = draw(iso)
    if draw(st.integers(0, 5)):
        d["date_unixtime"] = draw(unix)
    d.update(draw(text_fields()))
    if service:
        d.update(actor=draw(st.one_of(texts, st.none())), actor_id=draw(peers), action="pin_message",
                 message_id=draw(st.integers(1, 99)))  # fmt: skip
        if draw(st.booleans()):
            d["from_id"] = d["actor_id"]
    elif draw(st.integers(0, 5)):
        d["from"] = draw(st.one_of(texts, st.none()))
        d["from_id"] = draw(peers)
    if draw(st.integers(0, 6)) == 0:
        if draw(st.booleans()):
            d["edited"] = draw(iso)
        if draw(st.integers(0, 3)):
            d["edited_unixtime"] = draw(unix)
    if draw(st.integers(0, 6)) == 0:
        d["forwarded_from"] = draw(st.one_of(texts, st.none()))
        d["forwarded_from_id"] = draw(st.one_of(peers, st.sampled_from(["channel12", "channel1x", "user3"])))
    if draw(st.integers(0, 12)) == 0:
        d["saved_from"] = draw(texts)
    if draw(st.integers(0, 6)) == 0:
        d["reply_to_message_id"] = draw(st.one_of(st.integers(1, 99), texts))
    for key in ("via_bot", "author"):
        if draw(st.integers(0, 10)) == 0:
            d[key] = draw(st.one_of(texts, st.integers(0, 9)))
    if draw(st.integers(0, 5)) == 0:
        reaction = st.fixed_dictionaries(
            {"type": st.sampled_from(["emoji", "custom_emoji", "paid"]), "count": st.integers(0, 99)},
            optional={"emoji": texts, "document_id": texts, "recent": json_values},
        )
        d["reactions"] = draw(st.one_of(st.lists(reaction, max_size=3), json_values))
    d.update(media_fields(draw))
    if draw(st.integers(0, 6)) == 0:
        d.update(draw(st.dictionaries(st.sampled_from(["inline_bot_buttons", "ttl", "x_new"]), json_values)))
    return d


def outcome(fn: Any, d: Any) -> tuple[str, Any]:
    try:
        return "row", fn(copy.deepcopy(d))
    except BadMessage as exc:
        return "bad", str(exc)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages())
def test_rows_straight_from_the_dict_equal_the_messages_rows(d: Any) -> None:
    direct = outcome(lambda x: stored(to_row(x, 1400000001, None, ROWS)), d)
    via_message = outcome(lambda x: message_values(to_message(x, 1400000001, None)), d)
    assert direct == via_message


def test_common_shapes_take_no_detour_and_keep_what_is_not_modelled() -> None:
    d = {"id": 5, "type": "message", "date": "2026-01-05T13:00:00", "date_unixtime": "1767614400",
         "from": "Shop", "from_id": "user42", "text": ["buy ", {"type": "link", "text": "t.me/x"}],
         "text_entities": [{"type": "plain", "text": "buy "}, {"type": "link", "text": "t.me/x"}],
         "photo": PLACEHOLDER, "photo_file_size": 10, "width": 1, "height": 2, "reactions": [
         {"type": "emoji", "emoji": "👍", "count": 3}], "ttl_period": 60}  # fmt: skip
    made = to_row(copy.deepcopy(d), 1, None, ROWS)
    assert made[10] != made[10]  # "edited": the NaN that binds as NULL (the digest is that of None, below)
    row = stored(made)
    assert row == message_values(to_message(copy.deepcopy(d), 1))
    assert row[2] == 1767614400 and row[4] == "buy t.me/x" and row[5] == '[["link",4,10,null]]'
    assert row[21] == "photo" and '"not_included"' in row[22] and row[23] == '{"ttl_period":60}'


def test_bad_messages_inside_a_block_are_named_and_skipped_exactly(tmp_path: Path) -> None:
    from export_builder import chat, msg, write

    from tgintel.errors import UserError
    from tgintel.sources.desktop_export import iter_export

    records: list[Any] = [msg(i, f"text {i}") for i in range(1, 41)]
    records[3].pop("id")  # id 4: no id (named after id 3)
    records[4]["date_unixtime"] = "soon"  # id 5, right after it
    records[10] = 17  # not an object
    records[25].update(text=3.5, text_entities=None)  # id 26
    path = write(tmp_path / "result.json", chat(9, records))
    data = path.read_bytes()
    good = [r["id"] for r in records if isinstance(r, dict) and r.get("id") not in (None, 5, 26)]
    for batch_size in (1, 3, 7, 100):
        for rows in (None, ROWS):
            seen: dict[bool, tuple[list[int], list[str]]] = {}
            for fast in (True, False):
                bad: list[str] = []
                batches = iter_export(path, batch_size=batch_size, fast=fast, on_bad=bad.append, rows=rows)
                ids = [m.id if rows is None else m[1] for _, batch in batches for m in batch]
                seen[fast] = ids, bad
            assert seen[True][0] == seen[False][0] == good
            lines = seen[True][1]
            assert [line.split(": ", 2)[2].split(" (near")[0] for line in lines] == [
                "message after id 3 has no id",
                "message id 5: 'date_unixtime' is not a Unix time: 'soon'",
                "message after id 10 is not a JSON object",
                "message id 26: 'text' is neither a string nor a list",
            ]
            near = [int(line.rsplit("near byte ", 1)[1].rstrip(")")) for line in lines]
            assert [data[n : n + 1] for n in near] == [b"{", b"{", b"1", b"{"]  # each bad message's start
            # ijson names the same messages (and the start of the read they were in)
            assert [x.split(" (near")[0] for x in seen[False][1]] == [x.split(" (near")[0] for x in lines]
    with pytest.raises(UserError, match=r"message after id 3 has no id \(near byte \d+\); --skip-bad"):
        list(iter_export(path, rows=ROWS))
