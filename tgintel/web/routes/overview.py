"""The overview: study figures, messages per day per category, newest findings and campaigns."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from tgintel.store.browse import DAY
from tgintel.web import charts
from tgintel.web.app import render
from tgintel.web.optional import optional
from tgintel.web.redact import plain_redacted, redaction_spans
from tgintel.web.views import message_rows

router = APIRouter()
CHART_DAYS = 90


def campaign_list(store: Any, limit: int) -> list[dict[str, Any]] | None:
    """Helper C's campaign list as plain dicts, or None where that module is not installed."""
    import msgspec

    list_campaigns = optional("tgintel.analyze.campaigns", "list_campaigns")
    if list_campaigns is None:
        return None
    try:
        found = list_campaigns(store, limit=limit)
    except TypeError:
        found = list_campaigns(store)[:limit]
    out = []
    for c in found:
        c = dict(c) if isinstance(c, dict) else msgspec.to_builtins(c)
        preview = c.get("preview") or ""
        c["preview"] = plain_redacted(preview, redaction_spans(preview))
        out.append(c)
    return out


@router.get("/")
def overview(request: Request) -> Response:
    store = request.app.state.store
    cache = request.app.state.cache
    compute_study = optional("tgintel.analyze.study", "compute_study")
    study = cache.get("study", lambda: compute_study(store)) if compute_study else None
    rng = store.date_range()
    daily: list[dict[str, Any]] = []
    since = until = 0
    if rng:
        until = rng[1] // DAY * DAY + DAY
        since = until - CHART_DAYS * DAY
        daily = cache.get(("daily", since, until), lambda: store.daily_category_counts(since, until)) or []
    html_recent, json_recent = message_rows(store, store.recent_findings(limit=12))
    campaigns = cache.get("campaigns10", lambda: campaign_list(store, 10))
    categories = sorted({r["category"] for r in daily if r["category"]})
    context = {
        "study": study,
        "daily": daily,
        "chart": charts.stacked_days(daily, label="messages per day per category"),
        "legend": charts.legend([*categories, None]),
        "recent": html_recent,
        "campaigns": campaigns,
        "chart_days": CHART_DAYS,
        "study_available": compute_study is not None,
        "pending": cache.pending("study")
        or (rng is not None and not daily and cache.pending(("daily", since, until))),
    }
    data = {"study": study, "daily": daily, "recent_findings": json_recent, "campaigns": campaigns}
    return render(request, "overview.html", context, data=data)
