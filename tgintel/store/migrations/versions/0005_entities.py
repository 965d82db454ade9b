"""entities: a channel's default phone region

An analyst sets it with ``tgintel channels region CHANNEL NL``; ``tgintel analyze`` then reads phone numbers
written without a country code in that channel's messages as that country's (tgintel/store/network.py).

Revision ID: 0005_entities
Revises: 0005_web
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_entities"
# Chained after the current head (0005_web) so the store keeps one head.
down_revision = "0005_web"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_regions",
        sa.Column("channel_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("region", sa.String(length=2), nullable=False),
        sa.Column("updated", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("channel_id"),
    )


def downgrade() -> None:
    op.drop_table("channel_regions")
