"""The SQLite library the store runs on (tgintel/store/sqlite_driver.py): the bundled recent one where its
wheel is installed, Python's own with TGINTEL_SQLITE=stdlib, and the same file either way."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tgintel.model import Channel, Message
from tgintel.store import open_store
from tgintel.store import sqlite_driver as drv

PROBE = (
    "from tgintel.store import sqlite_driver as d, open_store; import sys; s = open_store(sys.argv[1]); "
    "raw = s.engine.raw_connection(); print(d.dbapi.__name__, type(raw.driver_connection).__module__, "
    "raw.cursor().execute('select sqlite_version()').fetchone()[0]); raw.close()"
)


def _probe(tmp_path: Path, **env: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "p.sqlite")],
        env={**os.environ, **env}, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return out.stdout.split()


def _bundled() -> bool:
    try:
        import pysqlite3  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not _bundled(), reason="pysqlite3-binary has no wheel for this platform")
def test_the_bundled_library_is_used_when_installed(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TGINTEL_SQLITE"}
    module, conn_module, version = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "p.sqlite")], env=env, capture_output=True, text=True,
        check=True,
    ).stdout.split()  # fmt: skip
    assert module == "pysqlite3.dbapi2" and conn_module == "pysqlite3.dbapi2"
    assert tuple(int(x) for x in version.split(".")) >= drv.MIN_VERSION


def test_stdlib_is_forced_by_the_environment(tmp_path: Path) -> None:
    module, conn_module, version = _probe(tmp_path, TGINTEL_SQLITE="stdlib")
    assert module == "sqlite3.dbapi2" or module == "sqlite3"
    assert conn_module == "sqlite3"
    assert version == sqlite3.sqlite_version


def test_the_store_uses_the_chosen_module(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "s.sqlite"))
    raw = store.engine.raw_connection()
    try:
        assert type(raw.driver_connection) is drv.dbapi.Connection
    finally:
        raw.close()


def test_a_store_written_by_one_library_reads_in_the_other(tmp_path: Path) -> None:
    db = tmp_path / "both.sqlite"
    store = open_store(str(db))
    store.upsert_channels([Channel(id=7, title="Shop")])
    when = datetime(2026, 1, 2, tzinfo=UTC)
    store.upsert_messages([
        Message(channel_id=7, id=i, date=when, text=f"fresh stock batch{i} escrow") for i in range(1, 6)
    ])  # fmt: skip
    store.engine.dispose()
    # Python's own sqlite3 (whatever the store ran on): rows, the FTS index and the integrity check agree
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        hits = con.execute("SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'batch3'").fetchall()
        assert [r[0] for r in hits] == [
            con.execute("SELECT pk FROM messages WHERE id = 3").fetchone()[0]
        ]
        con.execute("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        con.close()
    # and back: the store reopens the file and finds the same messages
    again = open_store(str(db))
    assert [s.messages for s in again.channel_stats()] == [5]
    got = again.get_message(7, 3)
    assert got is not None and got[1].text == "fresh stock batch3 escrow"
    again.close()
