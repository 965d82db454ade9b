"""Entity pivots: from one value (a handle, phone, wallet …) to every message, channel, actor and campaign
where it appears.

The query is normalised with the extractor's own rules (:func:`tgintel.detect.entities.normalize_value`), so
an analyst can paste ``+31 6 1234 5678``, ``T.me/Shop``, ``hxxps://evil[.]com`` or a mixed-case EIP-55
address and hit the stored normalised value. ``@name`` and ``t.me/name`` are one Telegram account and are
searched together.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from tgintel.analyze.actors import author_key
from tgintel.detect.entities import ENTITY_TYPES, normalize_value
from tgintel.store.network import NetMessage

DEFAULT_LIMIT = 200


def query_pairs(value: str, *, default_region: str | None = None) -> tuple[str | None, list[tuple[str, str]]]:
    """The ``(type, value)`` pairs a query stands for, and the type it was recognised as (None: unknown,
    then the raw value is looked up under every type)."""
    etype, norm = normalize_value(value, default_region=default_region)
    if etype in ("username", "tme_link"):
        name = norm[1:] if etype == "username" else norm[5:]
        if not name.startswith(("+", "c/")):
            return etype, [("username", "@" + name), ("tme_link", "t.me/" + name)]
    if etype is not None:
        return etype, [(etype, norm)]
    variants = dict.fromkeys([norm, norm.lower(), norm.upper()])
    return None, [(t, v) for t in ENTITY_TYPES for v in variants]


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def entity_occurrences(
    store: Any, value: str, *, default_region: str | None = None, limit: int = DEFAULT_LIMIT
) -> dict[str, Any]:
    """Where ``value`` appears: totals, channels, authors and campaigns over every occurrence, and the first
    ``limit`` messages (oldest first)."""
    etype, pairs = query_pairs(value, default_region=default_region)
    hits = store.entity_hits(pairs, limit=limit)
    groups = store.entity_hit_groups(pairs)
    titles = {c.id: c.title for c in store.list_channels()}
    channels: Counter[int] = Counter()
    actors: Counter[str] = Counter()
    campaigns: Counter[str] = Counter()
    for g in groups:
        channels[g["channel_id"]] += g["n"]
        nm = NetMessage(
            0, g["channel_id"], 0, g["sender_key"], None, g["author"], g["cluster_id"], None, None, None, None
        )
        actors[author_key(nm)] += g["n"]
        if g["cluster_id"]:
            campaigns[g["cluster_id"]] += g["n"]
    found_types = Counter(h.type for h in hits)
    return {
        "query": value,
        "type": etype or (found_types.most_common(1)[0][0] if found_types else None),
        "values": [v for _, v in pairs] if etype else sorted({h.value for h in hits}),
        "occurrences": sum(g["n"] for g in groups),
        "first_seen": _iso(min(g["first"] for g in groups)) if groups else None,
        "last_seen": _iso(max(g["last"] for g in groups)) if groups else None,
        "channels": [
            {"channel_id": c, "title": titles.get(c, ""), "messages": n} for c, n in channels.most_common()
        ],
        "actors": [{"actor": a, "messages": n} for a, n in actors.most_common()],
        "campaigns": [{"cluster_id": c, "messages": n} for c, n in campaigns.most_common()],
        "messages": [
            {
                "pk": h.message_pk,
                "channel_id": h.channel_id,
                "message_id": h.message_id,
                "date": _iso(h.date),
                "sender": h.sender_key,
                "author": h.author,
                "cluster_id": h.cluster_id,
                "type": h.type,
                "value": h.value,
                "start": h.start,
                "end": h.end,
                "text": h.text,
            }
            for h in hits
        ],
    }
