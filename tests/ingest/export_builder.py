"""Write Telegram Desktop-shaped exports into a test's tmp_path.

The records follow what Telegram Desktop's JSON writer produces (``export_output_json.cpp``): ``date`` in the
exporting machine's local time plus ``date_unixtime`` as a string, ``text`` as a string or a list of strings
and entity objects, ``text_entities`` as the flat list including ``plain`` parts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
NOT_INCLUDED = "(File not included. Change data exporting settings to download.)"


def stamp(dt: datetime) -> dict[str, str]:
    return {"date": dt.strftime("%Y-%m-%dT%H:%M:%S"), "date_unixtime": str(int(dt.timestamp()))}


def msg(mid: int, text: Any = "", *, at: datetime | None = None, **kw: Any) -> dict[str, Any]:
    """A plain message; ``text`` as given (string or list form), ``text_entities`` derived unless given."""
    at = at or T0 + timedelta(minutes=mid)
    rec: dict[str, Any] = {"id": mid, "type": "message", **stamp(at)}
    rec["text"] = text
    if "text_entities" not in kw:
        rec["text_entities"] = entities_of(text)
    rec.update(kw)
    return rec


def entities_of(text: Any) -> list[dict[str, Any]]:
    if isinstance(text, str):
        return [{"type": "plain", "text": text}] if text else []
    return [{"type": "plain", "text": p} if isinstance(p, str) else p for p in text]


def chat(cid: int, messages: Iterable[dict[str, Any]], *, name: str = "Test Channel",
         kind: str = "public_channel") -> dict[str, Any]:  # fmt: skip
    return {"name": name, "type": kind, "id": cid, "messages": list(messages)}


def write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def account(chats: list[dict[str, Any]], left: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A full-account export: personal data first (as Desktop writes it), then the chat lists."""
    out: dict[str, Any] = {
        "about": "Here is the data you requested.",
        "personal_information": {"user_id": 1, "first_name": "Test", "phone_number": "+0000"},
        "contacts": {"about": "", "list": [{"user_id": 2, "first_name": "X", "phone_number": "+1"}]},
        "chats": {"about": "chats", "list": chats},
    }
    if left is not None:
        out["left_chats"] = {"about": "left", "list": left}
    return out


def stream_big(path: Path, cid: int, n: int, *, start: int = 1, text: str = "offer number {i} today") -> Path:
    """A single-chat export of ``n`` simple messages, written incrementally (no list in memory)."""
    with path.open("w", encoding="utf-8") as f:
        f.write(json.dumps({"name": "Big", "type": "public_channel", "id": cid})[:-1] + ', "messages": [\n')
        for k, rec in enumerate(_big_records(cid, n, start, text)):
            f.write(("" if k == 0 else ",\n") + json.dumps(rec, ensure_ascii=False))
        f.write("\n]}\n")
    return path


def _big_records(cid: int, n: int, start: int, text: str) -> Iterator[dict[str, Any]]:
    for i in range(start, start + n):
        yield msg(i, text.format(i=i), at=T0 + timedelta(seconds=i), **{"from": f"User {i % 7}"},
                  from_id=f"user{100 + i % 7}")  # fmt: skip
