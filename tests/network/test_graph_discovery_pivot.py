"""The graph (and its Gephi files), discovery ranking and entity pivots on the small market."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from tgintel.analyze.discovery import discover
from tgintel.analyze.graph import annotate_communities, build_graph, central_distributors, communities
from tgintel.analyze.pivot import entity_occurrences
from tgintel.share.graph_export import write_gexf, write_graphml


def test_graph_nodes_edges_and_round_trip(market, tmp_path: Path) -> None:
    g = build_graph(market)
    kinds = {d["kind"] for _, d in g.nodes(data=True)}
    assert kinds == {"channel", "actor", "entity", "campaign"}
    edge_kinds = {d["kind"] for _, _, d in g.edges(data=True)}
    assert {"posted_in", "forwarded_from", "mentions", "shares_entity", "posted", "seen_in"} <= edge_kinds
    assert g["actor:user1"]["channel:200"]["weight"] == 3  # two adverts and one link post
    assert g["channel:300"]["channel:999"]["kind"] == "forwarded_from"
    # t.me/greenplug_shop is the monitored shop channel itself (its title spells the name): a channel edge
    assert g["channel:200"]["channel:100"]["kind"] == "mentions"
    assert g.nodes["entity:tg:escrow_guard"]["hub"] is True

    parts = communities(g)
    assert sorted(n for p in parts for n in p) == sorted(g.nodes)
    annotate_communities(g, parts)
    write_gexf(g, tmp_path / "g.gexf")
    write_graphml(g, tmp_path / "g.graphml")
    back = nx.read_gexf(tmp_path / "g.gexf")
    assert back.number_of_nodes() == g.number_of_nodes()
    assert back.number_of_edges() == g.number_of_edges()
    assert back.nodes["actor:user1"]["kind"] == "actor"
    gm = nx.read_graphml(tmp_path / "g.graphml")
    assert gm.number_of_edges() == g.number_of_edges()
    assert int(gm.nodes["channel:100"]["community"]) == g.nodes["channel:100"]["community"]


def test_central_distributors_rank_by_reach(market) -> None:
    top = central_distributors(build_graph(market))
    assert top[0]["actor"] in ("user1", "user2", "user3")
    reach = {r["actor"]: r["channels"] for r in top}
    assert reach["user1"] == 3  # Amsterdam, Rotterdam and its own shop (as channel100)
    assert [r["channels"] for r in top] == sorted((r["channels"] for r in top), reverse=True)


def test_discovery_threshold_ranking_and_monitored_exclusion(market) -> None:
    cands = discover(market, min_channels=2)
    keys = [c.key for c in cands]
    assert "@new_market" in keys and "id:999" in keys
    assert "@lonely_chan" not in keys  # one channel only
    assert "@greenplug_shop" not in keys  # monitored (inferred from the shop's own posts and title)
    new = next(c for c in cands if c.key == "@new_market")
    assert new.username == "new_market" and new.channels == 3 and new.examples
    fwd = next(c for c in cands if c.key == "id:999")
    assert fwd.channel_id == 999 and fwd.title == "Dark Depot" and fwd.kinds == {"forward": 2}
    # t.me/new_market: three channels, two of them from criminal posts; the forward source: two channels,
    # all criminal; the mentioned handles count half.
    assert keys.index("@new_market") < keys.index("id:999")
    assert all(c.channels >= 2 for c in cands)
    assert [c.score for c in cands] == sorted((c.score for c in cands), reverse=True)
    assert "@lonely_chan" in [c.key for c in discover(market, min_channels=1)]
    assert len(discover(market, min_channels=1, limit=2)) == 2


def test_pivot_normalises_the_query(market) -> None:
    res = entity_occurrences(market, "+31 6 1234 5678")
    assert res["type"] == "phone" and res["values"] == ["+31612345678"]
    assert res["occurrences"] == 5
    assert {c["channel_id"] for c in res["channels"]} == {100, 200, 300, 400}
    assert {a["actor"] for a in res["actors"]} == {"user1", "channel100", "user7"}
    assert {c["cluster_id"] for c in res["campaigns"]} == {"c-green"}
    m = res["messages"][0]
    assert m["text"][m["start"] : m["end"]] == "+31 6 1234 5678"


def test_pivot_handle_finds_links_too_and_unknown_values(market) -> None:
    res = entity_occurrences(market, "https://T.me/GreenPlug")
    assert res["occurrences"] == 7
    assert set(res["values"]) == {"@greenplug", "t.me/greenplug"}
    none = entity_occurrences(market, "nothing-like-this")
    assert none["occurrences"] == 0 and none["messages"] == [] and none["first_seen"] is None
    raw = entity_occurrences(market, "drugs")  # not an entity: searched verbatim under every type
    assert raw["type"] is None and raw["occurrences"] == 0


def test_pivot_totals_do_not_depend_on_the_message_limit(market) -> None:
    full = entity_occurrences(market, "@greenplug")
    one = entity_occurrences(market, "@greenplug", limit=1)
    assert len(one["messages"]) == 1 and len(full["messages"]) == 7
    for key in ("occurrences", "channels", "actors", "campaigns", "first_seen", "last_seen"):
        assert one[key] == full[key]
    assert sum(c["messages"] for c in one["channels"]) == one["occurrences"] == 7
