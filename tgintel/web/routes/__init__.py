"""The workspace's routes, one module per area; all but the login form sit behind a session."""

from __future__ import annotations

from tgintel.web.routes import (
    actors,
    admin,
    auth_routes,
    campaigns,
    channels,
    entities,
    graph,
    messages,
    overview,
    search,
    triage,
)

ROUTERS = [
    auth_routes.router,
    overview.router,
    search.router,
    messages.router,
    channels.router,
    actors.router,
    campaigns.router,
    entities.router,
    graph.router,
    triage.router,
    admin.router,
]
