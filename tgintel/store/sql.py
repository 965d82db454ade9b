"""The SQL implementation of the store, for SQLite (embedded default) and PostgreSQL (teams).

One code path for both: plain SQL that both dialects accept (``INSERT … ON CONFLICT … DO UPDATE``), bound
through SQLAlchemy so the parameter style is handled for us. Migrations run on open (Alembic, to every head),
so a database written by an older tgintel is upgraded in place.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice
from operator import itemgetter, le
from pathlib import Path
from typing import Any

import msgspec
import orjson
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine

from tgintel.model import Channel, Entity, Finding, Markup, Media, Message
from tgintel.store.browse import BrowseMixin
from tgintel.store.bulk import BulkAnalysisMixin
from tgintel.store.campaign_counts import CampaignCountsMixin
from tgintel.store.clusters import SQLClusterMixin
from tgintel.store.collect import SQLCollectMixin
from tgintel.store.deferred_index import DeferredIndexMixin
from tgintel.store.hashes import SQLHashMixin
from tgintel.store.interface import Analysis, ChannelStats, Store, UpsertResult
from tgintel.store.labels import SQLLabelsMixin
from tgintel.store.network import NetworkMixin
from tgintel.store.search import SearchMixin
from tgintel.store.study import SQLStudyMixin
from tgintel.store.web import WebMixin

MIGRATIONS = Path(__file__).parent / "migrations"

_markup_dec = msgspec.json.Decoder(list[Markup])
_media_dec = msgspec.json.Decoder(Media)
_media_enc = msgspec.json.Encoder()


class StoreError(Exception):
    """A store problem worth one clear line to the user (bad URL, unreachable server, newer schema)."""


_SQLITE_USER_FIXABLE = (
    "SQLITE_FULL", "SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CORRUPT",
    "SQLITE_NOTADB", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_NOMEM", "SQLITE_NOLFS", "SQLITE_AUTH",
)  # fmt: skip


def database_error_line(exc: BaseException) -> str | None:
    """One line for a database failure that the user, not the code, can fix: a full disk, a lock held too
    long by another writer, an I/O error, a read-only or damaged file, a server gone away. None for anything
    else (a bug: its traceback is what a report needs). Such failures roll back the statement's transaction,
    so everything committed before it (earlier ingest batches) stays, and commands are safe to run again."""
    orig = getattr(exc, "orig", None) or exc
    if isinstance(orig, sqlite3.Error):
        # SQLite files syntax errors and missing tables under OperationalError too: its result code tells
        # the environment (full, busy, I/O, read-only, damaged…) from the code's own mistakes (SQLITE_ERROR)
        name = str(getattr(orig, "sqlite_errorname", "") or "")
        if not name.startswith(_SQLITE_USER_FIXABLE):
            return None
    else:
        try:
            import psycopg
        except ImportError:  # pragma: no cover - psycopg is a dependency
            return None
        if not isinstance(orig, psycopg.OperationalError):  # the server or the connection to it
            return None
    return (f"database: {_first_line(orig)} (what was committed before is kept; fix the cause and run the "
            "command again)")  # fmt: skip


def resolve_url(db: str | None) -> str:
    """Turn ``--db`` (a file path or a URL) into an SQLAlchemy URL."""
    db = db or "tgintel.sqlite"
    if db.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + db.split("://", 1)[1]
    if "://" in db:
        return db
    return "sqlite:///" + str(Path(db).expanduser().absolute())


def _ts(dt: datetime | None) -> int | None:
    return None if dt is None else int(dt.timestamp())


def _dt(ts: int | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, tz=UTC)


def _iso(ts: int | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, tz=UTC).isoformat().replace("+00:00", "Z")


def _json(value: Any) -> str | None:
    if value is None or value == [] or value == {}:
        return None
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


MESSAGE_COLUMNS = (
    "channel_id", "id", "date", "kind", "text", "markup", "sender_key", "sender_name", "author", "action",
    "edited", "reply_to", "fwd_channel_id", "fwd_msg_id", "fwd_from", "fwd_date", "via_bot", "views",
    "forwards", "grouped_id", "reactions", "media_kind", "media", "raw", "digest",
)  # fmt: skip


def message_values(m: Message) -> tuple[Any, ...]:
    """The column values of one message in ``MESSAGE_COLUMNS`` order; the last, ``digest``, fingerprints the
    others so that unchanged rows are skipped. A tuple, not a dict: this runs once per message on ingest."""
    media = m.media
    edited = m.edited
    fwd_date = m.fwd_date
    vals = (
        m.channel_id, m.id, int(m.date.timestamp()), m.kind, m.text,
        _media_enc.encode(m.markup).decode() if m.markup else None,
        m.sender_key, m.sender_name, m.author, m.action,
        None if edited is None else int(edited.timestamp()),
        m.reply_to, m.fwd_channel_id, m.fwd_msg_id, m.fwd_from,
        None if fwd_date is None else int(fwd_date.timestamp()),
        m.via_bot, m.views, m.forwards, m.grouped_id,
        _json(m.reactions) if m.reactions else None,
        media.kind if media else None,
        _media_enc.encode(media).decode() if media else None,
        _json(m.raw) if m.raw else None,
    )  # fmt: skip
    return (*vals, hashlib.blake2b(orjson.dumps(vals), digest_size=8).hexdigest())


_NO_DETAILS = (None,) * 13  # edited … media: what a message with only the core fields lacks


def core_message_values(
    channel_id: int, id: int, date: datetime, kind: str, text: str, markup: list[Markup] | None,
    sender_key: str | None, sender_name: str | None, action: str | None, raw: dict[str, Any] | None,
) -> tuple[Any, ...]:  # fmt: skip
    """:func:`message_values` of a Message with only these fields set, without building the Message
    (ingest's common case; ``tgintel.sources.desktop_export.RowMaker``). The same tuple, digest included:
    tests/ingest/test_ingest_fast_paths.py compares the two on every message shape."""
    vals = (
        channel_id, id, int(date.timestamp()), kind, text,
        _media_enc.encode(markup).decode() if markup else None,
        sender_key, sender_name, None, action, *_NO_DETAILS, _json(raw) if raw else None,
    )  # fmt: skip
    return (*vals, hashlib.blake2b(orjson.dumps(vals), digest_size=8).hexdigest())


def seal_message_values(vals: tuple[Any, ...]) -> tuple[Any, ...]:
    """The row of a message whose other column values (``MESSAGE_COLUMNS`` but ``digest``, in order) are
    ``vals``: ``vals`` with the digest :func:`message_values` computes appended. Ingest builds ``vals``
    straight from the export (``tgintel.sources.desktop_export.to_row``); tests/ingest/test_ingest_rows.py
    holds its rows equal to :func:`message_values`'s on generated messages."""
    return (*vals, hashlib.blake2b(orjson.dumps(vals), digest_size=8).hexdigest())


def message_row(m: Message) -> dict[str, Any]:
    """The column values of one message by name; ``digest`` fingerprints them to skip unchanged rows."""
    return dict(zip(MESSAGE_COLUMNS, message_values(m), strict=True))


def row_message(r: Any) -> Message:
    """Rebuild a Message from a row that has the MESSAGE_COLUMNS."""
    return Message(
        channel_id=r.channel_id,
        id=r.id,
        date=datetime.fromtimestamp(r.date, tz=UTC),
        kind=r.kind,
        text=r.text,
        markup=_markup_dec.decode(r.markup) if r.markup else [],
        sender_key=r.sender_key,
        sender_name=r.sender_name,
        author=r.author,
        action=r.action,
        edited=_dt(r.edited),
        reply_to=r.reply_to,
        fwd_channel_id=r.fwd_channel_id,
        fwd_msg_id=r.fwd_msg_id,
        fwd_from=r.fwd_from,
        fwd_date=_dt(r.fwd_date),
        via_bot=r.via_bot,
        views=r.views,
        forwards=r.forwards,
        grouped_id=r.grouped_id,
        reactions=orjson.loads(r.reactions) if r.reactions else None,
        media=_media_dec.decode(r.media) if r.media else None,
        raw=orjson.loads(r.raw) if r.raw else None,
    )


# Fields that only some sources know (a Desktop export has no view counts, album ids or forward origin post):
# a copy that lacks them must not erase what a richer copy (the live collector) stored before.
SOURCE_DEPENDENT = frozenset({"views", "forwards", "grouped_id", "fwd_channel_id", "fwd_msg_id", "fwd_date"})
_UPDATE_SET = (
    ", ".join(
        f"{c} = COALESCE(excluded.{c}, messages.{c})" if c in SOURCE_DEPENDENT else f"{c} = excluded.{c}"
        for c in MESSAGE_COLUMNS[2:]
    )
    + ", analyzed = CASE WHEN messages.text = excluded.text THEN messages.analyzed ELSE 0 END"
    + " WHERE messages.digest <> excluded.digest"
)
_UPSERT = text(
    "INSERT INTO messages (" + ", ".join(MESSAGE_COLUMNS) + ", analyzed) VALUES ("
    + ", ".join(":" + c for c in MESSAGE_COLUMNS)
    + ", 0) ON CONFLICT (channel_id, id) DO UPDATE SET "
    + _UPDATE_SET
)
_LEAN_ALL = (
    "SELECT pk, channel_id, id, date, kind, text, sender_key, fwd_channel_id, fwd_msg_id, media "
    "FROM messages WHERE pk > :last ORDER BY pk LIMIT :n"
)
_LEAN_QUEUE = _LEAN_ALL.replace("WHERE pk > :last", "WHERE pk > :last AND analyzed = 0")
_SELECT_MESSAGE = "SELECT pk, " + ", ".join(MESSAGE_COLUMNS) + " FROM messages"
# The same upsert for the raw sqlite3 cursor (positional parameters, tuples): SQLAlchemy's per-row parameter
# processing was a third of the ingest time.
_UPSERT_QMARK = (
    "INSERT INTO messages (" + ", ".join(MESSAGE_COLUMNS) + ", analyzed) VALUES ("
    + ", ".join("?" for _ in MESSAGE_COLUMNS)
    + ", 0) ON CONFLICT (channel_id, id) DO UPDATE SET "
    + _UPDATE_SET
)
_INSERT_QMARK = (
    "INSERT INTO messages (" + ", ".join(MESSAGE_COLUMNS) + ", analyzed) VALUES ("
    + ", ".join("?" for _ in MESSAGE_COLUMNS) + ", 0)"
)
_FTS_NEW = "INSERT INTO messages_fts(rowid, text) SELECT pk, text FROM messages WHERE pk > ?"
_DIGESTS = "SELECT id, digest FROM messages WHERE channel_id = ? AND id BETWEEN ? AND ?"
_DIGESTS_NAMED = text("SELECT id, digest FROM messages WHERE channel_id = :a AND id BETWEEN :b AND :c")
_ACTORS = (
    "INSERT INTO actors (key, name, first_seen, last_seen) VALUES (:k, :n, :f, :l) "
    "ON CONFLICT (key) DO UPDATE SET name = COALESCE(excluded.name, actors.name), "
    "first_seen = CASE WHEN excluded.first_seen < actors.first_seen "
    "THEN excluded.first_seen ELSE actors.first_seen END, "
    "last_seen = CASE WHEN excluded.last_seen > actors.last_seen "
    "THEN excluded.last_seen ELSE actors.last_seen END"
)
_I_CHANNEL, _I_ID, _I_DATE, _I_SENDER, _I_SENDER_NAME = 0, 1, 2, 6, 7
_channel_of, _id_of, _date_of = itemgetter(_I_CHANNEL), itemgetter(_I_ID), itemgetter(_I_DATE)
_sender_of = itemgetter(_I_SENDER)

#: What a row made for :meth:`SQLStore.upsert_message_rows` may hold instead of None in a NULL column
#: (``tgintel.sources.desktop_export.to_row`` writes it in the slots it knows are empty). Why: Python's
#: sqlite3 binds None through its adapter lookup, ~76 ns a value even with the adapter registered below, and
#: a row has ~17 NULLs; a float binds as fast as an int, and SQLite stores a bound NaN as NULL (``typeof``
#: is 'null'; tests/ingest/test_row_null.py). The bench's rows bound 3.9 -> 2.5 µs a row (executemany, 600k
#: rows). orjson writes NaN as ``null``, so the digest is that of the row with None. Never in channel_id,
#: id, date, sender_key or sender_name: the store reads those in Python. PostgreSQL's driver would send a
#: NaN, so rows go there through :func:`row_nulls_to_none`.
ROW_NULL = float("nan")


def row_nulls_to_none(row: Sequence[Any]) -> tuple[Any, ...]:
    """``row`` with None wherever it holds :data:`ROW_NULL` (any NaN): the row as the database stores it."""
    return tuple(None if v != v else v for v in row)  # only a NaN differs from itself


def _senders_fast(rows: list[tuple[Any, ...]]) -> dict[str, list[Any]] | None:
    """What :meth:`SQLStore._touch_actors` computes per sender, from C-level passes over the batch, or None
    when its shortcut does not hold. An export lists a chat in date order, so a sender's first and last rows
    carry its first and last dates, and the name of its last row is, nearly always, its newest non-empty one.
    Rows out of date order, or a sender whose last row has no name, take the per-row loop (same answers; the
    loop cost ~0.4 µs a row, bench/ingest.py)."""
    dates = list(map(_date_of, rows))
    if not all(map(le, dates, islice(dates, 1, None))):
        return None
    last = dict(zip(map(_sender_of, rows), rows, strict=True))
    last.pop(None, None)
    if not all(r[_I_SENDER_NAME] for r in last.values()):
        return None
    first = dict(zip(map(_sender_of, reversed(rows)), map(_date_of, reversed(rows)), strict=True))
    return {k: [r[_I_SENDER_NAME], first[k], r[_I_DATE]] for k, r in last.items()}

# Binding None through Python's sqlite3 costs ~0.4 µs per value (it probes for __adapt__/__conform__ and
# swallows two AttributeErrors); a registered adapter short-circuits the probe, and ``{}.get`` returns None
# without a Python frame. Most message columns are NULL: measured 10.9 -> 4.3 µs for a row of 25 NULLs.
sqlite3.register_adapter(type(None), {}.get)


#: Page size of a NEW SQLite store (SQLite's default is 4 KB; an existing file keeps its own: in WAL mode
#: only a VACUUM after leaving WAL could change it). Why: an import writes every page to the WAL, copies it
#: into the database at each checkpoint, and its bulk build reads the whole table back once per deferred
#: index and for the FTS rebuild, one system call per page each time. 16 KB pages cut the system calls of a
#: 200,000-message import from 229,000 to 56,000 and its kernel time by about a quarter, its user time
#: within the noise (docs/benchmarks.md, "Ingest, fifth pass"). Not larger: a page is also what a point
#: lookup (a web page's message, an FTS leaf) copies from the OS.
PAGE_SIZE = 16384


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    if cur.execute("PRAGMA page_count").fetchone()[0] == 0:  # a new, empty database
        cur.execute(f"PRAGMA page_size={PAGE_SIZE}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.execute("PRAGMA cache_size=-65536")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to every head revision; cheap when it is already there."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(cfg)
    heads = set(script.get_heads())
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    if current == heads:
        return
    unknown = current - {r.revision for r in script.walk_revisions()}
    if unknown:
        raise StoreError(
            f"database schema {sorted(unknown)} is newer than this tgintel knows; upgrade tgintel"
        )
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")


class SQLStore(
    SQLLabelsMixin, SQLCollectMixin, SQLHashMixin, BrowseMixin, SearchMixin, WebMixin, SQLClusterMixin,
    CampaignCountsMixin, NetworkMixin, SQLStudyMixin, DeferredIndexMixin, BulkAnalysisMixin, Store,
):
    """Store on SQLite or PostgreSQL. Create with :func:`tgintel.store.open_store`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.dialect = self.engine.dialect.name
        try:
            # a killed bulk import's indexes first: they belong to the schema the migrations expect
            self._recover_bulk_import()
            migrate(self.engine)
        except StoreError:
            raise
        except Exception as exc:  # connection refused, not a database, permissions…
            raise StoreError(f"cannot open database {self.display_url}: {_first_line(exc)}") from exc

    @property
    def display_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def connect(self) -> Connection:
        return self.engine.connect()

    def begin(self) -> Any:
        return self.engine.begin()

    # -- channels -----------------------------------------------------------------------------------
    def upsert_channels(self, channels: Iterable[Channel]) -> None:
        with self.engine.begin() as conn:
            self._upsert_channels_in(conn, channels)

    def _upsert_channels_in(self, conn: Connection, channels: Iterable[Channel]) -> None:
        """:meth:`upsert_channels` inside the caller's transaction (the collector stores channel, messages and
        cursor atomically)."""
        rows = [
            {"id": c.id, "title": c.title, "username": c.username, "kind": c.kind, "source": c.source,
             "raw": _json(c.raw)}
            for c in channels
        ]  # fmt: skip
        if not rows:
            return
        conn.execute(
            text(
                "INSERT INTO channels (id, title, username, kind, source, raw) "
                "VALUES (:id, :title, :username, :kind, :source, :raw) ON CONFLICT (id) DO UPDATE SET "
                "title = excluded.title, username = COALESCE(excluded.username, channels.username), "
                "kind = excluded.kind, raw = COALESCE(excluded.raw, channels.raw)"
            ),
            rows,
        )

    def _channel(self, r: Any) -> Channel:
        return Channel(
            id=r.id, title=r.title, username=r.username, kind=r.kind, source=r.source,
            raw=orjson.loads(r.raw) if r.raw else None,
        )  # fmt: skip

    def get_channel(self, channel_id: int) -> Channel | None:
        with self.engine.connect() as conn:
            r = conn.execute(text("SELECT * FROM channels WHERE id = :id"), {"id": channel_id}).first()
        return self._channel(r) if r else None

    def list_channels(self) -> list[Channel]:
        with self.engine.connect() as conn:
            return [self._channel(r) for r in conn.execute(text("SELECT * FROM channels ORDER BY id"))]

    # -- messages -----------------------------------------------------------------------------------
    def upsert_messages(self, messages: Sequence[Message]) -> UpsertResult:
        if not messages:
            return UpsertResult()
        with self.engine.begin() as conn:
            return self._upsert_messages_in(conn, messages)

    def upsert_message_rows(self, rows: Sequence[tuple[Any, ...]]) -> UpsertResult:
        """:meth:`upsert_messages` for rows already made by :func:`message_values` or
        :func:`core_message_values` (ingest builds them while parsing; see ``RowMaker``)."""
        if not rows:
            return UpsertResult()
        with self.engine.begin() as conn:
            return self._upsert_rows_in(conn, rows)

    def _upsert_messages_in(self, conn: Connection, messages: Sequence[Message]) -> UpsertResult:
        """:meth:`upsert_messages` inside the caller's transaction."""
        if not messages:
            return UpsertResult()
        return self._upsert_rows_in(conn, [message_values(m) for m in messages])

    def _upsert_rows_in(self, conn: Connection, rows: Sequence[tuple[Any, ...]]) -> UpsertResult:
        result = UpsertResult()
        # Last one wins inside a batch, as it would across batches; rows keep the order of first appearance
        # (it decides the row keys). Ingest's batches hold one channel each: then the grouping is C-level
        # dict building, not a Python step per row (bench/ingest.py; docs/ingest.md).
        channels = set(map(_channel_of, rows))
        if len(channels) == 1:
            groups = [(rows[0][_I_CHANNEL], dict(zip(map(_id_of, rows), rows, strict=True)))]
        else:
            by_channel: dict[int, dict[int, tuple[Any, ...]]] = defaultdict(dict)
            for r in rows:
                by_channel[r[_I_CHANNEL]][r[_I_ID]] = r
            groups = list(by_channel.items())
        cur = None
        if self.dialect == "sqlite":
            raw = conn.connection.driver_connection
            cur = raw.cursor()
            if not raw.in_transaction:
                # Take the write lock before reading digests, so the decision insert/update/unchanged and the
                # FTS rows below can't race another writer.
                cur.execute("BEGIN IMMEDIATE")
        todo: list[tuple[Any, ...]] = []
        fresh: list[tuple[Any, ...]] = []
        distinct = 0
        for channel_id, by_id in groups:
            distinct += len(by_id)
            args = (channel_id, min(by_id), max(by_id))
            if cur is not None:
                stored = dict(cur.execute(_DIGESTS, args).fetchall())
            else:
                stored = dict(conn.execute(_DIGESTS_NAMED, dict(zip("abc", args, strict=True))).all())
            if not stored:  # a new stretch of the chat (every batch of a first import): all rows are new
                fresh.extend(by_id.values())
                result.inserted += len(by_id)
                continue
            for mid, r in by_id.items():
                old = stored.get(mid)
                if old is None:
                    result.inserted += 1
                    fresh.append(r)
                elif old != r[-1]:
                    result.updated += 1
                    todo.append(r)
                else:
                    result.unchanged += 1
        result.unchanged += len(rows) - distinct
        if not (todo or fresh):
            return result
        if cur is not None:
            # We hold the write lock, so rows absent a moment ago are still absent: a plain INSERT is safe and
            # measured 2.5x cheaper than the same rows through ON CONFLICT. New rows get row keys above
            # today's largest (INTEGER PRIMARY KEY), so one INSERT … SELECT indexes them all in FTS; a
            # per-row trigger made inserts 4x slower. Updates keep their trigger.
            if fresh and self._bulk_lock is not None:
                cur.executemany(_INSERT_QMARK, fresh)  # bulk mode: FTS is built once at the end
            elif fresh:
                before = cur.execute("SELECT coalesce(max(pk), 0) FROM messages").fetchone()[0]
                cur.executemany(_INSERT_QMARK, fresh)
                cur.execute(_FTS_NEW, (before,))
            if todo:
                cur.executemany(_UPSERT_QMARK, todo)
        else:
            conn.execute(
                _UPSERT,
                [dict(zip(MESSAGE_COLUMNS, row_nulls_to_none(r), strict=True)) for r in fresh + todo],
            )
        self._touch_actors(conn, fresh + todo if todo else fresh, cur)
        return result

    def _touch_actors(self, conn: Connection, rows: list[tuple[Any, ...]], cur: Any = None) -> None:
        """Each sender's newest non-empty name and first and last dates, merged into ``actors``."""
        seen = _senders_fast(rows)
        if seen is None:
            seen = {}
            for r in rows:
                key = r[_I_SENDER]
                if key is None:
                    continue
                name, date = r[_I_SENDER_NAME], r[_I_DATE]
                a = seen.get(key)
                if a is None:
                    seen[key] = [name, date, date]
                else:
                    if name:
                        a[0] = name
                    if date < a[1]:
                        a[1] = date
                    if date > a[2]:
                        a[2] = date
        if not seen:
            return
        params = [{"k": k, "n": v[0], "f": v[1], "l": v[2]} for k, v in seen.items()]
        if cur is not None:
            cur.executemany(_ACTORS, params)
        else:
            conn.execute(text(_ACTORS), params)

    def get_message(self, channel_id: int, message_id: int) -> tuple[int, Message] | None:
        with self.engine.connect() as conn:
            q = text(_SELECT_MESSAGE + " WHERE channel_id = :c AND id = :i")
            r = conn.execute(q, {"c": channel_id, "i": message_id}).first()
        return (r.pk, row_message(r)) if r else None

    def get_messages(self, pks: Sequence[int]) -> dict[int, Message]:
        out: dict[int, Message] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(list(pks), 500):
                q = text(_SELECT_MESSAGE + " WHERE pk IN (" + ",".join(str(int(p)) for p in chunk) + ")")
                for r in conn.execute(q):
                    out[r.pk] = row_message(r)
        return out

    def iter_messages(
        self,
        *,
        channel_id: int | None = None,
        unanalyzed_only: bool = False,
        batch_size: int = 5000,
    ) -> Iterator[list[tuple[int, Message]]]:
        last = 0
        where = ["pk > :last"]
        if channel_id is not None:
            where.append("channel_id = :c")
        if unanalyzed_only:
            where.append("analyzed = 0")
        q = text(_SELECT_MESSAGE + " WHERE " + " AND ".join(where) + " ORDER BY pk LIMIT :n")
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(q, {"last": last, "c": channel_id, "n": batch_size}).all()
            if not rows:
                return
            last = rows[-1].pk
            yield [(r.pk, row_message(r)) for r in rows]

    def iter_lean_messages(
        self, *, unanalyzed_only: bool = True, batch_size: int = 20_000
    ) -> Iterator[list[tuple[int, Message]]]:
        q = _LEAN_QUEUE if unanalyzed_only else _LEAN_ALL
        last = 0
        while True:
            with self.engine.connect() as conn:
                if self.dialect == "sqlite":
                    cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
                    qmark = q.replace(":last", "?").replace(":n", "?")
                    rows = cur.execute(qmark, (last, batch_size)).fetchall()
                else:
                    rows = conn.execute(text(q), {"last": last, "n": batch_size}).all()
            if not rows:
                return
            last = rows[-1][0]
            media = _media_dec.decode
            when = datetime.fromtimestamp
            yield [
                (pk, Message(channel_id=c, id=i, date=when(d, tz=UTC), kind=k, text=t, sender_key=s,
                             fwd_channel_id=fc, fwd_msg_id=fm, media=media(md) if md else None))
                for pk, c, i, d, k, t, s, fc, fm, md in rows
            ]  # fmt: skip

    def count_messages(self, *, unanalyzed_only: bool = False) -> int:
        q = "SELECT count(*) FROM messages" + (" WHERE analyzed = 0" if unanalyzed_only else "")
        with self.engine.connect() as conn:
            return int(conn.execute(text(q)).scalar_one())

    def channel_stats(self) -> list[ChannelStats]:
        q = text(
            "SELECT c.id, c.title, c.username, c.kind, count(m.pk) AS n, min(m.date) AS first, "
            "max(m.date) AS last, count(DISTINCT m.sender_key) AS senders "
            "FROM channels c LEFT JOIN messages m ON m.channel_id = c.id "
            "GROUP BY c.id, c.title, c.username, c.kind ORDER BY n DESC, c.id"
        )
        with self.engine.connect() as conn:
            return [
                ChannelStats(r.id, r.title, r.username, r.kind, r.n, _iso(r.first), _iso(r.last), r.senders)
                for r in conn.execute(q)
            ]

    # -- analysis -----------------------------------------------------------------------------------
    def save_analysis(self, results: Sequence[Analysis]) -> None:
        if not results:
            return
        from tgintel.store.bulk import write_analysis

        with self.engine.begin() as conn:
            write_analysis(conn, results)

    def findings_for(self, pks: Sequence[int]) -> dict[int, list[Finding]]:
        out: dict[int, list[Finding]] = defaultdict(list)
        with self.engine.connect() as conn:
            for chunk in _chunks(list(pks), 500):
                ids = ",".join(str(int(p)) for p in chunk)
                for r in conn.execute(
                    text(
                        "SELECT message_pk, category, score, evidence, source FROM findings "
                        f"WHERE message_pk IN ({ids}) ORDER BY message_pk, score DESC"
                    )
                ):
                    out[r.message_pk].append(
                        Finding(
                            category=r.category, score=r.score, source=r.source,
                            evidence=orjson.loads(r.evidence) if r.evidence else [],
                        )
                    )  # fmt: skip
        return dict(out)

    def entities_for(self, pks: Sequence[int]) -> dict[int, list[Entity]]:
        out: dict[int, list[Entity]] = defaultdict(list)
        with self.engine.connect() as conn:
            for chunk in _chunks(list(pks), 500):
                ids = ",".join(str(int(p)) for p in chunk)
                for r in conn.execute(
                    text(
                        'SELECT message_pk, type, value, start, "end" FROM entities '
                        f"WHERE message_pk IN ({ids}) ORDER BY message_pk, start"
                    )
                ):
                    out[r.message_pk].append(Entity(r.type, r.value, r.start, r.end))
        return dict(out)

    def record_import(self, path: str, size: int | None, started: int, result: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO imports (path, size, started, finished, messages, inserted, updated, "
                    "skipped) VALUES (:p, :s, :st, :f, :m, :i, :u, :sk)"
                ),
                {"p": path, "s": size, "st": started, "f": int(time.time()),
                 "m": result.get("messages", 0), "i": result.get("inserted", 0),
                 "u": result.get("updated", 0), "sk": result.get("skipped", 0)},
            )  # fmt: skip


def _chunks(seq: list[Any], n: int) -> Iterator[list[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def _first_line(exc: BaseException) -> str:
    msg = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return msg[0] if msg else type(exc).__name__
