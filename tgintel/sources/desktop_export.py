"""Telegram Desktop JSON exports (``result.json``) as a stream of model records.

Exports reach many gigabytes, so nothing here holds an export in memory. The file is read twice:

1. a **structure scan** with ``ijson.parse`` reads the chat headers (``name``, ``type``, ``id``) and, for
   full-account exports, how many messages each chat holds. For a single-chat export the scan stops at the
   start of ``messages`` (Telegram Desktop writes the header first), so it costs nothing; for a full-account
   export it walks the whole file, but the message arrays are counted by C code (``collections.Counter``
   over ``iter(next, sentinel)``) without a Python step per token. It costs about as much as the message
   pass, so full-account exports import at roughly half the speed of single-chat ones.
2. a **message pass** with ``ijson.items`` (yajl2_c backend), which builds each message dict in C. That is
   the fastest streaming JSON reader available to Python; feeding ``ijson.parse`` events through Python into
   an items builder was measured 3× slower, which is why the chat boundaries come from the scan's counts
   rather than from watching events go by.

Every failure is a :class:`tgintel.errors.UserError` naming the file and the byte offset (syntax, encoding)
or the message id (a message the model cannot hold). Byte offsets of syntax errors are exact: yajl reports
the 30 bytes either side of the error within the chunk it was given, and :func:`_locate` finds them there.
The field mapping and the decisions behind it (dates, placeholders, the text size limit) are in
docs/ingest.md.
"""

from __future__ import annotations

import ast
import os
from collections import Counter, deque
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, tzinfo
from itertools import islice, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import ijson
import msgspec
import orjson

from tgintel import accel
from tgintel.errors import UserError
from tgintel.model import Channel, Markup, Media, Message
from tgintel.sources.export_blocks import Unexpected, Where, message_blocks

__all__ = [
    "MAX_TEXT_CHARS",
    "BadMessage",
    "ChatHeader",
    "RowMaker",
    "find_exports",
    "iter_export",
    "to_message",
    "to_row",
]

# Telegram allows 4,096 characters in a message and in a caption. A text a thousand times longer is not a
# message but a damaged or crafted export; refusing it keeps one record from filling memory or a page.
MAX_TEXT_CHARS = 1_000_000
DEFAULT_BATCH = 25_000
# ijson's read size. yajl turns each read into a list of events before the first is handed out, so a small
# read keeps them in cache: 16 KB against 256 KB measured 28x less CPU for the header scan of a single-chat
# export and 25 % less for a whole full-account import (docs/benchmarks.md, "Ingest, fourth pass").
_BUF = 16 * 1024

# What Telegram Desktop writes where a file was not exported; we keep the reason, not the sentence.
FILE_PLACEHOLDERS = {
    "(File not included. Change data exporting settings to download.)": "not_included",
    "(File exceeds maximum size. Change data exporting settings to download.)": "too_large",
    "(File unavailable, please try again later)": "unavailable",
}

CHAT_KINDS = {
    "public_channel": "channel",
    "private_channel": "channel",
    "public_supergroup": "supergroup",
    "private_supergroup": "supergroup",
    "private_group": "group",
    "personal_chat": "private",
    "bot_chat": "bot",
    "saved_messages": "saved",
}

MEDIA_KINDS = {
    "sticker": "sticker",
    "voice_message": "voice",
    "video_file": "video",
    "animation": "animation",
    "audio_file": "audio",
    "video_message": "video_note",
}

# The C row maker (tgintel/sources/_c_export.c): the rows of the common message shapes, made as
# :func:`_convert` makes them (which stays the reference and converts every dict it declines). None when it
# is not built or TGINTEL_PURE_PYTHON=1.
_C = accel.load("tgintel.sources._c_export")
if _C is not None:
    _C.configure(FILE_PLACEHOLDERS, MEDIA_KINDS, MAX_TEXT_CHARS)


class BadMessage(Exception):
    """One message the model cannot hold; the caller names file and message and may skip it."""


class ChatHeader(msgspec.Struct):
    """A chat as the structure scan saw it: its header fields and (full-account) its message count."""

    section: str  # "" for single-chat exports, "chats.list" / "left_chats.list" for full-account ones
    fields: dict[str, Any]
    count: int = -1  # -1: not counted (single-chat export: every message belongs to the one chat)


# -- reading bytes --------------------------------------------------------------------------------------


class _CountingReader:
    """A binary file that remembers where the chunk the parser is working on starts, so that a syntax
    error can be reported at an exact byte offset."""

    def __init__(self, f: BinaryIO, skip: int = 0) -> None:
        self.f = f
        self.pos = skip
        self.chunk = b""
        self.chunk_start = skip
        if skip:
            f.seek(skip)

    def read(self, n: int = -1) -> bytes:
        if n == 0:
            return b""
        data = self.f.read(n)
        self.chunk_start = self.pos
        self.chunk = data
        self.pos += len(data)
        return data

    def near(self, index: int) -> int:
        """Where the message being converted is, as near as ijson can tell: the start of its read."""
        return self.chunk_start


def _open(path: Path) -> tuple[BinaryIO, int]:
    """Open an export, refusing what is certainly not UTF-8 JSON with a useful line; skip a UTF-8 BOM."""
    try:
        f = path.open("rb")
    except OSError as exc:
        raise UserError(f"file {path}: cannot read: {exc.strerror or exc}") from None
    head = f.read(4)
    f.seek(0)
    if not head:
        f.close()
        raise UserError(f"file {path}: byte 0: empty file, not a Telegram Desktop export")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) >= 2 and (head[0] == 0 or head[1] == 0)):
        f.close()
        raise UserError(f"file {path}: byte 0: text is UTF-16, not UTF-8 as Telegram Desktop writes it")
    return f, 3 if head.startswith(b"\xef\xbb\xbf") else 0


def _locate(exc: Exception, reader: _CountingReader) -> int:
    """Exact byte offset of a yajl error, from the context snippet yajl puts in its message."""
    msg: Any = str(exc)
    if msg.startswith(("b'", 'b"')):
        try:
            msg = ast.literal_eval(msg)
        except (ValueError, SyntaxError):
            msg = msg.encode()
    else:
        msg = msg.encode("utf-8", "surrogateescape")
    lines = msg.split(b"\n")
    if "premature EOF" in str(exc) or "Incomplete JSON" in str(exc) or len(lines) < 3:
        return reader.pos
    # yajl pads the snippet so that its offset is always at column 40, with up to 30 bytes of context
    # before; newlines and carriage returns in the snippet were replaced by spaces. Its offset counts the
    # offending byte as consumed (so that byte sits at column 39), except for lexical errors inside strings
    # and numbers, where the lexer first puts it back. For a grammar error the "byte" is the last byte of
    # the unexpected token.
    line = lines[1]
    col = 39
    text = str(exc)
    if text.startswith("lexical error") and "UTF8" not in text and "invalid char in json text" not in text:
        col = 40  # the lexer put the offending byte back: yajl's offset points at it, not past it
    after, before = line[col:], line[10:col]
    chunk = reader.chunk.replace(b"\n", b" ").replace(b"\r", b" ")
    at = chunk.find(before + after)
    if at >= 0:
        return reader.chunk_start + at + len(before)
    stripped = before.lstrip(b" ")
    for cut in range(len(before) - len(stripped), len(before) + 1):
        probe = before[cut:] + after
        if chunk.startswith(probe):
            return reader.chunk_start + len(before) - cut
    return reader.chunk_start


def _syntax_error(path: Path, reader: _CountingReader, exc: Exception) -> UserError:
    offset = _locate(exc, reader)
    text = str(exc)
    if "premature EOF" in text or "Incomplete JSON" in text:
        what = "the file ends in the middle of the JSON (truncated export? copy it again)"
    elif "UTF8" in text or "UTF-8" in text:
        what = "invalid UTF-8 (Telegram Desktop writes UTF-8; the file is damaged or was re-encoded)"
    else:
        first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
        what = f"invalid JSON ({first.removeprefix('b').strip(chr(39))})"
        if offset == 0 or reader.chunk[:1] == b"<":
            what += "; is this the HTML export? export again choosing 'Machine-readable JSON'"
    return UserError(f"file {path}: byte {offset}: {what}")


# -- the structure scan ---------------------------------------------------------------------------------

_TWO = itemgetter(0, 1)
_ITEM_EVENTS = ("start_map", "start_array", "string", "number", "boolean", "null")
_CHAT_SECTIONS = ("chats", "left_chats")


def _skip_value(events: Iterator[tuple[str, str, Any]], prefix: str, event: str) -> None:
    """Consume the rest of a container value in C (no Python step per token)."""
    if event in ("start_map", "start_array"):
        end = (prefix, "end_map" if event == "start_map" else "end_array", None)
        deque(iter(events.__next__, end), maxlen=0)


def _build_value(events: Iterator[tuple[str, str, Any]], prefix: str, event: str, value: Any) -> Any:
    """A small container (chat header field) from parse events."""
    if event not in ("start_map", "start_array"):
        return value
    builder = ijson.common.ObjectBuilder()
    builder.event(event, value)
    depth = 1
    for _p, ev, val in events:
        builder.event(ev, val)
        if ev in ("start_map", "start_array"):
            depth += 1
        elif ev in ("end_map", "end_array"):
            depth -= 1
            if depth == 0:
                return builder.value
    return builder.value


def _count_items(events: Iterator[tuple[str, str, Any]], prefix: str) -> int:
    """Count the items of the array at ``prefix`` (its start already consumed), in C."""
    counts = Counter(map(_TWO, iter(events.__next__, (prefix, "end_array", None))))
    item = prefix + ".item"
    return sum(counts[(item, e)] for e in _ITEM_EVENTS)


def scan(path: Path) -> list[ChatHeader]:
    """Read an export's chat headers (and, for full-account exports, message counts)."""
    f, skip = _open(path)
    reader = _CountingReader(f, skip)
    try:
        with f:
            return _scan(path, ijson.parse(reader, buf_size=_BUF, use_float=True))
    except ijson.JSONError as exc:
        raise _syntax_error(path, reader, exc) from None


def _scan(path: Path, events: Iterator[tuple[str, str, Any]]) -> list[ChatHeader]:
    first = next(events, None)
    if first is None:
        raise UserError(f"file {path}: byte 0: empty file, not a Telegram Desktop export")
    if first[1] != "start_map":
        raise UserError(
            f"file {path}: byte 0: not a Telegram Desktop export (top level is "
            f"{first[1].replace('start_', '')}, expected an object with 'messages' or 'chats')"
        )
    single: dict[str, Any] = {}
    chats: list[ChatHeader] = []
    has_messages = has_chats = False
    for prefix, event, value in events:
        if event != "map_key" or prefix != "":
            continue
        key = value
        p2, ev2, val2 = next(events)
        if key == "messages" and ev2 == "start_array":
            has_messages = True
            if "id" in single:
                break  # Desktop writes the header first: the rest is the message pass's work
            _skip_value(events, p2, ev2)
        elif key in _CHAT_SECTIONS and ev2 == "start_map":
            has_chats = True
            chats.extend(_scan_section(events, key))
        elif key in ("name", "type", "id") or (not has_chats and key not in _ACCOUNT_KEYS):
            single[key] = _build_value(events, p2, ev2, val2)
        else:
            _skip_value(events, p2, ev2)
    if has_messages:
        if "id" not in single:
            raise UserError(f"file {path}: the chat has no 'id', so its messages cannot be keyed")
        return [ChatHeader("", single), *chats]
    if has_chats:
        return chats
    raise UserError(
        f"file {path}: not a Telegram Desktop export (no 'messages' or 'chats' key at the top level)"
    )


# Top-level keys of a full-account export that describe the exporting account, not monitored chats.
_ACCOUNT_KEYS = frozenset({"about", "personal_information", "profile_pictures", "contacts",
                           "frequent_contacts", "sessions", "web_sessions", "other_data", "stories",
                           "chats", "left_chats"})  # fmt: skip


def _scan_section(events: Iterator[tuple[str, str, Any]], key: str) -> list[ChatHeader]:
    """Headers and message counts of the chats in ``chats`` or ``left_chats`` (the map start consumed)."""
    section = key + ".list"
    chats: list[ChatHeader] = []
    for prefix, event, value in events:
        if prefix == key and event == "end_map":
            return chats
        if prefix == key and event == "map_key":
            p2, ev2, _val2 = next(events)
            if value == "list" and ev2 == "start_array":
                chats.extend(_scan_list(events, section))
            else:
                _skip_value(events, p2, ev2)
    return chats


def _scan_list(events: Iterator[tuple[str, str, Any]], section: str) -> list[ChatHeader]:
    item = section + ".item"
    chats: list[ChatHeader] = []
    current: ChatHeader | None = None
    for prefix, event, value in events:
        if prefix == section and event == "end_array":
            return chats
        if prefix == item:
            if event == "start_map":
                current = ChatHeader(section, {}, 0)
                chats.append(current)
            elif event not in ("end_map", "map_key"):
                _skip_value(events, prefix, event)
                chats.append(ChatHeader(section, {}, 0))  # not a chat object: counted so the pass aligns
            elif event == "map_key" and current is not None:
                p2, ev2, val2 = next(events)
                if value == "messages" and ev2 == "start_array":
                    current.count = _count_items(events, p2)
                else:
                    current.fields[value] = _build_value(events, p2, ev2, val2)
    return chats


# -- messages -------------------------------------------------------------------------------------------

_fromts = datetime.fromtimestamp


def _date(unix: Any, iso: Any, tz: tzinfo | None, field: str) -> datetime:
    if unix is not None:
        try:
            return _fromts(int(unix), UTC)
        except (TypeError, ValueError, OverflowError, OSError):
            raise BadMessage(f"'{field}_unixtime' is not a Unix time: {str(unix)[:40]!r}") from None
    if iso is None:
        raise BadMessage(f"has no '{field}'")
    try:
        dt = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        raise BadMessage(f"'{field}' is not an ISO date: {str(iso)[:40]!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz or UTC)
    return dt.astimezone(UTC)


def _peer_key(value: Any) -> str | None:
    """``user123``/``channel123``/``chat123`` as written; the old integer form meant a user."""
    if value is None:
        return None
    if isinstance(value, int):
        return f"user{value}"
    return str(value)


def _markup_from(parts: list[Any], extra: list[dict[str, Any]]) -> tuple[str, list[Markup]]:
    """Text and markup from ``text_entities`` or the list form of ``text``, offsets in Python chars."""
    pieces: list[str] = []
    add = pieces.append
    markup: list[Markup] = []
    pos = 0
    for part in parts:
        if type(part) is str:
            add(part)
            pos += len(part)
            continue
        if type(part) is not dict:
            i = next(i for i, p in enumerate(parts) if p is part)
            raise BadMessage(f"text part {i} is neither text nor an entity object")
        s = part.get("text", "")
        if type(s) is not str:
            s = str(s)
        add(s)
        kind = part.get("type", "plain")
        if kind == "plain":
            pos += len(s)
            continue
        end = pos + len(s)
        if kind == "text_link":
            url = part.get("href")
        elif kind == "mention_name":
            uid = part.get("user_id")
            url = None if uid is None else str(uid)
        else:
            url = None
        markup.append(Markup(kind, pos, end, url))
        if len(part) > (2 if url is None else 3):  # keys beyond type, text (and the url's)
            more = {k: v for k, v in part.items() if k not in ("type", "text", "href", "user_id")}
            if more:
                extra.append({"index": len(markup) - 1, **more})
        pos = end
    return "".join(pieces), markup


def _text(text: Any, ents: Any, raw: dict[str, Any]) -> tuple[str, list[Markup]]:
    """Text and markup of a message from its ``text`` and ``text_entities`` values."""
    if type(text) is str and (not ents or (type(ents) is list and len(ents) == 1 and type(ents[0]) is dict
                                           and ents[0].get("type") == "plain")):  # fmt: skip
        if ents and ents[0].get("text") != text:
            raw["text_entities"] = ents
        return text, []
    extra: list[dict[str, Any]] = []
    if ents is not None and type(ents) is list:
        joined, markup = _markup_from(ents, extra)
        if type(text) is str and joined != text:
            raw["text_entities"] = ents  # offsets would not fit the text: keep, don't guess
            return text, []
    elif type(text) is list:
        joined, markup = _markup_from(text, extra)
    else:
        raise BadMessage("'text' is neither a string nor a list")
    if extra:
        raw["markup_extra"] = extra
    return joined, markup


def _file_ref(value: Any) -> str | None:
    """A file path in the export, or why it is missing; never the file."""
    if value is None:
        return None
    return FILE_PLACEHOLDERS.get(value, value) if type(value) is str else str(value)


def _media(d: dict[str, Any]) -> Media | None:
    """Attachment metadata. Keys are popped from ``d`` so what is left over goes to ``raw``."""
    pop = d.pop
    if "photo" in d:
        extra = {"file": _file_ref(pop("photo"))}
        return Media(kind="photo", size=pop("photo_file_size", None), width=pop("width", None),
                     height=pop("height", None), extra=extra)  # fmt: skip
    if "file" in d or "media_type" in d:
        mt = pop("media_type", None)
        name = pop("file_name", None)
        extra = {}
        for k in ("file", "thumbnail"):
            if k in d:
                extra[k] = _file_ref(pop(k))
        for k in ("thumbnail_file_size", "sticker_emoji", "performer", "title"):
            if k in d:
                extra[k] = pop(k)
        dur = pop("duration_seconds", None)
        return Media(
            kind=MEDIA_KINDS.get(mt, "document" if mt is None else str(mt)),
            mime=pop("mime_type", None), size=pop("file_size", None), width=pop("width", None),
            height=pop("height", None), duration=None if dur is None else float(dur), file_name=name,
            extra=extra or None,
        )  # fmt: skip
    if "poll" in d:
        return Media(kind="poll", extra=pop("poll"))
    if "contact_information" in d:
        extra = dict(pop("contact_information") or {})
        if "contact_vcard" in d:
            extra["vcard"] = _file_ref(pop("contact_vcard"))
        return Media(kind="contact", extra=extra)
    if "location_information" in d:
        extra = dict(pop("location_information") or {})
        kind = "location"
        for k in ("place_name", "address", "live_location_period_seconds"):
            if k in d:
                extra[k] = pop(k)
        if "place_name" in extra or "address" in extra:
            kind = "venue"
        return Media(kind=kind, extra=extra)
    if "game_title" in d:
        extra = {k: pop(k) for k in ("game_title", "game_description", "game_link") if k in d}
        return Media(kind="game", extra=extra)
    if "invoice_information" in d:
        return Media(kind="invoice", extra=pop("invoice_information"))
    return None


def _reactions(value: Any, raw: dict[str, Any]) -> dict[str, int] | None:
    out: dict[str, int] = {}
    keep = False
    for r in value if type(value) is list else ():
        if type(r) is not dict:
            keep = True
            continue
        kind = r.get("type")
        if kind == "emoji":
            key = str(r.get("emoji"))
        elif kind == "custom_emoji":
            key = f"custom:{r.get('document_id')}"
        else:
            key = str(kind)
        out[key] = out.get(key, 0) + int(r.get("count") or 0)
        if r.keys() - {"type", "emoji", "document_id", "count"}:
            keep = True  # e.g. "recent": who reacted
    if keep or type(value) is not list:
        raw["reactions"] = value
    return out or None


class RowMaker(NamedTuple):
    """What a store needs to take rows made while parsing (``tgintel.store.sql``): ``seal`` appends the
    digest to a message's other column values (``MESSAGE_COLUMNS`` order); ``null`` is what the row holds
    in a NULL column (the store's ``ROW_NULL``: a NaN, which SQLite binds as NULL faster than None and orjson
    writes as ``null``, so the digest is that of None). Rows are made straight from the Desktop dict by
    :func:`to_row`: building a :class:`Message` only to take it apart again cost about half of an import's
    Python time (docs/benchmarks.md, "Ingest, fourth pass")."""

    seal: Callable[[tuple[Any, ...]], tuple[Any, ...]]
    null: Any = None
    #: True when ``seal`` is ``tgintel.store.sql.seal_message_values`` (the digest is blake2b-64 of
    #: ``orjson.dumps(values)``): the C row maker then makes the rows of the common shapes itself.
    native_digest: bool = False


_encode = msgspec.json.Encoder().encode  # the store's encoding of markup and media (tgintel.store.sql)


def _json(value: dict[str, Any] | None) -> str | None:
    """A dict column as the store writes it: sorted keys (NULL when empty: callers check first)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode() if value else None


def to_message(d: Any, channel_id: int, tz: tzinfo | None = None) -> Message:
    """One Desktop message dict as a :class:`Message`; unmodelled keys go to ``raw``.

    Consumes ``d`` (its keys are popped): the dicts come fresh from the parser and copying them would
    cost a third of the conversion."""
    return _convert(d, channel_id, tz, None)  # type: ignore[no-any-return]


def to_row(d: Any, channel_id: int, tz: tzinfo | None, rows: RowMaker) -> tuple[Any, ...]:
    """The store's row of one Desktop message dict: the tuple ``message_values(to_message(d))`` gives,
    digest included, but with ``rows.null`` in NULL columns where the row's layout says so (never in
    channel_id, id, date, sender_key or sender_name, which the store reads) — tests/ingest/test_ingest_rows.py
    holds the two equal on generated messages. Made without the :class:`Message` and the ``datetime``
    objects in between. Consumes ``d`` as :func:`to_message` does."""
    return _convert(d, channel_id, tz, rows.seal, rows.null)  # type: ignore[no-any-return]


# What converting a hostile field can raise besides BadMessage ("duration_seconds": "abc", a list as
# "media_type", a count of "x"): each becomes the message's own one-line error (skipped with --skip-bad).
_BAD_VALUE = (TypeError, ValueError, OverflowError)


def _brief(exc: Exception) -> str:
    """The error's own words, cut short: the value in it may be megabytes of crafted text."""
    words = " ".join(str(exc).split())
    return f"a field has a value no export writes ({words[:120]}{'…' if len(words) > 120 else ''})"


def _convert(d: Any, channel_id: int, tz: tzinfo | None, seal: Any, null: Any = None) -> Any:
    """:func:`to_message` (``seal`` None) and :func:`to_row` in one body, so that the two cannot drift
    apart: they differ only in how dates, markup, media, reactions, ``raw`` and NULLs are represented.

    This runs once per message, so the common shape (text, sender, date) takes a short path and only
    messages with more keys go through :func:`_details`."""
    if type(d) is not dict:
        raise BadMessage("is not a JSON object")
    pop = d.pop
    mid = pop("id", None)
    if type(mid) is not int:
        raise BadMessage("has no id" if mid is None else f"has a non-integer id {str(mid)[:40]!r}")
    raw: dict[str, Any] = {}
    unix = pop("date_unixtime", None)
    iso = pop("date", None)
    try:
        # Desktop writes the Unix time as a string of digits; 11 digits or fewer stay within datetime's range
        if type(unix) is str and len(unix) < 12 and unix.isdecimal():
            date: Any = int(unix) if seal is not None else _fromts(int(unix), UTC)
        else:
            date = _date(unix, iso, tz, "date")
            if seal is not None:
                date = int(date.timestamp())
        text = pop("text", "")
        ents = pop("text_entities", None)
        if type(text) is str and (not ents or (type(ents) is list and len(ents) == 1 and type(ents[0]) is dict
                                               and ents[0].get("text") == text
                                               and ents[0].get("type") == "plain")):  # fmt: skip
            markup: Any = null if seal is not None else []  # the common shape: plain text, no formatting
        else:
            text, markup = _text(text, ents, raw)
            if seal is not None:
                markup = _encode(markup).decode() if markup else null
    except BadMessage as exc:
        raise BadMessage(f"id {mid}: {exc}") from None
    except _BAD_VALUE as exc:  # a field of a type or value no export writes: reported, never a traceback
        raise BadMessage(f"id {mid}: {_brief(exc)}") from None
    if len(text) > MAX_TEXT_CHARS:
        raise BadMessage(
            f"id {mid}: text is {len(text):,} characters, over the {MAX_TEXT_CHARS:,} limit "
            "(Telegram allows 4,096): a damaged or crafted export"
        )
    kind = pop("type", "message")
    if kind != "service":
        sender_key = pop("from_id", None)
        if type(sender_key) is not str:
            sender_key = _peer_key(sender_key)
        sender_name = pop("from", None)
        action = null
    else:
        sender_key = _peer_key(pop("actor_id", None))
        sender_name = pop("actor", None)
        action = pop("action", None)
        if sender_key is not None and d.get("from_id") == sender_key:
            del d["from_id"]
    if d:
        try:
            return _details(d, raw, tz, seal, null, channel_id, mid, date, kind, text, markup, sender_key,
                            sender_name, action)  # fmt: skip
        except BadMessage as exc:
            raise BadMessage(f"id {mid}: {exc}") from None
        except _BAD_VALUE as exc:
            raise BadMessage(f"id {mid}: {_brief(exc)}") from None
    if seal is not None:
        # author, then edited … media (13 columns): what a message with only these fields lacks
        return seal((channel_id, mid, date, kind, text, markup, sender_key, sender_name, null, action,
                     null, null, null, null, null, null, null, null, null, null, null, null, null,
                     _json(raw) if raw else null))  # fmt: skip
    return Message(
        channel_id=channel_id, id=mid, date=date, kind=kind, text=text, markup=markup,
        sender_key=sender_key, sender_name=sender_name, action=action, raw=raw or None,
    )  # fmt: skip


def _details(
    d: dict[str, Any], raw: dict[str, Any], tz: tzinfo | None, seal: Any, null: Any, channel_id: int,
    mid: int, date: Any, kind: Any, text: str, markup: Any, sender_key: Any, sender_name: Any, action: Any,
) -> Any:  # fmt: skip
    """The rest of :func:`_convert`: edits, forwards, replies, reactions, media, leftovers to ``raw``."""
    pop = d.pop
    edited: Any = null
    if "edited_unixtime" in d or "edited" in d:
        unix = pop("edited_unixtime", None)
        iso = pop("edited", None)
        if type(unix) is str and len(unix) < 12 and unix.isdecimal():
            edited = int(unix) if seal is not None else _fromts(int(unix), UTC)
        else:
            edited = _date(unix, iso, tz, "edited")
            if seal is not None:
                edited = int(edited.timestamp())
    fwd_from = pop("forwarded_from", None)
    fwd_channel_id = null
    fwd_id = d.get("forwarded_from_id")
    if type(fwd_id) is str and fwd_id.startswith("channel") and fwd_id[7:].isdecimal():
        fwd_channel_id = int(fwd_id[7:])
        del d["forwarded_from_id"]
    if fwd_from is None and "saved_from" in d:
        fwd_from = d["saved_from"]  # the key itself stays in raw: it says "saved", not "forwarded"
    reactions = _reactions(pop("reactions"), raw) if "reactions" in d else None
    media = None if _MEDIA_TRIGGERS.isdisjoint(d) else _media(d)
    reply_to = pop("reply_to_message_id") if type(d.get("reply_to_message_id")) is int else null
    via_bot = pop("via_bot") if type(d.get("via_bot")) is str else null
    author = pop("author") if type(d.get("author")) is str else null
    if d:
        raw.update(d)
    if seal is not None:
        return seal((
            channel_id, mid, date, kind, text, markup, sender_key, sender_name, author, action, edited,
            reply_to, fwd_channel_id, null, null if fwd_from is None else fwd_from, null, via_bot, null, null,
            null, _json(reactions) if reactions else null, null if media is None else media.kind,
            null if media is None else _encode(media).decode(), _json(raw) if raw else null,
        ))  # fmt: skip
    return Message(
        channel_id=channel_id, id=mid, date=date, kind=kind, text=text, markup=markup, sender_key=sender_key,
        sender_name=sender_name, author=author, action=action, edited=edited, reply_to=reply_to,
        fwd_channel_id=fwd_channel_id, fwd_from=fwd_from, via_bot=via_bot, reactions=reactions, media=media,
        raw=raw or None,
    )  # fmt: skip


_MEDIA_TRIGGERS = frozenset({"photo", "file", "media_type", "poll", "contact_information",
                             "location_information", "game_title", "invoice_information"})  # fmt: skip


def channel_from(header: ChatHeader, path: Path) -> Channel:
    fields = dict(header.fields)
    cid = fields.pop("id", None)
    if type(cid) is not int:
        raise UserError(f"file {path}: chat {fields.get('name')!r} has no integer 'id'")
    name = fields.pop("name", None)
    dtype = fields.get("type")
    raw = {k: v for k, v in fields.items() if k != "about"}
    if type(name) is not str:
        name = "Saved Messages" if dtype == "saved_messages" else ""
    return Channel(
        id=cid, title=name, kind=CHAT_KINDS.get(str(dtype), "unknown"),
        source="export", raw=raw or None,
    )  # fmt: skip


# -- the public iterator --------------------------------------------------------------------------------


def find_exports(paths: list[str | Path]) -> list[Path]:
    """Files to import: given files as they are, folders searched recursively for ``result.json``."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(p.rglob("result.json"))
            if not found:
                raise UserError(
                    f"folder {p}: no result.json in it or below (export as JSON from Telegram Desktop)"
                )
            out.extend(found)
        elif p.exists():
            out.append(p)
        else:
            raise UserError(f"file {p}: does not exist")
    return out


OnBad = Callable[[str], None]


def iter_export(
    path: str | Path,
    *,
    batch_size: int = DEFAULT_BATCH,
    tz: tzinfo | None = None,
    on_bad: OnBad | None = None,
    position: list[int] | None = None,
    fast: bool = True,
    rows: RowMaker | None = None,
) -> Iterator[tuple[Channel, list[Any]]]:
    """Batches of ``(channel, messages)`` from one ``result.json``, single-chat or full-account.

    Every chat yields at least one batch, so an empty chat still creates its channel. A message the model
    cannot hold raises :class:`UserError`, unless ``on_bad`` is given: then it is called with a one-line
    description and the message is skipped. ``position``, when given, is kept at ``[bytes read, size]``
    for progress display. ``fast=False`` reads single-chat exports with ijson only (the fast reader of
    :mod:`tgintel.sources.export_blocks` gives the same messages; the switch exists to compare them).
    With ``rows``, batches hold the store's rows of the messages rather than :class:`Message` objects.
    """
    path = Path(path)
    headers = scan(path)
    size = path.stat().st_size
    if position is not None:
        position[:] = [0, size]
    single = [h for h in headers if h.section == ""]
    if single and fast:
        yield from _read_single(path, single[0], batch_size, tz, on_bad, position, rows)
    elif single:
        yield from _read_section(path, "messages.item", [single[0]], batch_size, tz, on_bad, position, rows)
    for section in ("chats.list", "left_chats.list"):
        chats = [h for h in headers if h.section == section]
        if chats:
            yield from _read_section(path, section + ".item.messages.item", chats, batch_size, tz, on_bad,
                                     position, rows)  # fmt: skip


def _read_section(
    path: Path,
    prefix: str,
    chats: list[ChatHeader],
    batch_size: int,
    tz: tzinfo | None,
    on_bad: OnBad | None,
    position: list[int] | None,
    rows: RowMaker | None,
) -> Iterator[tuple[Channel, list[Any]]]:
    channels = [channel_from(h, path) if h.fields else None for h in chats]
    if all(h.count == 0 for h in chats):
        for ch in channels:
            if ch is not None:
                yield ch, []
        return
    f, skip = _open(path)
    reader = _CountingReader(f, skip)
    with f:
        items = ijson.items(reader, prefix, buf_size=_BUF, use_float=True)
        try:
            for header, channel in zip(chats, channels, strict=True):
                source = items if header.count < 0 else islice(items, header.count)
                if channel is None:
                    deque(source, maxlen=0)
                    continue
                yield from _batches(path, channel, zip(source), batch_size, tz, on_bad, reader, position,
                                    rows)  # fmt: skip
        except ijson.JSONError as exc:
            raise _syntax_error(path, reader, exc) from None


class _SingleChatSource:
    """A single-chat export's messages, a block (list) at a time: pretty-printed blocks through orjson while
    the layout is the expected one, then (or from the start) ijson, skipping what was handed out.
    ``pos``/``near`` are what ``_batches`` reports progress and message positions with; ``reader`` is
    ijson's, once it reads. While blocks are read, ``near(i)`` is the exact start of the block's ``i``-th
    message (ijson can only say which 256 KB read it was in)."""

    def __init__(self, path: Path, fields: dict[str, Any]) -> None:
        self.path = path
        self.fields = fields
        self.where = Where()
        self.reader: _CountingReader | None = None

    @property
    def pos(self) -> int:
        return self.reader.pos if self.reader is not None else self.where.read

    def near(self, index: int) -> int:
        if self.reader is not None:
            return self.reader.chunk_start
        return self.where.offset_of(index)

    def __iter__(self) -> Iterator[list[Any] | tuple[Any]]:
        handed = 0
        f, skip = _open(self.path)
        try:
            with f:
                for block in message_blocks(f, skip, self.fields, self.where):
                    handed += len(block)
                    yield block
            return
        except Unexpected:
            pass
        f, skip = _open(self.path)
        self.reader = _CountingReader(f, skip)
        with f:
            items = ijson.items(self.reader, "messages.item", buf_size=_BUF, use_float=True)
            deque(islice(items, handed), maxlen=0)
            yield from zip(items)  # one message a block: positions and partial batches stay exact


def _read_single(
    path: Path,
    header: ChatHeader,
    batch_size: int,
    tz: tzinfo | None,
    on_bad: OnBad | None,
    position: list[int] | None,
    rows: RowMaker | None,
) -> Iterator[tuple[Channel, list[Any]]]:
    channel = channel_from(header, path)
    source = _SingleChatSource(path, header.fields)
    try:
        yield from _batches(path, channel, iter(source), batch_size, tz, on_bad, source, position, rows)
    except ijson.JSONError as exc:
        assert source.reader is not None  # only ijson raises JSONError
        raise _syntax_error(path, source.reader, exc) from None


def _batches(
    path: Path,
    channel: Channel,
    blocks: Iterator[list[Any] | tuple[Any]],
    batch_size: int,
    tz: tzinfo | None,
    on_bad: OnBad | None,
    reader: _CountingReader | _SingleChatSource,
    position: list[int] | None,
    rows: RowMaker | None = None,
) -> Iterator[tuple[Channel, list[Any]]]:
    """Batches of ``batch_size`` messages (or rows, with ``rows``) from blocks of message dicts. The
    conversion runs as ``list.extend(map(...))`` over a slice of a block: no Python loop step per message."""
    cid = channel.id
    batch: list[Any] = []
    yielded = False
    last_id: int | None = None  # of the last message of the batches already handed out
    seal, null, native = (None, None, False) if rows is None else rows
    args = repeat(cid), repeat(tz), repeat(seal), repeat(null)
    # (The C row maker itself declines every message when ``null`` is not None or NaN, the NULLs it writes.)
    extend = _C.extend_rows if _C is not None and native else None
    try:
        for block in blocks:
            start, n = 0, len(block)
            while start < n:
                stop = min(n, start + batch_size - len(batch))
                before = len(batch)
                try:
                    part = block if start == 0 and stop == n else block[start:stop]
                    if extend is not None:
                        extend(batch, part, _convert, cid, tz, seal, null)
                    else:
                        batch.extend(map(_convert, part, *args))
                    start = stop
                except BadMessage as exc:
                    start += len(batch) - before  # the message that failed; those before it are in the batch
                    where = _where(exc, _id_of(batch[-1]) if batch else last_id)
                    line = f"file {path}: chat {cid}: {where} (near byte {reader.near(start)})"
                    if on_bad is None:
                        raise UserError(line + "; --skip-bad skips such messages") from None
                    on_bad(line)
                    start += 1
                if len(batch) >= batch_size:
                    if position is not None:
                        position[0] = reader.pos
                    last_id = _id_of(batch[-1])
                    yield channel, batch
                    yielded = True
                    batch = []
    except ijson.JSONError:
        # Messages read completely before a syntax error are good: store them, then report the error.
        if batch:
            yield channel, batch
        raise
    if position is not None:
        position[0] = reader.pos
    if batch or not yielded:
        yield channel, batch


def _id_of(m: Message | tuple[Any, ...]) -> int:
    return m.id if type(m) is Message else m[1]  # type: ignore[union-attr,index]


def _where(exc: BadMessage, last_id: int | None) -> str:
    if str(exc).startswith("id "):
        return f"message {exc}"
    return f"message after id {last_id} {exc}" if last_id is not None else f"first message {exc}"


def file_size(path: Path) -> int | None:
    try:
        return os.stat(path).st_size
    except OSError:
        return None
