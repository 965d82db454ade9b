"""Migration 0006_ingest: a partial campaign index (SQLite and PostgreSQL), FTS5 without document sizes
(SQLite), and an older store's leftover message indexes brought in line; answers stay the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from alembic.config import Config
from fts_docs import fts_documents
from sqlalchemy import text

from tgintel.model import Channel, Message
from tgintel.store.interface import Analysis
from tgintel.store.search import SearchQuery
from tgintel.store.sql import MIGRATIONS, SQLStore

T0 = datetime(2026, 3, 1, tzinfo=UTC)
TEXTS = ["fresh price list today", "новое поступление гарант", "price fresh list", "Ümlaut pricé list",
         "t.me/sample_shop escrow", ""]  # fmt: skip
QUERIES = ["price list", '"price list"', "гарант", "umlaut", "pric*", "t.me/sample_shop", '"list today"']


def _fill(store: SQLStore) -> None:
    store.upsert_channels([Channel(id=1, title="one"), Channel(id=2, title="two")])
    msgs = [Message(channel_id=1 + i % 2, id=i, date=T0 + timedelta(hours=i), text=TEXTS[i % len(TEXTS)],
                    sender_key=f"user{i % 3}") for i in range(1, 40)]  # fmt: skip
    store.upsert_messages(msgs)
    pks = sorted(pk for batch in store.iter_messages() for pk, _ in batch)
    store.save_analysis([Analysis(pk=pk, lang="en", offer=True, norm_hash=f"{pk % 4:016x}",
                                  cluster_id=f"c{pk % 4}" if pk % 5 else None) for pk in pks])  # fmt: skip


def _answers(store: SQLStore) -> dict[str, object]:
    out: dict[str, object] = {c: store.cluster_summary(c) for c in ("c0", "c1", "c2", "c3", "none")}
    with store.connect() as conn:
        out["by_cluster"] = [tuple(r) for r in conn.execute(text(
            "SELECT cluster_id, count(*), min(date), max(date) FROM messages WHERE cluster_id = 'c1' "
            "GROUP BY cluster_id"))]  # fmt: skip
    for q in QUERIES:
        out[q] = [h.id for h in store.search(SearchQuery(q=q, limit=100), facets=False).hits]
    return out


def _migrate(store: SQLStore, target: str, *, upgrade: bool) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.upgrade if upgrade else command.downgrade)(cfg, target)


def _index_sql(store: SQLStore) -> dict[str, str]:
    with store.connect() as conn:
        if store.dialect == "sqlite":
            q = ("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages' "
                 "AND sql > ''")
        else:
            q = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'messages'"
        return {n: s for n, s in conn.execute(text(q))}


def test_upgrade_from_0005_keeps_answers_and_makes_the_campaign_index_partial(store: SQLStore) -> None:
    _fill(store)
    now = _answers(store)
    assert now["c1"]["size"] > 0 and now['"price list"'] and now["гарант"]  # the checks compare something
    _migrate(store, "0005_analyze", upgrade=False)
    assert "WHERE" not in _index_sql(store)["ix_messages_cluster_date"]
    # what an older 0001_core made: single-column copies and a full analyze-queue index
    with store.engine.begin() as conn:
        conn.execute(text("CREATE INDEX ix_messages_sender ON messages (sender_key)"))
        conn.execute(text("CREATE INDEX ix_messages_cluster ON messages (cluster_id)"))
        conn.execute(text("DROP INDEX ix_messages_analyzed"))
        conn.execute(text("CREATE INDEX ix_messages_analyzed ON messages (analyzed)"))
    before = _answers(store)
    _migrate(store, "heads", upgrade=True)
    after = _answers(store)
    assert before == after == now
    idx = _index_sql(store)
    assert "cluster_id IS NOT NULL" in idx["ix_messages_cluster_date"]
    assert "analyzed = 0" in idx["ix_messages_analyzed"]
    assert not {"ix_messages_sender", "ix_messages_cluster"} & idx.keys()
    if store.dialect == "sqlite":
        with store.connect() as conn:
            plan = " ".join(r[3] for r in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT count(*), min(date) FROM messages WHERE cluster_id = ?", ("c1",)))
            assert "ix_messages_cluster_date" in plan, plan
            fts = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'messages_fts'").scalar()
            assert "columnsize=0" in fts
            conn.exec_driver_sql("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)")
            assert fts_documents(conn) == 39


def test_fts_follows_edits_and_deletes_without_document_sizes(sqlite_store: SQLStore) -> None:
    _fill(sqlite_store)
    sqlite_store.upsert_messages([Message(channel_id=1, id=2, date=T0, text="changed words")])
    assert [h.id for h in sqlite_store.search(SearchQuery(q="changed words")).hits] == [2]
    with sqlite_store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM findings")
        conn.exec_driver_sql("DELETE FROM entities")
        conn.exec_driver_sql("DELETE FROM messages WHERE id = 4")
        conn.exec_driver_sql("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)")
    # FTS5 writes its row count when the transaction commits (SQLite 3.51 shows the old one inside it)
    with sqlite_store.engine.connect() as conn:
        assert fts_documents(conn) == 38
