"""Bulk statements on the database driver's own ``executemany``.

SQLAlchemy's ``conn.execute(text(...), [dict, ...])`` builds a bound-parameter dict per row; for the
hundreds of thousands of rows ``tgintel analyze`` writes (memberships, findings, entities) that bookkeeping
cost more than SQLite's own work. Rows here are plain tuples handed to the driver inside the caller's
SQLAlchemy transaction (same connection, so the same commit or rollback).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Connection

__all__ = ["executemany"]


def executemany(conn: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """Run ``sql`` (written with ``?`` placeholders and no literal ``?``) once per row of ``rows``."""
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        conn.connection.driver_connection.cursor().executemany(sql, rows)  # type: ignore[union-attr]
    else:  # psycopg and the other drivers SQLAlchemy supports take positional "%s" parameters
        conn.exec_driver_sql(sql.replace("?", "%s"), list(rows))
