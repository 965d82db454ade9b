"""`tgintel label` and `tgintel indicators` from the command line, on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

import orjson

from tgintel.model import Channel
from tgintel.store import open_store

from .conftest import make_messages


def test_label_and_indicator_commands(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "t.sqlite")
    store = open_store(db)
    store.upsert_channels([Channel(id=100, title="zqx")])
    store.upsert_messages(make_messages())
    store.close()
    res = run_cli("analyze", "--db", db, "--json")
    assert res.returncode == 0, res.stderr
    assert orjson.loads(res.stdout)["messages"] == 5
    res = run_cli(
        "label", "100:1", "--relabel", "drugs", "--category", "weapons", "--db", db, "--user", "ann"
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == ["100:1: drugs rejected", "100:1: weapons confirmed"]
    bad = run_cli("label", "100:999", "--category", "drugs", "--db", db)
    assert bad.returncode == 2 and "100:999: not in the store" in bad.stderr
    lst = tmp_path / "ind.txt"
    lst.write_text("zqxplaceholder1\n", encoding="utf-8")
    res = run_cli("indicators", "load", str(lst), "--category", "csam_indicator", "--db", db)
    assert res.returncode == 0, res.stderr
    assert "1 entries, 1 stored messages matched" in res.stdout
    res = run_cli("indicators", "list", "--db", db, "--json")
    assert [x["name"] for x in orjson.loads(res.stdout)] == ["ind"]
    assert "zqxplaceholder1" not in res.stdout  # lists are shown by name and size, never their terms
    store = open_store(db)
    pk = store.get_message(100, 1)[0]
    found = {(f.category, f.source) for f in store.findings_for([pk])[pk]}
    store.close()
    assert found == {("drugs", "rules"), ("weapons", "analyst")}


def test_label_and_list_errors(filled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from tgintel.errors import UserError
    from tgintel.jobs.analyze import load_indicator_file
    from tgintel.jobs.train import add_label

    with pytest.raises(UserError, match="unknown category 'drugz'"):
        add_label(filled, "100:1", "drugz", "confirm", "ann")
    with pytest.raises(UserError, match="expected CHANNEL_ID:MSG_ID"):
        add_label(filled, "one", "drugs", "confirm", "ann")
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(UserError, match="has no entries"):
        load_indicator_file(filled, empty, category="csam_indicator")
    with pytest.raises(UserError, match="unknown category"):
        load_indicator_file(filled, empty, category="csam")
