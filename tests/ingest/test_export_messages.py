"""``tgintel stats`` and ``tgintel export messages``: the data goes out complete, in a stable shape."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import msgspec
import pyarrow.parquet as pq
from export_builder import NOT_INCLUDED, chat, msg, write

from tgintel.jobs.export_messages import COLUMNS, write_messages
from tgintel.jobs.ingest import ingest_paths
from tgintel.model import Message
from tgintel.store import open_store


def export_db(tmp_path: Path) -> list[Message]:
    records = [
        msg(1, "=HYPERLINK(\"https://example.invalid\")", from_id="user1"),
        msg(2, ["see ", {"type": "text_link", "text": "here", "href": "https://example.invalid/x"}],
            photo=NOT_INCLUDED, width=1, height=2),
        msg(3, "line one\nline two, \"quoted\"", forwarded_from="Origin", some_future_key=[1]),
    ]  # fmt: skip
    write(tmp_path / "a" / "result.json", chat(1, records))
    write(tmp_path / "b" / "result.json", chat(2, [msg(7, "other channel")], kind="private_supergroup"))
    store = open_store(str(tmp_path / "t.sqlite"))
    try:
        ingest_paths(store, [tmp_path / "a", tmp_path / "b"])
        return [m for batch in store.iter_messages() for _, m in batch]
    finally:
        store.close()


def test_jsonl_round_trips_the_model(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    stored = export_db(tmp_path)
    run_cli("export", "messages", "--db", "t.sqlite", "--format", "jsonl", "-o", "out.jsonl", check=True)
    lines = (tmp_path / "out.jsonl").read_bytes().splitlines()
    assert [msgspec.json.decode(line, type=Message) for line in lines] == stored
    run_cli("export", "messages", "--db", "t.sqlite", "--channel", "2", "-o", "one.jsonl", check=True)
    assert [json.loads(x)["id"] for x in (tmp_path / "one.jsonl").read_text().splitlines()] == [7]


def test_csv_and_parquet(tmp_path: Path) -> None:
    stored = export_db(tmp_path)
    store = open_store(str(tmp_path / "t.sqlite"))
    assert write_messages(store, tmp_path / "out.csv", "csv") == len(stored)
    with (tmp_path / "out.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0].keys()) == list(COLUMNS)
    by_id = {int(r["id"]): r for r in rows}
    assert by_id[1]["text"].startswith("'=HYPERLINK")  # a formula would run in a spreadsheet: guarded
    assert by_id[3]["text"] == 'line one\nline two, "quoted"'
    assert json.loads(by_id[2]["markup"]) == [["text_link", 4, 8, "https://example.invalid/x"]]
    assert by_id[2]["media_kind"] == "photo" and json.loads(by_id[3]["raw"]) == {"some_future_key": [1]}
    write_messages(store, tmp_path / "raw.csv", "csv", guard_csv=False)
    with (tmp_path / "raw.csv").open(newline="", encoding="utf-8") as f:
        assert next(r for r in csv.DictReader(f) if r["id"] == "1")["text"].startswith("=HYPERLINK")

    assert write_messages(store, tmp_path / "out.parquet", "parquet") == len(stored)
    store.close()
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.column_names == list(COLUMNS) and table.num_rows == len(stored)
    got = {r["id"]: r for r in table.to_pylist()}
    assert got[3]["text"] == stored[2].text and got[7]["channel_id"] == 2
    assert got[1]["date"] == stored[0].date.isoformat().replace("+00:00", "Z")


def test_bad_format(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    proc = run_cli("export", "messages", "--db", "t.sqlite", "--format", "xlsx", "-o", "x.xlsx")
    assert proc.returncode == 2 and "choose jsonl, csv or parquet" in proc.stderr
    assert "Traceback" not in proc.stderr
