"""Every table the store knows, gathered on one MetaData for Alembic and for the store's queries.

Each area keeps its tables in its own module (``schema`` for the core, the others beside it) and is imported
here, so a new area is one new module plus one line.
"""

from __future__ import annotations

from tgintel.store import browse as _browse  # noqa: F401
from tgintel.store import campaign_counts as _campaign_counts  # noqa: F401
from tgintel.store import clusters as _clusters  # noqa: F401
from tgintel.store import collect as _collect  # noqa: F401
from tgintel.store import hashes as _hashes  # noqa: F401
from tgintel.store import labels as _labels  # noqa: F401
from tgintel.store import network as _network  # noqa: F401
from tgintel.store import study as _study  # noqa: F401
from tgintel.store import web as _web  # noqa: F401
from tgintel.store.schema import metadata

__all__ = ["metadata"]
