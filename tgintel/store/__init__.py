"""The store: the only package that speaks SQL. Open one with :func:`open_store`."""

from __future__ import annotations

import os

from tgintel.store.interface import Analysis, Store, UpsertResult
from tgintel.store.sql import SQLStore, StoreError, resolve_url

__all__ = ["Analysis", "SQLStore", "Store", "StoreError", "UpsertResult", "open_store", "resolve_url"]


def open_store(db: str | None = None) -> SQLStore:
    """Open (creating or upgrading) the store named by ``db``, ``$TGINTEL_DB`` or ``./tgintel.sqlite``."""
    return SQLStore(resolve_url(db or os.environ.get("TGINTEL_DB")))
