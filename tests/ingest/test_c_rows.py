"""The C row maker (tgintel/sources/_c_export.c) makes exactly the rows the Python ``_convert`` makes, digest
included, declines what it does not know without touching it, and its digit-run scan finds the runs the
Python marks find. Every test here compares the two paths on the same input; the module is skipped where it
is not built (or TGINTEL_PURE_PYTHON=1), where the Python path is the only one."""

from __future__ import annotations

import copy
import hashlib
import json
import math
import random
from pathlib import Path
from typing import Any

import pytest
from export_builder import NOT_INCLUDED, chat, msg, stream_big, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_ingest_rows import messages as any_message

from tgintel import accel
from tgintel.sources import desktop_export, export_blocks
from tgintel.sources.desktop_export import MAX_TEXT_CHARS, BadMessage, RowMaker, iter_export
from tgintel.store.sql import ROW_NULL, seal_message_values

C = accel.load("tgintel.sources._c_export")
pytestmark = pytest.mark.skipif(C is None, reason="the C row maker is not built (or TGINTEL_PURE_PYTHON=1)")
CID = 1400000001
NATIVE = RowMaker(seal_message_values, ROW_NULL, native_digest=True)


def python_row(d: Any, null: Any = ROW_NULL) -> tuple[str, Any]:
    try:
        return "row", desktop_export._convert(copy.deepcopy(d), CID, None, seal_message_values, null)
    except BadMessage as exc:
        return "bad", str(exc)


def same(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    """Equal values of equal types, the NULL marker in the same columns (a NaN equals only itself)."""
    return len(a) == len(b) and all(
        (x is y) or (type(x) is type(y) and x == y) or (isinstance(x, float) and math.isnan(x) and y is x)
        for x, y in zip(a, b, strict=True)
    )


def check(d: Any, null: Any = ROW_NULL) -> bool:
    """C and Python agree on ``d``; True when the C path made the row (False: it declined)."""
    before = copy.deepcopy(d)
    made = C.row(d, CID, null)  # type: ignore[union-attr]
    assert d == before, "the C path must not change the dict"
    if made is None:
        return False
    kind, expected = python_row(d, null)
    assert kind == "row", (d, expected)
    assert same(made, expected), (d, made, expected)
    return True


# -- every shape the tests' export builder makes, and those the bench writes --------------------------------

LIST_TEXT = ["buy ", {"type": "link", "text": "https://t.me/x"}, " or ", {"type": "mention", "text": "@mgr"},
             {"type": "text_link", "text": "here", "href": "https://example.invalid/p"},
             {"type": "mention_name", "text": "Bob", "user_id": 123456789},
             {"type": "bold", "text": "ünï \"côdé\"\\ \n\t\x01"}]  # fmt: skip
COMMON = {
    "plain": msg(1, "fresh stock today"),
    "empty": msg(2, ""),
    "list form": msg(3, LIST_TEXT),
    "cyrillic and astral": msg(4, "новое поступление 🔥 \U0001f600 日本"),
    "sender": msg(5, "x", **{"from": "Seller 5", "from_id": "user1005"}),
    "old integer sender": msg(6, "x", **{"from": None, "from_id": 77}),
    "photo": msg(7, "pic", photo=NOT_INCLUDED, photo_file_size=12345, width=1280, height=960),
    "photo path": msg(8, "pic", photo="photos/p.jpg", width=1, height=2),
    "video": msg(9, "vid", file=NOT_INCLUDED, thumbnail=NOT_INCLUDED, media_type="video_file",
                 mime_type="video/mp4", duration_seconds=30, width=720, height=1280, file_size=5_000_000),
    "sticker": msg(10, "", file="stickers/s.webp", media_type="sticker", sticker_emoji="😀", width=512,
                   height=512),
    "document": msg(11, "doc", file=NOT_INCLUDED, file_name="a.pdf", mime_type="application/pdf",
                    file_size=1),
    "audio": msg(12, "", file="a.mp3", media_type="audio_file", performer="P", title="T",
                 duration_seconds=0, thumbnail_file_size=9),
    "forward": msg(13, "fw", forwarded_from="Partner Shop", forwarded_from_id="channel1234567"),
    "reply": msg(14, "re", reply_to_message_id=3),
    "edited": msg(15, "ed", edited="2026-01-05T12:20:00", edited_unixtime="1767615600"),
    "reactions": msg(16, "r", reactions=[{"type": "emoji", "count": 36, "emoji": "👍"},
                                         {"type": "emoji", "count": 2, "emoji": "❤"},
                                         {"type": "custom_emoji", "count": 1, "document_id": "5368"},
                                         {"type": "emoji", "count": 4, "emoji": "👍"},
                                         {"type": "paid", "count": 3}]),
    "empty reactions": msg(17, "r", reactions=[]),
    "via bot and author": msg(18, "v", via_bot="@helper_bot", author="Editor"),
    "service without extras": {"id": 19, "type": "service", "date": "2026-01-05T12:00:00",
                               "date_unixtime": "1767614400", "actor": "Market", "actor_id": "channel5",
                               "from_id": "channel5", "action": "pin_message", "text": "",
                               "text_entities": []},
    "no type": {"id": 20, "date_unixtime": "1767614400", "text": "t"},
    "everything": msg(21, LIST_TEXT, **{"from": "S", "from_id": "user9"}, photo=NOT_INCLUDED,
                      forwarded_from="P", forwarded_from_id="channel9", reply_to_message_id=1,
                      edited_unixtime="1767615600", via_bot="b", author="a",
                      reactions=[{"type": "emoji", "count": 1, "emoji": "👍"}]),
}  # fmt: skip


@pytest.mark.parametrize("name", list(COMMON))
def test_common_shapes_are_made_in_c_and_equal_pythons(name: str) -> None:
    assert check(COMMON[name]), f"{name}: the C path declined a common shape"


DECLINED = {
    "leftover key (raw)": msg(1, "x", ttl_period=60),
    "service with message_id": {"id": 2, "type": "service", "date_unixtime": "1767614400", "actor": "M",
                                "actor_id": "channel5", "action": "pin_message", "message_id": 1, "text": ""},
    "iso date only": {"id": 3, "date": "2026-01-05T12:00:00", "text": "x"},
    "unicode digits": {"id": 4, "date_unixtime": "١٢٣", "text": "x"},
    "lone surrogate": msg(5, "bad \ud800 text"),
    "surrogate in a sender": msg(6, "x", **{"from": "\udfff"}),
    "entity text differs": msg(7, "abc", text_entities=[{"type": "plain", "text": "abd"}]),
    "entity extra key": msg(8, ["a", {"type": "bold", "text": "b", "document_id": "1"}]),
    "float id": {"id": 9.0, "date_unixtime": "1", "text": "x"},
    "huge id": {"id": 2**64, "date_unixtime": "1", "text": "x"},
    "bool sender": msg(10, "x", from_id=True),
    "poll": msg(11, "x", poll={"question": "q"}),
    "recent reactions": msg(12, "x", reactions=[{"type": "emoji", "count": 1, "emoji": "👍", "recent": []}]),
    "float duration": msg(13, "x", file="f", duration_seconds=1.5),
    "too long": msg(14, "x" * (MAX_TEXT_CHARS + 1)),
    "not a dict": ["id", 1],
    "user forward": msg(15, "x", forwarded_from="P", forwarded_from_id="user5"),
    "saved": msg(16, "x", saved_from="Somewhere"),
    "a key that is not a str": {"id": 18, "date_unixtime": "1", "text": "x", 1: 2},
    "a key of a str subclass": {"id": 19, "date_unixtime": "1", "text": "x", type("K", (str,), {})("a"): 2},
    "reaction sum beyond int64": msg(17, "x", reactions=[{"type": "emoji", "count": 2**62, "emoji": "a"}]
                                     * 2),
}  # fmt: skip


@pytest.mark.parametrize("name", list(DECLINED))
def test_what_the_c_path_does_not_know_is_left_to_python(name: str) -> None:
    d = DECLINED[name]
    before = copy.deepcopy(d)
    assert C.row(d, CID, ROW_NULL) is None  # type: ignore[union-attr]
    assert d == before


def test_the_text_size_limit_is_the_same() -> None:
    assert check(msg(1, "é" * MAX_TEXT_CHARS))
    assert not check(msg(2, "é" * (MAX_TEXT_CHARS + 1)))
    assert python_row(msg(2, "é" * (MAX_TEXT_CHARS + 1)))[0] == "bad"


def test_a_none_null_marker_gives_the_same_rows() -> None:
    for d in COMMON.values():
        assert check(d, None)


# -- generated dicts -----------------------------------------------------------------------------------------

hostile_text = st.text(st.characters(blacklist_categories=()), max_size=40)  # any code point: surrogates, NUL
odd_values = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), hostile_text,
                       st.lists(st.integers(), max_size=2),
                       st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))  # fmt: skip


@st.composite
def near_common(draw: st.DrawFn) -> dict[str, Any]:
    """Messages of the shapes the C path takes, with hostile strings and, now and then, an odd value."""
    parts = draw(st.lists(st.one_of(hostile_text, st.fixed_dictionaries(
        {"type": st.sampled_from(["link", "mention", "bold", "text_link", "mention_name", "plain"]),
         "text": hostile_text},
        optional={"href": st.one_of(hostile_text, st.none()), "user_id": st.one_of(
            st.integers(-(2**64), 2**64), hostile_text, st.none())})), max_size=4))  # fmt: skip
    d: dict[str, Any] = {"id": draw(st.integers(-(2**64), 2**64)), "type": draw(st.sampled_from(
        ["message", "service", "odd", "message"])), "date_unixtime": draw(st.one_of(
            st.integers(0, 99_999_999_999).map(str), st.sampled_from(["", "0", "00000000001", "1e5"])))}
    if draw(st.booleans()):
        d["text"] = parts
        d["text_entities"] = [{"type": "plain", "text": p} if isinstance(p, str) else p for p in parts]
    else:
        body = draw(hostile_text)
        d["text"] = body
        d["text_entities"] = draw(st.sampled_from([[{"type": "plain", "text": body}], [], None]))
    keys = {"from": hostile_text, "from_id": st.one_of(hostile_text, st.integers(-(2**64), 2**64)),
            "actor": hostile_text, "actor_id": hostile_text, "action": hostile_text,
            "edited_unixtime": st.integers(0, 10**12).map(str), "forwarded_from": hostile_text,
            "forwarded_from_id": st.one_of(st.integers(0, 10**20).map(lambda i: f"channel{i}"), hostile_text),
            "reply_to_message_id": st.integers(-(2**64), 2**64), "via_bot": hostile_text,
            "author": hostile_text, "photo": st.sampled_from([NOT_INCLUDED, "photos/a.jpg", None]),
            "photo_file_size": st.integers(-(2**64), 2**64), "width": st.integers(0, 5000),
            "file": hostile_text, "media_type": st.sampled_from(["video_file", "sticker", "x", None]),
            "mime_type": hostile_text, "duration_seconds": st.integers(-(10**13), 10**13),
            "title": st.one_of(hostile_text, st.booleans(), st.integers()),
            "reactions": st.lists(st.fixed_dictionaries(
                {"type": st.sampled_from(["emoji", "custom_emoji", "paid"]),
                 "count": st.one_of(st.integers(-(2**63), 2**63), st.none())},
                optional={"emoji": hostile_text, "document_id": st.one_of(hostile_text, st.integers())}),
                max_size=4)}  # fmt: skip
    for key in draw(st.lists(st.sampled_from(sorted(keys)), max_size=5, unique=True)):
        d[key] = draw(keys[key])
    if draw(st.integers(0, 9)) == 0:  # an odd value anywhere
        d[draw(st.sampled_from(sorted(d)))] = draw(odd_values)
    return d


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(near_common())
def test_generated_messages_of_the_common_shapes(d: dict[str, Any]) -> None:
    check(d)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_message())
def test_generated_messages_of_every_shape(d: Any) -> None:
    check(d)


def test_hostile_strings_in_the_common_shapes_are_made_in_c() -> None:
    """The generated tests above would pass vacuously if the C path declined everything: here every common
    shape, its strings replaced by seeded random ones (controls, quotes, backslashes, astral code points,
    NUL; no surrogates, which it must decline), is made in C and equals Python's row."""
    rng = random.Random(7)
    alphabet = [chr(c) for c in (*range(0, 0x80), 0xE9, 0x416, 0x2028, 0xFEFF, 0x1F44D, 0x10FFFF)]

    def scramble(v: Any) -> Any:
        if isinstance(v, str) and v not in (NOT_INCLUDED,) and not v.isdigit() and not v.startswith(
                ("channel", "user", "video_", "audio_", "sticker")) and v not in (
                "plain", "link", "mention", "bold", "text_link", "mention_name", "emoji", "custom_emoji",
                "paid", "message", "service", "pin_message"):  # fmt: skip
            return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        if isinstance(v, list):
            return [scramble(x) for x in v]
        if isinstance(v, dict):
            return {k: scramble(x) for k, x in v.items()}
        return v

    for name, d in COMMON.items():
        for _ in range(20):
            mangled = scramble(d)
            if isinstance(mangled["text"], str):  # a plain text keeps its one plain entity equal to it
                mangled["text_entities"] = [{"type": "plain", "text": mangled["text"]}] if d["text"] else []
            else:
                mangled["text_entities"] = [
                    {"type": "plain", "text": p} if isinstance(p, str) else p for p in mangled["text"]
                ]
            assert check(mangled), (name, mangled)


# -- through the reader: batches, errors and positions -------------------------------------------------------


def batches(path: Path, monkeypatch: pytest.MonkeyPatch, with_c: bool, **kw: Any) -> list[Any]:
    with monkeypatch.context() as m:
        if not with_c:
            m.setattr(desktop_export, "_C", None)
        out: list[Any] = []
        try:
            for channel, batch in iter_export(path, rows=NATIVE, batch_size=7, **kw):
                out.append((channel.id, [tuple("NULL" if v is ROW_NULL else v for v in r) for r in batch]))
        except Exception as exc:  # the error line is part of what must be equal
            out.append(("error", type(exc).__name__, str(exc)))
        return out


def test_an_export_reads_to_the_same_batches_and_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records: list[Any] = [*COMMON.values(), *DECLINED.values()]
    # (lone surrogates stop orjson and ijson alike: they are the unit tests' business, not a file's)
    records = [r for r in records if isinstance(r, dict) and len(str(r)) < 10_000 and "surrogate" not in
               json.dumps(r).replace("\\ud800", "surrogate").replace("\\udfff", "surrogate")]
    for i, r in enumerate(records):
        r["id"] = i + 1 if type(r.get("id")) is int else r.get("id")
    path = write(tmp_path / "result.json", chat(5, records))
    skipped: list[list[str]] = [[], []]
    for k, with_c in enumerate((True, False)):
        got = batches(path, monkeypatch, with_c, on_bad=skipped[k].append)
        assert got[-1][0] != "error"
        if k == 0:
            first = got
    assert first == got and skipped[0] == skipped[1] and skipped[0]
    # without skipping: the first bad message stops both with the same line, the rows before it kept
    assert batches(path, monkeypatch, True) == batches(path, monkeypatch, False)


def test_a_big_export_reads_to_the_same_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = stream_big(tmp_path / "result.json", 9, 3000)
    assert batches(path, monkeypatch, True) == batches(path, monkeypatch, False)


# -- the digest and the digit-run scan -----------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=700))
def test_digest_is_hashlibs_blake2b(data: bytes) -> None:
    assert C.digest(data) == hashlib.blake2b(data, digest_size=8).hexdigest()  # type: ignore[union-attr]


def test_digest_at_block_edges() -> None:
    for n in (0, 1, 127, 128, 129, 255, 256, 257, 1 << 16):
        data = bytes(range(256)) * (n // 256 + 1)
        assert C.digest(data[:n]) == hashlib.blake2b(data[:n], digest_size=8).hexdigest()  # type: ignore[union-attr]


def test_row_digest_is_that_of_the_json_of_the_values() -> None:
    row = C.row(COMMON["everything"], CID, ROW_NULL)  # type: ignore[union-attr]
    vals = [None if v is ROW_NULL else v for v in row[:-1]]
    assert row[-1] == hashlib.blake2b(json.dumps(vals, ensure_ascii=False, separators=(",", ":")).encode(),
                                      digest_size=8).hexdigest()  # fmt: skip


PIECES = [b"0", b"1", b"9", b"5" * 9, b"9" * 19, b"-", b",", b" ", b'"', b"a", b"\xd0\xb0", b"\n", b"\x00"]


def python_runs(block: bytes, start: int) -> tuple[int, int] | None:
    digits = export_blocks._translate_marks(block)
    i = digits.find(b"\0" * 19, start)
    if i < 0:
        return None
    j = i + 19
    while j < len(digits) and digits[j] == 0:
        j += 1
    return i, j


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=120).map(b"".join), st.integers(0, 200))
def test_digit_runs_are_the_translations(block: bytes, start: int) -> None:
    start = min(start, len(block))
    assert C.long_digit_run(block, start) == python_runs(block, start)  # type: ignore[union-attr]
    refused = []
    for check_numbers in (export_blocks._check_numbers, export_blocks._check_numbers_c):
        try:
            check_numbers(block)
            refused.append(False)
        except export_blocks.Unexpected:
            refused.append(True)
    assert refused[0] == refused[1]


def test_the_reader_uses_the_c_scan() -> None:
    assert export_blocks.number_check(1) is export_blocks._check_numbers_c
    assert export_blocks.number_check(export_blocks.NUMPY_FROM) is export_blocks._check_numbers_c


def test_a_fallback_that_shrinks_the_list_cannot_crash_the_loop() -> None:
    """Found by review: the loop once kept the list's first length while the fallback (Python) ran."""
    part = [{"id": i, "date_unixtime": "1", "text": "x", "an_unknown_key": 1} for i in range(50)]

    def fallback(d: Any, *rest: Any) -> tuple[str]:
        part.clear()
        return ("from the fallback",)

    batch: list[Any] = []
    C.extend_rows(batch, part, fallback, CID, None, seal_message_values, ROW_NULL)  # type: ignore[union-attr]
    assert batch == [("from the fallback",)]


def test_a_finalizer_cannot_change_the_message_while_its_row_is_made() -> None:
    """Found by review: an allocation inside the C path could start a collection whose finalizer changed the
    dict the C was reading (a freed text list). The row is made with the collector off, from the dict as
    it was."""
    import gc

    d = {"id": 1, "date_unixtime": "5", "text": ["a" * 50, {"type": "bold", "text": "b" * 40}] * 50}
    want = python_row(d)
    ran: list[int] = []

    class Changes:
        def __del__(self) -> None:
            ran.append(1)
            d["text"] = None

    gc.collect()
    old = gc.get_threshold()
    gc.disable()
    try:
        cycle = Changes()
        cycle.self = cycle  # type: ignore[attr-defined]
        del cycle
        gc.set_threshold(1, 1000, 1000)
        gc.enable()
        made = C.row(d, CID, ROW_NULL)  # type: ignore[union-attr]
    finally:
        gc.set_threshold(*old)
        gc.enable()
        gc.collect()
    assert ran  # the finalizer did run, after the row was made
    assert want[0] == "row" and same(made, want[1])


def test_digit_runs_refuse_a_negative_start() -> None:
    with pytest.raises(ValueError):
        C.long_digit_run(b"1" * 40, -5)  # type: ignore[union-attr]


def test_configure_refuses_tables_that_are_not_str_to_str() -> None:
    try:
        with pytest.raises(TypeError):
            C.configure({1: "x"}, {}, MAX_TEXT_CHARS)  # type: ignore[union-attr]
        with pytest.raises(TypeError):
            C.configure({}, {"sticker": None}, MAX_TEXT_CHARS)  # type: ignore[union-attr]
        C.configure({"(placeholder)": None}, {"sticker": "sticker"}, MAX_TEXT_CHARS)  # type: ignore[union-attr]
    finally:
        C.configure(desktop_export.FILE_PLACEHOLDERS, desktop_export.MEDIA_KINDS, MAX_TEXT_CHARS)  # type: ignore[union-attr]
