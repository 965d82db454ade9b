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
            "fts_docs": con.execute("SELECT count(*) FROM messages_fts_docsize").fetchall(),
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


@pytest.mark.slow
def test_kill_9_then_rerun_gives_exact_rows(tmp_path: Path) -> None:
    export = stream_big(tmp_path / "result.json", 31337, N)
    crash_db, clean_db = tmp_path / "crash.sqlite", tmp_path / "clean.sqlite"

    proc = ingest(crash_db, export)
    deadline = time.monotonic() + 240
    while stored(crash_db) < 5 * BATCH and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    partial = stored(crash_db)
    assert 0 < partial < N, "the kill must land in the middle of the import"
    assert partial % BATCH == 0, "only whole batches are ever committed"

    rerun = ingest(crash_db, export)
    _, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err
    clean = ingest(clean_db, export)
    _, err = clean.communicate(timeout=600)
    assert clean.returncode == 0, err

    after, expected = rows(crash_db), rows(clean_db)
    assert len(expected["messages"]) == N and expected["fts_docs"] == [(N,)]
    assert after == expected
