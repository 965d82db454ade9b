"""Hash lists, the hashes of media we saw (never the media) and the matches between them.

Lifecycle (in the manner of Meta's HMA ``storage/interface.py``):

1. ``tgintel hashlist import`` parses a list a partner gave the user and calls
   :meth:`HashStore.import_hashes` once per file: the list row (name, hash type, category, source, date) and
   all its hashes are stored in one transaction, so a failed import leaves nothing half-loaded. Importing
   into an existing list adds the new hashes; hashes already in the list are counted, not stored twice.
2. The matcher keeps an in-memory PDQ index (:mod:`tgintel.detect.hashindex`) built from
   :meth:`HashStore.iter_list_hashes`, persisted beside the database and refreshed incrementally: it asks
   :meth:`HashStore.list_hashlists` which lists exist now and with how many hashes, reads only the rows added
   since it was saved and drops the rows of removed lists. MD5/SHA-256 are matched here, with
   :meth:`HashStore.lookup_exact` (an indexed equality query: no in-memory structure needed).
3. When media of a stored message is hashed (live collector, opt-in) the hashes, the matches and one ``hash``
   finding per matching list are written with :meth:`HashStore.save_media_result`, atomically and
   idempotently (hashing the same message again replaces its previous result). ``hash`` findings survive
   re-analysis of the message text. The media bytes themselves never reach this module.
4. ``tgintel hashlist remove`` deletes a list with its hashes and matches (:meth:`HashStore.remove_hashlist`);
   findings it produced stay, as a record of what was reported.
"""

from __future__ import annotations

import abc
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime

import msgspec
import orjson
from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from tgintel.model import Finding
from tgintel.store.schema import RowKey, metadata

hashlists = Table(
    "hashlists",
    metadata,
    Column("id", RowKey, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False, unique=True),
    Column("type", String(16), nullable=False),  # a SIGNAL_TYPES name: pdq, md5, sha256
    Column("category", String(32)),  # taxonomy category a match reports, e.g. csam_indicator
    Column("source", Text),  # who gave the list (free text)
    Column("file", Text),  # file name it was last imported from
    Column("created", BigInteger, nullable=False),
    Column("updated", BigInteger, nullable=False),
    # never reuse ids or row keys: the PDQ index tells new rows and removed lists apart by them
    sqlite_autoincrement=True,
)

hashes = Table(
    "hashes",
    metadata,
    Column("pk", RowKey, primary_key=True, autoincrement=True),
    Column("list_id", RowKey, ForeignKey("hashlists.id", ondelete="CASCADE"), nullable=False),
    Column("value", String(64), nullable=False),  # lower-case hex
    Column("tags", Text),  # tags the list gave this hash (exchange formats), as written
    UniqueConstraint("list_id", "value", name="uq_hashes_list_value"),
    sqlite_autoincrement=True,
)
Index("ix_hashes_value", hashes.c.value)

media_hashes = Table(
    "media_hashes",
    metadata,
    Column("message_pk", RowKey, ForeignKey("messages.pk", ondelete="CASCADE"), primary_key=True,
           autoincrement=False),
    Column("pdq", String(64)),
    Column("quality", Integer),
    Column("md5", String(32), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("hashed", BigInteger, nullable=False),
)  # fmt: skip
Index("ix_media_hashes_md5", media_hashes.c.md5)
Index("ix_media_hashes_pdq", media_hashes.c.pdq)

matches = Table(
    "matches",
    metadata,
    Column("pk", RowKey, primary_key=True, autoincrement=True),
    Column("message_pk", RowKey, ForeignKey("messages.pk", ondelete="CASCADE"), nullable=False),
    Column("list_id", RowKey, ForeignKey("hashlists.id", ondelete="CASCADE"), nullable=False),
    Column("type", String(16), nullable=False),
    Column("value", String(64), nullable=False),  # the list's hash that matched
    Column("distance", Integer, nullable=False),
    Column("created", BigInteger, nullable=False),
)
Index("ix_matches_message", matches.c.message_pk)
Index("ix_matches_list", matches.c.list_id)


class HashList(msgspec.Struct, kw_only=True):
    id: int
    name: str
    type: str
    category: str | None
    source: str | None
    file: str | None
    created: datetime
    updated: datetime
    count: int
    max_pk: int  # largest hash row key in the list (0 when empty): lets the index see what is new


class HashImport(msgspec.Struct, kw_only=True):
    list_id: int
    created: bool  # a new list (False: hashes were added to an existing one)
    added: int
    duplicates: int  # hashes already in the list (or repeated in the file)


class HashMatch(msgspec.Struct, kw_only=True, frozen=True):
    """One list hash that matched a piece of media."""

    list_id: int
    list_name: str
    category: str | None
    type: str
    value: str
    distance: int


class MediaHashRow(msgspec.Struct, kw_only=True):
    message_pk: int
    pdq: str | None
    quality: int | None
    md5: str
    sha256: str
    hashed: datetime


class HashStore(abc.ABC):
    """Hash lists, media hashes of stored messages and their matches."""

    @abc.abstractmethod
    def import_hashes(
        self,
        name: str,
        type: str,
        rows: Iterable[tuple[str, str | None]],
        *,
        category: str | None = None,
        source: str | None = None,
        file: str | None = None,
    ) -> HashImport:
        """Create list ``name`` (or add to it) and store ``rows`` of ``(normalised value, tags)`` in one
        transaction. Adding to a list of another type raises ValueError and stores nothing. ``category`` and
        ``source`` given for an existing list replace the stored ones."""

    @abc.abstractmethod
    def list_hashlists(self, *, type: str | None = None) -> list[HashList]:
        """All lists (optionally of one type), ordered by name, with hash counts."""

    @abc.abstractmethod
    def hashlists_version(self) -> tuple[int, int, int]:
        """A cheap fingerprint that changes whenever any list is created, extended or removed (list ids and
        hash row keys are never reused), so a cached index knows when to refresh."""

    @abc.abstractmethod
    def remove_hashlist(self, name: str) -> bool:
        """Delete a list, its hashes and its matches; False if there was no such list."""

    @abc.abstractmethod
    def iter_list_hashes(
        self, list_id: int, *, after_pk: int = 0, batch_size: int = 100_000
    ) -> Iterator[list[tuple[int, str]]]:
        """Batches of ``(hash pk, value)`` of one list with pk > ``after_pk``, in pk order, streaming."""

    @abc.abstractmethod
    def lookup_exact(self, type: str, values: Sequence[str]) -> list[HashMatch]:
        """List hashes of this type equal to any of ``values`` (distance 0), across all lists."""

    @abc.abstractmethod
    def save_media_result(
        self,
        message_pk: int,
        *,
        pdq: str | None,
        quality: int | None,
        md5: str,
        sha256: str,
        found: Sequence[HashMatch],
        findings: Sequence[Finding],
    ) -> None:
        """Record the hashes of a message's media, its matches and its ``hash`` findings atomically,
        replacing any earlier result for this message (hashing again never duplicates)."""

    @abc.abstractmethod
    def media_hashes_for(self, pks: Sequence[int]) -> dict[int, MediaHashRow]:
        """Stored media hashes of these messages, by row key."""

    @abc.abstractmethod
    def matches_for(self, pks: Sequence[int]) -> dict[int, list[HashMatch]]:
        """Stored hash-list matches of these messages, by row key, closest first."""


def _dt(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


class SQLHashMixin(HashStore):
    """SQL for :class:`HashStore`; mixed into :class:`tgintel.store.sql.SQLStore`."""

    def import_hashes(
        self,
        name: str,
        type: str,
        rows: Iterable[tuple[str, str | None]],
        *,
        category: str | None = None,
        source: str | None = None,
        file: str | None = None,
    ) -> HashImport:
        now = int(time.time())
        with self.engine.begin() as conn:  # type: ignore[attr-defined]
            r = conn.execute(text("SELECT id, type FROM hashlists WHERE name = :n"), {"n": name}).first()
            if r is not None and r.type != type:
                raise ValueError(f"hash list {name!r} holds {r.type} hashes, not {type}")
            created = r is None
            if created:
                list_id = conn.execute(
                    text(
                        "INSERT INTO hashlists (name, type, category, source, file, created, updated) "
                        "VALUES (:n, :t, :c, :s, :f, :now, :now) RETURNING id"
                    ),
                    {"n": name, "t": type, "c": category, "s": source, "f": file, "now": now},
                ).scalar_one()
            else:
                list_id = r.id
                conn.execute(
                    text(
                        "UPDATE hashlists SET updated = :now, file = COALESCE(:f, file), "
                        "category = COALESCE(:c, category), source = COALESCE(:s, source) WHERE id = :id"
                    ),
                    {"now": now, "f": file, "c": category, "s": source, "id": list_id},
                )
            count_q = text("SELECT count(*) FROM hashes WHERE list_id = :l")
            before = conn.execute(count_q, {"l": list_id}).scalar_one()
            insert = text(
                "INSERT INTO hashes (list_id, value, tags) VALUES (:l, :v, :t) "
                "ON CONFLICT (list_id, value) DO NOTHING"
            )
            total = 0
            batch: list[dict[str, object]] = []
            for value, tags in rows:
                batch.append({"l": list_id, "v": value, "t": tags})
                total += 1
                if len(batch) >= 20_000:
                    conn.execute(insert, batch)
                    batch = []
            if batch:
                conn.execute(insert, batch)
            added = conn.execute(count_q, {"l": list_id}).scalar_one() - before
        return HashImport(list_id=list_id, created=created, added=added, duplicates=total - added)

    def list_hashlists(self, *, type: str | None = None) -> list[HashList]:
        q = (
            "SELECT l.id, l.name, l.type, l.category, l.source, l.file, l.created, l.updated, "
            "count(h.pk) AS n, COALESCE(max(h.pk), 0) AS max_pk FROM hashlists l "
            "LEFT JOIN hashes h ON h.list_id = l.id "
            + ("WHERE l.type = :t " if type else "")
            + "GROUP BY l.id, l.name, l.type, l.category, l.source, l.file, l.created, l.updated "
            + "ORDER BY l.name"
        )
        with self.engine.connect() as conn:  # type: ignore[attr-defined]
            return [
                HashList(id=r.id, name=r.name, type=r.type, category=r.category, source=r.source, file=r.file,
                         created=_dt(r.created), updated=_dt(r.updated), count=r.n, max_pk=r.max_pk)
                for r in conn.execute(text(q), {"t": type})
            ]  # fmt: skip

    def hashlists_version(self) -> tuple[int, int, int]:
        with self.engine.connect() as conn:  # type: ignore[attr-defined]
            n, top = conn.execute(text("SELECT count(*), COALESCE(max(id), 0) FROM hashlists")).one()
            last = conn.execute(text("SELECT COALESCE(max(pk), 0) FROM hashes")).scalar_one()
        return (int(n), int(top), int(last))

    def remove_hashlist(self, name: str) -> bool:
        with self.engine.begin() as conn:  # type: ignore[attr-defined]
            r = conn.execute(text("SELECT id FROM hashlists WHERE name = :n"), {"n": name}).first()
            if r is None:
                return False
            # explicit deletes: SQLite only cascades with foreign_keys=ON, and this must not depend on it
            conn.execute(text("DELETE FROM matches WHERE list_id = :i"), {"i": r.id})
            conn.execute(text("DELETE FROM hashes WHERE list_id = :i"), {"i": r.id})
            conn.execute(text("DELETE FROM hashlists WHERE id = :i"), {"i": r.id})
        return True

    def iter_list_hashes(
        self, list_id: int, *, after_pk: int = 0, batch_size: int = 100_000
    ) -> Iterator[list[tuple[int, str]]]:
        q = text("SELECT pk, value FROM hashes WHERE list_id = :l AND pk > :a ORDER BY pk LIMIT :n")
        last = after_pk
        while True:
            with self.engine.connect() as conn:  # type: ignore[attr-defined]
                rows = [(r.pk, r.value) for r in conn.execute(q, {"l": list_id, "a": last, "n": batch_size})]
            if not rows:
                return
            last = rows[-1][0]
            yield rows

    def lookup_exact(self, type: str, values: Sequence[str]) -> list[HashMatch]:
        out: list[HashMatch] = []
        with self.engine.connect() as conn:  # type: ignore[attr-defined]
            for i in range(0, len(values), 500):
                params = {f"v{j}": v for j, v in enumerate(values[i : i + 500])}
                q = text(
                    "SELECT l.id, l.name, l.category, h.value FROM hashes h "
                    "JOIN hashlists l ON l.id = h.list_id "
                    "WHERE l.type = :t AND h.value IN ("
                    + ", ".join(":" + k for k in params)
                    + ") ORDER BY l.name"
                )
                out.extend(
                    HashMatch(list_id=r.id, list_name=r.name, category=r.category, type=type, value=r.value,
                              distance=0)
                    for r in conn.execute(q, {"t": type, **params})
                )  # fmt: skip
        return out

    def save_media_result(
        self,
        message_pk: int,
        *,
        pdq: str | None,
        quality: int | None,
        md5: str,
        sha256: str,
        found: Sequence[HashMatch],
        findings: Sequence[Finding],
    ) -> None:
        now = int(time.time())
        with self.engine.begin() as conn:  # type: ignore[attr-defined]
            conn.execute(
                text(
                    "INSERT INTO media_hashes (message_pk, pdq, quality, md5, sha256, hashed) "
                    "VALUES (:m, :p, :q, :md5, :sha, :t) ON CONFLICT (message_pk) DO UPDATE SET "
                    "pdq = excluded.pdq, quality = excluded.quality, md5 = excluded.md5, "
                    "sha256 = excluded.sha256, hashed = excluded.hashed"
                ),
                {"m": message_pk, "p": pdq, "q": quality, "md5": md5, "sha": sha256, "t": now},
            )
            conn.execute(text("DELETE FROM matches WHERE message_pk = :m"), {"m": message_pk})
            conn.execute(
                text("DELETE FROM findings WHERE message_pk = :m AND source = 'hash'"), {"m": message_pk}
            )
            if found:
                conn.execute(
                    text(
                        "INSERT INTO matches (message_pk, list_id, type, value, distance, created) "
                        "VALUES (:m, :l, :t, :v, :d, :now)"
                    ),
                    [{"m": message_pk, "l": f.list_id, "t": f.type, "v": f.value, "d": f.distance, "now": now}
                     for f in found],
                )  # fmt: skip
            if findings:
                conn.execute(
                    text(
                        "INSERT INTO findings (message_pk, category, score, evidence, source, created) "
                        "VALUES (:m, :c, :s, :e, 'hash', :now)"
                    ),
                    [{"m": message_pk, "c": f.category, "s": float(f.score),
                      "e": orjson.dumps(f.evidence).decode() if f.evidence else None, "now": now}
                     for f in findings],
                )  # fmt: skip

    def media_hashes_for(self, pks: Sequence[int]) -> dict[int, MediaHashRow]:
        out: dict[int, MediaHashRow] = {}
        with self.engine.connect() as conn:  # type: ignore[attr-defined]
            for i in range(0, len(pks), 500):
                ids = ",".join(str(int(p)) for p in pks[i : i + 500])
                for r in conn.execute(text(f"SELECT * FROM media_hashes WHERE message_pk IN ({ids})")):
                    out[r.message_pk] = MediaHashRow(
                        message_pk=r.message_pk, pdq=r.pdq, quality=r.quality, md5=r.md5, sha256=r.sha256,
                        hashed=_dt(r.hashed),
                    )  # fmt: skip
        return out

    def matches_for(self, pks: Sequence[int]) -> dict[int, list[HashMatch]]:
        out: dict[int, list[HashMatch]] = {}
        with self.engine.connect() as conn:  # type: ignore[attr-defined]
            for i in range(0, len(pks), 500):
                ids = ",".join(str(int(p)) for p in pks[i : i + 500])
                q = text(
                    "SELECT m.message_pk, m.list_id, l.name, l.category, m.type, m.value, m.distance "
                    "FROM matches m JOIN hashlists l ON l.id = m.list_id "
                    f"WHERE m.message_pk IN ({ids}) ORDER BY m.message_pk, m.distance, l.name"
                )
                for r in conn.execute(q):
                    out.setdefault(r.message_pk, []).append(
                        HashMatch(list_id=r.list_id, list_name=r.name, category=r.category, type=r.type,
                                  value=r.value, distance=r.distance)
                    )  # fmt: skip
        return out
