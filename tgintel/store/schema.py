"""Core tables: channels, actors, messages (+ FTS5 on SQLite), findings, entities, imports.

Dates are stored as integer Unix seconds (UTC): compact, index-friendly and identical on SQLite and
PostgreSQL; the store converts at its edges so callers only see aware ``datetime`` values. Structured payloads
(markup, media, reactions, raw) are stored as JSON text written by orjson, byte-for-byte the same on both
databases. Area modules (campaigns, media hashes, collector, web) define their own tables on ``metadata``.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData()

# 64-bit keys on PostgreSQL; on SQLite an INTEGER PRIMARY KEY is the rowid itself (FTS5 needs that).
RowKey = BigInteger().with_variant(Integer(), "sqlite")

channels = Table(
    "channels",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("title", Text, nullable=False, default=""),
    Column("username", String(64)),
    Column("kind", String(16), nullable=False, default="channel"),
    Column("source", String(16), nullable=False, default="export"),
    Column("raw", Text),
)

actors = Table(
    "actors",
    metadata,
    Column("key", String(160), primary_key=True),
    Column("name", Text),
    Column("username", String(64)),
    Column("first_seen", BigInteger),
    Column("last_seen", BigInteger),
)

messages = Table(
    "messages",
    metadata,
    Column("pk", RowKey, primary_key=True, autoincrement=True),
    Column("channel_id", BigInteger, ForeignKey("channels.id"), nullable=False),
    Column("id", BigInteger, nullable=False),
    Column("date", BigInteger, nullable=False),
    Column("kind", String(16), nullable=False, default="message"),
    Column("text", Text, nullable=False, default=""),
    Column("markup", Text),
    Column("sender_key", String(160)),
    Column("sender_name", Text),
    Column("author", Text),
    Column("action", String(64)),
    Column("edited", BigInteger),
    Column("reply_to", BigInteger),
    Column("fwd_channel_id", BigInteger),
    Column("fwd_msg_id", BigInteger),
    Column("fwd_from", Text),
    Column("fwd_date", BigInteger),
    Column("via_bot", String(64)),
    Column("views", BigInteger),
    Column("forwards", BigInteger),
    Column("grouped_id", BigInteger),
    Column("reactions", Text),
    Column("media_kind", String(16)),
    Column("media", Text),
    Column("raw", Text),
    Column("digest", String(16), nullable=False),
    # Filled by `tgintel analyze`; `analyzed` = 0 means the detect stages have not seen this text yet.
    Column("analyzed", Integer, nullable=False, default=0),
    Column("lang", String(8)),
    Column("offer", Boolean),
    Column("norm_hash", String(16)),
    Column("cluster_id", String(32)),
    UniqueConstraint("channel_id", "id", name="uq_messages_channel_id"),
)
# Every secondary index costs each ingested row 1.5-3 µs (bench/ingest.py), so: no single-column copies of
# sender_key or cluster_id (the covering (sender_key, date, …) and (cluster_id, date, …) indexes of migration
# 0003_web_indexes serve those lookups), and partial indexes where queries only ever ask for one side: the
# analyze queue (`analyzed = 0`) and forwards from channels (most messages are no forward). SQLite and
# PostgreSQL both use a partial index for `col = :x` when its condition is `col IS NOT NULL`.
ANALYZED_WHERE = text("analyzed = 0")
FWD_WHERE = text("fwd_channel_id IS NOT NULL")
Index("ix_messages_date", messages.c.date)
Index("ix_messages_analyzed", messages.c.analyzed,
      sqlite_where=ANALYZED_WHERE, postgresql_where=ANALYZED_WHERE)  # fmt: skip
Index("ix_messages_fwd", messages.c.fwd_channel_id, sqlite_where=FWD_WHERE, postgresql_where=FWD_WHERE)

findings = Table(
    "findings",
    metadata,
    Column("pk", RowKey, primary_key=True, autoincrement=True),
    Column("message_pk", RowKey, ForeignKey("messages.pk", ondelete="CASCADE"), nullable=False),
    Column("category", String(32), nullable=False),
    Column("score", Float, nullable=False),
    Column("evidence", Text),
    Column("source", String(16), nullable=False),
    Column("created", BigInteger, nullable=False),
)
Index("ix_findings_message", findings.c.message_pk)
# (category) alone is served by ix_findings_category_message (store/browse.py); see migration 0005_analyze

entities = Table(
    "entities",
    metadata,
    Column("message_pk", RowKey, ForeignKey("messages.pk", ondelete="CASCADE"), nullable=False),
    Column("type", String(16), nullable=False),
    Column("value", Text, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
)
Index("ix_entities_message", entities.c.message_pk)
# (type, value) is served by ix_entities_value_message (migration 0003_web_indexes); see 0005_analyze

# A bulk import in progress (or killed): the statements that rebuild what it dropped; see
# tgintel/store/deferred_index.py. Empty except while a first import into an empty SQLite store runs.
ingest_bulk = Table(
    "ingest_bulk",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("started", BigInteger, nullable=False),
    Column("statements", Text, nullable=False),
)

imports = Table(
    "imports",
    metadata,
    Column("pk", RowKey, primary_key=True, autoincrement=True),
    Column("path", Text, nullable=False),
    Column("size", BigInteger),
    Column("started", BigInteger, nullable=False),
    Column("finished", BigInteger),
    Column("messages", BigInteger, nullable=False, default=0),
    Column("inserted", BigInteger, nullable=False, default=0),
    Column("updated", BigInteger, nullable=False, default=0),
    Column("skipped", BigInteger, nullable=False, default=0),
)
