"""Channel discovery: the chats the monitored channels point at, ranked, for the collector's next watchlist.

Research crawlers grow a seed set by snowball sampling — follow what the seeds link to and forward from —
and propose a new chat only once several seeds point at it, which keeps one-off links out. This module does
the same offline, from stored messages:

* **references**: a forward whose origin is another chat (``fwd_channel_id``, or the origin's name when the
  export gives no id), a ``t.me/<name>`` link, a ``t.me/+…`` invite link, an ``@handle`` mention (weaker:
  a handle may be a person, not a chat; the collector resolves which when it joins).
* **already monitored** chats (by id and by username) are never proposed.
* **score** = Σ over pointing channels of ``weight(kind) × (0.5 + criminal share)``, where the criminal share
  is the fraction of that channel's pointing messages with a finding at or above 0.5. A chat that many
  channels point at from drug and weapon adverts outranks one linked from chatter.
* **threshold**: at least ``min_channels`` distinct monitored channels must point at a candidate.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from tgintel.analyze.actors import load_network

KIND_WEIGHT = {"forward": 1.0, "link": 1.0, "invite": 1.0, "mention": 0.5}
MAX_EXAMPLES = 3


@dataclass
class Candidate:
    """A chat to consider monitoring. ``username`` for public chats, ``invite`` (``t.me/+HASH``) for private
    ones, ``channel_id`` when only a forward's id is known; ``title`` from forwards when known."""

    key: str
    username: str | None = None
    channel_id: int | None = None
    invite: str | None = None
    title: str | None = None
    channels: int = 0
    messages: int = 0
    score: float = 0.0
    kinds: dict[str, int] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)
    examples: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key, "username": self.username, "channel_id": self.channel_id, "invite": self.invite,
            "title": self.title, "channels": self.channels, "messages": self.messages,
            "score": round(self.score, 3), "kinds": self.kinds, "categories": self.categories,
            "examples": self.examples,
        }  # fmt: skip


def _letters(s: str) -> str:
    return "".join(ch for ch in s.lower() if ch.isalnum())


def channel_usernames(channels: list[Any], msgs: list[Any], ents: dict[int, list[tuple[str, str]]]) -> dict:
    """Username -> channel id of monitored channels, including usernames inferred for channels whose source
    did not say (Telegram Desktop exports carry no username): a channel that links to ``t.me/<name>`` in its
    own posts, where ``<name>`` is spelled out in its title, is that name's channel."""
    known = {c.username.lower(): c.id for c in channels if c.username}
    titles = {c.id: _letters(c.title or "") for c in channels if not c.username and c.title}
    if not titles:
        return known
    self_links: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for m in msgs:
        if m.channel_id not in titles or m.fwd_from is not None or m.fwd_channel_id is not None:
            continue
        for t, v in ents.get(m.pk, ()):
            if t == "tme_link" and not v.startswith(("t.me/+", "t.me/c/")):
                self_links[m.channel_id][v[5:]] += 1
    for cid, names in self_links.items():
        for name in sorted(names, key=lambda n: -names[n]):
            if len(name) >= 5 and _letters(name) in titles[cid] and name not in known:
                known[name] = cid
                break
    return known


def discover(store: Any, *, min_channels: int = 2, limit: int | None = 50) -> list[Candidate]:
    """Chats referenced by at least ``min_channels`` monitored channels and not monitored yet, best first."""
    msgs, ents, cats = load_network(store)
    monitored = store.list_channels()
    monitored_ids = {c.id for c in monitored}
    monitored_names = set(channel_usernames(monitored, msgs, ents))
    # candidate key -> pointing channel -> [message pks]
    refs: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    kinds: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    info: dict[str, Candidate] = {}

    def add(key: str, m: Any, kind: str, **fields: Any) -> None:
        if key not in info:
            info[key] = Candidate(key=key, **fields)
        refs[key][m.channel_id].append(m.pk)
        kinds[key][kind] += 1

    for m in msgs:
        if m.fwd_channel_id is not None and m.fwd_channel_id not in monitored_ids:
            add(f"id:{m.fwd_channel_id}", m, "forward", channel_id=m.fwd_channel_id, title=m.fwd_from)
        seen: set[tuple[str, str]] = set()
        for t, v in ents.get(m.pk, ()):
            if t == "tme_link":
                if v.startswith("t.me/+"):
                    key, kind, fields = f"invite:{v}", "invite", {"invite": v}
                elif v.startswith("t.me/c/"):
                    continue  # a private chat's internal id: nothing to join
                else:
                    name = v[5:]
                    if name in monitored_names:
                        continue
                    key, kind, fields = f"@{name}", "link", {"username": name}
            elif t == "username":
                name = v[1:]
                if name in monitored_names:
                    continue
                key, kind, fields = f"@{name}", "mention", {"username": name}
            else:
                continue
            if (key, kind) in seen:
                continue
            seen.add((key, kind))
            add(key, m, kind, **fields)

    out: list[Candidate] = []
    for key, by_channel in refs.items():
        if len(by_channel) < min_channels:
            continue
        c = info[key]
        c.channels = len(by_channel)
        c.kinds = dict(kinds[key])
        weight = max(KIND_WEIGHT[k] for k in c.kinds)
        cat_counts: dict[str, int] = defaultdict(int)
        score = 0.0
        for pks in by_channel.values():
            criminal = sum(1 for pk in pks if cats.get(pk))
            for pk in pks:
                for cat in cats.get(pk, ()):
                    cat_counts[cat] += 1
            score += weight * (0.5 + criminal / len(pks))
        c.score = score
        c.messages = sum(len(p) for p in by_channel.values())
        c.categories = dict(sorted(cat_counts.items(), key=lambda kv: -kv[1]))
        out.append(c)
    out.sort(key=lambda c: (-c.score, -c.channels, -c.messages, c.key))
    if limit is not None:
        out = out[:limit]
    _fill_examples(store, out, refs)
    return out


def _fill_examples(store: Any, cands: list[Candidate], refs: dict[str, dict[int, list[int]]]) -> None:
    """Up to three pointing messages per candidate, from different channels, newest evidence first."""
    wanted: dict[str, list[int]] = {}
    for c in cands:
        pks = [p[-1] for p in sorted(refs[c.key].values(), key=len, reverse=True)[:MAX_EXAMPLES]]
        wanted[c.key] = pks
    all_pks = sorted({pk for pks in wanted.values() for pk in pks})
    found = store.get_messages(all_pks) if all_pks else {}
    for c in cands:
        for pk in wanted[c.key]:
            m = found.get(pk)
            if m is None:
                continue
            c.examples.append({
                "channel_id": m.channel_id, "message_id": m.id,
                "date": m.date.isoformat().replace("+00:00", "Z"), "text": m.text[:200],
            })  # fmt: skip
