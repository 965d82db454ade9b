"""Stored messages out to JSON Lines, CSV or Parquet, so users can take their data elsewhere.

Streaming: rows come from :meth:`Store.iter_messages` a batch at a time and leave as they came, so memory
does not grow with the store. The column set is fixed (``COLUMNS``) and documented; structured fields
(markup, media, reactions, raw) are JSON text in CSV and Parquet and nested objects in JSON Lines.

CSV cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR at the start) get a
leading apostrophe by default: message text is written by the people being monitored.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import orjson

from tgintel.errors import UserError
from tgintel.model import Message
from tgintel.store.interface import Store

COLUMNS = (
    "channel_id", "id", "date", "kind", "sender_key", "sender_name", "author", "action", "text", "edited",
    "reply_to", "fwd_channel_id", "fwd_msg_id", "fwd_from", "fwd_date", "via_bot", "views", "forwards",
    "grouped_id", "media_kind", "media", "markup", "reactions", "raw",
)  # fmt: skip
_INT = {"channel_id", "id", "reply_to", "fwd_channel_id", "fwd_msg_id", "views", "forwards", "grouped_id"}
_JSON = {"media", "markup", "reactions", "raw"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_enc = msgspec.json.Encoder()


def _iso(dt: Any) -> str | None:
    return None if dt is None else dt.isoformat().replace("+00:00", "Z")


def _flat(m: Message) -> dict[str, Any]:
    """One message as the flat columns of CSV and Parquet."""
    return {
        "channel_id": m.channel_id, "id": m.id, "date": _iso(m.date), "kind": m.kind,
        "sender_key": m.sender_key, "sender_name": m.sender_name, "author": m.author, "action": m.action,
        "text": m.text, "edited": _iso(m.edited), "reply_to": m.reply_to,
        "fwd_channel_id": m.fwd_channel_id, "fwd_msg_id": m.fwd_msg_id, "fwd_from": m.fwd_from,
        "fwd_date": _iso(m.fwd_date), "via_bot": m.via_bot,
        "views": m.views, "forwards": m.forwards, "grouped_id": m.grouped_id,
        "media_kind": m.media.kind if m.media else None,
        "media": _enc.encode(m.media).decode() if m.media else None,
        "markup": _enc.encode(m.markup).decode() if m.markup else None,
        "reactions": orjson.dumps(m.reactions).decode() if m.reactions else None,
        "raw": orjson.dumps(m.raw).decode() if m.raw else None,
    }  # fmt: skip


def _batches(store: Store, channel_id: int | None) -> Iterator[list[Message]]:
    for batch in store.iter_messages(channel_id=channel_id, batch_size=20_000):
        yield [m for _pk, m in batch]


def _guard(value: Any) -> Any:
    if type(value) is str and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_messages(
    store: Store, out: Path, fmt: str, *, channel_id: int | None = None, guard_csv: bool = True
) -> int:
    """Write every stored message (or one channel's) to ``out``; returns how many."""
    try:
        if fmt == "jsonl":
            return _jsonl(store, out, channel_id)
        if fmt == "csv":
            return _csv(store, out, channel_id, guard_csv)
        if fmt == "parquet":
            return _parquet(store, out, channel_id)
    except OSError as exc:
        raise UserError(f"file {out}: cannot write: {exc.strerror or exc}") from None
    raise UserError(f"--format {fmt}: choose jsonl, csv or parquet")


def _jsonl(store: Store, out: Path, channel_id: int | None) -> int:
    n = 0
    with out.open("wb") as f:
        for batch in _batches(store, channel_id):
            f.write(b"\n".join(_enc.encode(m) for m in batch) + b"\n")
            n += len(batch)
    return n


def _csv(store: Store, out: Path, channel_id: int | None, guard: bool) -> int:
    n = 0
    with out.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for batch in _batches(store, channel_id):
            for m in batch:
                row = _flat(m)
                w.writerow([_guard(row[c]) if guard else row[c] for c in COLUMNS])
            n += len(batch)
    return n


def _parquet(store: Store, out: Path, channel_id: int | None) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [(c, pa.int64() if c in _INT else pa.string()) for c in COLUMNS]
    )
    n = 0
    with pq.ParquetWriter(out, schema, compression="zstd") as w:
        for batch in _batches(store, channel_id):
            rows = [_flat(m) for m in batch]
            w.write_table(pa.Table.from_pylist(rows, schema=schema))
            n += len(rows)
    return n
