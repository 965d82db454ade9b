"""ingest: the bulk-import marker table

Revision ID: 0005_ingest
Revises: 0004_merge_areas

A first import into an empty SQLite store drops the secondary indexes and FTS triggers on ``messages`` and
builds them once at the end (tgintel/store/deferred_index.py). ``ingest_bulk`` holds the statements that
rebuild them, written in the same transaction that drops them, so a killed import is finished by the next
command that opens the store.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_ingest"
down_revision = "0004_merge_areas"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ingest_bulk",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("started", sa.BigInteger(), nullable=False),
        sa.Column("statements", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("pk"),
    )


def downgrade() -> None:
    op.drop_table("ingest_bulk")
