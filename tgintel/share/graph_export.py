"""Graph files for Gephi and other network tools: GEXF and GraphML, written by networkx.

Both formats take scalar attributes only, so attributes are coerced to str/int/float/bool and missing
values become empty strings (GraphML has no null); node labels carry message-derived text, which the XML
writers escape.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from tgintel.errors import UserError


def _scalar_copy(g: nx.DiGraph) -> nx.DiGraph:
    out = nx.DiGraph()

    def clean(d: dict) -> dict:
        res = {}
        for k, v in d.items():
            if v is None:
                v = ""
            elif not isinstance(v, str | int | float | bool):
                v = str(v)
            res[k] = v
        return res

    for n, d in g.nodes(data=True):
        out.add_node(n, **clean(d))
    for u, v, d in g.edges(data=True):
        out.add_edge(u, v, **clean(d))
    return out


def write_gexf(g: nx.DiGraph, path: str | Path) -> None:
    try:
        nx.write_gexf(_scalar_copy(g), str(path))
    except OSError as exc:
        raise UserError(f"--gexf {path}: cannot write: {exc.strerror or exc}") from exc


def write_graphml(g: nx.DiGraph, path: str | Path) -> None:
    try:
        nx.write_graphml(_scalar_copy(g), str(path))
    except OSError as exc:
        raise UserError(f"--graphml {path}: cannot write: {exc.strerror or exc}") from exc
