"""Evaluation metrics on a tiny hand-made set whose figures are worked out by hand."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tgintel.jobs.evaluate import metrics


def test_metrics_by_hand() -> None:
    gold = [({"drugs"}, True), ({"drugs"}, True), (set(), False), (set(), False), ({"weapons"}, True),
            (None, True)]  # fmt: skip
    pred = [({"drugs"}, True), (set(), True), ({"drugs"}, False), (set(), True), ({"weapons", "drugs"}, True),
            ({"weapons"}, False)]  # fmt: skip
    r = metrics(gold, pred)
    d = r["categories"]["drugs"]  # tp 1 (msg 1), fp 2 (msgs 3, 5), fn 1 (msg 2)
    assert (d["tp"], d["fp"], d["fn"]) == (1, 2, 1)
    assert d["precision"] == pytest.approx(1 / 3, abs=1e-4) and d["recall"] == 0.5
    assert d["f1"] == pytest.approx(0.4, abs=1e-4)
    w = r["categories"]["weapons"]
    assert (w["precision"], w["recall"], w["f1"]) == (1.0, 1.0, 1.0)  # the unlabelled message 6 is ignored
    assert r["macro_over"] == ["drugs", "weapons"] and r["macro_f1"] == pytest.approx(0.7, abs=1e-4)
    o = r["offer"]  # tp 3 (1, 2, 5), fp 1 (4), fn 1 (6)
    assert (o["tp"], o["fp"], o["fn"]) == (3, 1, 1) and o["f1"] == 0.75
    assert r["chatter_messages"] == 2 and r["chatter_false_alarm_rate"] == 0.5
    assert r["confusion"]["drugs"] == {"drugs": 1, "none": 1}
    assert r["confusion"]["none"] == {"drugs": 1, "none": 1}
    assert r["confusion"]["weapons"] == {"drugs": 1, "weapons": 1}
    assert r["category_labelled"] == 5 and r["exact_match"] == 0.4


def test_eval_cli_json(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    rows = [
        {"text": "Cocaine and MDMA for sale, DM", "categories": ["drugs"], "offer": True, "lang": "en"},
        {"text": "Glock 19 and ammo for sale", "categories": ["weapons"], "offer": True, "lang": "en"},
        {"text": "what a nice day, see you tomorrow", "categories": [], "offer": False, "lang": "en"},
        {"kind": "service", "text": "joined", "categories": [], "offer": False},
    ]
    f = tmp_path / "gold.jsonl"
    f.write_bytes(b"\n".join(orjson.dumps(r) for r in rows) + b"\n")
    res = run_cli("eval", str(f), "--json", "--no-model")
    assert res.returncode == 0, res.stderr
    r = orjson.loads(res.stdout)
    assert r["messages"] == 3 and r["macro_f1"] == 1.0 and r["offer"]["f1"] == 1.0
    assert r["chatter_false_alarm_rate"] == 0.0 and r["language"]["accuracy"] == 1.0
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "categories": ["drugz"]}\n', encoding="utf-8")
    res = run_cli("eval", str(bad))
    assert res.returncode == 2 and "bad.jsonl: line 1: unknown categories" in res.stderr
