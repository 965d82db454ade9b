"""The network view: channels, actors, entities and campaigns (helper E's ``build_graph``), drawn in the
browser by vendored cytoscape.js, with GEXF download for Gephi (an audited export, analysts and admins).

Building the graph reads every message, so it is cached (:data:`GRAPH_TTL_S`); the page asks for a filtered,
size-capped view so the browser never receives a hairball. Phone and e-mail nodes are masked like message
text: possible victims' data.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from tgintel.web.app import in_subprocess, render
from tgintel.web.auth import can, require
from tgintel.web.optional import optional
from tgintel.web.redact import REDACTED_TYPES, mask_value
from tgintel.web.routes.search import CATEGORIES

router = APIRouter()
GRAPH_TTL_S = 600.0
KINDS = ("channel", "actor", "entity", "campaign")


def _graph(request: Request) -> Any | None:
    build_graph = optional("tgintel.analyze.graph", "build_graph")
    if build_graph is None:
        return None
    store = request.app.state.store
    return request.app.state.cache.get(
        "graph", lambda: in_subprocess(store, "tgintel.analyze.graph:build_graph"), ttl_s=GRAPH_TTL_S
    )


def _href(node: str, d: dict[str, Any]) -> str | None:
    kind, _, ident = node.partition(":")
    if kind == "channel" and ident.lstrip("-").isdigit():
        return f"/channel/{ident}"
    if kind == "campaign":
        return f"/campaign/{quote(ident, safe='')}"
    if kind == "actor":
        return f"/actor/{quote(ident, safe=':')}"
    if kind == "entity":
        value = d.get("value") or ident.partition(":")[2]
        return "/entity?" + urlencode({"value": value})
    return None


def view(g: Any, *, kinds: set[str], min_weight: int, max_nodes: int, q: str, viewer: bool) -> dict[str, Any]:
    """A capped, filtered slice of the graph as cytoscape elements: the heaviest nodes of the chosen kinds,
    linked by edges of at least ``min_weight`` messages."""
    edges = [(u, v, d) for u, v, d in g.edges(data=True) if d.get("weight", 1) >= min_weight
             and g.nodes[u].get("kind") in kinds and g.nodes[v].get("kind") in kinds]  # fmt: skip
    strength: dict[str, int] = {}
    for u, v, d in edges:
        strength[u] = strength.get(u, 0) + d.get("weight", 1)
        strength[v] = strength.get(v, 0) + d.get("weight", 1)
    if q:
        needle = q.lower()
        focus = {n for n in strength if needle in str(g.nodes[n].get("label", n)).lower()}
        keep_edges = [(u, v, d) for u, v, d in edges if u in focus or v in focus]
        edges = keep_edges
        strength = {n: s for n, s in strength.items() if any(n in (u, v) for u, v, _ in edges)}
    chosen = set(sorted(strength, key=lambda n: -strength[n])[:max_nodes])
    elements: list[dict[str, Any]] = []
    for n in chosen:
        d = g.nodes[n]
        label = str(d.get("label", n))
        href = _href(n, d)
        if d.get("kind") == "entity" and d.get("entity_type") in REDACTED_TYPES:
            label = mask_value(d["entity_type"], str(d.get("value", "")))
            href = None if viewer else href
        elements.append({"data": {"id": n, "label": label[:60], "kind": d.get("kind"), "href": href,
                                  "size": min(50, 1 + strength[n] // 5)}})  # fmt: skip
    n_edges = 0
    for u, v, d in edges:
        if u in chosen and v in chosen:
            n_edges += 1
            elements.append({"data": {"id": f"{u}->{v}", "source": u, "target": v, "kind": d.get("kind"),
                                      "weight": d.get("weight", 1)}})  # fmt: skip
    return {"elements": elements, "nodes": len(chosen), "edges": n_edges,
            "truncated": len(strength) > len(chosen)}  # fmt: skip


@router.get("/graph")
def graph_page(request: Request) -> Response:
    available = optional("tgintel.analyze.graph", "build_graph") is not None
    context = {
        "available": available,
        "categories": CATEGORIES,
        "can_export": can(request.state.user, "analyst"),
    }
    return render(request, "graph.html", context, data={"available": available, "data": "/graph/data.json",
                                                        "gexf": "/graph.gexf"})  # fmt: skip


@router.get("/graph/data")
def graph_data(
    request: Request,
    kinds: str = "channel,actor,entity",
    min_weight: int = 2,
    max_nodes: int = 150,
    q: str = "",
) -> Response:
    g = _graph(request)
    if g is None:
        pending = request.app.state.cache.pending("graph")
        return JSONResponse(
            {"available": pending, "pending": pending, "elements": [], "nodes": 0, "edges": 0}
        )
    chosen = {k for k in kinds.split(",") if k in KINDS} or set(KINDS)
    out = view(g, kinds=chosen, min_weight=max(1, min_weight), max_nodes=max(10, min(max_nodes, 2000)),
               q=q.strip()[:100], viewer=not can(request.state.user, "analyst"))  # fmt: skip
    request.app.state.store.audit(request.state.user.name, "view", "/graph/data",
                                  f"{out['nodes']} nodes")  # fmt: skip
    return JSONResponse({"available": True, **out})


@router.get("/graph.gexf")
def graph_gexf(request: Request, user: Any = Depends(require("analyst"))) -> Response:
    """The whole graph for Gephi; an audited export."""
    g = _graph(request)
    if g is None:
        return JSONResponse(
            {"error": "the network is being computed (or its module is not installed)"}, status_code=503
        )
    from tgintel.share.graph_export import write_gexf

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tgintel.gexf"
        write_gexf(g, path)
        body = path.read_bytes()
    request.app.state.store.audit(user.name, "export", "/graph.gexf",
                                  f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges")  # fmt: skip
    return Response(
        body,
        media_type="application/gexf+xml",
        headers={"content-disposition": 'attachment; filename="tgintel.gexf"'},
    )
