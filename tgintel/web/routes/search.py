"""Search: full text plus filters, facets with counts, keyset pages, CSV export for analysts."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from tgintel.detect.classify.taxonomy import CATEGORIES
from tgintel.store.search import FACET_SAMPLE, SearchQuery, day_start
from tgintel.web.app import render
from tgintel.web.auth import require
from tgintel.web.redact import plain_redacted, redaction_spans, render_text

router = APIRouter()
FILTERS = ("q", "channel", "category", "lang", "from", "to", "entity_type", "offer", "campaign")
FACET_PARAM = {
    "channel": "channel",
    "category": "category",
    "lang": "lang",
    "offer": "offer",
    "entity_type": "entity_type",
    "campaign": "campaign",
}


def parse_query(params: Any, *, limit: int = 50) -> tuple[SearchQuery, list[str]]:
    """Query-string → SearchQuery; problems become messages for the page, never a 500."""
    errors: list[str] = []
    query = SearchQuery(q=(params.get("q") or "")[:500], limit=limit)

    def as_int(name: str) -> int | None:
        value = params.get(name)
        if not value:
            return None
        try:
            return int(value)
        except ValueError:
            errors.append(f"{name}: not a number: {value[:40]!r}")
            return None

    query.channel_id = as_int("channel")
    query.before = as_int("before")
    query.category = params.get("category") or None
    query.lang = params.get("lang") or None
    query.entity_type = params.get("entity_type") or None
    query.campaign = params.get("campaign") or None
    offer = params.get("offer")
    query.offer = {"true": True, "false": False}.get(offer or "")
    for name, attr, shift in (("from", "date_from", 0), ("to", "date_to", 86400)):
        value = params.get(name)
        if value:
            try:
                setattr(query, attr, day_start(value) + shift)
            except ValueError:
                errors.append(f"{name}: expected a date like 2026-01-31, got {value[:40]!r}")
    return query, errors


def _current(params: Any) -> dict[str, str]:
    return {k: params[k] for k in FILTERS if params.get(k)}


@router.get("/search")
def search_page(request: Request) -> Response:
    store = request.app.state.store
    query, errors = parse_query(request.query_params)
    result = store.search(query)
    current = _current(request.query_params)
    ents = store.entities_for([h.pk for h in result.hits])
    hits_html, hits_json = [], []
    for h in result.hits:
        spans = redaction_spans(h.text, ents.get(h.pk, []))
        hits_html.append({"hit": h, "snippet": render_text(h.text, spans, limit=400)})
        hits_json.append({**_struct(h), "text": plain_redacted(h.text, spans)})
    facets = {}
    for name, values in result.facets.items():
        param = FACET_PARAM[name]
        facets[name] = [
            {"value": v.value, "label": v.label, "count": v.count, "active": current.get(param) == v.value,
             "href": "/search?" + urlencode(
                 {k: x for k, x in {**current, param: v.value}.items()} if current.get(param) != v.value
                 else {k: x for k, x in current.items() if k != param})}
            for v in values
        ]  # fmt: skip
    next_href = None
    if result.next_before is not None:
        next_href = "/search?" + urlencode({**current, "before": result.next_before})
    data = {
        "query": current, "errors": errors, "total": result.total, "total_capped": result.total_capped,
        "next_before": result.next_before, "hits": hits_json, "facets_sampled": result.facets_sampled,
        "facets": {k: [{"value": v.value, "label": v.label, "count": v.count} for v in vs]
                   for k, vs in result.facets.items()},
    }  # fmt: skip
    context = {
        "q": query.q, "current": current, "errors": errors, "result": result, "hits": hits_html,
        "facets": facets, "next_href": next_href, "categories": CATEGORIES,
        "channels": store.list_channels(),
        "export_href": "/search.csv?" + urlencode(current),
        "facet_sample": FACET_SAMPLE,
    }  # fmt: skip
    return render(request, "search.html", context, data=data, target="/search?" + urlencode(current))


def _struct(h: Any) -> dict[str, Any]:
    import msgspec

    return msgspec.to_builtins(h)


@router.get("/search.csv")
def search_export(request: Request, user: Any = Depends(require("analyst"))) -> Response:
    """Up to 10,000 matching messages as CSV, redacted as on screen; the export is audited."""
    store = request.app.state.store
    query, errors = parse_query(request.query_params, limit=500)
    current = _current(request.query_params)
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(["channel_id", "message_id", "date", "channel", "lang", "offer", "campaign", "categories",
                  "text"])  # fmt: skip
    rows = 0
    while rows < 10_000 and not errors:
        result = store.search(query, facets=False)
        ents = store.entities_for([h.pk for h in result.hits])
        for h in result.hits:
            text = plain_redacted(h.text, redaction_spans(h.text, ents.get(h.pk, [])))
            # A leading = + - @ would make a spreadsheet run the cell as a formula.
            cells = [h.channel_id, h.id, h.date, h.channel_title, h.lang, h.offer, h.cluster_id,
                     " ".join(h.categories), text]  # fmt: skip
            out.writerow([("'" + c) if isinstance(c, str) and c[:1] in "=+-@\t\r" else c for c in cells])
            rows += 1
        if result.next_before is None:
            break
        query.before = result.next_before
    store.audit(user.name, "export", "/search.csv?" + urlencode(current), f"{rows} rows")
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="tgintel-search.csv"'},
    )
