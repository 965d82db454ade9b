"""An actor: the channels it posts in, its entities, campaigns and a timeline."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from tgintel.web import charts
from tgintel.web.app import render
from tgintel.web.views import mask_entities, message_rows

router = APIRouter()


@router.get("/actor/{key:path}")
def actor_page(request: Request, key: str) -> Response:
    store = request.app.state.store
    actor = store.actor(key)
    if actor is None:
        raise HTTPException(404, f"no actor {key[:80]}")
    trail = store.actor_trail(key)
    recent_html, recent_json = message_rows(store, trail.pop("recent"))
    trail["entities"] = mask_entities(trail["entities"])
    data = {"actor": actor, **trail, "recent": recent_json}
    context = {
        **data,
        "recent": recent_html,
        "timeline_chart": charts.stacked_days(trail["timeline"], key="", label="messages per day"),
    }
    return render(request, "actor.html", context, data=data)
