"""The SQL implementation of the store, for SQLite (embedded default) and PostgreSQL (teams).

One code path for both: plain SQL that both dialects accept (``INSERT … ON CONFLICT … DO UPDATE``), bound
through SQLAlchemy so the parameter style is handled for us. Migrations run on open (Alembic, to every head),
so a database written by an older tgintel is upgraded in place.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
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
from tgintel.store.interface import Analysis, ChannelStats, Store, UpsertResult

MIGRATIONS = Path(__file__).parent / "migrations"

_markup_dec = msgspec.json.Decoder(list[Markup])
_media_dec = msgspec.json.Decoder(Media)
_media_enc = msgspec.json.Encoder()


class StoreError(Exception):
    """A store problem worth one clear line to the user (bad URL, unreachable server, newer schema)."""


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


def message_row(m: Message) -> dict[str, Any]:
    """The column values of one message; ``digest`` fingerprints them so unchanged rows are skipped."""
    row = {
        "channel_id": m.channel_id,
        "id": m.id,
        "date": int(m.date.timestamp()),
        "kind": m.kind,
        "text": m.text,
        "markup": _media_enc.encode(m.markup).decode() if m.markup else None,
        "sender_key": m.sender_key,
        "sender_name": m.sender_name,
        "author": m.author,
        "action": m.action,
        "edited": _ts(m.edited),
        "reply_to": m.reply_to,
        "fwd_channel_id": m.fwd_channel_id,
        "fwd_msg_id": m.fwd_msg_id,
        "fwd_from": m.fwd_from,
        "fwd_date": _ts(m.fwd_date),
        "via_bot": m.via_bot,
        "views": m.views,
        "forwards": m.forwards,
        "grouped_id": m.grouped_id,
        "reactions": _json(m.reactions),
        "media_kind": m.media.kind if m.media else None,
        "media": _media_enc.encode(m.media).decode() if m.media else None,
        "raw": _json(m.raw),
    }
    row["digest"] = hashlib.blake2b(
        orjson.dumps(list(row.values())), digest_size=8
    ).hexdigest()
    return row


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


_UPSERT = text(
    "INSERT INTO messages (" + ", ".join(MESSAGE_COLUMNS) + ", analyzed) VALUES ("
    + ", ".join(":" + c for c in MESSAGE_COLUMNS)
    + ", 0) ON CONFLICT (channel_id, id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in MESSAGE_COLUMNS[2:])
    + ", analyzed = CASE WHEN messages.text = excluded.text THEN messages.analyzed ELSE 0 END"
    + " WHERE messages.digest <> excluded.digest"
)
_SELECT_MESSAGE = "SELECT pk, " + ", ".join(MESSAGE_COLUMNS) + " FROM messages"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
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


class SQLStore(Store):
    """Store on SQLite or PostgreSQL. Create with :func:`tgintel.store.open_store`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.dialect = self.engine.dialect.name
        try:
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
        rows = [
            {"id": c.id, "title": c.title, "username": c.username, "kind": c.kind, "source": c.source,
             "raw": _json(c.raw)}
            for c in channels
        ]  # fmt: skip
        if not rows:
            return
        with self.engine.begin() as conn:
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
        result = UpsertResult()
        if not messages:
            return result
        rows = [message_row(m) for m in messages]
        # Last one wins inside a batch, as it would across batches.
        by_key = {(r["channel_id"], r["id"]): r for r in rows}
        by_channel: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for r in by_key.values():
            by_channel[r["channel_id"]].append(r)
        todo: list[dict[str, Any]] = []
        with self.engine.begin() as conn:
            for channel_id, chan_rows in by_channel.items():
                ids = [r["id"] for r in chan_rows]
                stored = dict(
                    conn.execute(
                        text(
                            "SELECT id, digest FROM messages WHERE channel_id = :c AND id BETWEEN :lo AND :hi"
                        ),
                        {"c": channel_id, "lo": min(ids), "hi": max(ids)},
                    ).all()
                )
                for r in chan_rows:
                    old = stored.get(r["id"])
                    if old is None:
                        result.inserted += 1
                        todo.append(r)
                    elif old != r["digest"]:
                        result.updated += 1
                        todo.append(r)
                    else:
                        result.unchanged += 1
            result.unchanged += len(rows) - len(by_key)
            if todo:
                conn.execute(_UPSERT, todo)
                self._touch_actors(conn, todo)
        return result

    def _touch_actors(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        seen: dict[str, list[Any]] = {}
        for r in rows:
            key = r["sender_key"]
            if key is None:
                continue
            a = seen.get(key)
            if a is None:
                seen[key] = [r["sender_name"], r["date"], r["date"]]
            else:
                if r["sender_name"]:
                    a[0] = r["sender_name"]
                a[1] = min(a[1], r["date"])
                a[2] = max(a[2], r["date"])
        if not seen:
            return
        conn.execute(
            text(
                "INSERT INTO actors (key, name, first_seen, last_seen) VALUES (:k, :n, :f, :l) "
                "ON CONFLICT (key) DO UPDATE SET name = COALESCE(excluded.name, actors.name), "
                "first_seen = CASE WHEN excluded.first_seen < actors.first_seen "
                "THEN excluded.first_seen ELSE actors.first_seen END, "
                "last_seen = CASE WHEN excluded.last_seen > actors.last_seen "
                "THEN excluded.last_seen ELSE actors.last_seen END"
            ),
            [{"k": k, "n": v[0], "f": v[1], "l": v[2]} for k, v in seen.items()],
        )

    def get_message(self, channel_id: int, message_id: int) -> tuple[int, Message] | None:
        with self.engine.connect() as conn:
            r = conn.execute(
                text(_SELECT_MESSAGE + " WHERE channel_id = :c AND id = :i"), {"c": channel_id, "i": message_id}
            ).first()
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
        now = int(time.time())
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE messages SET lang = :lang, offer = :offer, norm_hash = :norm_hash, "
                    "cluster_id = :cluster_id, analyzed = 1 WHERE pk = :pk"
                ),
                [
                    {"pk": a.pk, "lang": a.lang, "offer": a.offer, "norm_hash": a.norm_hash,
                     "cluster_id": a.cluster_id}
                    for a in results
                ],
            )  # fmt: skip
            for chunk in _chunks([a.pk for a in results], 500):
                ids = ",".join(str(int(p)) for p in chunk)
                conn.execute(
                    text(
                        f"DELETE FROM findings WHERE message_pk IN ({ids}) "
                        "AND source IN ('rules', 'model', 'indicator')"
                    )
                )
                conn.execute(text(f"DELETE FROM entities WHERE message_pk IN ({ids})"))
            f_rows = [
                {"m": a.pk, "c": f.category, "s": float(f.score), "e": _json(f.evidence), "src": f.source,
                 "t": now}
                for a in results
                for f in a.findings
            ]  # fmt: skip
            if f_rows:
                conn.execute(
                    text(
                        "INSERT INTO findings (message_pk, category, score, evidence, source, created) "
                        "VALUES (:m, :c, :s, :e, :src, :t)"
                    ),
                    f_rows,
                )
            e_rows = [
                {"m": a.pk, "t": e.type, "v": e.value, "s": e.start, "e": e.end}
                for a in results
                for e in a.entities
            ]
            if e_rows:
                conn.execute(
                    text(
                        'INSERT INTO entities (message_pk, type, value, start, "end") '
                        "VALUES (:m, :t, :v, :s, :e)"
                    ),
                    e_rows,
                )

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
                    "INSERT INTO imports (path, size, started, finished, messages, inserted, updated, skipped) "
                    "VALUES (:p, :s, :st, :f, :m, :i, :u, :sk)"
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
