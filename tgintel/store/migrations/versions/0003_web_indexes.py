"""web workspace: covering indexes for channel, actor, campaign and entity pages

Revision ID: 0003_web_indexes
Revises: 0002_web
"""

from __future__ import annotations

from alembic import op

revision = "0003_web_indexes"
down_revision = "0002_web"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_messages_channel_date": ["channel_id", "date"],
    "ix_messages_channel_sender": ["channel_id", "sender_key"],
    "ix_messages_cluster_date": ["cluster_id", "date", "channel_id"],
    "ix_messages_sender_date": ["sender_key", "date", "channel_id", "cluster_id"],
}


def upgrade() -> None:
    for name, cols in INDEXES.items():
        op.create_index(name, "messages", cols)
    op.create_index("ix_entities_value_message", "entities", ["type", "value", "message_pk"])


def downgrade() -> None:
    op.drop_index("ix_entities_value_message", table_name="entities")
    for name in INDEXES:
        op.drop_index(name, table_name="messages")
