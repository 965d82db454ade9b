"""Turn store rows into what pages and their JSON twins show: message text always redacted and inert."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from tgintel.store import Store
from tgintel.web.redact import plain_redacted, redaction_spans, render_text

SNIPPET = 280


def message_rows(
    store: Store, rows: list[dict[str, Any]], *, limit: int = SNIPPET
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(html_rows, json_rows)`` for a list of message rows (each with ``pk`` and ``text``): the HTML side
    gets a redacted, escaped ``snippet``; the JSON side the redacted plain ``text``."""
    ents = store.entities_for([r["pk"] for r in rows]) if rows else {}
    html, data = [], []
    for r in rows:
        spans = redaction_spans(r["text"] or "", ents.get(r["pk"], []))
        html.append({**r, "snippet": render_text(r["text"] or "", spans, limit=limit)})
        data.append({**r, "text": plain_redacted(r["text"] or "", spans)})
    return html, data


def snippet(text: str) -> Markup:
    return render_text(text, redaction_spans(text), limit=SNIPPET)


def mask_entities(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entity rows with victims' data types (phone, email) masked and flagged, for lists and JSON."""
    from tgintel.web.redact import REDACTED_TYPES, mask_value

    out = []
    for r in rows:
        if r.get("type") in REDACTED_TYPES:
            out.append({**r, "value": mask_value(r["type"], r["value"]), "redacted": True})
        else:
            out.append({**r, "redacted": False})
    return out
