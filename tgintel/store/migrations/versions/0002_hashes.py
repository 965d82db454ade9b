"""media hash lists, media hashes of messages, matches

Revision ID: 0002_hashes
Revises: 0001_core
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_hashes"
down_revision = "0001_core"
branch_labels = None
depends_on = None

ROW_KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "hashlists",
        sa.Column("id", ROW_KEY, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("file", sa.Text(), nullable=True),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("updated", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "hashes",
        sa.Column("pk", ROW_KEY, autoincrement=True, nullable=False),
        sa.Column("list_id", ROW_KEY, nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("tags", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["list_id"], ["hashlists.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("list_id", "value", name="uq_hashes_list_value"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_hashes_value", "hashes", ["value"], unique=False)
    op.create_table(
        "media_hashes",
        sa.Column("message_pk", ROW_KEY, autoincrement=False, nullable=False),
        sa.Column("pdq", sa.String(length=64), nullable=True),
        sa.Column("quality", sa.Integer(), nullable=True),
        sa.Column("md5", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("hashed", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["message_pk"], ["messages.pk"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("message_pk"),
    )
    op.create_index("ix_media_hashes_md5", "media_hashes", ["md5"], unique=False)
    op.create_index("ix_media_hashes_pdq", "media_hashes", ["pdq"], unique=False)
    op.create_table(
        "matches",
        sa.Column("pk", ROW_KEY, autoincrement=True, nullable=False),
        sa.Column("message_pk", ROW_KEY, nullable=False),
        sa.Column("list_id", ROW_KEY, nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("distance", sa.Integer(), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["list_id"], ["hashlists.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["message_pk"], ["messages.pk"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
    )
    op.create_index("ix_matches_message", "matches", ["message_pk"], unique=False)
    op.create_index("ix_matches_list", "matches", ["list_id"], unique=False)


def downgrade() -> None:
    op.drop_table("matches")
    op.drop_table("media_hashes")
    op.drop_index("ix_hashes_value", table_name="hashes")
    op.drop_table("hashes")
    op.drop_table("hashlists")
