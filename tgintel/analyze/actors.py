"""Actors across channels: who posts, and which senders are one seller behind several accounts or channels.

A message's *author* is its sender (``user…``/``channel…``/``chat…`` key), or ``sig:<channel>:<signature>``
for a post signed only by name, or the channel itself for an unsigned broadcast post. Forwards are
attributed to their origin when the source says who that was, never to the forwarder: forwarding an ad does
not make the forwarder its seller.

Authors are joined into one actor (union-find) when they

* **claim the same contact point** — a handle (``@x`` and ``t.me/x`` are one contact), phone, email,
  wallet, IBAN or onion — in an *advert* (a message the classifier marked as an offer, or one carrying a
  price, a payment method or at least two contact points). Mentions in chatter ("anyone tried @x?") are not
  claims, so people talking about a seller are not merged with the seller. Chat links and web addresses
  that nobody publishes as a handle are *weak*: many sellers promote the same market group, so two authors
  must share two of them to be joined.
* **post the same campaign** — the same near-duplicate cluster (``messages.cluster_id``) of adverts, unless
  their copies carry different contact points (then it is a template several sellers use, or a copycat).

Guards against over-merging: a contact point claimed by more than ``max_claimants`` authors is a *hub*
(a group's admin handle, a popular exchange, a link shortener) and joins nobody; a campaign posted by more
than ``max_campaign_authors`` authors is a template or a spam wave, not one seller's ad, and joins nobody.
Prices and payment methods never link (everyone takes PayPal). Every accepted link keeps what justified it,
so each merge can be explained and challenged.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tgintel.store.network import NetMessage

CONTACT_TYPES = (
    "username",
    "tme_link",
    "phone",
    "email",
    "btc",
    "eth",
    "tron",
    "xmr",
    "iban",
    "onion",
    "url",
)
# Personal contact points: one of these shared in adverts is enough to link two authors. Chat links
# (``tme_link``) and web addresses are weak: two of them must be shared (see link_actors).
STRONG_TYPES = ("username", "phone", "email", "btc", "eth", "tron", "xmr", "iban", "onion")
ADVERT_HINT_TYPES = ("price", "payment_method")
DEFAULT_MAX_CLAIMANTS = 6
DEFAULT_MAX_CAMPAIGN_AUTHORS = 4


def contact_key(etype: str, value: str) -> str:
    """One key per contact point: ``@name`` and ``t.me/name`` are the same Telegram account."""
    if etype == "username":
        return "tg:" + value[1:]
    if etype == "tme_link" and not value.startswith(("t.me/+", "t.me/c/")):
        return "tg:" + value[5:]
    return f"{etype}:{value}"


def author_key(m: NetMessage) -> str:
    """Who wrote the content of ``m`` (see module docstring)."""
    if m.fwd_key:
        return m.fwd_key
    if m.author and (m.sender_key is None or m.sender_key == f"channel{m.channel_id}"):
        return f"sig:{m.channel_id}:{m.author}"
    return m.sender_key or f"channel{m.channel_id}"


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        return True


@dataclass
class Link:
    """Why two authors are taken to be one actor: the shared contact point or campaign."""

    a: str
    b: str
    kind: str  # "entity" | "campaign"
    value: str  # contact key ("tg:name", "btc:1…") or cluster id
    a_messages: int
    b_messages: int

    def explain(self) -> str:
        what = f"both post campaign {self.value}" if self.kind == "campaign" else f"both publish {self.value}"
        return f"{self.a} and {self.b}: {what} ({self.a_messages} and {self.b_messages} adverts)"


@dataclass
class ActorProfile:
    """One actor (possibly several accounts/channels) and what it did."""

    id: str
    members: list[str]
    names: list[str] = field(default_factory=list)
    messages: int = 0
    adverts: int = 0
    channels: Counter[int] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    contacts: Counter[str] = field(default_factory=Counter)
    campaigns: Counter[str] = field(default_factory=Counter)
    activity: Counter[str] = field(default_factory=Counter)  # ISO day -> messages
    first: int | None = None
    last: int | None = None

    def to_json(self) -> dict[str, Any]:
        def iso(ts: int | None) -> str | None:
            return None if ts is None else datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")

        return {
            "id": self.id,
            "members": self.members,
            "names": self.names,
            "messages": self.messages,
            "adverts": self.adverts,
            "channels": [{"channel_id": c, "messages": n} for c, n in self.channels.most_common()],
            "categories": dict(self.categories.most_common()),
            "contacts": [{"contact": k, "messages": n} for k, n in self.contacts.most_common()],
            "campaigns": [{"cluster_id": k, "messages": n} for k, n in self.campaigns.most_common()],
            "activity": dict(sorted(self.activity.items())),
            "first_seen": iso(self.first),
            "last_seen": iso(self.last),
        }


@dataclass
class ActorAnalysis:
    actors: dict[str, ActorProfile]  # actor id -> profile
    actor_of: dict[str, str]  # author key -> actor id
    links: list[Link]
    hubs: list[tuple[str, int]]  # contact points and campaigns that joined nobody, with their author counts
    campaign_owner: dict[str, str] = field(default_factory=dict)  # cluster id -> actor with most adverts

    contact_owner: dict[str, str] = field(default_factory=dict)  # contact key -> the one actor claiming it
    hub_contacts: frozenset[str] = frozenset()

    def vendor_of(self, m: NetMessage, entities: Iterable[tuple[str, str]] = ()) -> str:
        """The actor behind the content of ``m``.

        Its author's actor, unless ``m`` is a forward from an unknown origin. Then: the actor that claims the
        contact points in it (an ad names its seller); else, when nobody in the store claims them, the
        Telegram account the ad names (``tg:<username>``); else the owner of its campaign; else the
        forwarder."""
        key = author_key(m)
        if m.fwd_from is None or m.fwd_key is not None:
            return self.actor_of.get(key, key)
        contacts = sorted({contact_key(t, v) for t, v in entities if t in CONTACT_TYPES})
        votes: Counter[str] = Counter(self.contact_owner[c] for c in contacts if c in self.contact_owner)
        if votes:
            return min(votes, key=lambda a: (-votes[a], a))
        named = [c for c in contacts if c.startswith("tg:") and c not in self.hub_contacts]
        if named:
            return named[0]
        if m.cluster_id and m.cluster_id in self.campaign_owner:
            return self.campaign_owner[m.cluster_id]
        return self.actor_of.get(key, key)

    def links_of(self, actor_id: str) -> list[Link]:
        members = set(self.actors[actor_id].members)
        return [lk for lk in self.links if lk.a in members or lk.b in members]


def _is_advert(m: NetMessage, contacts: int, hints: int) -> bool:
    """A seller's own post: not ruled out by the classifier, and shaped like an ad (a price or payment method,
    or several contact points). The classifier's ``offer`` alone is not enough: it is also true for buyers'
    questions ("who sells …? is @x legit?"), which name other people's handles."""
    return m.offer is not False and (hints > 0 or contacts >= 2)


def link_actors(
    messages: Iterable[NetMessage],
    entities: dict[int, list[tuple[str, str]]],
    categories: dict[int, list[str]] | None = None,
    *,
    max_claimants: int = DEFAULT_MAX_CLAIMANTS,
    max_campaign_authors: int = DEFAULT_MAX_CAMPAIGN_AUTHORS,
    use_campaigns: bool = True,
) -> ActorAnalysis:
    """Group authors into actors. ``entities`` maps message pk to its ``(type, value)`` pairs (any types;
    only contact types link), ``categories`` maps pk to the categories found in it."""
    categories = categories or {}
    claims: dict[str, Counter[str]] = defaultdict(Counter)  # contact -> author -> adverts
    campaign_authors: dict[str, Counter[str]] = defaultdict(Counter)
    campaign_spread: Counter[str] = Counter()
    strong: set[str] = set()  # contacts someone published in a personal form (handle, phone, wallet …)
    campaign_contacts: dict[tuple[str, str], set[str]] = defaultdict(set)
    profiles: dict[str, ActorProfile] = {}
    names: dict[str, Counter[str]] = defaultdict(Counter)
    for m in messages:
        key = author_key(m)
        p = profiles.get(key)
        if p is None:
            p = profiles[key] = ActorProfile(id=key, members=[key])
        p.messages += 1
        p.channels[m.channel_id] += 1
        day = datetime.fromtimestamp(m.date, UTC).strftime("%Y-%m-%d")
        p.activity[day] += 1
        p.first = m.date if p.first is None else min(p.first, m.date)
        p.last = m.date if p.last is None else max(p.last, m.date)
        if m.sender_name and key == m.sender_key:
            names[key][m.sender_name] += 1
        elif m.author and key.startswith("sig:"):
            names[key][m.author] += 1
        for cat in categories.get(m.pk, ()):
            p.categories[cat] += 1
        ents = entities.get(m.pk, ())
        contacts = {contact_key(t, v) for t, v in ents if t in CONTACT_TYPES}
        strong.update(contact_key(t, v) for t, v in ents if t in STRONG_TYPES)
        hints = sum(1 for t, _ in ents if t in ADVERT_HINT_TYPES)
        if not _is_advert(m, len(contacts), hints):
            continue
        p.adverts += 1
        if m.fwd_from is not None and m.fwd_key is None:
            # A forward whose origin is only a display name: the content is someone else's ad, so it
            # claims nothing for the forwarder; it still counts towards the campaign's spread.
            if m.cluster_id:
                campaign_spread[m.cluster_id] += 1
            continue
        for c in contacts:
            claims[c][key] += 1
            p.contacts[c] += 1
        if m.cluster_id:
            p.campaigns[m.cluster_id] += 1
            campaign_authors[m.cluster_id][key] += 1
            campaign_contacts[(m.cluster_id, key)].update(
                contact_key(t, v) for t, v in ents if t in STRONG_TYPES
            )

    uf = _UnionFind()
    links: list[Link] = []
    hubs: list[tuple[str, int]] = []

    def join(group: Counter[str], kind: str, value: str, limit: int) -> None:
        if len(group) < 2:
            return
        if len(group) > limit:
            hubs.append((value, len(group)))
            return
        ordered = sorted(group, key=lambda k: (-group[k], k))
        anchor = ordered[0]
        for other in ordered[1:]:
            if uf.union(anchor, other):
                links.append(Link(anchor, other, kind, value, group[anchor], group[other]))

    weak_pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
    for c in sorted(claims):
        if c in strong:
            join(claims[c], "entity", c, max_claimants)
        elif 2 <= len(claims[c]) <= max_claimants:
            authors = sorted(claims[c])
            for i, a in enumerate(authors):
                for b in authors[i + 1 :]:
                    weak_pairs[(a, b)].append(c)
        elif len(claims[c]) > max_claimants:
            hubs.append((c, len(claims[c])))
    for (a, b), shared in sorted(weak_pairs.items()):
        # Chat links and web addresses are promoted by many sellers (a market, a shop's group): two authors
        # count as one only when they share at least two of them.
        if len(shared) >= 2 and uf.union(a, b):
            links.append(Link(a, b, "entity", " + ".join(shared), claims[shared[0]][a], claims[shared[0]][b]))
    if use_campaigns:
        for cid in sorted(campaign_authors):
            group = campaign_authors[cid]
            if len(group) > max_campaign_authors:
                hubs.append((cid, len(group)))
                continue
            ordered = sorted(group, key=lambda k: (-group[k], k))
            for other in ordered[1:]:
                mine, theirs = campaign_contacts[(cid, ordered[0])], campaign_contacts[(cid, other)]
                if mine and theirs and mine.isdisjoint(theirs):
                    continue  # the same template with other contact points: a copycat or a reused kit
                if uf.union(ordered[0], other):
                    links.append(Link(ordered[0], other, "campaign", cid, group[ordered[0]], group[other]))

    groups: dict[str, list[str]] = defaultdict(list)
    for key in profiles:
        groups[uf.find(key)].append(key)
    actors: dict[str, ActorProfile] = {}
    actor_of: dict[str, str] = {}
    for members in groups.values():
        actor_id = _representative(members, profiles)
        merged = _merge([profiles[k] for k in members], actor_id)
        merged.names = [n for k in members for n, _ in names[k].most_common(3)]
        actors[actor_id] = merged
        for k in members:
            actor_of[k] = actor_id
    hubs.sort(key=lambda h: -h[1])
    owners: dict[str, str] = {}
    for cid, authors in campaign_authors.items():
        by_actor: Counter[str] = Counter()
        for k, n in authors.items():
            by_actor[actor_of[k]] += n
        owners[cid] = min(by_actor, key=lambda a: (-by_actor[a], a))
    contact_owner: dict[str, str] = {}
    for c, authors in claims.items():
        owners_c = {actor_of[k] for k in authors}
        if len(owners_c) == 1:
            contact_owner[c] = owners_c.pop()
    hub_set = frozenset(h for h, _ in hubs)
    return ActorAnalysis(actors, actor_of, links, hubs, owners, contact_owner, hub_set)


def _representative(members: list[str], profiles: dict[str, ActorProfile]) -> str:
    """The member that best names the actor: a user account over channels and signatures, then the one with
    the most adverts."""
    return min(
        members, key=lambda k: (not k.startswith("user"), -profiles[k].adverts, -profiles[k].messages, k)
    )


def _merge(parts: list[ActorProfile], actor_id: str) -> ActorProfile:
    if len(parts) == 1:
        parts[0].id = actor_id
        return parts[0]
    out = ActorProfile(id=actor_id, members=sorted(k for p in parts for k in p.members))
    for p in parts:
        out.messages += p.messages
        out.adverts += p.adverts
        out.channels.update(p.channels)
        out.categories.update(p.categories)
        out.contacts.update(p.contacts)
        out.campaigns.update(p.campaigns)
        out.activity.update(p.activity)
        if p.first is not None:
            out.first = p.first if out.first is None else min(out.first, p.first)
            out.last = p.last if out.last is None else max(out.last or 0, p.last or 0)
    return out


# --- reading from the store --------------------------------------------------------------------------------
def load_network(store: Any, *, min_score: float = 0.5) -> tuple[list[NetMessage], dict, dict]:
    """Messages, their entities and their categories, as :func:`link_actors` takes them."""
    msgs = [m for batch in store.network_messages() for m in batch]
    ents: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for batch in store.network_entities((*CONTACT_TYPES, *ADVERT_HINT_TYPES)):
        for pk, t, v in batch:
            ents[pk].append((t, v))
    cats: dict[int, list[str]] = defaultdict(list)
    for batch in store.network_categories(min_score=min_score):
        for pk, cat, _score in batch:
            if cat not in cats[pk]:
                cats[pk].append(cat)
    return msgs, ents, cats


def analyze_actors(store: Any, **options: Any) -> ActorAnalysis:
    """:func:`link_actors` over everything in the store."""
    msgs, ents, cats = load_network(store)
    return link_actors(msgs, ents, cats, **options)


def iter_actor_rows(analysis: ActorAnalysis, *, min_members: int = 1) -> Iterator[dict[str, Any]]:
    """Actors as JSON-ready rows, most active first, each with the explanation of its links."""
    by_actor: dict[str, list[Link]] = defaultdict(list)
    for lk in analysis.links:
        by_actor[analysis.actor_of.get(lk.a, lk.a)].append(lk)
    for a in sorted(analysis.actors.values(), key=lambda a: (-a.adverts, -a.messages, a.id)):
        if len(a.members) < min_members:
            continue
        row = a.to_json()
        row["links"] = [
            {"a": lk.a, "b": lk.b, "kind": lk.kind, "value": lk.value, "why": lk.explain()}
            for lk in by_actor.get(a.id, ())
        ]
        yield row
