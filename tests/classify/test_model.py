"""The learned model: trains from labelled JSONL, saves without pickle, loads, scores and explains itself."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import orjson
import pytest

from tgintel.detect.classify import Classifier
from tgintel.detect.classify.model import LinearModel
from tgintel.jobs.train import real_records, split_of, train_model

# A toy market: invented product words the rule packs do not know, so only the model can learn them.
POS = ["zqxblue crystals {n}g available, dm", "best zqxblue crystals, {n} per bag", "zqxblue {n} bags ready"]
NEG = ["see you at the game on {n} o'clock", "my cat is {n} years old", "who watched the match {n} times"]


@pytest.fixture(scope="module")
def toy_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("toy")
    rows = [{"text": t.format(n=n), "categories": ["drugs"], "offer": True} for t in POS for n in range(12)]
    rows += [{"text": t.format(n=n), "categories": [], "offer": False} for t in NEG for n in range(12)]
    data = d / "data.jsonl"
    data.write_bytes(b"\n".join(orjson.dumps(r) for r in rows))
    out = d / "model"
    result = train_model(out=out, extra=[data], use_real=False, min_df=1)
    assert result["examples"] == len(rows)
    return out


def test_model_files_are_plain_data(toy_model: Path) -> None:
    doc = json.loads((toy_model / "model.json").read_text())
    assert doc["format"] == "tgintel-linear-1" and "drugs" in doc["outputs"]
    with np.load(toy_model / "model.npz", allow_pickle=False) as z:  # no pickle needed to read it
        assert z["W"].shape == (len(doc["vocab"]), len(doc["outputs"]))


def test_model_adds_recall_with_evidence(toy_model: Path) -> None:
    model = LinearModel.load(toy_model)
    with_model = Classifier.load(model=model)
    rules_only = Classifier.load(use_model=False)
    text = "fresh zqxblue crystals, dm me"
    assert rules_only.classify(text).findings == []
    (f,) = with_model.classify(text).findings
    assert f.category == "drugs" and f.source == "model" and f.score >= 0.5
    assert any(e.startswith("model:") for e in f.evidence)
    assert any(e.startswith("feature:") and "zqx" in e for e in f.evidence)
    assert with_model.classify("my dog is 3 years old").findings == []


def test_bad_model_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "model.json").write_text('{"format": "other"}')
    with pytest.raises(ValueError, match="not a tgintel-linear-1 model"):
        LinearModel.load(tmp_path)


def test_real_sets_split_is_disjoint_and_stable() -> None:
    train = {r["text"] for r in real_records("train")}
    test = {r["text"] for r in real_records("test")}
    assert train and test and not train & test
    assert all(split_of(t) == "test" for t in list(test)[:50])
    labels = {(r["source"], r["categories"] is None) for r in real_records("test")}
    assert ("tg-spam", True) in labels and ("smishing", False) in labels


def test_real_samples_keep_their_share_when_several_simulator_files_are_given(tmp_path: Path) -> None:
    """Four simulator corpora would otherwise drown the few thousand real texts: each real example counts once
    per simulator file (recorded in the model's provenance), unless told otherwise."""
    sims = []
    for k in range(2):
        rows = [
            {"text": f"{t.format(n=n)} v{k}", "categories": ["drugs"], "offer": True}
            for t in POS
            for n in range(5)
        ]
        p = tmp_path / f"sim{k}.jsonl"
        p.write_bytes(b"\n".join(orjson.dumps(r) for r in rows))
        sims.append(p)
    train_model(out=tmp_path / "m2", sim=sims, min_df=1)
    meta = json.loads((tmp_path / "m2" / "model.json").read_text())["meta"]
    assert meta["real_weight"] == 2.0 and meta["sources"]["smishing"] > 0
    train_model(out=tmp_path / "m1", sim=sims[:1], min_df=1, real_weight=3.0)
    assert json.loads((tmp_path / "m1" / "model.json").read_text())["meta"]["real_weight"] == 3.0
