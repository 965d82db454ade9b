"""The network an analyst explores: channels, actors, contact points and campaigns, and how they connect.

Nodes (ids are prefixed by kind so they never collide): ``channel:<id>``, ``actor:<actor id>`` (an actor as
:mod:`tgintel.analyze.actors` links them: several accounts, channels or signatures of one seller),
``entity:<contact key>`` (``tg:name``, ``phone:+31…``, ``btc:…``), ``campaign:<cluster id>``.

Edges, weighted by how many messages support them:

* ``posted_in``      actor → channel       the actor posted there
* ``forwarded_from`` channel → channel     the channel re-posted messages whose origin is that channel
* ``mentions``       channel → channel or entity   a t.me link or @handle to another chat
* ``shares_entity``  actor → entity        the actor publishes that contact point in its adverts
* ``posted``         actor → campaign      the actor posted (a variant of) that campaign
* ``seen_in``        campaign → channel    the campaign reached that channel

Communities are Louvain partitions of the undirected weighted graph (networkx, fixed seed so a re-run gives
the same answer); central distributors are actors ranked by the channels they reach and their betweenness
on the actor-channel graph (sampled for large graphs, exact for small ones).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import networkx as nx

from tgintel.analyze.actors import (
    CONTACT_TYPES,
    ActorAnalysis,
    author_key,
    contact_key,
    link_actors,
    load_network,
)
from tgintel.analyze.discovery import channel_usernames

MIN_CAMPAIGN_SIZE = 2
BETWEENNESS_SAMPLE = 300


def build_graph(
    store: Any,
    *,
    entities: bool = True,
    campaigns: bool = True,
    analysis: ActorAnalysis | None = None,
) -> nx.DiGraph:
    """The whole network as a weighted directed graph with ``kind`` on every node and edge."""
    msgs, ents, cats = load_network(store)
    if analysis is None:
        analysis = link_actors(msgs, ents, cats)
    g = nx.DiGraph()
    channels = {c.id: c for c in store.list_channels()}
    by_username = channel_usernames(list(channels.values()), msgs, ents)
    channel_msgs: Counter[int] = Counter()
    for c in channels.values():
        g.add_node(f"channel:{c.id}", kind="channel", label=c.title or str(c.id), username=c.username or "",
                   messages=0, monitored=True)  # fmt: skip
    weights: dict[tuple[str, str, str], int] = Counter()
    cluster_size: Counter[str] = Counter()
    for m in msgs:
        if m.cluster_id:
            cluster_size[m.cluster_id] += 1
    for m in msgs:
        channel_msgs[m.channel_id] += 1
        ch = f"channel:{m.channel_id}"
        actor = analysis.actor_of.get(author_key(m), author_key(m))
        weights[(f"actor:{actor}", ch, "posted_in")] += 1
        if m.fwd_channel_id is not None and m.fwd_channel_id != m.channel_id:
            weights[(ch, f"channel:{m.fwd_channel_id}", "forwarded_from")] += 1
        for t, v in ents.get(m.pk, ()):
            if t not in ("username", "tme_link"):
                continue
            key = contact_key(t, v)
            target_id = by_username.get(key[3:]) if key.startswith("tg:") else None
            if target_id == m.channel_id:
                continue
            target = f"channel:{target_id}" if target_id is not None else f"entity:{key}"
            if target_id is not None or entities:
                weights[(ch, target, "mentions")] += 1
        if (
            campaigns
            and m.cluster_id
            and cluster_size[m.cluster_id] >= MIN_CAMPAIGN_SIZE
            and m.cluster_id in analysis.campaign_owner  # adverts, not repeated chatter ("ok", "+1")
        ):
            camp = f"campaign:{m.cluster_id}"
            weights[(f"actor:{actor}", camp, "posted")] += 1
            weights[(camp, ch, "seen_in")] += 1
    if entities:
        for a in analysis.actors.values():
            for c, n in a.contacts.items():
                weights[(f"actor:{a.id}", f"entity:{c}", "shares_entity")] += n
    for (src, dst, kind), w in weights.items():
        for node in (src, dst):
            if node not in g:
                _add_node(g, node, analysis, cluster_size)
        if g.has_edge(src, dst):
            g[src][dst]["weight"] += w
        else:
            g.add_edge(src, dst, kind=kind, weight=w)
    for cid, n in channel_msgs.items():
        if f"channel:{cid}" in g:
            g.nodes[f"channel:{cid}"]["messages"] = n
    return g


def _add_node(g: nx.DiGraph, node: str, analysis: ActorAnalysis, cluster_size: Counter[str]) -> None:
    kind, _, ident = node.partition(":")
    if kind == "actor":
        a = analysis.actors.get(ident)
        g.add_node(node, kind="actor", label=(a.names[0] if a and a.names else ident),
                   members=" ".join(a.members) if a else ident, messages=a.messages if a else 0,
                   adverts=a.adverts if a else 0)  # fmt: skip
    elif kind == "entity":
        etype, _, value = ident.partition(":")
        g.add_node(node, kind="entity", label=ident, entity_type=etype, value=value,
                   hub=ident in analysis.hub_contacts)  # fmt: skip
    elif kind == "campaign":
        g.add_node(node, kind="campaign", label=ident, size=cluster_size.get(ident, 0))
    else:  # a channel known only from forwards
        g.add_node(node, kind="channel", label=ident, username="", messages=0, monitored=False)


def communities(g: nx.DiGraph, *, seed: int = 1) -> list[set[str]]:
    """Louvain communities of the undirected weighted graph, largest first."""
    if g.number_of_nodes() == 0:
        return []
    parts = nx.community.louvain_communities(g.to_undirected(), weight="weight", seed=seed)
    return sorted(parts, key=lambda p: (-len(p), min(p)))


def central_distributors(g: nx.DiGraph, *, limit: int = 20, seed: int = 1) -> list[dict[str, Any]]:
    """Actors that spread content most widely: channels reached, then betweenness on the actor-channel
    graph (the projection on which a distributor sits between otherwise separate channel audiences)."""
    ac = nx.Graph()
    for u, v, d in g.edges(data=True):
        if d["kind"] in ("posted_in", "forwarded_from"):
            ac.add_edge(u, v, weight=d["weight"])
    if ac.number_of_nodes() == 0:
        return []
    k = None if ac.number_of_nodes() <= BETWEENNESS_SAMPLE else BETWEENNESS_SAMPLE
    between = nx.betweenness_centrality(ac, k=k, seed=seed, normalized=True)
    rows = []
    for node in ac:
        if not node.startswith("actor:"):
            continue
        chans = [n for n in ac[node] if n.startswith("channel:")]
        rows.append({
            "actor": node[6:],
            "label": g.nodes[node].get("label", node[6:]),
            "channels": len(chans),
            "messages": int(sum(ac[node][c]["weight"] for c in chans)),
            "betweenness": round(between.get(node, 0.0), 6),
        })  # fmt: skip
    rows.sort(key=lambda r: (-r["channels"], -r["betweenness"], -r["messages"], r["actor"]))
    return rows[:limit]


def annotate_communities(g: nx.DiGraph, parts: list[set[str]]) -> None:
    """Write each node's community number as a node attribute (Gephi colours by it)."""
    for i, part in enumerate(parts):
        for node in part:
            g.nodes[node]["community"] = i


def graph_summary(g: nx.DiGraph, parts: list[set[str]], central: list[dict[str, Any]]) -> dict[str, Any]:
    """What ``tgintel graph`` prints: counts by kind, the largest communities, the central distributors."""
    kinds = Counter(d["kind"] for _, d in g.nodes(data=True))
    edge_kinds = Counter(d["kind"] for _, _, d in g.edges(data=True))
    comm = []
    for i, part in enumerate(parts[:20]):
        by_kind: dict[str, list[str]] = defaultdict(list)
        for node in sorted(part, key=lambda n: -g.degree(n, weight="weight")):
            by_kind[g.nodes[node]["kind"]].append(node)
        comm.append({"community": i, "size": len(part),
                     "channels": [g.nodes[n]["label"] for n in by_kind["channel"][:5]],
                     "actors": [n[6:] for n in by_kind["actor"][:5]]})  # fmt: skip
    return {
        "nodes": dict(kinds),
        "edges": dict(edge_kinds),
        "communities": comm,
        "central_distributors": central,
    }


def graph_json(g: nx.DiGraph) -> dict[str, Any]:
    """Nodes and edges as plain JSON (node-link form) for scripts."""
    return {
        "nodes": [{"id": n, **d} for n, d in g.nodes(data=True)],
        "edges": [{"source": u, "target": v, **d} for u, v, d in g.edges(data=True)],
    }


__all__ = [
    "CONTACT_TYPES",
    "annotate_communities",
    "build_graph",
    "central_distributors",
    "communities",
    "graph_json",
    "graph_summary",
]
