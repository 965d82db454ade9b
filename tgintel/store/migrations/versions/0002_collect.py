"""live collector: watchlist, peer cache, cursors, requeue

Revision ID: 0002_collect
Revises: 0001_core
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_collect"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "watchlist",
        sa.Column("target", sa.String(length=80), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("tags", sa.Text(), nullable=True),
        sa.Column("added", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("checked", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("target"),
    )
    op.create_table(
        "peers",
        sa.Column("channel_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("access_hash", sa.BigInteger(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=True),
        sa.Column("resolved_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("channel_id"),
    )
    op.create_index("ix_peers_username", "peers", ["username"], unique=True)
    op.create_table(
        "cursors",
        sa.Column("channel_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=False),
        sa.Column("updated", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("channel_id"),
    )
    op.create_table(
        "requeue",
        sa.Column("target", sa.String(length=80), nullable=False),
        sa.Column("not_before", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("target"),
    )


def downgrade() -> None:
    op.drop_table("requeue")
    op.drop_table("cursors")
    op.drop_index("ix_peers_username", table_name="peers")
    op.drop_table("peers")
    op.drop_table("watchlist")
