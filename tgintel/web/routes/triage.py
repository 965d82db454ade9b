"""The triage queue: unreviewed findings, most severe first; confirm, reject or relabel from the keyboard.

Labels go through helper D's label store (``add_label``): a confirmation adds an ``analyst`` finding, a
rejection records the verdict; both feed ``tgintel train``. Relabel = reject the proposed category and confirm
the analyst's one, so the training set learns both facts.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from tgintel.web.app import render, wants_json
from tgintel.web.auth import can, require
from tgintel.web.routes.search import CATEGORIES
from tgintel.web.views import message_rows

router = APIRouter()

SEVERITY = {
    "high": ("csam_indicator", "sexual_exploitation", "weapons", "violent_content"),
    "medium": (
        "drugs",
        "stolen_data",
        "financial_fraud",
        "counterfeit_documents",
        "sanctions_evasion",
        "cybercrime_tools",
    ),
    "low": ("counterfeit_goods",),
}
TIER = {c: i for i, cats in enumerate(SEVERITY.values()) for c in cats}
TIER_NAME = {i: name for i, name in enumerate(SEVERITY)}


@router.get("/triage")
def triage_page(request: Request, category: str | None = None, limit: int = 50) -> Response:
    store = request.app.state.store
    limit = max(1, min(limit, 200))
    cats = [category] if category in CATEGORIES else list(TIER)
    rows = store.triage_queue(cats, limit=limit)
    rows.sort(key=lambda r: (TIER.get(r["category"], 9), -r["score"], -r["pk"]))
    rows = rows[:limit]
    html, data = message_rows(store, rows)
    for h, d in zip(html, data, strict=True):
        ev = orjson.loads(h["evidence"]) if h["evidence"] else []
        h["evidence"], d["evidence"] = ev, ev
        h["severity"] = d["severity"] = TIER_NAME.get(TIER.get(h["category"], 2), "low")
    context = {"rows": html, "categories": CATEGORIES, "can_label": can(request.state.user, "analyst"),
               "category": category}  # fmt: skip
    return render(request, "triage.html", context, data={"findings": data})


@router.post("/triage/{finding_pk}")
async def label_finding(
    request: Request, finding_pk: int, user: Any = Depends(require("analyst"))
) -> Response:
    """Record a verdict on one finding: ``action`` = confirm | reject | relabel (with ``category``)."""
    store = request.app.state.store
    form = await request.form()
    action = str(form.get("action", ""))
    new_category = str(form.get("category", ""))
    finding = store.finding(finding_pk)
    if finding is None:
        raise HTTPException(404, f"no finding {finding_pk}")
    if action not in ("confirm", "reject", "relabel"):
        raise HTTPException(400, "action must be confirm, reject or relabel")
    if action == "relabel" and (new_category not in CATEGORIES or new_category == finding["category"]):
        raise HTTPException(400, "relabel needs another taxonomy category")
    note = f"triage finding {finding_pk}"
    labels = []
    if action in ("confirm", "reject"):
        labels.append(store.add_label(finding["message_pk"], finding["category"], action, user.name, note))
    else:
        labels.append(store.add_label(finding["message_pk"], finding["category"], "reject", user.name, note))
        labels.append(store.add_label(finding["message_pk"], new_category, "confirm", user.name, note))
    detail = f"{action} {finding['category']}" + (f" -> {new_category}" if action == "relabel" else "")
    store.audit(user.name, "label", f"finding {finding_pk} message {finding['message_pk']}", detail)
    if wants_json(request) or "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"finding": finding_pk, "action": action, "labels": labels})
    word = {"confirm": "confirmed", "reject": "rejected", "relabel": f"relabelled as {new_category}"}[action]
    return HTMLResponse(f'<span class="done-note">{word}</span>')
