"""Every table the store knows, gathered on one MetaData for Alembic and for the store's queries.

Each area keeps its tables in its own module (``schema`` for the core, the others beside it) and is imported
here, so a new area is one new module plus one line.
"""

from __future__ import annotations

from tgintel.store.schema import metadata

__all__ = ["metadata"]
