"""``ROW_NULL`` (a NaN) in a row stores NULL and digests as None: on SQLite through the driver, on PostgreSQL
through ``row_nulls_to_none``; and the store's shortcuts over a batch give the per-row answers."""

from __future__ import annotations

import sqlite3

import orjson
from sqlalchemy import text

from tgintel.model import Channel
from tgintel.store.sql import (
    MESSAGE_COLUMNS,
    ROW_NULL,
    SQLStore,
    row_nulls_to_none,
    seal_message_values,
)

CID = 77


def _vals(mid: int, date: int, sender: str | None, name: str | None, null: object) -> tuple[object, ...]:
    """A row's values but the digest, with ``null`` in the slots ingest knows are empty."""
    return (CID, mid, date, "message", f"text {mid}", None, sender, name, null, None,
            *(null,) * 13, None)  # fmt: skip


def test_sqlite_stores_a_bound_nan_as_null() -> None:
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE t (i BIGINT, s TEXT, x)")
    con.execute("INSERT INTO t VALUES (?, ?, ?)", (ROW_NULL, ROW_NULL, ROW_NULL))
    assert con.execute("SELECT typeof(i), typeof(s), typeof(x) FROM t").fetchone() == ("null",) * 3


def test_digest_of_a_nan_row_is_that_of_the_none_row() -> None:
    assert orjson.dumps([ROW_NULL]) == b"[null]"
    nan_row = seal_message_values(_vals(1, 1_700_000_000, "user1", "A", ROW_NULL))
    none_row = seal_message_values(_vals(1, 1_700_000_000, "user1", "A", None))
    assert nan_row[-1] == none_row[-1]
    assert row_nulls_to_none(nan_row) == none_row


def _stored(store: SQLStore) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with store.connect() as conn:
        msgs = [tuple(r) for r in conn.execute(text(
            "SELECT " + ", ".join(MESSAGE_COLUMNS) + " FROM messages ORDER BY id"))]  # fmt: skip
        actors = [tuple(r) for r in conn.execute(text(
            "SELECT key, name, first_seen, last_seen FROM actors ORDER BY key"))]  # fmt: skip
    return msgs, actors


def test_nan_rows_store_what_none_rows_store_and_actors_match_the_per_row_rule(store: SQLStore) -> None:
    # Dates out of order and a sender whose last row has no name: the actors' shortcut must step aside.
    shapes = [
        [(1, 100, "user1", "Ann"), (2, 90, "user1", "Ann B"), (3, 120, "user2", None), (4, 95, None, None)],
        [(5, 200, "user1", "Ann C"), (6, 210, "user2", ""), (7, 220, "user1", None), (8, 230, "user3", "C")],
        [(9, 300, "user3", "Cee"), (10, 310, "user3", "Cee"), (11, 320, "user4", "D")],  # the shortcut
    ]
    store.upsert_channels([Channel(id=CID, title="c")])
    for batch in shapes:
        store.upsert_message_rows([seal_message_values(_vals(*m, ROW_NULL)) for m in batch])
    msgs, actors = _stored(store)
    expect = [row_nulls_to_none(seal_message_values(_vals(*m, None))) for b in shapes for m in b]
    assert msgs == expect
    assert actors == [("user1", "Ann C", 90, 220), ("user2", "", 120, 210), ("user3", "Cee", 230, 310),
                      ("user4", "D", 320, 320)]  # fmt: skip
    # the same rows again: unchanged, whatever holds the NULLs
    again = store.upsert_message_rows([seal_message_values(_vals(*m, None)) for m in shapes[0]])
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)


def test_a_batch_of_several_channels_and_repeated_ids_keeps_the_last_copy(store: SQLStore) -> None:
    store.upsert_channels([Channel(id=CID, title="c"), Channel(id=CID + 1, title="d")])
    first = seal_message_values(_vals(1, 100, "user1", "A", ROW_NULL))
    other = seal_message_values((CID + 1, *_vals(1, 100, "user1", "A", ROW_NULL)[1:]))
    last = seal_message_values((*_vals(1, 100, "user1", "A", ROW_NULL)[:4], "edited", *first[5:-1]))
    r = store.upsert_message_rows([first, other, last])
    assert (r.inserted, r.updated, r.unchanged) == (2, 0, 1)
    with store.connect() as conn:
        got = conn.execute(text("SELECT channel_id, text FROM messages ORDER BY pk")).all()
    assert [tuple(g) for g in got] == [(CID, "edited"), (CID + 1, "text 1")]
