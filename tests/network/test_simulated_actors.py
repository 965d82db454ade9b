"""Actor linking against the simulator's ground truth (a small world; bench/entities.py runs the big one).

The truth names each post's sender (``actor``) and campaign; a campaign's seller is the user account that
posts it un-forwarded (or, for a campaign only its shop channel posts, that channel). Linking must bring the
seller's accounts and channels together without joining different people: every user id in the simulator is
a different person, so a link between two users is a wrong merge.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import orjson

from tgintel.analyze.actors import link_actors
from tgintel.detect.duplicates import NearDuplicateIndex
from tgintel.detect.entities import extract_entities
from tgintel.sources.simulate import simulate
from tgintel.store.network import NetMessage


def test_linking_recovers_campaign_sellers_without_wrong_merges(tmp_path: Path) -> None:
    simulate(tmp_path / "sim", channels=10, days=5, seed=11)
    rows = [orjson.loads(line) for line in (tmp_path / "sim" / "truth.jsonl").read_bytes().splitlines()]
    rows = [r for r in rows if r["kind"] == "message"]
    index = NearDuplicateIndex()
    msgs, ents = [], {}
    for pk, r in enumerate(rows, 1):
        cluster = index.add(str(pk), r["text"]) if r["text"].strip() else None
        msgs.append((pk, r, cluster))
        ents[pk] = [(e.type, e.value) for e in extract_entities(r["text"])]
    net = [
        NetMessage(pk, r["channel_id"], int(datetime.fromisoformat(r["date"]).timestamp()), r["actor"], None,
                   None, index.resolve(c) if c else None, None, None, "fwd" if r["forwarded"] else None, None)
        for pk, r, c in msgs
    ]  # fmt: skip
    analysis = link_actors(net, ents)

    own: dict[str, Counter[str]] = defaultdict(Counter)  # campaign -> un-forwarded posters
    handles: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if r["campaign"] and r["campaign"].startswith("c") and not r["forwarded"]:
            own[r["campaign"]][r["actor"]] += 1
            handles[r["actor"]].update(e["value"][1:] for e in r["entities"] if e["type"] == "username")

    def seller(c: str) -> str | None:
        users = {k: n for k, n in own[c].items() if k.startswith("user")}
        pool = users or own[c]
        return min(pool, key=lambda k: (-pool[k], k)) if pool else None

    right = total = 0
    for (pk, r, _), m in zip(msgs, net, strict=True):
        c = r["campaign"]
        if not (c and c.startswith("c")) or seller(c) is None:
            continue
        total += 1
        truth, got = seller(c), analysis.vendor_of(m, ents[pk])
        right += analysis.actor_of.get(truth) == got or (got.startswith("tg:") and got[3:] in handles[truth])
    assert total > 500
    assert right / total >= 0.95

    user_links = [lk for lk in analysis.links if lk.a.startswith("user") and lk.b.startswith("user")]
    assert len(user_links) <= 0.02 * max(1, len(analysis.links))
    assert analysis.links  # shop channels are joined to their sellers
    members = [a.members for a in analysis.actors.values()]
    assert all(sum(k.startswith("user") for k in ms) <= 1 for ms in members)
