"""Deferred indexes for a first import into an empty SQLite store (``tgintel ingest``'s bulk mode).

Why: keeping seven secondary B-tree indexes and the FTS5 index up to date row by row is most of what an
import costs. Building them once over the filled table is cheaper per row and the gap grows with the table
(bench/ingest.py, 600,000 rows on the shared 2-core machine: 23.5 µs a row with per-row maintenance against
6.6 µs for the bare rows plus 11.7 µs for ``CREATE INDEX`` × 7 and one FTS5 ``rebuild``; a larger FTS5
``hashsize`` for that rebuild took it from 5.6 to 4.1 µs a row). Partial indexes that an import leaves
(nearly) empty are kept live instead (:data:`KEPT_LIVE`): building them afterwards would read the table again
for next to nothing.

Crash safety: the statements that recreate every dropped index and FTS trigger are written to
``ingest_bulk`` in the same transaction that drops them, and the rebuild, the triggers and the removal of
that row are again one transaction. A process killed at any point leaves either the old schema or the row;
whoever opens the store next (any command) finishes the build. While an import runs it holds an exclusive
``flock`` on ``<database>-bulk.lock``: an opener that cannot take that lock knows the import is alive and
leaves it alone; the kernel drops the lock when the process dies, however it dies. (The lock is on a side
file, never the database file: closing a second descriptor of the database would drop SQLite's own POSIX
locks.) The FTS index is rebuilt from the whole table, so rows other writers added or changed meanwhile are
indexed too.

PostgreSQL keeps the plain path (its indexes are maintained per row): bulk mode is SQLite only.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any, BinaryIO

import orjson
from sqlalchemy.engine import Engine

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no bulk mode, the plain path is always correct
    fcntl = None  # type: ignore[assignment]

# What bulk mode drops: every index on messages that has SQL (not the UNIQUE key's autoindex, which keeps
# re-imports idempotent) and the FTS5 triggers (an update trigger would otherwise delete FTS entries that were
# never written). Other areas' triggers on messages, if any, stay.
#
# Except partial indexes that an import leaves (nearly) empty: building one afterwards still reads the whole
# table (0.13-0.16 s over 600,000 bench rows, most of it copying pages from the OS), while keeping it costs a
# row only the test of its WHERE clause. Imports never set a cluster id; forwards from channels are a few per
# cent of messages.
KEPT_LIVE = ("ix_messages_cluster_date", "ix_messages_fwd")
_DROPPABLE = (
    "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'messages' AND sql IS NOT NULL "
    "AND (type = 'index' OR (type = 'trigger' AND name LIKE 'messages\\_fts\\_%' ESCAPE '\\')) "
    f"AND name NOT IN ({', '.join(repr(n) for n in KEPT_LIVE)}) ORDER BY type, name"
)
# FTS5 keeps pending terms in a hash table and writes a segment each time it fills (default 1 MB). For the
# one-statement rebuild a 16 MB table measured 5.6 -> 4.1 µs a row (600k rows; 64 MB: 3.9). The setting is
# stored in the FTS config, so it is put back afterwards and per-batch inserts keep their small footprint.
FTS_REBUILD_HASHSIZE = 16 * 1024 * 1024
FTS_DEFAULT_HASHSIZE = 1024 * 1024
BUILD_CACHE_KIB = -16384  # PRAGMA cache_size while building (negative: KiB)


class DeferredIndexMixin:
    """Bulk mode for :class:`tgintel.store.sql.SQLStore`; see the module docstring."""

    engine: Engine
    dialect: str
    _bulk_lock: BinaryIO | None = None

    @property
    def bulk_active(self) -> bool:
        """True while this store object runs a bulk import (indexes and FTS are built at its end)."""
        return self._bulk_lock is not None

    def begin_bulk_import(self) -> bool:
        if self._bulk_lock is not None:
            return True
        lock = self._take_lock()
        if lock is None:
            return False
        try:
            self._rebuild()  # a killed import's leftovers: we hold the lock, so its process is gone
            started = self._drop_if_empty()
        except BaseException:
            lock.close()
            raise
        if not started:
            lock.close()
            return False
        self._bulk_lock = lock
        return True

    def finish_bulk_import(self) -> None:
        lock = self._bulk_lock
        if lock is None:
            return
        try:
            self._rebuild()
        finally:
            self._bulk_lock = None
            lock.close()  # releases the flock

    def _recover_bulk_import(self) -> None:
        """On open: finish the index build of an import that was killed (not of one still running)."""
        if self.dialect != "sqlite" or self._bulk_lock is not None:
            return
        with self.engine.connect() as conn:
            cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            has_table = cur.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ingest_bulk'"
            ).fetchone()
            marked = has_table and cur.execute("SELECT 1 FROM ingest_bulk LIMIT 1").fetchone()
            cur.close()
        if not marked:
            return
        lock = self._take_lock()
        if lock is None:
            return  # the import is alive; it builds its own indexes when it ends
        try:
            self._rebuild()
        finally:
            lock.close()

    # -- internals --------------------------------------------------------------------------------------

    def _take_lock(self) -> BinaryIO | None:
        db = self.engine.url.database if self.dialect == "sqlite" else None
        if fcntl is None or not db or db == ":memory:" or db.startswith("file:"):
            return None
        try:
            f = Path(db + "-bulk.lock").open("ab")  # noqa: SIM115 - held until the import ends
        except OSError:  # a read-only folder: no bulk mode (and no build to finish: nobody could start one)
            return None
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            return None
        return f

    def _drop_if_empty(self) -> bool:
        """Record and drop the indexes and FTS triggers, in one transaction, if ``messages`` is empty."""
        with self.engine.begin() as conn:
            cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            cur.execute("BEGIN IMMEDIATE")
            if cur.execute("SELECT 1 FROM messages LIMIT 1").fetchone():
                return False
            # ("fts", …): the FTS index is to be rebuilt too (a marker of bulk analysis lists indexes only)
            self._mark_and_drop(cur, cur.execute(_DROPPABLE).fetchall(), ["fts", "messages_fts", None])
        return True

    @staticmethod
    def _mark_and_drop(cur: Any, stmts: list[tuple[str, str, str]], *extra: list[Any]) -> int:
        """Write the marker row that recreates ``stmts`` (plus ``extra`` entries), then drop them; the caller
        holds the transaction, so both happen or neither. Returns the marker's key."""
        cur.execute(
            "INSERT INTO ingest_bulk (started, statements) VALUES (?, ?)",
            (int(time.time()), orjson.dumps([*map(list, stmts), *extra]).decode()),
        )
        for kind, name, _sql in stmts:
            cur.execute(f'DROP {kind.upper()} "{name}"')
        return int(cur.lastrowid)

    def _rebuild(self) -> bool:
        """Recreate what a bulk import dropped and fill the FTS index, in one transaction. False if nothing
        was pending."""
        with self.engine.connect() as conn:
            raw: Any = conn.connection.driver_connection
            cur = raw.cursor()
            if not cur.execute("SELECT 1 FROM ingest_bulk LIMIT 1").fetchone():
                return False
            cache = int(cur.execute("PRAGMA cache_size").fetchone()[0])
            # CREATE INDEX sorts the whole table; with temp_store=MEMORY that sort would live in RAM whatever
            # the table's size. On disk, SQLite's sorter keeps about the page cache's size in memory, so the
            # cache is smaller for the build: 1M rows peaked at 175 MB with 64 MB, 103 MB with 16 MB, for the
            # same CPU time.
            cur.execute("PRAGMA temp_store=FILE")
            cur.execute(f"PRAGMA cache_size={BUILD_CACHE_KIB}")
            try:
                cur.execute("BEGIN IMMEDIATE")
                try:
                    self._rebuild_in(cur)
                    cur.execute("COMMIT")
                except BaseException:
                    # SQLite may have rolled back already (a full disk does): then ROLLBACK itself would fail
                    # and hide the error that matters
                    if raw.in_transaction:
                        with contextlib.suppress(Exception):
                            cur.execute("ROLLBACK")
                    raise
            finally:
                cur.execute("PRAGMA temp_store=MEMORY")
                cur.execute(f"PRAGMA cache_size={cache}")
                cur.close()
        return True

    def _rebuild_in(self, cur: Any) -> None:
        pending = cur.execute("SELECT pk, statements FROM ingest_bulk ORDER BY pk").fetchall()
        if not pending:
            return
        # every object's name: bulk analysis markers hold indexes on entities and findings too
        existing = {n for (n,) in cur.execute("SELECT name FROM sqlite_master")}
        triggers: list[str] = []
        fts = False
        for _pk, statements in pending:
            for kind, name, sql in orjson.loads(statements):
                if kind == "fts":
                    fts = True
                elif name in existing:
                    continue
                elif kind == "trigger":
                    triggers.append(sql)
                else:
                    cur.execute(sql)
                existing.add(name)
        if fts:
            cur.execute("INSERT INTO messages_fts(messages_fts, rank) VALUES ('hashsize', ?)",
                        (FTS_REBUILD_HASHSIZE,))  # fmt: skip
            cur.execute("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')")
            cur.execute("INSERT INTO messages_fts(messages_fts, rank) VALUES ('hashsize', ?)",
                        (FTS_DEFAULT_HASHSIZE,))  # fmt: skip
        for sql in triggers:
            cur.execute(sql)
        cur.execute("DELETE FROM ingest_bulk")
