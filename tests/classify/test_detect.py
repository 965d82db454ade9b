"""`tgintel detect`: the JSONL contract of ARCHITECTURE.md, order, stability, clusters, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import orjson

from .conftest import TEXTS


def _write_input(path: Path, extra: list[str] | None = None) -> None:
    lines = [
        json.dumps({"id": i if i % 2 else f"m{i}", "text": t, "channel": "zqx"}) for i, t in TEXTS.items()
    ]
    lines.insert(2, json.dumps({"id": 99, "text": ""}))
    path.write_text("\n".join(lines + (extra or [])) + "\n", encoding="utf-8")


def test_detect_output_contract_and_stability(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "in.jsonl"
    _write_input(src)
    r1 = run_cli("detect", str(src), "-o", "out1.jsonl")
    assert r1.returncode == 0, r1.stderr
    r2 = run_cli("detect", str(src), "-o", "out2.jsonl")
    assert r2.returncode == 0
    out1 = (tmp_path / "out1.jsonl").read_bytes()
    assert out1 == (tmp_path / "out2.jsonl").read_bytes()  # stable: same input, same bytes
    rows = [orjson.loads(line) for line in out1.splitlines()]
    assert [r["id"] for r in rows] == [1, "m2", 99, 3, "m4", 5]
    for r in rows:
        assert set(r) == {"id", "lang", "offer", "categories", "entities", "cluster"}
        assert isinstance(r["offer"], bool) and isinstance(r["cluster"], str)
        for c in r["categories"]:
            assert set(c) == {"category", "score", "evidence"} and 0.0 <= c["score"] <= 1.0 and c["evidence"]
        for e in r["entities"]:
            assert set(e) == {"type", "value", "start", "end"}
    by_id = {r["id"]: r for r in rows}
    assert [c["category"] for c in by_id[1]["categories"]] == ["drugs"] and by_id[1]["offer"] is True
    assert by_id["m2"]["categories"] == [] and by_id["m2"]["offer"] is False and by_id["m2"]["lang"] == "en"
    assert by_id[99] == {
        "id": 99,
        "lang": "und",
        "offer": False,
        "categories": [],
        "entities": [],
        "cluster": "",
    }
    assert by_id[1]["cluster"] == by_id["m4"]["cluster"] != by_id[3]["cluster"]
    # entity offsets point into the original text
    ent = next(e for e in by_id[1]["entities"] if e["type"] == "username")
    assert TEXTS[1][ent["start"] : ent["end"]] == "@zqxdealer"


def test_detect_stdin_to_stdout(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    res = run_cli("detect", "-", input='{"id": "a", "text": "Продаю мефедрон, закладки, пишите"}\n')
    assert res.returncode == 0, res.stderr
    row = orjson.loads(res.stdout)
    assert row["lang"] == "ru" and [c["category"] for c in row["categories"]] == ["drugs"]


def test_bad_line_is_one_clear_error(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "in.jsonl"
    _write_input(src, ['{"id": 7, "text": 5}', "not json"])
    res = run_cli("detect", str(src), "-o", "out.jsonl")
    assert res.returncode == 2
    assert "in.jsonl: line 7:" in res.stderr and "Traceback" not in res.stderr
    skipped = run_cli("detect", str(src), "-o", "out.jsonl", "--skip-bad")
    assert skipped.returncode == 0
    assert "line 7" in skipped.stderr and "line 8" in skipped.stderr
    assert len((tmp_path / "out.jsonl").read_bytes().splitlines()) == len(TEXTS) + 1


def test_detect_applies_indicator_list(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "in.jsonl"
    _write_input(src)
    (tmp_path / "list.txt").write_text("zqxplaceholder1\n", encoding="utf-8")
    res = run_cli("detect", str(src), "-o", "out.jsonl", "--indicators", "list.txt:csam_indicator")
    assert res.returncode == 0, res.stderr
    rows = {r["id"]: r for r in map(orjson.loads, (tmp_path / "out.jsonl").read_bytes().splitlines())}
    assert rows[5]["categories"] == [
        {"category": "csam_indicator", "score": 1.0, "evidence": ["indicator:list:1"]}
    ]
    assert all(
        c["category"] != "csam_indicator" for r in rows.values() if r["id"] != 5 for c in r["categories"]
    )
