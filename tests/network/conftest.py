"""Fixtures of the network tests: the small market of :mod:`network.netmarket` in a real SQLite store."""

from __future__ import annotations

import pytest

from network.netmarket import fill_store


@pytest.fixture
def market(sqlite_store):
    fill_store(sqlite_store)
    return sqlite_store
