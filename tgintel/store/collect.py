"""The live collector's state: what to watch, what Telegram told us about each peer, and how far we got.

Four small tables, each answering one question the collector must never get wrong:

- ``watchlist``: which channels the analyst asked for, with tags, and whether they still exist for us
  (``active``, ``private``, ``deleted``, ``renamed``, ``invalid``). A channel that went private or away is
  marked once and skipped, instead of costing a request (and a flood wait) on every round forever.
- ``peers``: the channel id and access hash a username resolved to. Username resolution is the most
  rate-limited call of Telegram's API; with this cache a username is resolved once per database, not once per
  run.
- ``cursors``: the last message id stored per channel. It is written in the same transaction as the batch of
  messages it covers, so after a crash the collector resumes exactly after the last stored message: nothing is
  lost and nothing is fetched twice.
- ``requeue``: when a target may be tried again after a long FloodWait, so other channels continue meanwhile
  and the next run does not hammer the one Telegram told us to leave alone.

Lifecycle: ``tgintel watch add`` → :meth:`CollectStore.watch_add`; ``tgintel collect`` reads
:meth:`CollectStore.watch_list`, resolves unknown usernames (then :meth:`CollectStore.peer_save`), fetches
messages after :meth:`CollectStore.cursor_get` and stores each batch with
:meth:`CollectStore.save_collected_batch`.
"""

from __future__ import annotations

import abc
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import msgspec
import orjson
from sqlalchemy import BigInteger, Column, Index, String, Table, Text, text

from tgintel.model import Channel, Message
from tgintel.store.schema import metadata

if TYPE_CHECKING:  # interface.py imports this module for Store's bases
    from tgintel.store.interface import UpsertResult

WATCH_STATUSES = ("active", "private", "deleted", "renamed", "invalid")

watchlist = Table(
    "watchlist",
    metadata,
    # "@name" (lowercased) for public usernames, or the bare channel id as decimal text.
    Column("target", String(80), primary_key=True),
    Column("channel_id", BigInteger),
    Column("tags", Text),  # JSON list
    Column("added", BigInteger, nullable=False),
    Column("status", String(16), nullable=False, default="active"),
    Column("note", Text),
    Column("checked", BigInteger),
)

peers = Table(
    "peers",
    metadata,
    Column("channel_id", BigInteger, primary_key=True, autoincrement=False),
    Column("access_hash", BigInteger, nullable=False),
    Column("username", String(64)),  # lowercased, without @
    Column("title", Text),
    Column("kind", String(16)),
    Column("resolved_at", BigInteger, nullable=False),
)
Index("ix_peers_username", peers.c.username, unique=True)

cursors = Table(
    "cursors",
    metadata,
    Column("channel_id", BigInteger, primary_key=True, autoincrement=False),
    Column("last_id", BigInteger, nullable=False),
    Column("updated", BigInteger, nullable=False),
)

requeue = Table(
    "requeue",
    metadata,
    Column("target", String(80), primary_key=True),
    Column("not_before", BigInteger, nullable=False),
    Column("reason", Text),
)


class WatchEntry(msgspec.Struct, kw_only=True):
    target: str
    channel_id: int | None = None
    tags: list[str] = []
    added: int = 0
    status: str = "active"
    note: str | None = None
    checked: int | None = None


class Peer(msgspec.Struct, kw_only=True):
    """What one resolution told us; enough to address the channel without resolving again."""

    channel_id: int
    access_hash: int
    username: str | None = None
    title: str | None = None
    kind: str | None = None
    resolved_at: int = 0


class CollectStore(abc.ABC):
    """Watchlist, peer cache, per-channel cursors and the flood-wait requeue of the live collector."""

    @abc.abstractmethod
    def watch_add(self, targets: Sequence[str], *, tags: Sequence[str] = (), note: str | None = None
                  ) -> list[tuple[str, bool]]:  # fmt: skip
        """Add canonical targets (``@name`` or a bare channel id as text). Returns ``(target, new)`` pairs.

        Adding a target that is already watched merges the tags and sets it ``active`` again: re-adding is
        how an analyst says "try this one again" after it was marked private or deleted."""

    @abc.abstractmethod
    def watch_list(self, *, status: str | None = None) -> list[WatchEntry]:
        """Watched targets ordered by when they were added (then by name), optionally of one status."""

    @abc.abstractmethod
    def watch_remove(self, targets: Sequence[str]) -> int:
        """Stop watching these targets (their messages, cursor and peer cache stay). Returns how many were
        removed."""

    @abc.abstractmethod
    def watch_mark(self, target: str, *, status: str | None = None, channel_id: int | None = None,
                   note: str | None = None) -> None:  # fmt: skip
        """Record what collecting a target found out: its channel id once known, and a status with a note
        (``private``, ``deleted``, ``renamed`` — note says the new name —, ``invalid``)."""

    @abc.abstractmethod
    def peer_get(self, *, username: str | None = None, channel_id: int | None = None) -> Peer | None:
        """The cached resolution of a username (without ``@``, any case) or a channel id, or None."""

    @abc.abstractmethod
    def peer_save(self, peer: Peer) -> None:
        """Cache a resolution. A username now pointing at another channel moves to that channel."""

    @abc.abstractmethod
    def cursor_get(self, channel_id: int) -> int | None:
        """The highest message id stored by the collector for this channel, or None before the first batch."""

    @abc.abstractmethod
    def save_collected_batch(
        self, channel: Channel, messages: Sequence[Message], cursor: int
    ) -> UpsertResult:
        """Store a channel, one batch of its messages and the channel's new cursor in ONE transaction.

        The cursor never moves backwards. A crash before commit leaves neither messages nor cursor; after
        commit both are there, so the next run starts exactly after this batch."""

    @abc.abstractmethod
    def requeue_set(self, target: str, not_before: int, reason: str) -> None:
        """Do not try ``target`` before Unix time ``not_before`` (a flood wait or a budget ran out)."""

    @abc.abstractmethod
    def requeue_get(self) -> dict[str, tuple[int, str]]:
        """Every deferred target: ``target -> (not_before, reason)``."""

    @abc.abstractmethod
    def requeue_clear(self, target: str) -> None:
        """The target may be tried freely again."""


def _tags_json(tags: Iterable[str]) -> str | None:
    tags = sorted(set(tags))
    return orjson.dumps(tags).decode() if tags else None


class SQLCollectMixin(CollectStore):
    """SQL for :class:`CollectStore`; mixed into ``SQLStore`` (which supplies ``engine`` and
    ``_upsert_messages_in``)."""

    def watch_add(self, targets: Sequence[str], *, tags: Sequence[str] = (), note: str | None = None
                  ) -> list[tuple[str, bool]]:  # fmt: skip
        out: list[tuple[str, bool]] = []
        now = int(time.time())
        with self.engine.begin() as conn:  # type: ignore[attr-defined]
            for target in dict.fromkeys(targets):
                row = conn.execute(
                    text("SELECT tags FROM watchlist WHERE target = :t"), {"t": target}
                ).first()
                if row is None:
                    conn.execute(
                        text(
                            "INSERT INTO watchlist (target, channel_id, tags, added, status, note) "
                            "VALUES (:t, :c, :tags, :a, 'active', :n)"
                        ),
                        {
                            "t": target,
                            "c": int(target) if target.isdigit() else None,
                            "tags": _tags_json(tags),
                            "a": now,
                            "n": note,
                        },
                    )
                    out.append((target, True))
                else:
                    old = orjson.loads(row.tags) if row.tags else []
                    conn.execute(
                        text(
                            "UPDATE watchlist SET tags = :tags, status = 'active', "
                            "note = COALESCE(:n, note) WHERE target = :t"
                        ),
                        {"t": target, "tags": _tags_json([*old, *tags]), "n": note},
                    )
                    out.append((target, False))
        return out

    def watch_list(self, *, status: str | None = None) -> list[WatchEntry]:
        q = "SELECT * FROM watchlist" + (" WHERE status = :s" if status else "") + " ORDER BY added, target"
        with self.engine.connect() as conn:  # type: ignore[attr-defined]
            return [
                WatchEntry(
                    target=r.target, channel_id=r.channel_id, tags=orjson.loads(r.tags) if r.tags else [],
                    added=r.added, status=r.status, note=r.note, checked=r.checked,
                )
                for r in conn.execute(text(q), {"s": status})
            ]  # fmt: skip

    def watch_remove(self, targets: Sequence[str]) -> int:
        n = 0
        with self.engine.begin() as conn:  # type: ignore[attr-defined]
            for t in dict.fromkeys(targets):
                n += conn.execute(text("DELETE FROM watchlist WHERE target = :t"), {"t": t}).rowcount or 0
                conn.execute(text("DELETE FROM requeue WHERE target = :t"), {"t": t})
        return n

    def watch_mark(self, target: str, *, status: str | None = None, channel_id: int | None = None,
                   note: str | None = None) -> None:  # fmt: skip
        if status is not None and status not in WATCH_STATUSES:
            raise ValueError(f"unknown watch status {status!r}")
        with self.engine.begin() as conn:  # type: ignore[attr-defined]
            conn.execute(
                text(
                    "UPDATE watchlist SET status = COALESCE(:s, status), "
                    "channel_id = COALESCE(:c, channel_id), note = COALESCE(:n, note), checked = :now "
                    "WHERE target = :t"
                ),
                {"t": target, "s": status, "c": channel_id, "n": note, "now": int(time.time())},
            )

    def peer_get(self, *, username: str | None = None, channel_id: int | None = None) -> Peer | None:
        if username is not None:
            q, p = "SELECT * FROM peers WHERE username = :u", {"u": username.lstrip("@").lower()}
        elif channel_id is not None:
            q, p = "SELECT * FROM peers WHERE channel_id = :c", {"c": channel_id}
        else:
            raise ValueError("peer_get needs a username or a channel id")
        with self.engine.connect() as conn:  # type: ignore[attr-defined]
            r = conn.execute(text(q), p).first()
        if r is None:
            return None
        return Peer(channel_id=r.channel_id, access_hash=r.access_hash, username=r.username, title=r.title,
                    kind=r.kind, resolved_at=r.resolved_at)  # fmt: skip

    def peer_save(self, peer: Peer) -> None:
        username = peer.username.lstrip("@").lower() if peer.username else None
        with self.engine.begin() as conn:  # type: ignore[attr-defined]
            if username:
                conn.execute(
                    text("UPDATE peers SET username = NULL WHERE username = :u AND channel_id <> :c"),
                    {"u": username, "c": peer.channel_id},
                )
            conn.execute(
                text(
                    "INSERT INTO peers (channel_id, access_hash, username, title, kind, resolved_at) "
                    "VALUES (:c, :h, :u, :t, :k, :r) ON CONFLICT (channel_id) DO UPDATE SET "
                    "access_hash = excluded.access_hash, username = excluded.username, "
                    "title = COALESCE(excluded.title, peers.title), "
                    "kind = COALESCE(excluded.kind, peers.kind)"
                ),
                {"c": peer.channel_id, "h": peer.access_hash, "u": username, "t": peer.title, "k": peer.kind,
                 "r": peer.resolved_at or int(time.time())},
            )  # fmt: skip

    def cursor_get(self, channel_id: int) -> int | None:
        with self.engine.connect() as conn:  # type: ignore[attr-defined]
            v = conn.execute(
                text("SELECT last_id FROM cursors WHERE channel_id = :c"), {"c": channel_id}
            ).scalar_one_or_none()
        return None if v is None else int(v)

    def save_collected_batch(
        self, channel: Channel, messages: Sequence[Message], cursor: int
    ) -> UpsertResult:
        with self.engine.begin() as conn:  # type: ignore[attr-defined]
            self._upsert_channels_in(conn, [channel])  # type: ignore[attr-defined]
            result: UpsertResult = self._upsert_messages_in(conn, messages)  # type: ignore[attr-defined]
            conn.execute(
                text(
                    "INSERT INTO cursors (channel_id, last_id, updated) VALUES (:c, :l, :u) "
                    "ON CONFLICT (channel_id) DO UPDATE SET updated = excluded.updated, "
                    "last_id = CASE WHEN excluded.last_id > cursors.last_id "
                    "THEN excluded.last_id ELSE cursors.last_id END"
                ),
                {"c": channel.id, "l": cursor, "u": int(time.time())},
            )
        return result

    def requeue_set(self, target: str, not_before: int, reason: str) -> None:
        with self.engine.begin() as conn:  # type: ignore[attr-defined]
            conn.execute(
                text(
                    "INSERT INTO requeue (target, not_before, reason) VALUES (:t, :n, :r) "
                    "ON CONFLICT (target) DO UPDATE SET not_before = excluded.not_before, "
                    "reason = excluded.reason"
                ),
                {"t": target, "n": int(not_before), "r": reason},
            )

    def requeue_get(self) -> dict[str, tuple[int, str]]:
        with self.engine.connect() as conn:  # type: ignore[attr-defined]
            return {r.target: (r.not_before, r.reason) for r in conn.execute(text("SELECT * FROM requeue"))}

    def requeue_clear(self, target: str) -> None:
        with self.engine.begin() as conn:  # type: ignore[attr-defined]
            conn.execute(text("DELETE FROM requeue WHERE target = :t"), {"t": target})
