"""The two speed paths of ingest give exactly what the plain paths give.

- The block reader (``tgintel.sources.export_blocks``: pretty-printed message arrays through orjson) yields
  the same messages as ijson, and on anything unusual hands over to ijson so that every error line, and what
  was stored before it, is the same.
- Bulk mode (an import into an empty SQLite store builds indexes and FTS at its end) leaves the same rows,
  the same schema and a consistent FTS index; a second opener never finishes a build that is still running.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import orjson
import pytest
from export_builder import chat, msg, stream_big, write
from hypothesis import given, settings
from hypothesis import strategies as st
from test_ingest_crash import schema
from test_ingest_shapes import shapes

from tgintel.errors import UserError
from tgintel.jobs.ingest import ingest_paths
from tgintel.sources import export_blocks
from tgintel.sources.desktop_export import _open, iter_export, scan
from tgintel.sources.export_blocks import Unexpected, Where, _check_numbers, digit_marker, message_blocks
from tgintel.store import open_store


def read_all(path: Path, *, fast: bool, skip_bad: bool = False) -> tuple[list[Any], str | None]:
    """Every (channel, message) read, and the error line if reading stopped with one."""
    out: list[Any] = []
    bad: list[str] = []
    try:
        for ch, batch in iter_export(path, batch_size=7, fast=fast, on_bad=bad.append if skip_bad else None):
            out.extend((ch, m) for m in batch)
    except UserError as exc:
        return out, str(exc)
    return out + bad, None


def blocks_only(path: Path) -> int:
    """Messages the block reader alone reads (raises Unexpected where it would hand over to ijson)."""
    f, skip = _open(path)
    with f:
        return sum(len(b) for b in message_blocks(f, skip, scan(path)[0].fields, Where()))


def layouts(tmp_path: Path, data: dict[str, Any]) -> dict[str, Path]:
    """The same export as Telegram Desktop writes it (one-space indent) and in other layouts."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    files = {
        "desktop": text,
        "indent2": json.dumps(data, ensure_ascii=False, indent=2),
        "tabs": json.dumps(data, ensure_ascii=False, indent="\t"),
        "crlf": text.replace("\n", "\r\n"),
        "minified": json.dumps(data, ensure_ascii=False),
    }
    out = {}
    for name, body in files.items():
        out[name] = tmp_path / name / "result.json"
        out[name].parent.mkdir()
        out[name].write_bytes(body.encode())
    out["bom"] = tmp_path / "bom.json"
    out["bom"].write_bytes(text.encode("utf-8-sig"))
    return out


def test_block_reader_gives_what_ijson_gives(tmp_path: Path) -> None:
    records = shapes() * 3  # every message shape, spread over several blocks' worth of batches
    records = [{**r, "id": i} for i, r in enumerate(records, 1)]
    for name, path in layouts(tmp_path, chat(1400000001, records)).items():
        fast, err = read_all(path, fast=True)
        slow, err_slow = read_all(path, fast=False)
        assert err is None and err_slow is None
        assert fast == slow and len(fast) == len(records), name
        if name == "minified":
            with pytest.raises(Unexpected):
                blocks_only(path)
        else:
            assert blocks_only(path) == len(records), name  # the fast reader really read them


def test_block_reader_over_many_blocks(tmp_path: Path) -> None:
    # one message per line (how bench/ingest.py and tests write big exports), several 1 MB blocks
    path = stream_big(tmp_path / "big.json", 77, 30_000)
    assert path.stat().st_size > 4 << 20
    assert blocks_only(path) == 30_000
    assert read_all(path, fast=True) == read_all(path, fast=False)


def corrupt(data: bytes, at: bytes, new: bytes) -> bytes:
    i = data.index(at)
    return data[:i] + new + data[i + len(at) :]


CORRUPTIONS = {
    "truncated": lambda d: d[: len(d) * 2 // 3],
    "syntax": lambda d: corrupt(d, b'"id": 9000,', b'"id": 9000;'),
    "control-char": lambda d: corrupt(d, b"text 9500", b"text\x019500"),
    "utf8": lambda d: corrupt(d, b"text 8500", b"te\xff\xfe 8500"),
    "big-int": lambda d: corrupt(d, b'"id": 10000,', b'"id": 99999999999999999999,'),
    "big-negative-int": lambda d: corrupt(d, b'"id": 10000,', b'"id": 10000, "x": -9223372036854775809,'),
    "int64-edges": lambda d: corrupt(d, b'"id": 10000,', b'"id": 10000, "x": [-9223372036854775807, '
                                     b'9223372036854775807, 1000000000000000000],'),
    "int64-min": lambda d: corrupt(d, b'"id": 10000,', b'"id": 10000, "x": -9223372036854775808,'),
    "uint64": lambda d: corrupt(d, b'"id": 10000,', b'"id": 10000, "x": 18446744073709551615,'),
    "digits-in-text": lambda d: corrupt(d, b"text 9500", b"text 12345678901234567890123 9500"),
    "nul-byte": lambda d: corrupt(d, b"text 9500", b"text\x009500"),
    "lone-surrogate": lambda d: corrupt(d, b"text 7500", b"text \\ud800"),
    "key-after-messages": lambda d: d.rstrip()[:-1] + b', "extra": {"a": 1}}',
    "no-id": lambda d: corrupt(d, b'"id": 10200,', b'"idx": 10200,'),
    "not-an-object": lambda d: corrupt(d, b'{\n   "id": 10300,', b'17, {\n   "id": 10300,'),
}


@pytest.mark.parametrize("marks", ["translate", "numpy", "c"])
@pytest.mark.parametrize("case", list(CORRUPTIONS))
def test_bad_input_reads_the_same_through_both_readers(
    tmp_path: Path, case: str, marks: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if marks == "c":  # the C scan (tgintel/sources/_c_export.c), where it is built
        if export_blocks._C is None:
            pytest.skip("the C scan is not built (or TGINTEL_PURE_PYTHON=1)")
    else:  # the Python marks
        monkeypatch.setattr(export_blocks, "_C", None)
    if marks == "numpy":  # the digit-run check big files get without the C scan
        monkeypatch.setattr(export_blocks, "NUMPY_FROM", 0)
    data = json.dumps(chat(5, [msg(i, f"text {i}") for i in range(1, 12001)]), indent=1).encode()
    assert len(data) > 2 << 20  # the damage lies beyond the block reader's first blocks
    path = tmp_path / "result.json"
    path.write_bytes(CORRUPTIONS[case](data))
    fast, slow = read_all(path, fast=True), read_all(path, fast=False)
    if case not in ("lone-surrogate", "key-after-messages", "digits-in-text", "int64-edges"):
        assert slow[1] is not None  # an error line (file and byte or message id)
    if case in ("no-id", "not-an-object"):
        # a message the model cannot hold: the same line, except that the block reader names the byte
        # where the message starts and ijson the start of the 256 KB read it was in ("near byte …")
        near = re.compile(r"near byte (\d+)")
        at = int(near.search(fast[1]).group(1))  # type: ignore[arg-type,union-attr]
        assert path.read_bytes()[at : at + 1] in (b"{", b"1")
        assert near.sub("", fast[1]) == near.sub("", slow[1])  # type: ignore[arg-type]
        fast = (fast[0], None)
        slow = (slow[0], None)
        skipping = [read_all(path, fast=f, skip_bad=True)[0] for f in (True, False)]
        assert [[near.sub("", x) if isinstance(x, str) else x for x in r] for r in skipping[:1]] == [
            [near.sub("", x) if isinstance(x, str) else x for x in skipping[1]]
        ]
    assert fast == slow


def test_big_files_get_the_numpy_digit_check() -> None:
    assert digit_marker(export_blocks.NUMPY_FROM - 1) is export_blocks._translate_marks
    assert digit_marker(export_blocks.NUMPY_FROM) is not export_blocks._translate_marks


def refused(block: bytes, marks: Any) -> bool:
    try:
        _check_numbers(block, marks)
    except Unexpected:
        return True
    return False


# bytes a digit run can meet: digits, signs, separators, string quotes, a letter, UTF-8 and a NUL
PIECES = [b"0", b"1", b"9", b"5" * 9, b"9" * 19, b"-", b",", b" ", b'"', b"a", b"\xd0\xb0", b"\n", b"\x00"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=80).map(b"".join))
def test_numpy_digit_check_equals_the_translation(block: bytes) -> None:
    numpy = digit_marker(export_blocks.NUMPY_FROM)
    slow = export_blocks._translate_marks
    if b"\x00" not in block:
        assert [c == 0 for c in numpy(block)] == [c == 0 for c in slow(block)]
        assert refused(block, numpy) == refused(block, slow)
        return
    # They may differ only where a NUL byte sits inside a long digit run, and orjson refuses any block with
    # a NUL: the reader hands over to ijson there whatever the check says.
    if refused(block, numpy) != refused(block, slow):
        assert re.search(rb"[0-9\x00]{19}", block)
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(b"[" + block + b"]")


def contents(db: Path) -> dict[str, Any]:
    con = sqlite3.connect(db)
    try:
        con.execute("INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')")  # raises if off
        return {
            "messages": con.execute("SELECT * FROM messages ORDER BY pk").fetchall(),
            "actors": con.execute("SELECT * FROM actors ORDER BY key").fetchall(),
            "fts": con.execute(
                "SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'text OR edited' ORDER BY rowid"
            ).fetchall(),
            "pending": con.execute("SELECT count(*) FROM ingest_bulk").fetchall(),
        }
    finally:
        con.close()


def test_bulk_import_equals_the_plain_path(tmp_path: Path) -> None:
    first = write(tmp_path / "a" / "result.json", chat(9, [msg(i, f"text {i}") for i in range(1, 400)]))
    newer = write(tmp_path / "b" / "result.json", chat(9, [msg(i, f"edited {i}" if i % 3 else f"text {i}")
                                                           for i in range(200, 600)]))  # fmt: skip
    dbs = {}
    for bulk in (True, False):
        db = tmp_path / f"bulk{bulk}.sqlite"
        store = open_store(str(db))
        try:
            events: list[str] = []
            counts = ingest_paths(store, [first], bulk=bulk, batch_size=50,
                                  progress=lambda ev, seen=events, **kw: seen.append(ev))  # fmt: skip
            assert ("indexing" in events) is bulk
            assert counts["inserted"] == 399
            assert not store.begin_bulk_import()  # the store is no longer empty: plain path from now on
            counts = ingest_paths(store, [newer], batch_size=50)  # edits fire the FTS update trigger
            edited = sum(1 for i in range(200, 400) if i % 3)
            assert (counts["inserted"], counts["updated"]) == (200, edited)
        finally:
            store.close()
        dbs[bulk] = db
    assert schema(dbs[True]) == schema(dbs[False])
    assert contents(dbs[True]) == contents(dbs[False])
    assert contents(dbs[True])["pending"] == [(0,)]


def test_a_running_bulk_import_is_left_alone_by_other_openers(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite"
    plain_schema = schema_of_fresh(tmp_path / "fresh.sqlite")
    importer = open_store(str(db))
    try:
        assert importer.begin_bulk_import()
        [(channel, batch)] = iter_export(write(tmp_path / "r.json", chat(3, [msg(1, "x")])))
        importer.upsert_channels([channel])
        importer.upsert_messages(batch)
        other = open_store(str(db))  # another command opening the store meanwhile
        try:
            assert not other.begin_bulk_import()
            assert [t for t, *_ in schema(db)].count("index") < [t for t, *_ in plain_schema].count("index")
        finally:
            other.close()
        assert contents(db)["pending"] == [(1,)]
    finally:
        importer.finish_bulk_import()
        importer.close()
    assert schema(db) == plain_schema
    con = sqlite3.connect(db)
    try:
        assert con.execute("SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'x'").fetchall() == [(1,)]
    finally:
        con.close()
    assert contents(db)["pending"] == [(0,)]


def schema_of_fresh(db: Path) -> list[tuple[str, str, str]]:
    open_store(str(db)).close()
    return schema(db)


def test_rows_made_while_parsing_equal_the_messages_rows(tmp_path: Path) -> None:
    from tgintel.sources.desktop_export import RowMaker
    from tgintel.store.sql import ROW_NULL, message_values, row_nulls_to_none, seal_message_values

    service = {"id": 90, "type": "service", "date_unixtime": "1767614400", "actor": "A", "actor_id": "user1",
               "action": "pin_message", "text": "", "text_entities": []}  # fmt: skip
    records = [*shapes(), service, msg(91, "x" * 5000), msg(92, "mismatch", text_entities=[{"type": "plain",
               "text": "other"}]), msg(93, "", date="2026-01-05T12:00:00", date_unixtime=None)]  # fmt: skip
    records[-1].pop("date_unixtime")
    path = write(tmp_path / "result.json", chat(1400000001, records))
    # every row is sealed by the store's function, once per message (no Message in between)
    sealed: list[int] = []
    maker = RowMaker(lambda vals: sealed.append(vals[1]) or seal_message_values(vals), ROW_NULL)
    made = [row_nulls_to_none(r) for _, batch in iter_export(path, batch_size=5, rows=maker) for r in batch]
    expected = [message_values(m) for _, batch in iter_export(path, batch_size=5) for m in batch]
    assert made == expected and len(made) == len(records)
    assert sealed == [r[1] for r in made]


def test_bulk_mode_is_sqlite_only_and_only_for_an_empty_store(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path / "result.json", chat(8, [msg(i, f"text {i}") for i in range(1, 30)]))
    assert store.begin_bulk_import() is (store.dialect == "sqlite")
    store.finish_bulk_import()
    counts = ingest_paths(store, [path], batch_size=10)
    assert counts["inserted"] == 29 and store.count_messages() == 29
    from tgintel.store.search import SearchQuery

    assert store.search(SearchQuery(q="17"), facets=False).total == 1  # full-text search sees the import
    assert not store.begin_bulk_import()  # not empty any more
