"""Which SQLite library the embedded store runs on: the recent one that pysqlite3-binary bundles, where that
wheel exists (Linux x86-64), else the one Python's own ``sqlite3`` module links.

Why: Python's ``sqlite3`` uses whatever libsqlite3 the system has. On Debian 12 that is 3.40.1 (2022), built
with ``SQLITE_OMIT_LOOKASIDE`` (every small allocation goes to malloc, behind a mutex) and
``SQLITE_SECURE_DELETE`` (freed pages are zeroed). pysqlite3-binary is the same DB-API module compiled against
a bundled SQLite (3.51.1 in 0.5.4.post2) with SQLite's own defaults. A 1,000,000-message ``tgintel ingest``
took 1-7 % less CPU on it (medians of three interleaved sets; docs/benchmarks.md, "Ingest, seventh pass"),
and every query gets the three years of planner and FTS5 work in between.

The catch: two SQLite copies in one process do not see each other's POSIX locks on a file, which SQLite
documents as a way to corrupt it. Whatever opens the store in-process must use :data:`dbapi` (SQLAlchemy,
the tests and the benchmarks do), never ``import sqlite3``; other processes are unaffected. The file format
is the same: a store written by one opens in the other, and in the ``sqlite3`` shell.

``TGINTEL_SQLITE=stdlib`` forces Python's module (``make test`` runs the ingest tests that way too, so the
fallback stays tested). A bundled library older than :data:`MIN_VERSION` is never picked.
"""

from __future__ import annotations

import os
import sqlite3 as _stdlib
from types import ModuleType

__all__ = ["MIN_VERSION", "dbapi", "name"]

#: The store's SQL needs JSON's ``->>`` (3.38, tgintel/store/bulk.py).
MIN_VERSION = (3, 38, 0)


def _pick() -> ModuleType:
    if os.environ.get("TGINTEL_SQLITE", "").strip().lower() == "stdlib":
        return _stdlib
    try:
        from pysqlite3 import dbapi2  # type: ignore[import-not-found]
    except ImportError:
        return _stdlib
    return dbapi2 if tuple(dbapi2.sqlite_version_info) >= MIN_VERSION else _stdlib


#: The DB-API module every SQLite connection of the store is opened with.
dbapi: ModuleType = _pick()
#: Where it comes from, for ``tgintel --version`` style reports and benchmarks.
name = f"{'pysqlite3' if dbapi is not _stdlib else 'sqlite3'} (SQLite {dbapi.sqlite_version})"
