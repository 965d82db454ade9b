"""Near-duplicate clusters in the store: the index that lets new messages join old clusters, and the
per-cluster aggregates that campaigns are read from.

Lifecycle (see :mod:`tgintel.jobs.cluster`, which is the only writer):

1. For a batch of messages the job asks which normalised texts are known
   (:meth:`ClusterStore.dup_exact_nodes`), which placeholder texts are known (:meth:`ClusterStore.dup_nodes`),
   and which stored texts share an LSH band with the new ones (:meth:`ClusterStore.dup_band_members`,
   :meth:`ClusterStore.dup_node_texts`). All are primary-key or indexed lookups, so the cost follows the
   batch, not the corpus.
2. It decides clusters in memory and writes everything with one :meth:`ClusterStore.save_cluster_batch`:
   new index rows, cluster merges, each message's membership, and the aggregates of the clusters it touched.
   One transaction: after a crash either all of a batch's clustering is stored or none of it, and running the
   same batch again changes nothing (membership is keyed by message, aggregates are adjusted by difference).
3. Campaign analysis reads :meth:`ClusterStore.list_clusters`, :meth:`ClusterStore.get_cluster` and the
   breakdowns, and never writes.

Tables: ``dup_exact`` (normalised-text hash → node), ``dup_nodes`` (one row per distinct placeholder text:
order, cluster, text for verification), ``dup_bands`` (LSH band key → node, indexed), ``dup_members`` (message
→ cluster, with what aggregates need), ``clusters`` and the breakdowns ``cluster_channels`` and
``cluster_actors``.
"""

from __future__ import annotations

import abc
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import msgspec
from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text, bindparam, text
from sqlalchemy.engine import Connection

from tgintel.store import campaign_counts
from tgintel.store.bulk import executemany
from tgintel.store.schema import metadata

dup_exact = Table(
    "dup_exact",
    metadata,
    Column("norm_hash", String(16), primary_key=True),
    Column("node_hash", String(16), nullable=False),
)

dup_nodes = Table(
    "dup_nodes",
    metadata,
    Column("node_hash", String(16), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("cluster_id", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("contacts", Text, nullable=False, default=""),  # hashes of the contacts it names, space-separated
)
Index("ix_dup_nodes_cluster", dup_nodes.c.cluster_id)
Index("ix_dup_nodes_seq", dup_nodes.c.seq)

dup_bands = Table(
    "dup_bands",
    metadata,
    Column("band_key", BigInteger, primary_key=True, autoincrement=False),
    Column("node_hash", String(16), primary_key=True),
    Column("seq", BigInteger, nullable=False),
)

dup_members = Table(
    "dup_members",
    metadata,
    Column("message_pk", BigInteger, primary_key=True, autoincrement=False),
    Column("cluster_id", String(32), nullable=False),
    Column("norm_hash", String(16)),
    Column("channel_id", BigInteger, nullable=False),
    Column("date", BigInteger, nullable=False),
    Column("sender_key", String(160)),
    Column("forwarded", Integer, nullable=False, default=0),
    Column("raw_hash", String(16)),  # hash of the text exactly as posted (exact_unique_texts counts these)
)
# Covering the campaign page's two per-cluster queries (timeline by day and channel, variants by norm_hash),
# so a 150k-post cluster is read from the index alone instead of 150k row lookups.
Index(
    "ix_dup_members_cluster",
    dup_members.c.cluster_id,
    dup_members.c.date,
    dup_members.c.channel_id,
    dup_members.c.forwarded,
    dup_members.c.norm_hash,
    dup_members.c.message_pk,
)

clusters = Table(
    "clusters",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(8), nullable=False),  # text | media
    Column("size", BigInteger, nullable=False),
    Column("channels", Integer, nullable=False),
    Column("actors", Integer, nullable=False),
    Column("first_seen", BigInteger, nullable=False),
    Column("last_seen", BigInteger, nullable=False),
    Column("lead_channel_id", BigInteger),
    Column("representative_pk", BigInteger),
)
Index("ix_clusters_size", clusters.c.size)
Index("ix_clusters_channels", clusters.c.channels)
Index("ix_clusters_last", clusters.c.last_seen)

cluster_channels = Table(
    "cluster_channels",
    metadata,
    Column("cluster_id", String(32), primary_key=True),
    Column("channel_id", BigInteger, primary_key=True, autoincrement=False),
    Column("posts", BigInteger, nullable=False),
    Column("first_seen", BigInteger, nullable=False),
    Column("last_seen", BigInteger, nullable=False),
    Column("first_pk", BigInteger, nullable=False),
)

cluster_actors = Table(
    "cluster_actors",
    metadata,
    Column("cluster_id", String(32), primary_key=True),
    Column("sender_key", String(160), primary_key=True),
    Column("posts", BigInteger, nullable=False),
    Column("first_seen", BigInteger, nullable=False),
    Column("last_seen", BigInteger, nullable=False),
)


class Member(msgspec.Struct, array_like=True):
    """One message's membership: the row aggregates are computed from."""

    message_pk: int
    cluster_id: str
    norm_hash: str | None
    channel_id: int
    date: int
    sender_key: str | None
    forwarded: bool = False
    raw_hash: str | None = None


class ClusterBatch(msgspec.Struct, kw_only=True):
    """Everything one clustering batch writes (see :meth:`ClusterStore.save_cluster_batch`)."""

    exact: list[tuple[str, str]] = []  # (norm_hash, node_hash)
    nodes: list[tuple[str, int, str, str, str]] = []  # (node_hash, seq, cluster_id, matching text, contacts)
    bands: list[tuple[int, str, int]] = []  # (band_key, node_hash, seq)
    merges: dict[str, str] = {}  # loser cluster id -> surviving cluster id
    members: list[Member] = []


class ClusterRow(msgspec.Struct):
    id: str
    kind: str
    size: int
    channels: int
    actors: int
    first_seen: int
    last_seen: int
    lead_channel_id: int | None
    representative_pk: int | None


class ClusterStore(abc.ABC):
    """The near-duplicate index and cluster aggregates."""

    @abc.abstractmethod
    def dup_exact_nodes(self, norm_hashes: Sequence[str]) -> dict[str, str]:
        """Known normalised-text hashes → their node hash; unknown ones are absent."""

    @abc.abstractmethod
    def dup_nodes(self, node_hashes: Sequence[str]) -> dict[str, tuple[int, str]]:
        """Known nodes → (seq, current cluster id)."""

    @abc.abstractmethod
    def dup_next_seq(self) -> int:
        """The sequence number the next new node gets (nodes are numbered in the order first seen)."""

    @abc.abstractmethod
    def dup_band_members(self, band_keys: Sequence[int]) -> dict[int, list[tuple[int, str]]]:
        """For each band key with stored nodes: ``(seq, node_hash)`` in seq order."""

    @abc.abstractmethod
    def dup_node_texts(self, node_hashes: Sequence[str]) -> dict[str, tuple[str, str]]:
        """Matching texts and contact hashes of stored nodes (what candidates are verified against)."""

    @abc.abstractmethod
    def dup_founder_seqs(self, cluster_ids: Sequence[str]) -> dict[str, int]:
        """Each text cluster's founder sequence number (the older cluster wins a merge)."""

    @abc.abstractmethod
    def member_clusters(self, pairs: Sequence[tuple[int, int]]) -> dict[tuple[int, int], str]:
        """Clusters of stored messages named by (channel id, message id): how forwards find their origin."""

    @abc.abstractmethod
    def save_cluster_batch(self, batch: ClusterBatch) -> None:
        """Write one batch atomically: index rows (existing keys left alone), merges (every row of a merged
        cluster relabelled, in ``messages`` too), memberships (a message already a member elsewhere moves),
        and the aggregates of every touched cluster, adjusted so they always equal a recount."""

    @abc.abstractmethod
    def list_clusters(
        self,
        *,
        min_size: int = 2,
        min_channels: int = 1,
        sort: str = "size",
        limit: int | None = 50,
        kind: str | None = None,
    ) -> list[ClusterRow]:
        """Clusters by ``size``, ``channels``, ``actors``, ``first_seen`` or ``last_seen``, descending."""

    @abc.abstractmethod
    def get_cluster(self, cluster_id: str) -> ClusterRow | None:
        """One cluster's aggregates, or None."""

    @abc.abstractmethod
    def cluster_breakdown(self, cluster_id: str) -> dict[str, list[dict[str, Any]]]:
        """``channels`` and ``actors`` of a cluster: posts, first and last seen each."""

    @abc.abstractmethod
    def cluster_members(self, cluster_id: str, *, limit: int | None = None) -> list[Member]:
        """Members of a cluster in date order (oldest first)."""

    @abc.abstractmethod
    def cluster_variants(self, cluster_id: str, *, limit: int | None = None) -> list[dict[str, Any]]:
        """Distinct normalised texts of a cluster in order of first appearance: ``norm_hash``, ``posts``,
        ``first_seen``, ``last_seen``, ``first_pk``, ``channels`` and ``total`` (how many distinct texts the
        cluster has, whatever ``limit`` cut: the same on every row). At most ``limit`` rows."""

    @abc.abstractmethod
    def cluster_timeline(self, cluster_id: str) -> list[dict[str, Any]]:
        """Posts of a cluster per UTC day and channel, counted in the database (a campaign of 50k posts
        reads as a few thousand rows): ``day`` (Unix day number), ``channel_id``, ``posts``, ``forwarded``
        (how many of those posts were forwards), in day then channel order."""

    @abc.abstractmethod
    def cluster_counts(self) -> dict[str, int]:
        """``exact_unique_texts`` (distinct texts as posted), ``normalised_unique_texts`` (distinct after
        normalisation: emoji, case, look-alike letters folded), ``near_duplicate_clusters`` (text clusters),
        ``cross_channel_clusters`` (text clusters in 2+ channels), ``media_clusters``."""


def _expanding(sql: str, *names: str) -> Any:
    return text(sql).bindparams(*(bindparam(n, expanding=True) for n in names))


def _chunks(seq: Sequence[Any], n: int = 500) -> Iterable[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


_SORTS = {"size": "size", "channels": "channels", "actors": "actors", "first_seen": "first_seen",
          "last_seen": "last_seen"}  # fmt: skip
_CLUSTER_COLS = "id, kind, size, channels, actors, first_seen, last_seen, lead_channel_id, representative_pk"


class SQLClusterMixin(ClusterStore):
    """SQL for :class:`ClusterStore`; plain statements both SQLite and PostgreSQL accept."""

    engine: Any

    # -- index lookups ------------------------------------------------------------------------------------
    def dup_exact_nodes(self, norm_hashes: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        q = _expanding("SELECT norm_hash, node_hash FROM dup_exact WHERE norm_hash IN :h", "h")
        with self.engine.connect() as conn:
            for chunk in _chunks(list(norm_hashes)):
                out.update(conn.execute(q, {"h": list(chunk)}).all())  # type: ignore[arg-type]
        return out

    def dup_nodes(self, node_hashes: Sequence[str]) -> dict[str, tuple[int, str]]:
        out: dict[str, tuple[int, str]] = {}
        q = _expanding("SELECT node_hash, seq, cluster_id FROM dup_nodes WHERE node_hash IN :h", "h")
        with self.engine.connect() as conn:
            for chunk in _chunks(list(node_hashes)):
                for r in conn.execute(q, {"h": list(chunk)}):
                    out[r.node_hash] = (r.seq, r.cluster_id)
        return out

    def dup_next_seq(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(text("SELECT coalesce(max(seq), -1) + 1 FROM dup_nodes")).scalar_one())

    def dup_band_members(self, band_keys: Sequence[int]) -> dict[int, list[tuple[int, str]]]:
        out: dict[int, list[tuple[int, str]]] = defaultdict(list)
        q = _expanding("SELECT band_key, seq, node_hash FROM dup_bands WHERE band_key IN :k", "k")
        with self.engine.connect() as conn:
            for chunk in _chunks(sorted(set(band_keys)), 1000):
                for r in conn.execute(q, {"k": list(chunk)}):
                    out[r.band_key].append((r.seq, r.node_hash))
        for v in out.values():
            v.sort()
        return dict(out)

    def dup_node_texts(self, node_hashes: Sequence[str]) -> dict[str, tuple[str, str]]:
        out: dict[str, tuple[str, str]] = {}
        q = _expanding("SELECT node_hash, text, contacts FROM dup_nodes WHERE node_hash IN :h", "h")
        with self.engine.connect() as conn:
            for chunk in _chunks(list(node_hashes)):
                for r in conn.execute(q, {"h": list(chunk)}):
                    out[r.node_hash] = (r.text, r.contacts)
        return out

    def dup_founder_seqs(self, cluster_ids: Sequence[str]) -> dict[str, int]:
        founders = {c[1:]: c for c in cluster_ids if c.startswith("c")}
        return {founders[h]: seq for h, (seq, _c) in self.dup_nodes(list(founders)).items()}

    def member_clusters(self, pairs: Sequence[tuple[int, int]]) -> dict[tuple[int, int], str]:
        out: dict[tuple[int, int], str] = {}
        q = text(
            "SELECT d.cluster_id FROM messages m JOIN dup_members d ON d.message_pk = m.pk "
            "WHERE m.channel_id = :c AND m.id = :i"
        )
        with self.engine.connect() as conn:
            for c, i in set(pairs):
                r = conn.execute(q, {"c": c, "i": i}).first()
                if r is not None:
                    out[(c, i)] = r.cluster_id
        return out

    # -- writing ------------------------------------------------------------------------------------------
    def save_cluster_batch(self, batch: ClusterBatch) -> None:
        with self.engine.begin() as conn:
            executemany(
                conn, "INSERT INTO dup_exact (norm_hash, node_hash) VALUES (?, ?) ON CONFLICT DO NOTHING",
                batch.exact,
            )  # fmt: skip
            executemany(
                conn,
                "INSERT INTO dup_nodes (node_hash, seq, cluster_id, text, contacts) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                batch.nodes,
            )
            executemany(
                conn,
                "INSERT INTO dup_bands (band_key, node_hash, seq) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                batch.bands,
            )
            touched: set[str] = set()
            recount: set[str] = set()
            for loser, winner in batch.merges.items():
                self._merge(conn, loser, winner)
                recount.add(winner)
            if batch.members:
                stale = campaign_counts.add_members(conn, batch.members)  # compares with the stored rows
                touched |= self._save_members(conn, batch.members, recount)
                campaign_counts.recount(conn, stale)
            for cid in recount:
                self._recount(conn, cid)
            self._refresh_clusters(conn, sorted(touched | recount))

    def _merge(self, conn: Connection, loser: str, winner: str) -> None:
        for table in ("dup_nodes", "dup_members", "messages"):
            conn.execute(
                text(f"UPDATE {table} SET cluster_id = :w WHERE cluster_id = :l"), {"w": winner, "l": loser}
            )
        for table in ("cluster_channels", "cluster_actors", "clusters"):
            col = "id" if table == "clusters" else "cluster_id"
            conn.execute(text(f"DELETE FROM {table} WHERE {col} = :l"), {"l": loser})
        campaign_counts.move(conn, loser, winner)

    def _save_members(self, conn: Connection, members: list[Member], recount: set[str]) -> set[str]:
        """Upsert memberships; new ones adjust the breakdowns by difference, moved ones mark a recount."""
        by_pk = {m.message_pk: m for m in members}
        old: dict[int, str] = {}
        q = _expanding("SELECT message_pk, cluster_id FROM dup_members WHERE message_pk IN :p", "p")
        for chunk in _chunks(list(by_pk)):
            old.update(conn.execute(q, {"p": list(chunk)}).all())  # type: ignore[arg-type]
        fresh: list[Member] = []
        for pk, m in by_pk.items():
            before = old.get(pk)
            if before is None:
                fresh.append(m)
            elif before != m.cluster_id:
                recount.update((before, m.cluster_id))
        executemany(
            conn,
            "INSERT INTO dup_members (message_pk, cluster_id, norm_hash, channel_id, date, sender_key, "
            "forwarded, raw_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (message_pk) DO UPDATE SET "
            "cluster_id = excluded.cluster_id, norm_hash = excluded.norm_hash, "
            "channel_id = excluded.channel_id, date = excluded.date, sender_key = excluded.sender_key, "
            "forwarded = excluded.forwarded, raw_hash = excluded.raw_hash",
            [(m.message_pk, m.cluster_id, m.norm_hash, m.channel_id, m.date, m.sender_key, int(m.forwarded),
              m.raw_hash) for m in by_pk.values()],
        )  # fmt: skip
        chan: dict[tuple[str, int], list[int]] = {}
        act: dict[tuple[str, str], list[int]] = {}
        for m in fresh:
            if m.cluster_id in recount:
                continue
            for agg, key in ((chan, (m.cluster_id, m.channel_id)), (act, (m.cluster_id, m.sender_key))):
                if key[1] is None:
                    continue
                a = agg.get(key)  # type: ignore[call-overload]
                if a is None:
                    agg[key] = [1, m.date, m.date, m.message_pk]  # type: ignore[index]
                else:
                    a[0] += 1
                    a[1] = min(a[1], m.date)
                    a[2] = max(a[2], m.date)
                    a[3] = min(a[3], m.message_pk)
        if chan:
            executemany(
                conn,
                (
                    "INSERT INTO cluster_channels (cluster_id, channel_id, posts, first_seen, last_seen, "
                    "first_pk) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (cluster_id, channel_id) DO UPDATE SET "
                    "posts = cluster_channels.posts + excluded.posts, "
                    "first_seen = CASE WHEN excluded.first_seen < cluster_channels.first_seen "
                    "THEN excluded.first_seen ELSE cluster_channels.first_seen END, "
                    "last_seen = CASE WHEN excluded.last_seen > cluster_channels.last_seen "
                    "THEN excluded.last_seen ELSE cluster_channels.last_seen END, "
                    "first_pk = CASE WHEN excluded.first_pk < cluster_channels.first_pk "
                    "THEN excluded.first_pk ELSE cluster_channels.first_pk END"
                ),
                [(c, k, *v) for (c, k), v in chan.items()],
            )
        if act:
            executemany(
                conn,
                (
                    "INSERT INTO cluster_actors (cluster_id, sender_key, posts, first_seen, last_seen) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (cluster_id, sender_key) DO UPDATE SET "
                    "posts = cluster_actors.posts + excluded.posts, "
                    "first_seen = CASE WHEN excluded.first_seen < cluster_actors.first_seen "
                    "THEN excluded.first_seen ELSE cluster_actors.first_seen END, "
                    "last_seen = CASE WHEN excluded.last_seen > cluster_actors.last_seen "
                    "THEN excluded.last_seen ELSE cluster_actors.last_seen END"
                ),
                [(c, k, *v[:3]) for (c, k), v in act.items()],
            )
        return {m.cluster_id for m in fresh}

    def _recount(self, conn: Connection, cluster_id: str) -> None:
        """Rebuild one cluster's breakdowns from its members (after a merge or a move; rare)."""
        p = {"c": cluster_id}
        conn.execute(text("DELETE FROM cluster_channels WHERE cluster_id = :c"), p)
        conn.execute(text("DELETE FROM cluster_actors WHERE cluster_id = :c"), p)
        conn.execute(
            text(
                "INSERT INTO cluster_channels (cluster_id, channel_id, posts, first_seen, last_seen, "
                "first_pk) SELECT cluster_id, channel_id, count(*), min(date), max(date), min(message_pk) "
                "FROM dup_members WHERE cluster_id = :c GROUP BY cluster_id, channel_id"
            ),
            p,
        )
        conn.execute(
            text(
                "INSERT INTO cluster_actors (cluster_id, sender_key, posts, first_seen, last_seen) "
                "SELECT cluster_id, sender_key, count(*), min(date), max(date) FROM dup_members "
                "WHERE cluster_id = :c AND sender_key IS NOT NULL GROUP BY cluster_id, sender_key"
            ),
            p,
        )

    def _refresh_clusters(self, conn: Connection, ids: list[str]) -> None:
        """Cluster rows from their breakdowns (a handful of rows per cluster, so cheap at any size)."""
        for chunk in _chunks(ids):
            chan = conn.execute(
                _expanding(
                    "SELECT cluster_id, channel_id, posts, first_seen, last_seen, first_pk "
                    "FROM cluster_channels WHERE cluster_id IN :c",
                    "c",
                ),
                {"c": list(chunk)},
            ).all()
            actors = dict(
                conn.execute(  # type: ignore[arg-type]
                    _expanding(
                        "SELECT cluster_id, count(*) FROM cluster_actors WHERE cluster_id IN :c "
                        "GROUP BY cluster_id",
                        "c",
                    ),
                    {"c": list(chunk)},
                ).all()
            )
            agg: dict[str, list[Any]] = {}
            for r in chan:
                a = agg.get(r.cluster_id)
                if a is None:
                    agg[r.cluster_id] = [r.posts, 1, r.first_seen, r.last_seen, (r.first_seen, r.first_pk),
                                         r.channel_id, r.first_pk]  # fmt: skip
                    continue
                a[0] += r.posts
                a[1] += 1
                a[2] = min(a[2], r.first_seen)
                a[3] = max(a[3], r.last_seen)
                if (r.first_seen, r.first_pk) < a[4]:
                    a[4], a[5] = (r.first_seen, r.first_pk), r.channel_id
                a[6] = min(a[6], r.first_pk)
            conn.execute(_expanding("DELETE FROM clusters WHERE id IN :c", "c"), {"c": list(chunk)})
            rows = [
                {"id": cid, "kind": "media" if cid.startswith("m") else "text", "size": a[0], "ch": a[1],
                 "ac": actors.get(cid, 0), "f": a[2], "l": a[3], "lead": a[5], "rep": a[4][1]}
                for cid, a in agg.items()
            ]  # fmt: skip
            if rows:
                conn.execute(
                    text(
                        "INSERT INTO clusters (id, kind, size, channels, actors, first_seen, last_seen, "
                        "lead_channel_id, representative_pk) VALUES (:id, :kind, :size, :ch, :ac, :f, :l, "
                        ":lead, :rep)"
                    ),
                    rows,
                )

    # -- reading --------------------------------------------------------------------------------------------
    def list_clusters(
        self, *, min_size: int = 2, min_channels: int = 1, sort: str = "size", limit: int | None = 50,
        kind: str | None = None,
    ) -> list[ClusterRow]:  # fmt: skip
        col = _SORTS.get(sort)
        if col is None:
            raise ValueError(f"unknown sort {sort!r} (one of {', '.join(_SORTS)})")
        where = "size >= :s AND channels >= :c" + (" AND kind = :k" if kind else "")
        q = f"SELECT {_CLUSTER_COLS} FROM clusters WHERE {where} ORDER BY {col} DESC, first_seen, id"
        if limit is not None:
            q += f" LIMIT {int(limit)}"
        with self.engine.connect() as conn:
            rows = conn.execute(text(q), {"s": min_size, "c": min_channels, "k": kind}).all()
        return [ClusterRow(*r) for r in rows]

    def get_cluster(self, cluster_id: str) -> ClusterRow | None:
        with self.engine.connect() as conn:
            r = conn.execute(
                text(f"SELECT {_CLUSTER_COLS} FROM clusters WHERE id = :i"), {"i": cluster_id}
            ).first()
        return ClusterRow(*r) if r else None

    def cluster_breakdown(self, cluster_id: str) -> dict[str, list[dict[str, Any]]]:
        p = {"c": cluster_id}
        with self.engine.connect() as conn:
            chans = conn.execute(
                text(
                    "SELECT cc.channel_id, ch.title, ch.username, cc.posts, cc.first_seen, cc.last_seen "
                    "FROM cluster_channels cc LEFT JOIN channels ch ON ch.id = cc.channel_id "
                    "WHERE cc.cluster_id = :c ORDER BY cc.first_seen, cc.channel_id"
                ),
                p,
            ).all()
            actors = conn.execute(
                text(
                    "SELECT ca.sender_key, a.name, a.username, ca.posts, ca.first_seen, ca.last_seen "
                    "FROM cluster_actors ca LEFT JOIN actors a ON a.key = ca.sender_key "
                    "WHERE ca.cluster_id = :c ORDER BY ca.posts DESC, ca.sender_key"
                ),
                p,
            ).all()
        return {
            "channels": [dict(r._mapping) for r in chans],
            "actors": [dict(r._mapping) for r in actors],
        }

    def cluster_members(self, cluster_id: str, *, limit: int | None = None) -> list[Member]:
        q = (
            "SELECT message_pk, cluster_id, norm_hash, channel_id, date, sender_key, forwarded "
            "FROM dup_members WHERE cluster_id = :c ORDER BY date, message_pk"
        )
        if limit is not None:
            q += f" LIMIT {int(limit)}"
        with self.engine.connect() as conn:
            return [
                Member(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]))
                for r in conn.execute(text(q), {"c": cluster_id})
            ]

    def cluster_variants(self, cluster_id: str, *, limit: int | None = None) -> list[dict[str, Any]]:
        q = (
            "SELECT norm_hash, count(*) AS posts, min(date) AS first_seen, max(date) AS last_seen, "
            "min(message_pk) AS first_pk, count(DISTINCT channel_id) AS channels, count(*) OVER () AS total "
            "FROM dup_members WHERE cluster_id = :c AND norm_hash IS NOT NULL GROUP BY norm_hash "
            "ORDER BY min(date), min(message_pk)"
        )  # the window counts groups before LIMIT cuts them
        if limit is not None:
            q += f" LIMIT {int(limit)}"
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(text(q), {"c": cluster_id})]

    def cluster_timeline(self, cluster_id: str) -> list[dict[str, Any]]:
        # Integer division is a floor for the non-negative Unix dates stored here, on SQLite and PostgreSQL.
        q = text(
            "SELECT date / 86400 AS day, channel_id, count(*) AS posts, sum(forwarded) AS forwarded "
            "FROM dup_members WHERE cluster_id = :c GROUP BY date / 86400, channel_id ORDER BY 1, 2"
        )
        with self.engine.connect() as conn:
            return [
                {"day": int(r[0]), "channel_id": r[1], "posts": int(r[2]), "forwarded": int(r[3] or 0)}
                for r in conn.execute(q, {"c": cluster_id})
            ]

    def cluster_counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            uniq = conn.execute(text("SELECT count(DISTINCT norm_hash) FROM dup_members")).scalar_one()
            raw = conn.execute(text("SELECT count(DISTINCT raw_hash) FROM dup_members")).scalar_one()
            r = conn.execute(
                text(
                    "SELECT count(*) FILTER (WHERE kind = 'text'), "
                    "count(*) FILTER (WHERE kind = 'text' AND channels >= 2), "
                    "count(*) FILTER (WHERE kind = 'media') FROM clusters"
                )
            ).one()
        return {"exact_unique_texts": int(raw), "normalised_unique_texts": int(uniq),
                "near_duplicate_clusters": int(r[0] or 0),
                "cross_channel_clusters": int(r[1] or 0), "media_clusters": int(r[2] or 0)}  # fmt: skip
