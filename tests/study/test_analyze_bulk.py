"""`tgintel analyze`'s fast paths give the rows the plain path gives: bulk mode (indexes dropped and built at
the end, crash-safe), the writer thread, and the one-statement JSON writes on SQLite."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

import tgintel.jobs.analyze as analyze_job
import tgintel.store.bulk as bulk
from tgintel.jobs.ingest import ingest_paths
from tgintel.model import Channel, Entity, Finding, Message
from tgintel.sources.simulate import simulate
from tgintel.store import open_store
from tgintel.store.interface import Analysis

ROWS = {
    "messages": "SELECT pk, lang, offer, typeof(offer), norm_hash, cluster_id, analyzed FROM messages "
    "ORDER BY pk",
    "findings": "SELECT pk, message_pk, category, score, typeof(score), evidence, source FROM findings "
    "ORDER BY pk",
    "entities": 'SELECT rowid, message_pk, type, value, start, "end" FROM entities ORDER BY rowid',
    "members": "SELECT message_pk, cluster_id, norm_hash FROM dup_members ORDER BY message_pk",
    "indexes": "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name",
}


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    simulate(out, channels=6, days=4, seed=5)
    return out


def _rows(db: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(db)
    try:
        return {k: con.execute(q).fetchall() for k, q in ROWS.items()}
    finally:
        con.close()


def _analysed(tmp: Path, sim: Path, name: str, monkeypatch: pytest.MonkeyPatch, *, fast: bool) -> Path:
    db = tmp / f"{name}.sqlite"
    store = open_store(str(db))
    ingest_paths(store, [sim])
    with monkeypatch.context() as m:
        m.setattr(bulk, "BULK_MIN_MESSAGES", 1 if fast else 10**12)
        if not fast:
            m.setattr(analyze_job, "_two_connections", lambda _store: False)
        granted: list[bool] = []
        begin = store.begin_bulk_analysis
        m.setattr(store, "begin_bulk_analysis", lambda *a: granted.append(begin(*a)) or granted[-1])
        result = analyze_job.analyze(store, batch_size=97)  # many batches: the writer thread overlaps
    assert granted == [fast]
    assert result["messages"] > 500
    assert analyze_job.analyze(store)["messages"] == 0  # nothing left, indexes back or not
    store.close()
    return db


def test_bulk_mode_and_writer_thread_write_the_plain_rows(
    tmp_path: Path, sim: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = _rows(_analysed(tmp_path, sim, "plain", monkeypatch, fast=False))
    fast = _rows(_analysed(tmp_path, sim, "fast", monkeypatch, fast=True))
    assert plain["entities"] and plain["findings"] and plain["members"]
    for key in ROWS:
        assert fast[key] == plain[key], key


def test_a_killed_bulk_run_gets_its_indexes_back_on_next_open(
    tmp_path: Path, sim: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "killed.sqlite"
    store = open_store(str(db))
    ingest_paths(store, [sim])
    before = _rows(db)["indexes"]
    monkeypatch.setattr(bulk, "BULK_MIN_MESSAGES", 1)
    assert store.begin_bulk_analysis(10, 10)
    dropped = {n for n, *_ in before} - {n for n, *_ in _rows(db)["indexes"]}
    assert dropped and dropped <= set(bulk.DEFERRED_INDEXES)
    # the process dies here: its lock goes with it, the marker row stays
    lock, _marker = store._bulk_analysis  # type: ignore[misc]
    lock.close()
    store._bulk_analysis = None
    store.close()
    open_store(str(db)).close()
    assert _rows(db)["indexes"] == before


def test_json_batch_keeps_types_and_values(sqlite_store) -> None:
    """What the driver would have bound: bools as 1/0, None as NULL, floats bit for bit, any text."""
    when = datetime(2025, 1, 2, tzinfo=UTC)
    msgs = [Message(channel_id=7, id=i, date=when, text=f"t{i}") for i in range(1, 5)]
    sqlite_store.upsert_channels([Channel(id=7, title="c")])
    sqlite_store.upsert_messages(msgs)
    pks = sorted(pk for batch in sqlite_store.iter_lean_messages() for pk, _ in batch)
    odd = 'quote " back\\slash \u2028 emoji \U0001f48a nul-free'
    results = [
        Analysis(pk=pks[0], lang="en", offer=True, norm_hash="ab" * 8, cluster_id="c1",
                 findings=[Finding(category="drugs", score=0.1 + 0.2, evidence=[odd], source="rules")],
                 entities=[Entity("username", "@x", 0, 2), Entity("price", odd, 3, 9)]),
        Analysis(pk=pks[1], lang=None, offer=False,
                 findings=[Finding(category="weapons", score=1 / 3, evidence=[], source="model")]),
        Analysis(pk=pks[2], lang="und", offer=None),
    ]  # fmt: skip
    sqlite_store.save_analysis(results)
    con = sqlite_store.engine.raw_connection()
    try:
        got = con.execute(
            "SELECT pk, lang, offer, typeof(offer), norm_hash, cluster_id, analyzed FROM messages ORDER BY pk"
        ).fetchall()
        f = con.execute(
            "SELECT message_pk, score, typeof(score), evidence FROM findings ORDER BY pk"
        ).fetchall()
    finally:
        con.close()
    assert got[:3] == [
        (pks[0], "en", 1, "integer", "ab" * 8, "c1", 1),
        (pks[1], None, 0, "integer", None, None, 1),
        (pks[2], "und", None, "null", None, None, 1),
    ]
    assert got[3][-1] == 0  # not in the batch: still queued
    assert f == [(pks[0], 0.1 + 0.2, "real", f[0][3]), (pks[1], 1 / 3, "real", None)]
    assert sqlite_store.findings_for([pks[0]])[pks[0]][0].evidence == [odd]
    assert [(e.type, e.value) for e in sqlite_store.entities_for([pks[0]])[pks[0]]] == [
        ("username", "@x"), ("price", odd)
    ]  # fmt: skip
