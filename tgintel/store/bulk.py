"""Bulk writes for ``tgintel analyze``: driver-level ``executemany``, one-statement JSON batches, and deferred
indexes for a run that analyses most of the store.

Why each exists (figures from docs/benchmarks.md, 106-channel demo, 668k messages, ~3.3M entity rows):

- SQLAlchemy's ``conn.execute(text(...), [dict, ...])`` builds a bound-parameter dict per row; for the
  hundreds of thousands of rows analyze writes that bookkeeping cost more than SQLite's own work, so rows are
  plain tuples handed to the driver (:func:`executemany`) inside the caller's SQLAlchemy transaction.
- On SQLite a whole batch goes to the database as ONE statement over ``json_each(?)`` instead
  (:func:`write_analysis`): as fast as ``executemany`` in SQLite's own time, and the interpreter lock is
  released for the whole statement, not re-taken between rows. That lets ``tgintel analyze`` write batch
  *n* in a second thread while the first classifies and clusters batch *n + 1* (a thread doing
  ``executemany`` next to a busy thread waits up to the 5 ms switch interval for the lock after every row).
- A first analysis of a big store rewrites every message row and adds millions of entity and finding rows.
  Keeping the indexes whose keys arrive in random order (entity value, finding category, message sender)
  up to date row by row cost more than building them once at the end; :class:`BulkAnalysisMixin` drops
  them for such a run and builds them after it. The indexes on ``message_pk`` stay: rows arrive in
  key order, so they cost little, and they keep each batch's replace-earlier-results step indexed.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import text
from sqlalchemy.engine import Connection

if TYPE_CHECKING:
    from tgintel.store.interface import Analysis

__all__ = ["BulkAnalysisMixin", "executemany", "write_analysis"]


def executemany(conn: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """Run ``sql`` (written with ``?`` placeholders and no literal ``?``) once per row of ``rows``."""
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        conn.connection.driver_connection.cursor().executemany(sql, rows)  # type: ignore[union-attr]
    else:  # psycopg and the other drivers SQLAlchemy supports take positional "%s" parameters
        conn.exec_driver_sql(sql.replace("?", "%s"), list(rows))


# -- one batch of analysis results -----------------------------------------------------------------------
_UPDATE = "UPDATE messages SET lang = ?, offer = ?, norm_hash = ?, cluster_id = ?, analyzed = 1 WHERE pk = ?"
_INSERT_FINDINGS = (
    "INSERT INTO findings (message_pk, category, score, evidence, source, created) VALUES (?, ?, ?, ?, ?, ?)"
)
_INSERT_ENTITIES = 'INSERT INTO entities (message_pk, type, value, start, "end") VALUES (?, ?, ?, ?, ?)'
# The same statements over a JSON array of row arrays (SQLite >= 3.38 for ->>). JSON numbers, strings and
# null come back as the same INTEGER, REAL, TEXT and NULL values the driver binds; true/false as 1/0, which
# is what the driver binds for Python's bools. Row keys are looked up through the INTEGER PRIMARY KEY.
_UPDATE_JSON = (
    "UPDATE messages SET lang = j.value ->> 1, offer = j.value ->> 2, norm_hash = j.value ->> 3, "
    "cluster_id = j.value ->> 4, analyzed = 1 FROM json_each(?) AS j WHERE messages.pk = j.value ->> 0"
)
_INSERT_FINDINGS_JSON = (
    "INSERT INTO findings (message_pk, category, score, evidence, source, created) "
    "SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5 FROM json_each(?)"
)
_INSERT_ENTITIES_JSON = (
    'INSERT INTO entities (message_pk, type, value, start, "end") '
    "SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each(?)"
)


_REPLACED = "('rules', 'model', 'indicator')"  # finding sources a new analysis replaces


def _evidence(value: list[str]) -> str | None:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode() if value else None


def _key_ranges(pks: list[int]) -> list[str]:
    """WHERE conditions covering exactly ``pks`` (sorted, distinct): one ``BETWEEN`` per run of 32+
    consecutive keys (the analyze queue hands out long runs), IN lists of at most 500 for the rest."""
    runs: list[tuple[int, int]] = []
    loose: list[int] = []
    start = 0
    for n in range(1, len(pks) + 1):
        if n == len(pks) or pks[n] != pks[n - 1] + 1:
            if n - start >= 32:
                runs.append((pks[start], pks[n - 1]))
            else:
                loose.extend(pks[start:n])
            start = n
    where = [f"message_pk BETWEEN {lo} AND {hi}" for lo, hi in runs]
    where += [f"message_pk IN ({','.join(map(str, loose[i : i + 500]))})" for i in range(0, len(loose), 500)]
    return where


def _exact_in_json(conn: Connection, scores: set[float]) -> bool:
    """True if SQLite's JSON parser reads every one of these floats back bit for bit (it does on the
    platforms measured; checked per batch, for the handful of distinct scores, rather than assumed)."""
    if not scores:
        return True
    wanted = sorted(scores)
    cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    got = [r[0] for r in cur.execute("SELECT value FROM json_each(?)", (orjson.dumps(wanted),))]
    return got == wanted


def write_analysis(conn: Connection, results: Sequence[Analysis]) -> None:
    """Record one batch of detect-stage results inside the caller's transaction (``save_analysis``).

    Findings from ``rules``, ``model`` and ``indicator`` and all entities of these messages are replaced;
    ``hash`` and ``analyst`` findings stay."""
    if not results:
        return
    now = int(time.time())
    # Repeated texts share their findings and entities lists (tgintel.detect.pipeline memoises by text):
    # build each list's row values once (by id; the lists live as long as ``results``).
    f_vals: dict[int, list[tuple[Any, ...]]] = {}
    e_vals: dict[int, list[tuple[Any, ...]]] = {}
    f_rows: list[tuple[Any, ...]] = []
    e_rows: list[tuple[Any, ...]] = []
    for a in results:
        if a.findings:
            vals = f_vals.get(id(a.findings))
            if vals is None:
                vals = f_vals[id(a.findings)] = [
                    (f.category, float(f.score), _evidence(f.evidence), f.source, now) for f in a.findings
                ]
            f_rows.extend((a.pk, *v) for v in vals)
        if a.entities:
            vals = e_vals.get(id(a.entities))
            if vals is None:
                vals = e_vals[id(a.entities)] = [(e.type, e.value, e.start, e.end) for e in a.entities]
            e_rows.extend((a.pk, *v) for v in vals)
    updates = [(a.pk, a.lang, a.offer, a.norm_hash, a.cluster_id) for a in results]
    where = _key_ranges(sorted({int(a.pk) for a in results}))
    if conn.dialect.name != "sqlite":
        executemany(conn, _UPDATE, [(*u[1:], u[0]) for u in updates])
        for w in where:
            conn.execute(text(f"DELETE FROM findings WHERE {w} AND source IN {_REPLACED}"))
            conn.execute(text(f"DELETE FROM entities WHERE {w}"))
        executemany(conn, _INSERT_FINDINGS, f_rows)
        executemany(conn, _INSERT_ENTITIES, e_rows)
        return
    cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cur.execute(_UPDATE_JSON, (orjson.dumps(updates),))
    # Earlier results of these messages go (an edited text, indicator findings loaded before analysis).
    for w in where:
        cur.execute(f"DELETE FROM findings WHERE {w} AND source IN {_REPLACED}")
        cur.execute(f"DELETE FROM entities WHERE {w}")
    if f_rows:
        if _exact_in_json(conn, {r[2] for r in f_rows}):
            cur.execute(_INSERT_FINDINGS_JSON, (orjson.dumps(f_rows),))
        else:  # pragma: no cover - a platform whose JSON float parsing is not exact
            cur.executemany(_INSERT_FINDINGS, f_rows)
    if e_rows:
        cur.execute(_INSERT_ENTITIES_JSON, (orjson.dumps(e_rows),))
    cur.close()


# -- deferred indexes for a big first analysis ----------------------------------------------------------
#: indexes whose keys arrive in random order during analysis; a bulk run builds them once at its end
DEFERRED_INDEXES = (
    "ix_entities_value_message",
    "ix_findings_category_message",
    "ix_messages_sender_date",
)  # not ix_messages_cluster_date: merging two clusters relabels messages through it
#: a run is "bulk" when it analyses at least this many messages and at least half of the store
BULK_MIN_MESSAGES = 50_000


class BulkAnalysisMixin:
    """Bulk mode for ``tgintel analyze`` on SQLite, for :class:`tgintel.store.sql.SQLStore`.

    Crash safety is the bulk import's (tgintel/store/deferred_index.py): the same exclusive lock file, and
    the statements that recreate the dropped indexes are written to ``ingest_bulk`` in the transaction that
    drops them. A run killed half-way leaves that row; the next command to open the store rebuilds them.
    While the run holds the lock, a bulk import cannot start (it takes the plain path), and vice versa."""

    engine: Any
    dialect: str
    _bulk_analysis: tuple[Any, int] | None = None

    def begin_bulk_analysis(self, pending: int, total: int) -> bool:
        if self.dialect != "sqlite" or self._bulk_analysis is not None:
            return False
        if pending < BULK_MIN_MESSAGES or pending * 2 < total:
            return False
        take = getattr(self, "_take_lock", None)
        lock = take() if take else None
        if lock is None:
            return False
        try:
            self._rebuild()  # type: ignore[attr-defined]  # a killed run's leftovers (we hold the lock)
            marker = self._drop_deferred()
        except BaseException:
            lock.close()
            raise
        if marker is None:
            lock.close()
            return False
        self._bulk_analysis = (lock, marker)
        return True

    def finish_bulk_analysis(self) -> None:
        state = self._bulk_analysis
        if state is None:
            return
        lock, _marker = state
        try:
            self._rebuild()  # type: ignore[attr-defined]  # the bulk import's build: same marker table
        finally:
            self._bulk_analysis = None
            lock.close()

    def _drop_deferred(self) -> int | None:
        """Record and drop the deferred indexes in one transaction; the marker row's key, or None if there
        is nothing to drop."""
        names = ", ".join(f"'{n}'" for n in DEFERRED_INDEXES)
        with self.engine.begin() as conn:
            cur = conn.connection.driver_connection.cursor()
            cur.execute("BEGIN IMMEDIATE")
            stmts = cur.execute(
                f"SELECT type, name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({names}) "
                "AND sql IS NOT NULL ORDER BY name"
            ).fetchall()
            if not stmts:
                return None
            return int(self._mark_and_drop(cur, stmts))  # type: ignore[attr-defined]
