"""How many documents the SQLite FTS5 index holds, for tests.

``messages_fts`` keeps no per-document sizes (``columnsize=0``, migration 0006_ingest), so there is no
``messages_fts_docsize`` table to count; FTS5's own row count is the first varint of its averages record
(``messages_fts_data`` row 1). Together with ``integrity-check`` (index = content) it says "every stored
message indexed once"."""

from __future__ import annotations

from typing import Any


def fts_documents(con: Any) -> int:
    """Documents in ``messages_fts``; ``con`` is a DB-API or SQLAlchemy connection."""
    row = con.exec_driver_sql if hasattr(con, "exec_driver_sql") else con.execute
    found = row("SELECT block FROM messages_fts_data WHERE id = 1").fetchone()
    n = 0
    for b in found[0][:9] if found else b"":
        n = (n << 7) | (b & 0x7F)
        if b < 0x80:
            break
    return n
