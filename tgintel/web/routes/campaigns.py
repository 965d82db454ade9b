"""Campaigns: near-duplicate clusters spread over channels and time (helper C's campaign queries), with a
plain cluster view from the store where those are not installed."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from tgintel.store.browse import DAY
from tgintel.web import charts
from tgintel.web.app import render
from tgintel.web.optional import optional
from tgintel.web.redact import plain_redacted, redaction_spans, render_text
from tgintel.web.routes.overview import campaign_list
from tgintel.web.views import message_rows

router = APIRouter()


@router.get("/campaigns")
def campaigns_page(request: Request) -> Response:
    store = request.app.state.store
    campaigns = request.app.state.cache.get("campaigns100", lambda: campaign_list(store, 100))
    return render(request, "campaigns.html", {"campaigns": campaigns}, data={"campaigns": campaigns})


def spread(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``{day, channel, n}`` from the campaign's messages, for the spread chart."""
    counts: dict[tuple[int, str], int] = {}
    for r in rows:
        key = (int(r["date"]) // DAY * DAY, str(r.get("channel_title") or r["channel_id"]))
        counts[key] = counts.get(key, 0) + 1
    return [{"day": d, "channel": c, "n": n} for (d, c), n in sorted(counts.items())]


def _from_detail(
    detail: dict[str, Any],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Spread rows, HTML variants, JSON variants and actors from helper C's ``get_campaign``."""
    from datetime import UTC, datetime

    titles = {str(c["id"]): c.get("title") or str(c["id"]) for c in detail.get("channels", [])}
    spread_rows = []
    for t in detail.get("timeline", []):
        day = int(datetime.strptime(t["date"], "%Y-%m-%d").replace(tzinfo=UTC).timestamp())
        for ch, n in t["posts"].items():
            spread_rows.append({"day": day, "channel": titles.get(str(ch), str(ch)), "n": n})
    html_v, json_v = [], []
    for v in detail.get("variants", []):
        spans = redaction_spans(v.get("text") or "")
        html_v.append({**v, "snippet": render_text(v.get("text") or "", spans, limit=600), "n": v["posts"]})
        json_v.append({**v, "text": plain_redacted(v.get("text") or "", spans)})
    actors = [{"key": a["key"], "name": a.get("name"), "n": a["posts"]} for a in detail.get("actors", [])]
    return spread_rows, html_v, json_v, actors


@router.get("/campaign/{cluster_id}")
def campaign_page(request: Request, cluster_id: str) -> Response:
    store = request.app.state.store
    summary = store.cluster_summary(cluster_id)
    if not summary["size"]:
        raise HTTPException(404, f"no campaign {cluster_id[:40]}")
    get_campaign = optional("tgintel.analyze.campaigns", "get_campaign")
    detail = None
    if get_campaign is not None:  # reads kept per-campaign counts: tens of ms even for 150k posts
        detail = request.app.state.cache.get(
            ("campaign", cluster_id), lambda: get_campaign(store, cluster_id), wait_s=10.0
        )
    # The page lists 100 messages; the plain view (no campaign module) also reads variants from 200.
    rows = store.cluster_messages(cluster_id, limit=100 if detail else 200)
    html_rows, json_rows = message_rows(store, rows, limit=200)
    if detail:
        spread_rows, html_variants, json_variants, actors = _from_detail(detail)
        detail = {k: v for k, v in detail.items() if k != "variants"}
    else:  # plain cluster view: variants = distinct texts among the newest 500 members
        counts: dict[str, int] = {}
        for r in rows:
            if r["sender_key"]:
                counts[r["sender_key"]] = counts.get(r["sender_key"], 0) + 1
        actors = [{"key": k, "name": None, "n": n} for k, n in sorted(counts.items(), key=lambda kv: -kv[1])]
        spread_rows = spread(rows)
        by_text: dict[str, dict[str, Any]] = {}
        for h, j in zip(html_rows, json_rows, strict=True):
            v = by_text.setdefault(
                j["text"], {"text": j["text"], "snippet": h["snippet"], "n": 0, "changes": []}
            )
            v["n"] += 1
        html_variants = sorted(by_text.values(), key=lambda v: -v["n"])[:20]
        json_variants = [{"text": v["text"], "posts": v["n"]} for v in html_variants]
    data = {"cluster_id": cluster_id, "summary": summary, "detail": detail, "actors": actors,
            "spread": spread_rows, "variants": json_variants, "messages": json_rows[:100]}  # fmt: skip
    context = {**data, "variants": html_variants, "messages": html_rows[:100],
               "pending": get_campaign is not None and detail is None,
               "spread_chart": charts.stacked_days(
                   spread_rows, key="channel", label="messages per day per channel"),
               "spread_legend": charts.legend(sorted({r["channel"] for r in spread_rows}))}  # fmt: skip
    return render(request, "campaign.html", context, data=data)
