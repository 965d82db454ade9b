"""Oversight pages for admins: the audit log and the accounts."""

from __future__ import annotations

from typing import Any

import msgspec
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from tgintel.web.app import render
from tgintel.web.auth import require

router = APIRouter()


@router.get("/audit")
def audit_page(
    request: Request,
    user: str | None = None,
    action: str | None = None,
    _admin: Any = Depends(require("admin")),
) -> Response:
    store = request.app.state.store
    entries = [msgspec.to_builtins(e) for e in store.list_audit(limit=500, user=user, action=action)]
    users = [{"name": u.name, "role": u.role, "disabled": u.disabled} for u in store.list_users()]
    return render(request, "audit.html", {"entries": entries, "users": users, "filter_user": user,
                                          "filter_action": action})  # fmt: skip
