"""web workspace: accounts, sessions, audit log; category-first index on findings

Revision ID: 0002_web
Revises: 0001_core
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_web"
down_revision = "0001_core"
branch_labels = None
depends_on = None

ROW_KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "web_users",
        sa.Column("pk", ROW_KEY, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("disabled", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_pk", sa.BigInteger(), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("expires", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_table(
        "web_audit",
        sa.Column("pk", ROW_KEY, autoincrement=True, nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("user_name", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("pk"),
    )
    op.create_index("ix_web_audit_ts", "web_audit", ["ts"])
    op.create_index("ix_web_audit_user", "web_audit", ["user_name", "ts"])
    op.create_index("ix_findings_category_message", "findings", ["category", "message_pk"])


def downgrade() -> None:
    op.drop_index("ix_findings_category_message", table_name="findings")
    op.drop_index("ix_web_audit_user", table_name="web_audit")
    op.drop_index("ix_web_audit_ts", table_name="web_audit")
    op.drop_table("web_audit")
    op.drop_table("web_sessions")
    op.drop_table("web_users")
