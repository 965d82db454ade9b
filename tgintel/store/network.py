"""Reads behind the network analysis: who posted what where, which contact points each message carries,
which channels the monitored ones point at, and where one entity value occurs.

Lifecycle: ``tgintel analyze`` (the detect stages) fills ``entities``, ``findings`` and
``messages.cluster_id``; the network analysis (:mod:`tgintel.analyze.actors`, :mod:`tgintel.analyze.graph`,
:mod:`tgintel.analyze.discovery`, :mod:`tgintel.analyze.pivot`) streams these rows in row-key order, builds
its structures in memory and returns them. The streams are batched so memory follows what the analysis
keeps (one small tuple per message), not the message texts.

The one thing written here is a channel's default phone region (``tgintel channels region CHANNEL NL``):
:meth:`NetworkStore.set_channel_region` stores it and queues the channel's messages for analysis again, so
the next ``tgintel analyze`` reads their national-format numbers (``06 1234 5678``) as that country's;
:meth:`NetworkStore.channel_regions` is what ``analyze`` passes to the entity extractor.
"""

from __future__ import annotations

import abc
import time
from collections.abc import Iterator, Sequence
from typing import Any

import msgspec
import orjson
from sqlalchemy import BigInteger, Column, String, Table, bindparam, text

from tgintel.store.schema import metadata

# A channel's default region for phone numbers written without a country code (ISO 3166 alpha-2, as the
# phonenumbers library names regions), set by an analyst. No foreign key: a setting outlives a re-import.
channel_regions = Table(
    "channel_regions",
    metadata,
    Column("channel_id", BigInteger, primary_key=True, autoincrement=False),
    Column("region", String(2), nullable=False),
    Column("updated", BigInteger, nullable=False),  # Unix seconds
)


class NetMessage(msgspec.Struct, array_like=True, gc=False):
    """What the network needs of one message: no text, so the whole store fits in memory."""

    pk: int
    channel_id: int
    date: int  # Unix seconds
    sender_key: str | None
    sender_name: str | None
    author: str | None
    cluster_id: str | None
    offer: bool | None
    fwd_channel_id: int | None
    fwd_from: str | None
    fwd_key: str | None  # the original author's key of a forward ("user123", "channel456") when known


class EntityHit(msgspec.Struct, kw_only=True):
    """One occurrence of an entity value, with the message it sits in (text included, escaped by faces)."""

    message_pk: int
    type: str
    value: str
    start: int
    end: int
    channel_id: int
    message_id: int
    date: int
    sender_key: str | None
    sender_name: str | None
    author: str | None
    cluster_id: str | None
    text: str


class NetworkStore(abc.ABC):
    """Read-only streams for actors, graph, discovery and entity pivots; channels' phone regions."""

    @abc.abstractmethod
    def channel_regions(self) -> dict[int, str]:
        """Channel id -> its default phone region, for every channel that has one."""

    @abc.abstractmethod
    def set_channel_region(self, channel_id: int, region: str | None) -> int:
        """Set (``None``: clear) a channel's default phone region and queue its messages for analysis again
        when the region changes; returns how many messages were queued."""

    @abc.abstractmethod
    def channel_phone_numbers(self) -> Iterator[tuple[int, str]]:
        """Distinct ``(channel id, phone entity value)`` pairs: the evidence for a region suggestion."""

    @abc.abstractmethod
    def network_messages(self, *, batch_size: int = 20000) -> Iterator[list[NetMessage]]:
        """Every message (service messages excluded) as a :class:`NetMessage`, in row-key order, batched.
        ``fwd_key`` is read from the source record of forwards that carry the origin's id."""

    @abc.abstractmethod
    def network_entities(
        self, types: Sequence[str], *, batch_size: int = 50000
    ) -> Iterator[list[tuple[int, str, str]]]:
        """``(message_pk, type, value)`` of every stored entity of these types, in row-key order."""

    @abc.abstractmethod
    def network_categories(self, *, min_score: float = 0.5) -> Iterator[list[tuple[int, str, float]]]:
        """``(message_pk, category, score)`` of findings at or above ``min_score``."""

    @abc.abstractmethod
    def entity_hits(self, values: Sequence[tuple[str, str]], *, limit: int = 1000) -> list[EntityHit]:
        """Occurrences of any of these ``(type, value)`` pairs, oldest first, at most ``limit``. Uses the
        ``(type, value)`` index, so the cost follows the number of hits."""

    @abc.abstractmethod
    def entity_hit_count(self, values: Sequence[tuple[str, str]]) -> int:
        """How many occurrences :meth:`entity_hits` would return without a limit."""

    @abc.abstractmethod
    def entity_hit_groups(self, values: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
        """All occurrences of these pairs counted per ``(channel_id, sender_key, author, cluster_id)``, with
        ``n``, ``first`` and ``last`` (Unix seconds): the totals a pivot shows, whatever its message limit."""

    @abc.abstractmethod
    def entity_values_like(self, fragment: str, *, limit: int = 20) -> list[tuple[str, str, int]]:
        """``(type, value, occurrences)`` of stored values containing ``fragment`` (case-sensitive on
        PostgreSQL; values are stored normalised, mostly lowercase), most frequent first."""


_SELECT_NET = (
    "SELECT pk, channel_id, date, sender_key, sender_name, author, cluster_id, offer, fwd_channel_id, "
    "fwd_from, "
    "CASE WHEN fwd_from IS NOT NULL AND fwd_channel_id IS NULL THEN raw END AS raw FROM messages "
    "WHERE pk > :last AND kind = 'message' ORDER BY pk LIMIT :n"
)


def _fwd_key(fwd_channel_id: int | None, raw: str | None) -> str | None:
    if fwd_channel_id is not None:
        return f"channel{fwd_channel_id}"
    if raw:
        try:
            key = orjson.loads(raw).get("forwarded_from_id")
        except (orjson.JSONDecodeError, AttributeError):
            return None
        if isinstance(key, str) and key[:4] in ("user", "chat", "chan"):
            return key
    return None


class NetworkMixin(NetworkStore):
    """SQL for :class:`NetworkStore`; plain SQL both SQLite and PostgreSQL accept."""

    engine: Any

    def network_messages(self, *, batch_size: int = 20000) -> Iterator[list[NetMessage]]:
        last = 0
        q = text(_SELECT_NET)
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(q, {"last": last, "n": batch_size}).all()
            if not rows:
                return
            last = rows[-1].pk
            yield [
                NetMessage(
                    r.pk, r.channel_id, r.date, r.sender_key, r.sender_name, r.author, r.cluster_id,
                    None if r.offer is None else bool(r.offer), r.fwd_channel_id, r.fwd_from,
                    _fwd_key(r.fwd_channel_id, r.raw),
                )
                for r in rows
            ]  # fmt: skip

    def network_entities(
        self, types: Sequence[str], *, batch_size: int = 50000
    ) -> Iterator[list[tuple[int, str, str]]]:
        if not types:
            return
        # Keyset pagination on (message_pk, start): entities have no row key of their own.
        q = text(
            "SELECT message_pk, type, value, start FROM entities WHERE type IN :types AND "
            "(message_pk > :pk OR (message_pk = :pk AND start > :st)) ORDER BY message_pk, start LIMIT :n"
        ).bindparams(bindparam("types", expanding=True))
        pk, st = 0, -1
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(q, {"types": list(types), "pk": pk, "st": st, "n": batch_size}).all()
            if not rows:
                return
            pk, st = rows[-1].message_pk, rows[-1].start
            yield [(r.message_pk, r.type, r.value) for r in rows]

    def network_categories(self, *, min_score: float = 0.5) -> Iterator[list[tuple[int, str, float]]]:
        q = text(
            "SELECT pk, message_pk, category, score FROM findings WHERE score >= :s AND pk > :last "
            "ORDER BY pk LIMIT 50000"
        )
        last = 0
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(q, {"s": min_score, "last": last}).all()
            if not rows:
                return
            last = rows[-1].pk
            yield [(r.message_pk, r.category, float(r.score)) for r in rows]

    def _hit_where(self, values: Sequence[tuple[str, str]]) -> tuple[str, dict[str, Any]]:
        parts, params = [], {}
        for i, (t, v) in enumerate(values):
            parts.append(f"(e.type = :t{i} AND e.value = :v{i})")
            params[f"t{i}"], params[f"v{i}"] = t, v
        return " OR ".join(parts) or "1 = 0", params

    def entity_hits(self, values: Sequence[tuple[str, str]], *, limit: int = 1000) -> list[EntityHit]:
        where, params = self._hit_where(values)
        q = text(
            'SELECT e.message_pk, e.type, e.value, e.start, e."end", m.channel_id, m.id AS message_id, '
            "m.date, m.sender_key, m.sender_name, m.author, m.cluster_id, m.text FROM entities e "
            f"JOIN messages m ON m.pk = e.message_pk WHERE {where} ORDER BY m.date, e.message_pk LIMIT :n"
        )
        with self.engine.connect() as conn:
            rows = conn.execute(q, {**params, "n": limit}).all()
        return [EntityHit(**r._mapping) for r in rows]

    def entity_hit_count(self, values: Sequence[tuple[str, str]]) -> int:
        where, params = self._hit_where(values)
        with self.engine.connect() as conn:
            return int(
                conn.execute(text(f"SELECT count(*) FROM entities e WHERE {where}"), params).scalar_one()
            )

    def entity_hit_groups(self, values: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
        where, params = self._hit_where(values)
        q = text(
            "SELECT m.channel_id, m.sender_key, m.author, m.cluster_id, count(*) AS n, min(m.date) AS first, "
            "max(m.date) AS last FROM entities e JOIN messages m ON m.pk = e.message_pk "
            f"WHERE {where} GROUP BY m.channel_id, m.sender_key, m.author, m.cluster_id"
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q, params)]

    def entity_values_like(self, fragment: str, *, limit: int = 20) -> list[tuple[str, str, int]]:
        pattern = "%" + fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        q = text(
            "SELECT type, value, count(*) AS n FROM entities WHERE value LIKE :p ESCAPE '\\' "
            "GROUP BY type, value ORDER BY n DESC, value LIMIT :n"
        )
        with self.engine.connect() as conn:
            return [(r.type, r.value, int(r.n)) for r in conn.execute(q, {"p": pattern, "n": limit})]

    def channel_regions(self) -> dict[int, str]:
        with self.engine.connect() as conn:
            rows = conn.execute(text("SELECT channel_id, region FROM channel_regions")).all()
        return {int(r[0]): r[1] for r in rows}

    def set_channel_region(self, channel_id: int, region: str | None) -> int:
        with self.engine.begin() as conn:
            old = conn.execute(
                text("SELECT region FROM channel_regions WHERE channel_id = :c"), {"c": channel_id}
            ).scalar()
            if old == region:
                return 0
            conn.execute(text("DELETE FROM channel_regions WHERE channel_id = :c"), {"c": channel_id})
            if region is not None:
                conn.execute(
                    text("INSERT INTO channel_regions (channel_id, region, updated) VALUES (:c, :r, :t)"),
                    {"c": channel_id, "r": region, "t": int(time.time())},
                )
            # Entities are re-extracted with the new region by the next ``tgintel analyze``.
            queued = conn.execute(
                text("UPDATE messages SET analyzed = 0 WHERE channel_id = :c AND analyzed <> 0"),
                {"c": channel_id},
            )
            return int(queued.rowcount or 0)

    def channel_phone_numbers(self) -> Iterator[tuple[int, str]]:
        q = text(
            "SELECT DISTINCT m.channel_id, e.value FROM entities e JOIN messages m ON m.pk = e.message_pk "
            "WHERE e.type = 'phone' ORDER BY m.channel_id, e.value"
        )
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        for r in rows:
            yield int(r[0]), r[1]
