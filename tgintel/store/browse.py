"""Read-only queries behind the workspace pages: activity per day, a channel's profile, an actor's trail,
a message's neighbours, newest findings.

Every query is bounded (a channel, an actor, a date window or a LIMIT) and runs on an index, so a page costs
the same on a small store and on a million messages. Rows come back as plain dicts of JSON-ready values
because the web pages serve them as their JSON twins unchanged.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Index, text

from tgintel.store.clusters import cluster_actors, cluster_channels
from tgintel.store.schema import entities, findings, messages

DAY = 86_400
ENTITY_TYPES = (
    "username",
    "tme_link",
    "url",
    "onion",
    "phone",
    "email",
    "btc",
    "eth",
    "tron",
    "xmr",
    "iban",
    "price",
    "payment_method",
)

# Drives "messages in category X" from the category side (the search and the daily chart).
Index("ix_findings_category_message", findings.c.category, findings.c.message_pk)
# Covering indexes so a channel's, an actor's or a campaign's aggregates read narrow index entries instead of
# whole message rows (migration 0003_web_indexes).
Index("ix_messages_channel_date", messages.c.channel_id, messages.c.date)
Index("ix_messages_channel_sender", messages.c.channel_id, messages.c.sender_key)
# Partial: only analysed messages with text have a cluster id, and every query asks for one (0006_ingest).
CLUSTERED = text("cluster_id IS NOT NULL")
Index("ix_messages_cluster_date", messages.c.cluster_id, messages.c.date, messages.c.channel_id,
      sqlite_where=CLUSTERED, postgresql_where=CLUSTERED)  # fmt: skip
Index("ix_messages_sender_date", messages.c.sender_key, messages.c.date, messages.c.channel_id,
      messages.c.cluster_id)  # fmt: skip
Index("ix_entities_value_message", entities.c.type, entities.c.value, entities.c.message_pk)
# A channel's largest campaigns, from the per-cluster and channel counts clustering keeps (0005_web).
Index("ix_cluster_channels_channel", cluster_channels.c.channel_id, cluster_channels.c.posts)
Index("ix_cluster_actors_sender", cluster_actors.c.sender_key, cluster_actors.c.posts)
# Link and entity lists of a channel or actor look at its newest messages only: enough to show what it points
# at, and bounded on channels with 100k posts.
RECENT_WINDOW = 5_000


def _rows(conn: Any, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(text(sql), params or {})]


class BrowseStore(abc.ABC):
    """Aggregates and lists the workspace pages show; all read-only."""

    @abc.abstractmethod
    def message_meta(self, pk: int) -> dict[str, Any]:
        """The detect stages' columns of one message: ``lang, offer, cluster_id, norm_hash, analyzed``."""

    @abc.abstractmethod
    def message_findings(self, pk: int) -> list[dict[str, Any]]:
        """Findings of one message with their row keys (``pk, category, score, evidence, source, created``),
        strongest first; ``evidence`` is the stored JSON text."""

    @abc.abstractmethod
    def finding(self, finding_pk: int) -> dict[str, Any] | None:
        """One finding row (``pk, message_pk, category, score, source``) or None."""

    @abc.abstractmethod
    def cluster_summary(self, cluster_id: str) -> dict[str, Any]:
        """``size, channels, first, last`` of one near-duplicate cluster."""

    @abc.abstractmethod
    def triage_queue(
        self, categories: Sequence[str], *, limit: int = 50, min_score: float = 0.5
    ) -> list[dict[str, Any]]:
        """Automated findings (not ``analyst``) at or above ``min_score`` in these categories that no analyst
        has labelled for that message and category yet, newest message first per category, at most ``limit``
        per category: ``finding_pk, category, score, source, evidence`` plus the message columns."""

    @abc.abstractmethod
    def date_range(self) -> tuple[int, int] | None:
        """First and last message date (Unix seconds), or None for an empty store."""

    @abc.abstractmethod
    def daily_category_counts(self, since: int, until: int) -> list[dict[str, Any]]:
        """``{day, category, n}`` per UTC day (Unix seconds at midnight) in ``[since, until)``;
        ``category`` is
        None for messages without findings (counted once per message)."""

    @abc.abstractmethod
    def recent_findings(self, *, limit: int = 10, min_score: float = 0.5) -> list[dict[str, Any]]:
        """The newest findings at or above ``min_score`` with their message's channel, id, date, text."""

    @abc.abstractmethod
    def channel_activity(self, channel_id: int) -> list[dict[str, Any]]:
        """``{day, n}`` messages per UTC day in one channel."""

    @abc.abstractmethod
    def channel_category_mix(self, channel_id: int) -> list[dict[str, Any]]:
        """``{category, n}`` messages per category in one channel, largest first."""

    @abc.abstractmethod
    def channel_top_clusters(self, channel_id: int, *, limit: int = 10) -> list[dict[str, Any]]:
        """``{cluster_id, n, channels, sample}``: the channel's largest near-duplicate clusters (equal counts
        by cluster id), with how many channels each spans in the whole store."""

    @abc.abstractmethod
    def channel_top_actors(self, channel_id: int, *, limit: int = 10) -> list[dict[str, Any]]:
        """``{key, name, n}``: who posts most in the channel (equal counts by key)."""

    @abc.abstractmethod
    def channel_links(self, channel_id: int, *, limit: int = 20) -> dict[str, list[dict[str, Any]]]:
        """What the channel points at: ``entities`` (``{type, value, n}`` for t.me links, usernames, onions,
        urls) and ``forwards_from`` (``{channel_id, title, n}``)."""

    @abc.abstractmethod
    def actor(self, key: str) -> dict[str, Any] | None:
        """The actor row (key, name, username, first_seen, last_seen, messages) or None."""

    @abc.abstractmethod
    def actor_trail(self, key: str, *, limit: int = 20) -> dict[str, list[dict[str, Any]]]:
        """Where an actor shows up: ``channels`` ``{channel_id, title, n}``,
        ``entities`` ``{type, value, n}``,
        ``campaigns`` ``{cluster_id, n}``, ``timeline`` ``{day, n}``, ``recent`` messages."""

    @abc.abstractmethod
    def neighbours(self, channel_id: int, message_id: int, *, each_side: int = 3) -> list[dict[str, Any]]:
        """Messages just before and after one message in its channel, in id order (itself excluded)."""

    @abc.abstractmethod
    def cluster_messages(self, cluster_id: str, *, limit: int = 200) -> list[dict[str, Any]]:
        """Messages of one near-duplicate cluster, oldest first (a fallback view of a campaign)."""

    @abc.abstractmethod
    def entity_messages(
        self, value: str, entity_type: str | None = None, *, limit: int = 200
    ) -> list[dict[str, Any]]:
        """Messages carrying an entity value, newest first (a fallback view of an entity)."""


_MSG_COLS = "m.pk, m.channel_id, m.id, m.date, m.text, m.sender_key, m.cluster_id, m.media_kind"


class BrowseMixin(BrowseStore):
    """SQL for :class:`BrowseStore`; mixed into ``SQLStore`` (needs ``self.engine``)."""

    engine: Any

    def message_meta(self, pk: int) -> dict[str, Any]:
        with self.engine.connect() as conn:
            rows = _rows(conn, "SELECT lang, offer, cluster_id, norm_hash, analyzed FROM messages "
                               "WHERE pk = :p",
                         {"p": pk})  # fmt: skip
        return rows[0] if rows else {}

    def message_findings(self, pk: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return _rows(conn, "SELECT pk, category, score, evidence, source, created FROM findings "
                               "WHERE message_pk = :p ORDER BY score DESC, pk", {"p": pk})  # fmt: skip

    def finding(self, finding_pk: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            rows = _rows(conn, "SELECT pk, message_pk, category, score, source FROM findings WHERE pk = :p",
                         {"p": finding_pk})  # fmt: skip
        return rows[0] if rows else None

    def cluster_summary(self, cluster_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            # The aggregates clustering keeps (one row) rather than a scan of a 150k-post campaign; messages
            # labelled with a cluster no clustering run wrote (imported analyses) are counted as before.
            kept = _rows(conn, "SELECT size, channels, first_seen AS first, last_seen AS last FROM clusters "
                               "WHERE id = :k", {"k": cluster_id})  # fmt: skip
            if kept:
                return kept[0]
            return _rows(conn, "SELECT count(*) AS size, count(DISTINCT channel_id) AS channels, "
                               "min(date) AS first, max(date) AS last FROM messages WHERE cluster_id = :k",
                         {"k": cluster_id})[0]  # fmt: skip

    def triage_queue(
        self, categories: Sequence[str], *, limit: int = 50, min_score: float = 0.5
    ) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        with self.engine.connect() as conn:
            for category in categories:
                # (category, message_pk) index: walks newest messages of one category without sorting.
                out.extend(
                    _rows(
                        conn,
                        f"""
                    SELECT f.pk AS finding_pk, f.category, f.score, f.source, f.evidence, {_MSG_COLS},
                           c.title AS channel_title
                    FROM findings f JOIN messages m ON m.pk = f.message_pk
                    JOIN channels c ON c.id = m.channel_id
                    WHERE f.category = :c AND f.score >= :s AND f.source <> 'analyst'
                      AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.message_pk = f.message_pk
                                      AND l.category = f.category)
                    ORDER BY f.message_pk DESC LIMIT :n""",
                        {"c": category, "s": min_score, "n": limit},
                    )
                )
        return out

    def date_range(self) -> tuple[int, int] | None:
        with self.engine.connect() as conn:
            r = conn.execute(
                text("SELECT (SELECT min(date) FROM messages), (SELECT max(date) FROM messages)")
            ).first()
        return None if r is None or r[0] is None else (int(r[0]), int(r[1]))

    def daily_category_counts(self, since: int, until: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return _rows(
                conn,
                f"""
                SELECT (m.date / {DAY}) * {DAY} AS day, f.category AS category, count(DISTINCT m.pk) AS n
                FROM messages m LEFT JOIN findings f ON f.message_pk = m.pk AND f.score >= 0.5
                WHERE m.date >= :a AND m.date < :b AND m.kind = 'message'
                GROUP BY (m.date / {DAY}) * {DAY}, f.category ORDER BY day""",
                {"a": since, "b": until},
            )

    def recent_findings(self, *, limit: int = 10, min_score: float = 0.5) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return _rows(
                conn,
                f"""
                SELECT f.pk AS finding_pk, f.category, f.score, f.source, {_MSG_COLS},
                    c.title AS channel_title
                FROM findings f JOIN messages m ON m.pk = f.message_pk
                    JOIN channels c ON c.id = m.channel_id
                WHERE f.score >= :s ORDER BY f.pk DESC LIMIT :n""",
                {"s": min_score, "n": limit},
            )

    def channel_activity(self, channel_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return _rows(
                conn,
                f"""
                SELECT (date / {DAY}) * {DAY} AS day, count(*) AS n FROM messages WHERE channel_id = :c
                GROUP BY (date / {DAY}) * {DAY} ORDER BY day""",
                {"c": channel_id},
            )

    def channel_category_mix(self, channel_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return _rows(
                conn,
                """
                SELECT f.category, count(DISTINCT m.pk) AS n FROM messages m
                JOIN findings f ON f.message_pk = m.pk WHERE m.channel_id = :c AND f.score >= 0.5
                GROUP BY f.category ORDER BY n DESC""",
                {"c": channel_id},
            )

    def channel_top_clusters(self, channel_id: int, *, limit: int = 10) -> list[dict[str, Any]]:
        p = {"c": channel_id, "n": limit}
        with self.engine.connect() as conn:
            if conn.execute(text("SELECT 1 FROM clusters LIMIT 1")).first() is not None:
                # Clustering keeps posts and first message per cluster and channel, and the channels each
                # cluster reached: a few rows instead of a scan of a 100k-post channel's messages.
                top = _rows(conn, """
                    SELECT cc.cluster_id, cc.posts AS n, k.channels, cc.first_pk AS sample_pk
                    FROM cluster_channels cc JOIN clusters k ON k.id = cc.cluster_id
                    WHERE cc.channel_id = :c AND cc.posts > 1
                    ORDER BY cc.posts DESC, cc.cluster_id LIMIT :n""", p)  # fmt: skip
            else:  # cluster ids written by something other than clustering (imported analyses)
                top = _rows(conn, """
                    SELECT cluster_id, count(*) AS n, min(pk) AS sample_pk FROM messages
                    WHERE channel_id = :c AND cluster_id IS NOT NULL GROUP BY cluster_id HAVING count(*) > 1
                    ORDER BY n DESC, cluster_id LIMIT :n""", p)  # fmt: skip
                for row in top:
                    row["channels"] = conn.execute(
                        text("SELECT count(DISTINCT channel_id) FROM messages WHERE cluster_id = :k"),
                        {"k": row["cluster_id"]},
                    ).scalar_one()
            for row in top:
                row["sample"] = conn.execute(text("SELECT text FROM messages WHERE pk = :p"),
                                             {"p": row.pop("sample_pk")}).scalar_one()  # fmt: skip
        return [{"cluster_id": r["cluster_id"], "n": r["n"], "channels": r["channels"], "sample": r["sample"]}
                for r in top]  # fmt: skip

    def channel_top_actors(self, channel_id: int, *, limit: int = 10) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            # Counted on the (channel_id, sender_key) index first; names joined per actor, not per message.
            return _rows(
                conn,
                """
                SELECT g.key, a.name AS name, g.n FROM
                  (SELECT sender_key AS key, count(*) AS n FROM messages
                   WHERE channel_id = :c AND sender_key IS NOT NULL GROUP BY sender_key) g
                LEFT JOIN actors a ON a.key = g.key ORDER BY g.n DESC, g.key LIMIT :n""",
                {"c": channel_id, "n": limit},
            )

    def channel_links(self, channel_id: int, *, limit: int = 20) -> dict[str, list[dict[str, Any]]]:
        with self.engine.connect() as conn:
            ents = _rows(
                conn,
                f"""
                SELECT e.type, e.value, count(*) AS n FROM
                  (SELECT pk FROM messages WHERE channel_id = :c ORDER BY date DESC LIMIT {RECENT_WINDOW}) r
                JOIN entities e ON e.message_pk = r.pk
                WHERE e.type IN ('tme_link', 'username', 'onion', 'url')
                GROUP BY e.type, e.value ORDER BY n DESC LIMIT :n""",
                {"c": channel_id, "n": limit},
            )
            fwd = _rows(
                conn,
                """
                SELECT m.fwd_channel_id AS channel_id, c.title AS title, count(*) AS n FROM messages m
                LEFT JOIN channels c ON c.id = m.fwd_channel_id
                WHERE m.channel_id = :c AND m.fwd_channel_id IS NOT NULL AND m.fwd_channel_id <> :c
                GROUP BY m.fwd_channel_id, c.title ORDER BY n DESC LIMIT :n""",
                {"c": channel_id, "n": limit},
            )
        return {"entities": ents, "forwards_from": fwd}

    def actor(self, key: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            rows = _rows(conn, "SELECT key, name, username, first_seen, last_seen FROM actors WHERE key = :k",
                         {"k": key})  # fmt: skip
            if not rows:
                return None
            rows[0]["messages"] = conn.execute(
                text("SELECT count(*) FROM messages WHERE sender_key = :k"), {"k": key}
            ).scalar_one()
        return rows[0]

    def actor_trail(self, key: str, *, limit: int = 20) -> dict[str, list[dict[str, Any]]]:
        p = {"k": key, "n": limit}
        with self.engine.connect() as conn:
            # Campaigns from the per-cluster poster counts clustering keeps, where it ran (ties by id).
            clustered = conn.execute(text("SELECT 1 FROM clusters LIMIT 1")).first() is not None
            return {
                # Counted from the covering index first, titles joined per channel rather than per message.
                "channels": _rows(conn, """
                    SELECT m.channel_id, c.title, m.n FROM
                      (SELECT channel_id, count(*) AS n FROM messages WHERE sender_key = :k
                       GROUP BY channel_id) m
                    JOIN channels c ON c.id = m.channel_id ORDER BY m.n DESC, m.channel_id LIMIT :n""", p),
                "entities": _rows(conn, f"""
                    SELECT e.type, e.value, count(*) AS n FROM
                      (SELECT pk FROM messages WHERE sender_key = :k
                       ORDER BY date DESC LIMIT {RECENT_WINDOW}) m
                    JOIN entities e ON e.message_pk = m.pk
                    WHERE e.type NOT IN ('price', 'payment_method')
                    GROUP BY e.type, e.value ORDER BY n DESC LIMIT :n""", p),
                "campaigns": _rows(conn, """
                    SELECT cluster_id, posts AS n FROM cluster_actors WHERE sender_key = :k AND posts > 1
                    ORDER BY posts DESC, cluster_id LIMIT :n""" if clustered else """
                    SELECT cluster_id, count(*) AS n FROM messages
                    WHERE sender_key = :k AND cluster_id IS NOT NULL
                    GROUP BY cluster_id HAVING count(*) > 1 ORDER BY n DESC, cluster_id LIMIT :n""", p),
                "timeline": _rows(conn, f"""
                    SELECT (date / {DAY}) * {DAY} AS day, count(*) AS n FROM messages WHERE sender_key = :k
                    GROUP BY (date / {DAY}) * {DAY} ORDER BY day""", {"k": key}),
                "recent": _rows(conn, f"""
                    SELECT {_MSG_COLS} FROM messages m WHERE m.sender_key = :k
                    ORDER BY m.date DESC LIMIT :n""", p),
            }  # fmt: skip

    def neighbours(self, channel_id: int, message_id: int, *, each_side: int = 3) -> list[dict[str, Any]]:
        p = {"c": channel_id, "i": message_id, "n": each_side}
        with self.engine.connect() as conn:
            before = _rows(conn, f"SELECT {_MSG_COLS} FROM messages m WHERE m.channel_id = :c AND m.id < :i "
                                 "ORDER BY m.id DESC LIMIT :n", p)  # fmt: skip
            after = _rows(conn, f"SELECT {_MSG_COLS} FROM messages m WHERE m.channel_id = :c AND m.id > :i "
                                "ORDER BY m.id LIMIT :n", p)  # fmt: skip
        return [*reversed(before), *after]

    def cluster_messages(self, cluster_id: str, *, limit: int = 200) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return _rows(
                conn,
                f"""
                SELECT {_MSG_COLS}, c.title AS channel_title FROM messages m
                JOIN channels c ON c.id = m.channel_id
                WHERE m.cluster_id = :k ORDER BY m.date LIMIT :n""",
                {"k": cluster_id, "n": limit},
            )

    def entity_messages(
        self, value: str, entity_type: str | None = None, *, limit: int = 200
    ) -> list[dict[str, Any]]:
        # Without a type, name them all so the (type, value, message_pk) index still serves the lookup; the
        # newest messages come straight off that index, so a handle in 30k posts costs no sort.
        types = ", ".join(f"'{t}'" for t in ENTITY_TYPES)
        where = "value = :v AND " + ("type = :t" if entity_type else f"type IN ({types})")
        with self.engine.connect() as conn:
            return _rows(
                conn,
                f"""
                SELECT {_MSG_COLS}, c.title AS channel_title FROM
                  (SELECT DISTINCT message_pk FROM entities WHERE {where}
                   ORDER BY message_pk DESC LIMIT :n) e
                JOIN messages m ON m.pk = e.message_pk JOIN channels c ON c.id = m.channel_id
                ORDER BY m.pk DESC""",
                {"v": value, "t": entity_type, "n": limit},
            )
