"""One message: redacted text with a logged reveal, findings with evidence, entities as pivots, its
campaign, its neighbours in the channel, media metadata and hash-match badges (never the media)."""

from __future__ import annotations

import re
from typing import Any

import msgspec
import orjson
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from tgintel.web.app import render, wants_json
from tgintel.web.auth import can, require
from tgintel.web.redact import REDACTED_TYPES, mask_value, plain_redacted, redaction_spans, render_text
from tgintel.web.views import message_rows

router = APIRouter()
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")


def permalink(username: str | None, message_id: int) -> str | None:
    """``https://t.me/<username>/<id>`` for public channels; shown as a link, never fetched by tgintel."""
    if username and _USERNAME.match(username):
        return f"https://t.me/{username}/{int(message_id)}"
    return None


def _load(request: Request, channel_id: int, message_id: int) -> tuple[Any, int, Any]:
    store = request.app.state.store
    found = store.get_message(channel_id, message_id)
    if found is None:
        raise HTTPException(404, f"no message {channel_id}/{message_id}")
    pk, msg = found
    return store, pk, msg


def _media(store: Any, pk: int, msg: Any) -> dict[str, Any] | None:
    """Media as metadata plus hash-list matches; ``extra`` (poll text, contact names) is left out here."""
    if msg.media is None:
        return None
    meta = {k: v for k, v in msgspec.to_builtins(msg.media).items() if k not in ("extra", "file_id")}
    matches = getattr(store, "matches_for", None)
    meta["matches"] = [msgspec.to_builtins(m) for m in matches([pk]).get(pk, [])] if matches else []
    hashes = getattr(store, "media_hashes_for", None)
    row = hashes([pk]).get(pk) if hashes else None
    meta["hashed"] = row is not None
    return meta


@router.get("/message/{channel_id}/{message_id}")
def message_page(request: Request, channel_id: int, message_id: int) -> Response:
    store, pk, msg = _load(request, channel_id, message_id)
    channel = store.get_channel(channel_id)
    entities = store.entities_for([pk]).get(pk, [])
    spans = redaction_spans(msg.text, entities)
    meta = store.message_meta(pk)
    findings = []
    for f in store.message_findings(pk):
        f["evidence"] = orjson.loads(f["evidence"]) if f["evidence"] else []
        findings.append(f)
    cluster = None
    if meta.get("cluster_id"):
        cluster = {"id": meta["cluster_id"], **store.cluster_summary(meta["cluster_id"])}
    n_html, n_json = message_rows(store, store.neighbours(channel_id, message_id), limit=200)
    user = request.state.user
    shown_entities = []
    for e in entities:
        hidden = e.type in REDACTED_TYPES
        shown_entities.append({"type": e.type, "value": mask_value(e.type, e.value) if hidden else e.value,
                               "redacted": hidden, "start": e.start, "end": e.end})  # fmt: skip
    link = permalink(channel.username if channel else None, message_id)
    media = _media(store, pk, msg)
    base = {
        "channel_id": channel_id, "id": message_id, "pk": pk, "date": msg.date, "kind": msg.kind,
        "sender_key": msg.sender_key, "sender_name": msg.sender_name, "author": msg.author,
        "fwd_channel_id": msg.fwd_channel_id, "fwd_msg_id": msg.fwd_msg_id, "fwd_from": msg.fwd_from,
        "views": msg.views, "forwards": msg.forwards, "edited": msg.edited, "action": msg.action,
        "lang": meta.get("lang"), "offer": meta.get("offer"), "permalink": link, "media": media,
        "channel": {"id": channel_id, "title": channel.title if channel else None,
                    "username": channel.username if channel else None},
        "findings": findings, "entities": shown_entities, "campaign": cluster,
    }  # fmt: skip
    data = {
        **base,
        "text": plain_redacted(msg.text, spans),
        "redacted_spans": len(spans),
        "neighbours": n_json,
    }
    context = {
        **base, "msg": msg, "channel": channel, "text_html": render_text(msg.text, spans),
        "redacted": bool(spans), "can_reveal": can(user, "analyst"), "can_label": can(user, "analyst"),
        "neighbours": n_html,
    }  # fmt: skip
    return render(request, "message.html", context, data=data)


@router.post("/message/{channel_id}/{message_id}/reveal")
def reveal(
    request: Request, channel_id: int, message_id: int, user: Any = Depends(require("analyst"))
) -> Response:
    """Show the unredacted text to an analyst or admin; every reveal is written to the audit log."""
    store, pk, msg = _load(request, channel_id, message_id)
    entities = store.entities_for([pk]).get(pk, [])
    spans = redaction_spans(msg.text, entities)
    store.audit(user.name, "reveal", f"/message/{channel_id}/{message_id}", f"{len(spans)} spans")
    if wants_json(request):
        return Response(msgspec.json.encode({
            "text": msg.text, "entities": [msgspec.to_builtins(e) for e in entities]}),
            media_type="application/json")  # fmt: skip
    html = render_text(msg.text, spans, reveal=True)
    return HTMLResponse(f'<div class="msgtext" id="msgtext">{html}</div>')
