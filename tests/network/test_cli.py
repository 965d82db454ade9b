"""The network commands through the real executable: JSON output, Gephi files, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx

from network.netmarket import fill_store
from tgintel.store import open_store


def _db(tmp_path: Path) -> str:
    path = str(tmp_path / "m.sqlite")
    store = open_store(path)
    fill_store(store)
    store.close()
    return path


def test_entity_discover_actors_graph(run_cli, tmp_path: Path) -> None:
    db = _db(tmp_path)
    res = json.loads(run_cli("entity", "0031 6 12345678", "--db", db, "--json", check=True).stdout)
    assert res["values"] == ["+31612345678"] and res["occurrences"] == 5

    cands = json.loads(run_cli("discover", "--db", db, "--json", "--min-channels", "2", check=True).stdout)
    assert cands[0]["username"] == "new_market" and cands[0]["channels"] == 3
    assert {"username", "channel_id", "channels", "score", "examples"} <= set(cands[0])

    actors = json.loads(run_cli("actors", "--db", db, "--json", "--min-members", "2", check=True).stdout)
    assert {a["id"] for a in actors["actors"]} == {"user1", "user3"}
    assert actors["hubs"][0] == {"value": "tg:escrow_guard", "authors": 8}

    out = run_cli("graph", "--db", db, "--json", "--gexf", "g.gexf", "--graphml", "g.graphml", check=True)
    summary = json.loads(out.stdout)
    assert summary["nodes"]["channel"] == 5 and summary["central_distributors"]
    g = nx.read_gexf(tmp_path / "g.gexf")
    assert g.number_of_nodes() == sum(summary["nodes"].values())
    assert nx.read_graphml(tmp_path / "g.graphml").number_of_edges() == sum(summary["edges"].values())

    table = run_cli("entity", "@GreenPlug", "--db", db, check=True).stdout
    assert "Markt Amsterdam" in table


def test_entities_on_loose_text(run_cli) -> None:
    out = run_cli("entities", "bel 06-12345678 of [b]@shop_x[/b]", "--region", "NL", "--json", check=True)
    assert [(e["type"], e["value"]) for e in json.loads(out.stdout)] == [
        ("phone", "+31612345678"),
        ("username", "@shop_x"),
    ]


def test_bad_input_is_one_line(run_cli, tmp_path: Path) -> None:
    db = _db(tmp_path)
    bad = run_cli("graph", "--db", db, "--gexf", str(tmp_path / "missing" / "g.gexf"))
    assert bad.returncode != 0
    assert bad.stderr.strip().count("\n") == 0 and "g.gexf" in bad.stderr and "Traceback" not in bad.stderr
    bad = run_cli("discover", "--db", db, "--min-channels", "0")
    assert bad.returncode != 0 and "--min-channels" in bad.stderr
