"""classification: analysts' labels and user-loaded indicator lists

Revision ID: 0002_classify
Revises: 0001_core
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_classify"
down_revision = "0001_core"
branch_labels = None
depends_on = None

ROW_KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "labels",
        sa.Column("pk", ROW_KEY, autoincrement=True, nullable=False),
        sa.Column("message_pk", ROW_KEY, nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("verdict", sa.String(length=8), nullable=False),
        sa.Column("user", sa.String(length=80), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["message_pk"], ["messages.pk"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
    )
    op.create_index("ix_labels_message", "labels", ["message_pk"])
    op.create_table(
        "indicator_lists",
        sa.Column("pk", ROW_KEY, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("loaded", sa.BigInteger(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "indicators",
        sa.Column("list_pk", ROW_KEY, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("term", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["list_pk"], ["indicator_lists.pk"], ondelete="CASCADE"),
    )
    op.create_index("ix_indicators_list", "indicators", ["list_pk"])


def downgrade() -> None:
    op.drop_index("ix_indicators_list", table_name="indicators")
    op.drop_table("indicators")
    op.drop_table("indicator_lists")
    op.drop_index("ix_labels_message", table_name="labels")
    op.drop_table("labels")
