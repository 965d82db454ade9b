"""An entity value: everywhere it occurs (helper E's pivot, or the store's entity index)."""

from __future__ import annotations

from typing import Any

import msgspec
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from tgintel.web.app import render
from tgintel.web.auth import can
from tgintel.web.optional import optional
from tgintel.web.redact import REDACTED_TYPES
from tgintel.web.views import message_rows

router = APIRouter()


@router.get("/entity")
def entity_page(request: Request, value: str = "", type: str | None = None) -> Response:
    value = value.strip()[:500]
    if not value:
        raise HTTPException(400, "give ?value=… (and optionally &type=…)")
    store = request.app.state.store
    user = request.state.user
    if type in REDACTED_TYPES or ("@" in value and "." in value.split("@")[-1]) or value.startswith("+"):
        # Phones and e-mails may be victims' data: only roles that may reveal can pivot on them.
        if not can(user, "analyst"):
            raise HTTPException(403, "viewers cannot look up phone numbers or e-mail addresses")
        store.audit(user.name, "reveal", f"/entity?value={value}", "entity lookup")
    occurrences = None
    entity_occurrences = optional("tgintel.analyze.pivot", "entity_occurrences")
    if entity_occurrences is not None:
        # The page lists its own (redacted) messages and drops the pivot's. For a value the pivot recognises,
        # nothing else depends on that list, so it is not fetched: for a handle in 25k posts that is a join
        # and sort of every occurrence with its text. Unrecognised values still need it for type and values.
        query_pairs = optional("tgintel.analyze.pivot", "query_pairs")
        recognised = query_pairs is not None and query_pairs(value)[0] is not None
        found: Any = request.app.state.cache.get(
            ("entity", value),
            lambda: entity_occurrences(store, value, **({"limit": 0} if recognised else {})),
            ttl_s=300,
            wait_s=1.0,
        )
        if found is not None:
            occurrences = dict(found) if isinstance(found, dict) else msgspec.to_builtins(found)
            # Its message list carries raw text; the page lists the (redacted) messages itself.
            occurrences.pop("messages", None)
    rows = store.entity_messages(value, type or None, limit=200)
    html_rows, json_rows = message_rows(store, rows)
    channels: dict[int, dict[str, Any]] = {}
    for r in rows:
        c = channels.setdefault(
            r["channel_id"],
            {
                "channel_id": r["channel_id"],
                "title": r["channel_title"],
                "n": 0,
                "first": r["date"],
                "last": r["date"],
            },
        )
        c["n"] += 1
        c["first"], c["last"] = min(c["first"], r["date"]), max(c["last"], r["date"])
    data = {"value": value, "type": type, "channels": list(channels.values()), "messages": json_rows,
            "occurrences": occurrences}  # fmt: skip
    context = {**data, "messages": html_rows}
    return render(request, "entity.html", context, data=data)
