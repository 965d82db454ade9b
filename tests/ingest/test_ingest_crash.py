"""A real ``kill -9`` in the middle of an ingest, then a re-run, ends with exactly the rows of a clean run."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from export_builder import stream_big
from fts_docs import fts_documents

TGINTEL = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "tgintel")
N = 20_000
BATCH = 500


def rows(db: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(db)
    try:
        return {
            "messages": con.execute(
                "SELECT channel_id, id, date, kind, text, markup, sender_key, sender_name, raw, digest, "
                "analyzed FROM messages ORDER BY channel_id, id"
            ).fetchall(),
            "actors": con.execute("SELECT key, name, first_seen, last_seen FROM actors ORDER BY key")
            .fetchall(),
            "channels": con.execute("SELECT id, title, kind FROM channels").fetchall(),
            # one FTS document per message: none missing, none twice
            "fts_docs": fts_documents(con),
            "fts_hits": con.execute(
                "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'offer'"
            ).fetchall(),
        }
    finally:
        con.close()


def stored(db: Path) -> int:
    if not db.exists():
        return 0
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return int(con.execute("SELECT count(*) FROM messages").fetchone()[0])
    except sqlite3.OperationalError:  # schema not created yet
        return 0
    finally:
        con.close()


def ingest(db: Path, export: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [TGINTEL, "ingest", "--db", str(db), "--batch-size", str(BATCH), str(export)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def kill_9_midway(db: Path, export: Path, after_rows: int) -> int:
    """Start an ingest, ``kill -9`` it once ``after_rows`` rows are stored; the rows stored then."""
    proc = ingest(db, export)
    deadline = time.monotonic() + 240
    while stored(db) < after_rows and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    partial = stored(db)
    assert 0 < partial < N, "the kill must land in the middle of the import"
    return partial


@pytest.mark.slow
def test_kill_9_then_rerun_gives_exact_rows(tmp_path: Path) -> None:
    export = stream_big(tmp_path / "result.json", 31337, N)
    crash_db, clean_db = tmp_path / "crash.sqlite", tmp_path / "clean.sqlite"

    partial = kill_9_midway(crash_db, export, 5 * BATCH)
    assert partial % BATCH == 0, "only whole batches are ever committed"

    rerun = ingest(crash_db, export)
    _, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err
    clean = ingest(clean_db, export)
    _, err = clean.communicate(timeout=600)
    assert clean.returncode == 0, err

    after, expected = rows(crash_db), rows(clean_db)
    assert len(expected["messages"]) == N and expected["fts_docs"] == N
    assert after == expected


def schema(db: Path) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'messages' ORDER BY type, name"
        ).fetchall()
    finally:
        con.close()


@pytest.mark.slow
def test_kill_9_during_bulk_import_then_any_command_finishes_the_indexes(tmp_path: Path) -> None:
    # An import into an empty store runs in bulk mode: indexes and FTS are built after the last batch.
    export = stream_big(tmp_path / "result.json", 4242, N)
    crash_db, clean_db = tmp_path / "crash.sqlite", tmp_path / "clean.sqlite"

    partial = kill_9_midway(crash_db, export, 3 * BATCH)

    con = sqlite3.connect(crash_db)
    try:
        assert con.execute("SELECT count(*) FROM ingest_bulk").fetchone() == (1,)  # the marker survived
    finally:
        con.close()
    clean = ingest(clean_db, export)
    _, err = clean.communicate(timeout=600)
    assert clean.returncode == 0, err
    assert len(schema(crash_db)) < len(schema(clean_db))  # indexes and FTS triggers are missing

    # any command that opens the store finishes the build over the rows that were stored
    stats = subprocess.run([TGINTEL, "stats", "--db", str(crash_db)], capture_output=True, text=True)
    assert stats.returncode == 0, stats.stderr
    assert schema(crash_db) == schema(clean_db)
    con = sqlite3.connect(crash_db)
    try:
        con.execute("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)")
        assert fts_documents(con) == partial
        assert con.execute("SELECT count(*) FROM ingest_bulk").fetchone() == (0,)
    finally:
        con.close()

    rerun = ingest(crash_db, export)
    _, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err
    assert rows(crash_db) == rows(clean_db)
    assert schema(crash_db) == schema(clean_db)
