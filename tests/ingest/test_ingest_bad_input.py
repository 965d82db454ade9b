"""Bad input ends with one line naming file and byte offset or message id, a non-zero exit, no traceback,
and everything stored before intact; ``--skip-bad`` passes bad messages and counts them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from export_builder import chat, msg, write
from sqlalchemy import text

from tgintel.errors import UserError
from tgintel.jobs.ingest import ingest_paths
from tgintel.store import open_store


def one_line_error(proc, *needles: str) -> str:  # type: ignore[no-untyped-def]
    assert proc.returncode != 0
    err = proc.stderr.strip()
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in err.splitlines() if ln.startswith("tgintel: error:")]
    assert len(lines) == 1, err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def count(db: Path) -> int:
    store = open_store(str(db))
    try:
        return store.count_messages()
    finally:
        store.close()


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write(tmp_path / "good.json", chat(1, [msg(i, f"good {i}") for i in range(1, 6)]))


def test_truncated_json_keeps_what_was_stored(run_cli, tmp_path: Path, good: Path) -> None:  # type: ignore[no-untyped-def]
    run_cli("ingest", "--db", "t.sqlite", str(good), check=True)
    records = [msg(i, f"later {i}") for i in range(1, 40)]
    data = json.dumps(chat(2, records)).encode()
    end = len(data) * 2 // 3
    complete = sum(1 for r in records if data.index(json.dumps(r).encode()) + len(json.dumps(r)) <= end)
    cut = tmp_path / "cut.json"
    cut.write_bytes(data[:end])
    proc = run_cli("ingest", "--db", "t.sqlite", "--batch-size", "5", str(cut))
    one_line_error(proc, str(cut), f"byte {end}:", "truncated")
    # the good file's rows and every message read completely before the cut are stored, nothing else
    assert 10 < complete < 39 and count(tmp_path / "t.sqlite") == 5 + complete


def raises_one_line(store, path: Path, *needles: str) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(UserError) as info:
        ingest_paths(store, [path])
    line = str(info.value)
    assert "\n" not in line
    for needle in needles:
        assert needle in line, (needle, line)
    return line


@pytest.mark.parametrize(
    ("content", "needles"),
    [
        (b"[1, 2, 3]", ("byte 0", "not a Telegram Desktop export")),
        (b'{"hello": "world"}', ("not a Telegram Desktop export", "no 'messages' or 'chats'")),
        (b"<!DOCTYPE html><html></html>", ("byte 0", "HTML export")),
        (b"", ("byte 0", "empty file")),
        ('{"name": "x", "id": 1, "messages": []}'.encode("utf-16"), ("byte 0", "UTF-16")),
        (b'{"name": "x", "messages": []}', ("has no 'id'",)),
    ],
    ids=["array", "object", "html", "empty", "utf16", "no-chat-id"],
)
def test_not_an_export(sqlite_store, tmp_path: Path, content: bytes, needles: tuple[str, ...]) -> None:
    path = tmp_path / "result.json"
    path.write_bytes(content)
    raises_one_line(sqlite_store, path, str(path), *needles)


def test_invalid_utf8_exact_offset(sqlite_store, tmp_path: Path) -> None:
    data = json.dumps(chat(1, [msg(i, f"text {i}") for i in range(1, 300)])).encode()
    at = data.index(b"text 250") + 2
    path = tmp_path / "r.json"
    path.write_bytes(data[:at] + b"\xff\xfe" + data[at + 2 :])
    raises_one_line(sqlite_store, path, f"byte {at}:", "UTF-8")


@pytest.mark.parametrize(
    ("marker", "shift", "bad", "reported"),
    [
        (b'"id": 4000,', 4, b";", 0),  # a character that can't start a token, for the ':'
        (b'"text 4000"', 3, b"\x01", 0),  # a control character inside a string
        (b'"text 4000"', 5, b"\\", 1),  # a backslash before '4': reported at the escaped character
        (b'"id": 4000,', 10, b"e", 1),  # "4000e ": reported at the byte that should have been a digit
    ],
    ids=["bad-char", "control-in-string", "bad-escape", "bad-number"],
)
def test_syntax_error_exact_offset(
    sqlite_store, tmp_path: Path, marker: bytes, shift: int, bad: bytes, reported: int
) -> None:
    data = json.dumps(chat(1, [msg(i, f"text {i}") for i in range(1, 5000)])).encode()
    assert len(data) > 300_000  # the error lies beyond the parser's first chunks
    at = data.index(marker) + shift
    path = tmp_path / "r.json"
    path.write_bytes(data[:at] + bad + data[at + len(bad) :])
    expect_at = at + reported
    raises_one_line(sqlite_store, path, f"byte {expect_at}:", "invalid JSON")


def test_message_without_id(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = [msg(1, "a"), msg(2, "b"), {"type": "message", "date_unixtime": "1", "text": "c"}, msg(4, "d")]
    path = write(tmp_path / "r.json", chat(1, records))
    one_line_error(run_cli("ingest", "--db", "t.sqlite", str(path)), str(path), "after id 2", "has no id")
    assert count(tmp_path / "t.sqlite") == 0
    proc = run_cli("ingest", "--db", "t.sqlite", "--skip-bad", "--json", str(path))
    assert proc.returncode == 0, proc.stderr
    counts = json.loads(proc.stdout)
    assert counts["skipped"] == 1 and counts["inserted"] == 3
    assert "after id 2" in proc.stderr  # the skipped message is named


def test_huge_message(sqlite_store, tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    with path.open("wb") as f:  # written directly: json.dumps of 50 MB would dominate the test
        f.write(json.dumps(chat(1, [msg(1, "ok")]))[:-2].encode())
        f.write(b', {"id": 2, "type": "message", "date_unixtime": "1767614400", "text": "')
        f.write(b"x" * 50_000_000)
        f.write(b'"}, ' + json.dumps(msg(3, "fine")).encode() + b"]}")
    raises_one_line(sqlite_store, path, "message id 2", "50,000,000 characters")
    assert sqlite_store.count_messages() == 0
    counts = ingest_paths(sqlite_store, [path], skip_bad=True)
    assert counts["skipped"] == 1 and sqlite_store.count_messages() == 2


def test_bad_fields_name_the_message(sqlite_store, tmp_path: Path) -> None:
    records = [msg(1, "a"), {"id": 2, "type": "message", "date": "yesterday", "text": "x"},
               {"id": "3", "date_unixtime": "5", "text": "y"}, msg(4, "d"), 17]  # fmt: skip
    path = write(tmp_path / "r.json", chat(1, records))
    with pytest.raises(UserError, match=r"message id 2: 'date' is not an ISO date"):
        ingest_paths(sqlite_store, [path])
    skipped: list[str] = []
    counts = ingest_paths(sqlite_store, [path], skip_bad=True, progress=lambda ev, **kw: skipped.append(ev))
    assert counts["skipped"] == 3 and counts["inserted"] == 2
    assert skipped.count("bad") == 3


def test_skip_bad_goes_on_past_broken_files(sqlite_store, tmp_path: Path, good: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_bytes(b'{"name": "x", "id": 9, "messages": [{"id": 1, "date_unixtime": "1", "text": "a"},')
    counts = ingest_paths(sqlite_store, [broken, good], skip_bad=True)
    assert counts["bad_files"] == 1 and counts["inserted"] == 6  # the broken file's complete message too
    with sqlite_store.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM imports")).scalar_one() == 2
    with pytest.raises(UserError, match=r"broken\.json"):
        ingest_paths(sqlite_store, [broken, good])


def test_missing_path(sqlite_store, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "result.json"
    raises_one_line(sqlite_store, missing, "nowhere/result.json", "does not exist")
    (tmp_path / "empty_dir").mkdir()
    raises_one_line(sqlite_store, tmp_path / "empty_dir", "no result.json")


def test_utf8_bom_is_accepted_and_offsets_count_it(sqlite_store, tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + json.dumps(chat(1, [msg(1, "a"), msg(2, "b")])).encode()
    path = tmp_path / "bom.json"
    path.write_bytes(data)
    assert ingest_paths(sqlite_store, [path])["inserted"] == 2
    at = data.index(b'"id": 2') + 1
    path.write_bytes(data[:at] + b"\x01" + data[at + 1 :])
    raises_one_line(sqlite_store, path, f"byte {at}:", "invalid JSON")


@pytest.mark.parametrize(
    "extra",
    [{"duration_seconds": "abc", "media_type": "voice_message", "file": "(File not included)"},
     {"reactions": [{"type": "emoji", "emoji": "👍", "count": "x"}]},
     {"media_type": [], "file": "(File not included)"}],
)  # fmt: skip
def test_fields_of_odd_types_name_the_message(sqlite_store, tmp_path: Path, extra: dict) -> None:  # type: ignore[type-arg]
    """Values no export writes (found by review: they raised a bare ValueError/TypeError, a traceback that
    --skip-bad did not catch) are the message's own one-line error, and --skip-bad passes them."""
    records = [msg(1, "a"), {**msg(2, "b"), **extra}, msg(3, "c")]
    path = write(tmp_path / "odd.json", chat(1, records))
    line = raises_one_line(sqlite_store, path, "message id 2")
    assert len(line) < 400
    counts = ingest_paths(sqlite_store, [path], skip_bad=True)
    assert counts["skipped"] == 1 and counts["inserted"] == 2
