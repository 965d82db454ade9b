"""A full disk in the middle of an import: one line and a non-zero exit, no traceback, the batches committed
before it kept; the same command run again with room ends with exactly the right rows, every index and the
full-text index. (SQLite's ``max_page_count`` makes a database "full" at a chosen size: the same
SQLITE_FULL error a full file system gives.)"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from export_builder import stream_big

from tgintel.jobs.ingest import ingest_paths
from tgintel.store import open_store

# `tgintel ingest` with every store connection limited to argv[1] pages
LIMITED = (
    "import sys\n"
    "import tgintel.store.sql as s\n"
    "pages = sys.argv.pop(1)\n"
    "plain = s._sqlite_pragmas\n"
    "def limited(con, rec):\n"
    "    plain(con, rec)\n"
    "    con.execute('PRAGMA max_page_count=' + pages)\n"
    "s._sqlite_pragmas = limited\n"
    "sys.argv[0] = 'tgintel'\n"
    "from tgintel.cli import main\n"
    "main()\n"
)
N = 4000
TEXT = "fresh stock {i} " + "escrow accepted delivery worldwide contact the manager " * 5


def _rows(db: Path, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _pages(db: Path) -> int:
    return int(_rows(db, "PRAGMA page_count")[0][0])


def _schema(db: Path) -> list[tuple[str, str]]:
    return _rows(db, "SELECT type, name FROM sqlite_master ORDER BY type, name")


def test_a_full_disk_mid_import_is_one_line_and_a_rerun_completes(tmp_path: Path) -> None:
    export = stream_big(tmp_path / "result.json", 77, N, text=TEXT)
    # sizes: an empty store, and the same import with room
    empty, full = tmp_path / "empty.sqlite", tmp_path / "full.sqlite"
    open_store(str(empty)).close()
    store = open_store(str(full))
    ingest_paths(store, [export])
    store.close()
    room = _pages(empty) + (_pages(full) - _pages(empty)) // 4  # runs out while rows are written

    db = tmp_path / "t.sqlite"
    env = {**os.environ, "COLUMNS": "200"}
    args = ["ingest", "--db", str(db), "--batch-size", "500", str(export)]
    cmd = [sys.executable, "-c", LIMITED, str(room), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("tgintel: error:")]
    assert len(errors) == 1 and "full" in errors[0] and "run the command again" in errors[0], proc.stderr

    stored = [r[0] for r in _rows(db, "SELECT id FROM messages ORDER BY id")]
    assert 0 < len(stored) < N and len(stored) % 500 == 0  # whole batches, committed before the disk filled
    assert stored == list(range(1, len(stored) + 1))

    # with room again: the same command finishes the import and the index build the failed run left
    again = subprocess.run([sys.executable, "-c", LIMITED, "0", *args], capture_output=True, text=True,
                           env=env)  # fmt: skip
    assert again.returncode == 0, again.stderr
    con = sqlite3.connect(db)
    try:
        ids = [r[0] for r in con.execute("SELECT id FROM messages ORDER BY id")]
        assert ids == list(range(1, N + 1))
        assert con.execute("SELECT count(*) FROM ingest_bulk").fetchone()[0] == 0
        con.execute("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)")
        hits = con.execute("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'escrow'").fetchone()
        assert hits[0] == N
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
    assert _schema(db) == _schema(full)


def test_only_failures_a_user_can_fix_become_one_line(tmp_path: Path) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DBAPIError, OperationalError

    from tgintel.store.sql import database_error_line

    def raised(module, db: Path, *sql: str) -> BaseException:  # type: ignore[no-untyped-def]
        con = module.connect(db, timeout=0)
        try:
            for q in sql:
                con.execute(q)
        except module.Error as exc:
            return exc
        finally:
            con.close()
        raise AssertionError(sql)

    # damaged: a file that is not a database, through either library
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    line = database_error_line(raised(sqlite3, junk, "SELECT * FROM sqlite_master"))
    assert line is not None and line.startswith("database: file is not a database") and "\n" not in line
    # locked by another writer (wrapped by SQLAlchemy, as the store's own statements raise it)
    db = tmp_path / "x.sqlite"
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    engine = create_engine(f"sqlite:///{db}", connect_args={"timeout": 0})
    with engine.connect() as conn:
        try:
            conn.execute(text("SELECT * FROM t"))
        except OperationalError as exc:
            locked = exc
        holder.execute("ROLLBACK")
        # SQLite files a missing table and a syntax error under OperationalError too: those are bugs
        try:
            conn.execute(text("SELECT * FROM no_such_table"))
        except OperationalError as exc:
            missing = exc
        try:
            conn.exec_driver_sql("SELECT ?", (object(),))
        except DBAPIError as exc:  # ProgrammingError or InterfaceError, by Python version
            unbindable = exc
    holder.close()
    engine.dispose()
    assert "locked" in (database_error_line(locked) or "")
    assert database_error_line(missing) is None
    assert database_error_line(unbindable) is None
    assert database_error_line(raised(sqlite3, db, "SELEC 1")) is None
    assert database_error_line(ValueError("database or disk is full")) is None
