"""near-duplicate index and cluster aggregates

Revision ID: 0002_clusters
Revises: 0001_core
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_clusters"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dup_exact",
        sa.Column("norm_hash", sa.String(length=16), nullable=False),
        sa.Column("node_hash", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("norm_hash"),
    )
    op.create_table(
        "dup_nodes",
        sa.Column("node_hash", sa.String(length=16), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("cluster_id", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("contacts", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("node_hash"),
    )
    op.create_index("ix_dup_nodes_cluster", "dup_nodes", ["cluster_id"])
    op.create_index("ix_dup_nodes_seq", "dup_nodes", ["seq"])
    op.create_table(
        "dup_bands",
        sa.Column("band_key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("node_hash", sa.String(length=16), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("band_key", "node_hash"),
    )
    op.create_table(
        "dup_members",
        sa.Column("message_pk", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("cluster_id", sa.String(length=32), nullable=False),
        sa.Column("norm_hash", sa.String(length=16), nullable=True),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("date", sa.BigInteger(), nullable=False),
        sa.Column("sender_key", sa.String(length=160), nullable=True),
        sa.Column("forwarded", sa.Integer(), nullable=False),
        sa.Column("raw_hash", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("message_pk"),
    )
    op.create_index(
        "ix_dup_members_cluster",
        "dup_members",
        ["cluster_id", "date", "channel_id", "forwarded", "norm_hash", "message_pk"],
    )
    op.create_table(
        "clusters",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("channels", sa.Integer(), nullable=False),
        sa.Column("actors", sa.Integer(), nullable=False),
        sa.Column("first_seen", sa.BigInteger(), nullable=False),
        sa.Column("last_seen", sa.BigInteger(), nullable=False),
        sa.Column("lead_channel_id", sa.BigInteger(), nullable=True),
        sa.Column("representative_pk", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_clusters_size", "clusters", ["size"])
    op.create_index("ix_clusters_channels", "clusters", ["channels"])
    op.create_index("ix_clusters_last", "clusters", ["last_seen"])
    op.create_table(
        "cluster_channels",
        sa.Column("cluster_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("posts", sa.BigInteger(), nullable=False),
        sa.Column("first_seen", sa.BigInteger(), nullable=False),
        sa.Column("last_seen", sa.BigInteger(), nullable=False),
        sa.Column("first_pk", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("cluster_id", "channel_id"),
    )
    op.create_table(
        "cluster_actors",
        sa.Column("cluster_id", sa.String(length=32), nullable=False),
        sa.Column("sender_key", sa.String(length=160), nullable=False),
        sa.Column("posts", sa.BigInteger(), nullable=False),
        sa.Column("first_seen", sa.BigInteger(), nullable=False),
        sa.Column("last_seen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("cluster_id", "sender_key"),
    )


def downgrade() -> None:
    for table in ("cluster_actors", "cluster_channels", "clusters", "dup_members", "dup_bands", "dup_nodes",
                  "dup_exact"):  # fmt: skip
        op.drop_table(table)
