"""web workspace: per-campaign day × channel and text × channel counts, filled from existing memberships

A campaign page read every member row of its cluster twice (150k rows for the largest on a 1M-message
store); these tables hold the answers and are kept up to date by clustering
(``tgintel/store/campaign_counts.py``). Stores clustered before this revision are backfilled here, in one
pass over ``dup_members``. Two indexes let a channel's and an actor's top campaigns be read from the kept
``cluster_channels`` and ``cluster_actors`` counts.

Revision ID: 0005_web
Revises: 0005_ingest
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_web"
# Chained after 0005_ingest (written in the same session) so the store keeps one head.
down_revision = "0005_ingest"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaign_days",
        sa.Column("cluster_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("channel_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("posts", sa.BigInteger(), nullable=False),
        sa.Column("forwarded", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("cluster_id", "day", "channel_id"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "campaign_texts",
        sa.Column("cluster_id", sa.String(length=32), nullable=False),
        sa.Column("norm_hash", sa.String(length=16), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("posts", sa.BigInteger(), nullable=False),
        sa.Column("first_seen", sa.BigInteger(), nullable=False),
        sa.Column("last_seen", sa.BigInteger(), nullable=False),
        sa.Column("first_pk", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("cluster_id", "norm_hash", "channel_id"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_cluster_channels_channel", "cluster_channels", ["channel_id", "posts"])
    op.create_index("ix_cluster_actors_sender", "cluster_actors", ["sender_key", "posts"])
    # Backfill (the statements of tgintel.store.campaign_counts, copied so this revision stays as written).
    op.execute(
        "INSERT INTO campaign_days (cluster_id, day, channel_id, posts, forwarded) "
        "SELECT cluster_id, date / 86400, channel_id, count(*), sum(forwarded) FROM dup_members "
        "GROUP BY cluster_id, date / 86400, channel_id"
    )
    op.execute(
        "INSERT INTO campaign_texts "
        "(cluster_id, norm_hash, channel_id, posts, first_seen, last_seen, first_pk) "
        "SELECT cluster_id, norm_hash, channel_id, count(*), min(date), max(date), min(message_pk) "
        "FROM dup_members WHERE norm_hash IS NOT NULL GROUP BY cluster_id, norm_hash, channel_id"
    )


def downgrade() -> None:
    op.drop_index("ix_cluster_actors_sender", table_name="cluster_actors")
    op.drop_index("ix_cluster_channels_channel", table_name="cluster_channels")
    op.drop_table("campaign_texts")
    op.drop_table("campaign_days")
