"""Per-campaign counts kept as clusters are assigned, so a campaign page reads a few thousand small rows
instead of every member of a cluster.

A campaign of 150k posts used to cost two scans of its ``dup_members`` rows per view (the day × channel
timeline, and the distinct texts with the channels each reached): ~0.3 s each on a 1M-message store. Two
tables hold those answers instead:

* ``campaign_days``: posts and forwards per cluster, UTC day and channel (what the spread chart and the
  forward count need);
* ``campaign_texts``: posts, first and last date and first message per cluster, normalised text and channel
  (what the variant list needs: grouping by text gives posts, dates and the number of channels exactly).

They are written in the same transaction as the memberships (:meth:`SQLClusterMixin.save_cluster_batch`
calls the three functions below), so they always equal a recount of ``dup_members``:

* :func:`add_members`, before the memberships are written: new members are added by upsert (cost follows
  the batch, not the corpus); a member that changed (moved to another cluster, or its text, date or channel
  changed) marks both its clusters for a recount, as ``cluster_channels`` does;
* :func:`recount`, after the memberships are written: rebuilds those (rare) clusters from their members;
* :func:`move`, on a merge: adds the loser's counts into the winner's and drops the loser's (cost follows the
  loser's counts, not the winner's size).

Migration ``0005_web`` creates the tables and fills them for stores clustered before they existed.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import BigInteger, Column, String, Table, bindparam, text
from sqlalchemy.engine import Connection

from tgintel.store.bulk import executemany
from tgintel.store.schema import metadata

__all__ = ["CampaignCountStore", "CampaignCountsMixin", "add_members", "move", "recount"]

DAY = 86_400

# WITHOUT ROWID on SQLite: a campaign's rows are one primary-key range, read without row lookups.
campaign_days = Table(
    "campaign_days",
    metadata,
    Column("cluster_id", String(32), primary_key=True),
    Column("day", BigInteger, primary_key=True, autoincrement=False),  # Unix day number (UTC)
    Column("channel_id", BigInteger, primary_key=True, autoincrement=False),
    Column("posts", BigInteger, nullable=False),
    Column("forwarded", BigInteger, nullable=False),
    sqlite_with_rowid=False,
)

campaign_texts = Table(
    "campaign_texts",
    metadata,
    Column("cluster_id", String(32), primary_key=True),
    Column("norm_hash", String(16), primary_key=True),
    Column("channel_id", BigInteger, primary_key=True, autoincrement=False),
    Column("posts", BigInteger, nullable=False),
    Column("first_seen", BigInteger, nullable=False),
    Column("last_seen", BigInteger, nullable=False),
    Column("first_pk", BigInteger, nullable=False),
    sqlite_with_rowid=False,
)

# The same statements serve the migration's backfill and a recount (``{where}`` picks the members).
DAYS_FROM_MEMBERS = (
    "INSERT INTO campaign_days (cluster_id, day, channel_id, posts, forwarded) "
    "SELECT cluster_id, date / 86400, channel_id, count(*), sum(forwarded) FROM dup_members {where} "
    "GROUP BY cluster_id, date / 86400, channel_id"
)
TEXTS_FROM_MEMBERS = (
    "INSERT INTO campaign_texts (cluster_id, norm_hash, channel_id, posts, first_seen, last_seen, first_pk) "
    "SELECT cluster_id, norm_hash, channel_id, count(*), min(date), max(date), min(message_pk) "
    "FROM dup_members WHERE norm_hash IS NOT NULL {where} GROUP BY cluster_id, norm_hash, channel_id"
)

_ADD_DAYS = (
    "INSERT INTO campaign_days (cluster_id, day, channel_id, posts, forwarded) {source} "
    "ON CONFLICT (cluster_id, day, channel_id) DO UPDATE SET "
    "posts = campaign_days.posts + excluded.posts, forwarded = campaign_days.forwarded + excluded.forwarded"
)
_ADD_TEXTS = (
    "INSERT INTO campaign_texts (cluster_id, norm_hash, channel_id, posts, first_seen, last_seen, first_pk) "
    "{source} ON CONFLICT (cluster_id, norm_hash, channel_id) DO UPDATE SET "
    "posts = campaign_texts.posts + excluded.posts, "
    "first_seen = CASE WHEN excluded.first_seen < campaign_texts.first_seen "
    "THEN excluded.first_seen ELSE campaign_texts.first_seen END, "
    "last_seen = CASE WHEN excluded.last_seen > campaign_texts.last_seen "
    "THEN excluded.last_seen ELSE campaign_texts.last_seen END, "
    "first_pk = CASE WHEN excluded.first_pk < campaign_texts.first_pk "
    "THEN excluded.first_pk ELSE campaign_texts.first_pk END"
)


def _day(date: int) -> int:
    """``date / 86400`` as SQL computes it (truncation), so added and recounted rows agree."""
    return date // DAY if date >= 0 else -(-date // DAY)


def _chunks(seq: Sequence[Any], n: int = 500) -> Iterable[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def add_members(conn: Connection, members: Sequence[Any]) -> set[str]:
    """Count a batch of memberships (``tgintel.store.clusters.Member``) that is about to be written.

    Call before the memberships are stored: members not stored yet are added to the counts; members stored
    with other values name the clusters to :func:`recount` once they are written (returned). A member
    stored exactly as given changes nothing, so a batch written twice is counted once."""
    by_pk = {m.message_pk: m for m in members}
    old: dict[int, tuple[Any, ...]] = {}
    q = text(
        "SELECT message_pk, cluster_id, norm_hash, channel_id, date, forwarded FROM dup_members "
        "WHERE message_pk IN :p"
    ).bindparams(bindparam("p", expanding=True))
    for chunk in _chunks(list(by_pk)):
        for r in conn.execute(q, {"p": list(chunk)}):
            old[r[0]] = tuple(r[1:])
    stale: set[str] = set()
    fresh = []
    for pk, m in by_pk.items():
        before = old.get(pk)
        if before is None:
            fresh.append(m)
        elif before != (m.cluster_id, m.norm_hash, m.channel_id, m.date, int(m.forwarded)):
            stale.update((before[0], m.cluster_id))
    days: dict[tuple[str, int, int], list[int]] = {}
    texts: dict[tuple[str, str, int], list[int]] = {}
    for m in fresh:
        if m.cluster_id in stale:
            continue  # recounted from its members once they are written
        key = (m.cluster_id, _day(m.date), m.channel_id)
        d = days.get(key)
        if d is None:
            days[key] = [1, int(m.forwarded)]
        else:
            d[0] += 1
            d[1] += int(m.forwarded)
        if m.norm_hash is None:
            continue
        tkey = (m.cluster_id, m.norm_hash, m.channel_id)
        t = texts.get(tkey)
        if t is None:
            texts[tkey] = [1, m.date, m.date, m.message_pk]
        else:
            t[0] += 1
            t[1] = min(t[1], m.date)
            t[2] = max(t[2], m.date)
            t[3] = min(t[3], m.message_pk)
    executemany(conn, _ADD_DAYS.format(source="VALUES (?, ?, ?, ?, ?)"), [(*k, *v) for k, v in days.items()])
    executemany(
        conn, _ADD_TEXTS.format(source="VALUES (?, ?, ?, ?, ?, ?, ?)"), [(*k, *v) for k, v in texts.items()]
    )
    return stale


def recount(conn: Connection, cluster_ids: Iterable[str]) -> None:
    """Rebuild the counts of these clusters from their stored members (after a member moved or changed)."""
    for cid in sorted(cluster_ids):
        p = {"c": cid}
        conn.execute(text("DELETE FROM campaign_days WHERE cluster_id = :c"), p)
        conn.execute(text("DELETE FROM campaign_texts WHERE cluster_id = :c"), p)
        conn.execute(text(DAYS_FROM_MEMBERS.format(where="WHERE cluster_id = :c")), p)
        conn.execute(text(TEXTS_FROM_MEMBERS.format(where="AND cluster_id = :c")), p)


def move(conn: Connection, loser: str, winner: str) -> None:
    """A merge: the loser's counts join the winner's (summed where both have a row), the loser's go.
    (``WHERE`` in each SELECT keeps SQLite from reading ``ON CONFLICT`` as a join constraint.)"""
    p = {"l": loser, "w": winner}
    conn.execute(
        text(_ADD_DAYS.format(source="SELECT :w, day, channel_id, posts, forwarded FROM campaign_days "
                                     "WHERE cluster_id = :l")),
        p,
    )  # fmt: skip
    conn.execute(
        text(_ADD_TEXTS.format(source="SELECT :w, norm_hash, channel_id, posts, first_seen, last_seen, "
                                      "first_pk FROM campaign_texts WHERE cluster_id = :l")),
        p,
    )  # fmt: skip
    conn.execute(text("DELETE FROM campaign_days WHERE cluster_id = :l"), p)
    conn.execute(text("DELETE FROM campaign_texts WHERE cluster_id = :l"), p)


class CampaignCountStore(abc.ABC):
    """What a campaign page reads: its spread over days and channels, and its distinct texts."""

    @abc.abstractmethod
    def campaign_timeline(self, cluster_id: str) -> list[dict[str, Any]]:
        """Posts of a cluster per UTC day and channel: ``day`` (Unix day number), ``channel_id``, ``posts``,
        ``forwarded`` (how many were forwards), in day then channel order. Equal to
        :meth:`ClusterStore.cluster_timeline`, read from the kept counts."""

    @abc.abstractmethod
    def campaign_variants(self, cluster_id: str, *, limit: int | None = None) -> list[dict[str, Any]]:
        """Distinct normalised texts of a cluster in order of first appearance, at most ``limit``:
        ``norm_hash``, ``posts``, ``first_seen``, ``last_seen``, ``first_pk``, ``channels``, ``total``.
        Equal to :meth:`ClusterStore.cluster_variants`, read from the kept counts."""


class CampaignCountsMixin(CampaignCountStore):
    """SQL for :class:`CampaignCountStore` (SQLite and PostgreSQL)."""

    engine: Any

    def campaign_timeline(self, cluster_id: str) -> list[dict[str, Any]]:
        q = text(
            "SELECT day, channel_id, posts, forwarded FROM campaign_days WHERE cluster_id = :c "
            "ORDER BY day, channel_id"
        )
        with self.engine.connect() as conn:
            rows = conn.execute(q, {"c": cluster_id}).all()  # one fetch: a big campaign has ~10k rows
        return [
            {"day": int(d), "channel_id": ch, "posts": int(n), "forwarded": int(f)} for d, ch, n, f in rows
        ]

    def campaign_variants(self, cluster_id: str, *, limit: int | None = None) -> list[dict[str, Any]]:
        q = (
            "SELECT norm_hash, CAST(sum(posts) AS BIGINT) AS posts, min(first_seen) AS first_seen, "
            "max(last_seen) AS last_seen, min(first_pk) AS first_pk, count(*) AS channels, "
            "count(*) OVER () AS total FROM campaign_texts WHERE cluster_id = :c GROUP BY norm_hash "
            "ORDER BY min(first_seen), min(first_pk)"
        )  # one row per channel a text reached, so count(*) is its channels; the window counts texts
        if limit is not None:
            q += f" LIMIT {int(limit)}"
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(text(q), {"c": cluster_id})]
