"""Re-ingesting adds nothing; a newer export adds only the new messages and updates the edited ones.

Runs on SQLite and PostgreSQL (the store takes different code paths on each)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from export_builder import T0, chat, msg, stamp, write
from sqlalchemy import text

from tgintel.jobs.ingest import ingest_paths
from tgintel.store.interface import Analysis

CID = 77


def snapshot(store) -> list[tuple]:  # type: ignore[no-untyped-def]
    with store.connect() as conn:
        rows = conn.execute(text(
            "SELECT pk, channel_id, id, date, text, markup, edited, raw, digest, analyzed FROM messages "
            "ORDER BY pk"
        ))  # fmt: skip
        return [tuple(r) for r in rows]


def test_reingest_adds_nothing(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = [msg(i, f"post {i}", from_id=f"user{i % 3}") for i in range(1, 26)]
    path = write(tmp_path / "r.json", chat(CID, records))
    first = ingest_paths(store, [path], batch_size=7)
    assert (first["inserted"], first["updated"], first["unchanged"]) == (25, 0, 0)
    before = snapshot(store)
    again = ingest_paths(store, [path], batch_size=10)
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 25)
    assert snapshot(store) == before
    with store.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM imports")).scalar_one() == 2


def test_newer_export_adds_new_and_updates_edited(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    old = [msg(i, f"post {i}") for i in range(1, 11)]
    ingest_paths(store, [write(tmp_path / "old.json", chat(CID, old))])
    pk3, _ = store.get_message(CID, 3)
    pk4, _ = store.get_message(CID, 4)
    store.save_analysis([Analysis(pk=pk3, lang="en"), Analysis(pk=pk4, lang="en")])
    assert store.count_messages(unanalyzed_only=True) == 8

    edit_at = T0 + timedelta(days=1)
    newer = [msg(i, f"post {i}") for i in range(1, 11) if i != 4]
    newer[2] = msg(3, "post 3 (price changed)", edited=stamp(edit_at)["date"],
                   edited_unixtime=stamp(edit_at)["date_unixtime"])  # fmt: skip
    newer.append(msg(4, "post 4", reactions=[{"type": "emoji", "emoji": "👍", "count": 2}]))  # text same
    newer += [msg(i, f"post {i}") for i in range(11, 16)]
    counts = ingest_paths(store, [write(tmp_path / "new.json", chat(CID, newer))])
    assert (counts["inserted"], counts["updated"], counts["unchanged"]) == (5, 2, 8)

    pk, m3 = store.get_message(CID, 3)
    assert pk == pk3 and m3.text == "post 3 (price changed)" and m3.edited == edit_at
    _, m4 = store.get_message(CID, 4)
    assert m4.reactions == {"👍": 2}
    # the edited text waits for analysis again; the reaction-only change keeps its analysis
    with store.connect() as conn:
        analyzed = dict(conn.execute(text("SELECT id, analyzed FROM messages WHERE id IN (3, 4)")).all())
    assert analyzed == {3: 0, 4: 1}
    assert store.count_messages() == 15
