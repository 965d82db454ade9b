"""analyze: drop two indexes that a longer index already serves

``ix_entities_value (type, value)`` is a prefix of ``ix_entities_value_message (type, value, message_pk)``
and ``ix_findings_category (category)`` of ``ix_findings_category_message (category, message_pk)``: every
lookup the short ones served, the long ones serve too (covering, even). Each still cost every analysed row
an index insert: on the 106-channel demo (3.3M entity rows) 6.6 s of CPU to build ``ix_entities_value``
alone, and more kept up to date row by row (docs/benchmarks.md).

Revision ID: 0005_analyze
Revises: 0005_entities
"""

from __future__ import annotations

from alembic import op

revision = "0005_analyze"
# Chained after the current head (0005_entities) so the store keeps one head.
down_revision = "0005_entities"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_entities_value", table_name="entities")
    op.drop_index("ix_findings_category", table_name="findings")


def downgrade() -> None:
    op.create_index("ix_findings_category", "findings", ["category"])
    op.create_index("ix_entities_value", "entities", ["type", "value"])
