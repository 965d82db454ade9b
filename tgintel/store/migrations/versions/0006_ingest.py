"""ingest: a partial campaign index, FTS5 without per-document sizes, older stores' indexes brought in line

``ix_messages_cluster_date (cluster_id, date, channel_id)`` held an entry for every message, though every
query on it asks for one campaign (``cluster_id = :k``) and a message only gets a cluster id from ``tgintel
analyze`` (never one without text). Partial (``WHERE cluster_id IS NOT NULL``) it costs an import nothing
(bench/ingest.py: 0.31 s of a 600,000-message bulk build) and holds only clustered messages; SQLite and
PostgreSQL both use it for ``cluster_id = :k`` (the query plans are listed in docs/ingest.md).

``messages_fts`` is recreated with ``columnsize=0``: FTS5 then keeps no per-document token counts (the
``messages_fts_docsize`` table, one B-tree row per message). Only ranking (``bm25``, ``rank``) reads them, and
search orders by row key, never by rank (tgintel/store/search.py); matching, phrases and prefixes are
unchanged. The bulk build's FTS rebuild measured 2.35-2.46 -> 1.85-2.13 s over 600,000 bench messages. The
index is rebuilt here once from ``messages`` (seconds on a million messages).

Stores created before 0001_core was trimmed (it once made single-column ``ix_messages_sender`` and
``ix_messages_cluster`` and full ``ix_messages_analyzed`` and ``ix_messages_fwd``) still carried those
indexes, each costing every imported row an index entry; they get the definitions a new store has.

Revision ID: 0006_ingest
Revises: 0005_analyze
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_ingest"
down_revision = "0005_analyze"
branch_labels = None
depends_on = None

CLUSTER_WHERE = sa.text("cluster_id IS NOT NULL")
ANALYZED_WHERE = sa.text("analyzed = 0")
FWD_WHERE = sa.text("fwd_channel_id IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_messages_cluster_date", table_name="messages")
    op.create_index("ix_messages_cluster_date", "messages", ["cluster_id", "date", "channel_id"],
                    sqlite_where=CLUSTER_WHERE, postgresql_where=CLUSTER_WHERE)  # fmt: skip
    # What an older 0001_core left behind: prefixes of the covering indexes of 0003_web_indexes, and full
    # versions of two partial indexes (rebuilt partial: cheap, they hold few rows on an analysed store).
    op.execute("DROP INDEX IF EXISTS ix_messages_sender")
    op.execute("DROP INDEX IF EXISTS ix_messages_cluster")
    op.drop_index("ix_messages_analyzed", table_name="messages")
    op.create_index("ix_messages_analyzed", "messages", ["analyzed"],
                    sqlite_where=ANALYZED_WHERE, postgresql_where=ANALYZED_WHERE)  # fmt: skip
    op.drop_index("ix_messages_fwd", table_name="messages")
    op.create_index("ix_messages_fwd", "messages", ["fwd_channel_id"],
                    sqlite_where=FWD_WHERE, postgresql_where=FWD_WHERE)  # fmt: skip


    if op.get_bind().dialect.name == "sqlite":
        _recreate_fts(", columnsize=0")


def _recreate_fts(options: str) -> None:
    """``messages_fts`` with these extra options, filled from ``messages``. Its triggers on ``messages`` name
    the table, not its options, so they stay."""
    op.execute("DROP TABLE messages_fts")
    op.execute(
        "CREATE VIRTUAL TABLE messages_fts USING fts5(text, content='messages', content_rowid='pk', "
        f"tokenize='unicode61 remove_diacritics 2'{options})"
    )
    op.execute("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _recreate_fts("")
    op.drop_index("ix_messages_cluster_date", table_name="messages")
    op.create_index("ix_messages_cluster_date", "messages", ["cluster_id", "date", "channel_id"])
