"""New SQLite stores get ``PAGE_SIZE`` pages (fewer system calls per import); existing ones keep theirs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from export_builder import chat, msg, write

from tgintel.jobs.ingest import ingest_paths
from tgintel.store import open_store
from tgintel.store.sql import PAGE_SIZE


def page_size(db: Path) -> int:
    con = sqlite3.connect(db)
    try:
        return int(con.execute("PRAGMA page_size").fetchone()[0])
    finally:
        con.close()


def test_a_new_store_gets_the_page_size_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    export = write(tmp_path / "x", chat(7, [msg(i, f"text {i}") for i in range(1, 301)]))
    new = tmp_path / "new.sqlite"
    store = open_store(str(new))
    try:
        assert ingest_paths(store, [export])["inserted"] == 300
    finally:
        store.close()
    assert PAGE_SIZE != 4096 and page_size(new) == PAGE_SIZE

    # a store created with SQLite's default page size (as every store made before this change)
    old = tmp_path / "old.sqlite"
    con = sqlite3.connect(old)
    con.execute("PRAGMA page_size=4096")
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE t (x)")
    con.close()
    store = open_store(str(old))
    try:
        assert ingest_paths(store, [export])["inserted"] == 300
        assert ingest_paths(store, [export])["unchanged"] == 300
    finally:
        store.close()
    assert page_size(old) == 4096
    con = sqlite3.connect(old)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT count(*) FROM messages").fetchone()[0] == 300
    finally:
        con.close()
