"""Join the per-area branches into one head, so later migrations are a single line again.

Each area's first migration was written beside the others off ``0001_core`` (see docs/architecture.md); this
revision changes no schema.

Revision ID: 0004_merge_areas
Revises: 0002_classify, 0002_clusters, 0002_collect, 0002_hashes, 0002_ingest_fts, 0003_web_indexes
"""

from __future__ import annotations

revision = "0004_merge_areas"
down_revision = (
    "0002_classify",
    "0002_clusters",
    "0002_collect",
    "0002_hashes",
    "0002_ingest_fts",
    "0003_web_indexes",
)
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
