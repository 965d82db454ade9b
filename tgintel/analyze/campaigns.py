"""Campaigns: near-duplicate clusters seen as what analysts ask about them.

A vendor's advert re-posted across channels for weeks, with small edits, is one campaign. For each cluster
this module answers: when was it first and last seen, which channels did it reach (and which was first: the
lead channel), how many posts per channel per day, who posted it, which distinct variants exist and what
changed between them (a new price, a new contact line, words added or removed).

Everything is read through the store interface (:class:`tgintel.store.clusters.ClusterStore` and the core
message calls); nothing here writes. Message text is returned as data: the faces escape it.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from tgintel.model import Message
from tgintel.store import Store

__all__ = ["SORTS", "diff_variants", "get_campaign", "list_campaigns"]

SORTS = ("size", "channels", "actors", "first_seen", "last_seen")
MAX_VARIANTS = 50
_PREVIEW = 160


def _iso(ts: int | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, tz=UTC).isoformat().replace("+00:00", "Z")


def _day(day: int) -> str:
    """A Unix day number as its UTC date, ``YYYY-MM-DD``."""
    return datetime.fromtimestamp(day * 86400, tz=UTC).date().isoformat()


def _preview(text: str, n: int = _PREVIEW) -> str:
    one = " ".join(text.split())
    return one if len(one) <= n else one[: n - 1] + "…"


def list_campaigns(
    store: Store,
    *,
    min_size: int = 2,
    min_channels: int = 1,
    sort: str = "size",
    limit: int | None = 50,
    kind: str | None = None,
) -> list[dict[str, Any]]:
    """Clusters with at least ``min_size`` posts in ``min_channels`` channels, largest (or per ``sort``)
    first: id, kind, size, channels, actors, first/last seen (ISO 8601 UTC), lead channel and a preview."""
    if sort not in SORTS:
        from tgintel.errors import UserError

        raise UserError(f"--sort {sort}: unknown (one of {', '.join(SORTS)})")
    rows = store.list_clusters(
        min_size=min_size, min_channels=min_channels, sort=sort, limit=limit, kind=kind
    )
    reps = store.get_messages([r.representative_pk for r in rows if r.representative_pk is not None])
    titles = _channel_titles(store, {r.lead_channel_id for r in rows if r.lead_channel_id is not None})
    out = []
    for r in rows:
        rep = reps.get(r.representative_pk) if r.representative_pk is not None else None
        out.append(
            {
                "id": r.id,
                "kind": r.kind,
                "size": r.size,
                "channels": r.channels,
                "actors": r.actors,
                "first_seen": _iso(r.first_seen),
                "last_seen": _iso(r.last_seen),
                "lead_channel": {"id": r.lead_channel_id, "title": titles.get(r.lead_channel_id)},
                "preview": _preview(rep.text) if rep is not None else "",
            }
        )
    return out


def _channel_titles(store: Store, ids: set[int | None]) -> dict[int | None, str]:
    out: dict[int | None, str] = {}
    for cid in ids:
        if cid is None:
            continue
        ch = store.get_channel(cid)
        out[cid] = ch.title if ch is not None else str(cid)
    return out


def get_campaign(store: Store, cluster_id: str, *, max_variants: int = MAX_VARIANTS) -> dict[str, Any] | None:
    """Everything about one cluster, or None when no cluster has this id: aggregates, channels (posts,
    first/last seen, in order of arrival: the first is the lead channel), actors, a daily timeline per
    channel, the variants with what changed against the first one, and how many posts were forwards.

    Bounded for campaigns of any size: the timeline, the forward count and the variants are read from counts
    kept as clusters are assigned (per day and channel, per text and channel: ``campaign_counts``), channels
    and actors from the stored breakdowns, and only the first ``max_variants`` distinct texts (in order of
    first appearance) are fetched and diffed;
    ``variants_count`` still says how many there are, so ``len(variants) < variants_count`` means the list
    was cut. No member row is read into Python."""
    row = store.get_cluster(cluster_id)
    if row is None:
        return None
    breakdown = store.cluster_breakdown(cluster_id)
    timeline: dict[int, dict[int, int]] = defaultdict(dict)
    forwarded = 0
    for t in store.campaign_timeline(cluster_id):
        timeline[t["day"]][t["channel_id"]] = t["posts"]
        forwarded += t["forwarded"]
    shown = store.campaign_variants(cluster_id, limit=max(max_variants, 1))  # one row still carries the total
    variants_count = int(shown[0]["total"]) if shown else 0
    shown = shown[: max(max_variants, 0)]
    texts = store.get_messages([v["first_pk"] for v in shown])
    base: Message | None = texts.get(shown[0]["first_pk"]) if shown else None
    out_variants = []
    for i, v in enumerate(shown):
        msg = texts.get(v["first_pk"])
        text = msg.text if msg is not None else ""
        out_variants.append(
            {
                "norm_hash": v["norm_hash"],
                "posts": v["posts"],
                "channels": v["channels"],
                "first_seen": _iso(v["first_seen"]),
                "last_seen": _iso(v["last_seen"]),
                "message": {"channel_id": msg.channel_id, "id": msg.id} if msg is not None else None,
                "text": text,
                "changes": [] if i == 0 or base is None else diff_variants(base.text, text),
            }
        )
    channels = [
        {
            "id": c["channel_id"],
            "title": c["title"],
            "username": c["username"],
            "posts": c["posts"],
            "first_seen": _iso(c["first_seen"]),
            "last_seen": _iso(c["last_seen"]),
        }
        for c in breakdown["channels"]
    ]
    actors = [
        {
            "key": a["sender_key"],
            "name": a["name"],
            "username": a["username"],
            "posts": a["posts"],
            "first_seen": _iso(a["first_seen"]),
            "last_seen": _iso(a["last_seen"]),
        }
        for a in breakdown["actors"]
    ]
    return {
        "id": row.id,
        "kind": row.kind,
        "size": row.size,
        "channels_reached": row.channels,
        "actors_count": row.actors,
        "first_seen": _iso(row.first_seen),
        "last_seen": _iso(row.last_seen),
        "lead_channel": channels[0] if channels else None,
        "forwarded_posts": forwarded,
        "channels": channels,
        "actors": actors,
        "timeline": [
            {
                "date": _day(day),
                "posts": {str(ch): n for ch, n in sorted(per.items())},
                "total": sum(per.values()),
            }
            for day, per in sorted(timeline.items())
        ],
        "variants_count": variants_count,
        "variants": out_variants,
    }


# -- what changed between two variants -------------------------------------------------------------------
_CONTACT_TYPES = frozenset(
    ("username", "tme_link", "url", "onion", "phone", "email", "btc", "eth", "tron", "xmr", "iban")
)


def _entities(text: str) -> dict[str, set[str]]:
    from tgintel.detect.entities import extract_entities

    out: dict[str, set[str]] = {"price": set(), "contact": set(), "payment": set()}
    for e in extract_entities(text):
        if e.type == "price":
            out["price"].add(e.value)
        elif e.type == "payment_method":
            out["payment"].add(e.value)
        elif e.type in _CONTACT_TYPES:
            out["contact"].add(e.value)
    return out


def diff_variants(old: str, new: str) -> list[str]:
    """A short, readable summary of how ``new`` differs from ``old``: prices, contacts and payment methods
    changed (from the entity extractor), then words added and removed (a word-level diff of the normalised
    texts, so emoji, case and look-alike letters do not count as changes)."""
    changes: list[str] = []
    a, b = _entities(old), _entities(new)
    labels = {"price": "price", "contact": "contact", "payment": "payment method"}
    for kind, label in labels.items():
        gone, came = sorted(a[kind] - b[kind]), sorted(b[kind] - a[kind])
        if gone and came:
            changes.append(f"{label} changed: {', '.join(gone)} → {', '.join(came)}")
        elif came:
            changes.append(f"{label} added: {', '.join(came)}")
        elif gone:
            changes.append(f"{label} removed: {', '.join(gone)}")
    from tgintel.detect.normalize import normalize

    wa, wb = normalize(old).split(), normalize(new).split()
    added: list[str] = []
    removed: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=wa, b=wb, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            removed.append(" ".join(wa[i1:i2]))
        if op in ("insert", "replace"):
            added.append(" ".join(wb[j1:j2]))
    if added:
        changes.append("words added: " + _clip(" … ".join(added)))
    if removed:
        changes.append("words removed: " + _clip(" … ".join(removed)))
    if not changes and old != new:
        changes.append("formatting only (emoji, spacing, letter forms)")
    return changes


def _clip(s: str, n: int = 120) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"
