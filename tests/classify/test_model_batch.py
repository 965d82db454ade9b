"""The model's batch paths (feature ids for a whole chunk, top features for many messages at once) must give
exactly what the per-message definitions give: the ids in the same order (it decides the float32 sums of
the logits), the same evidence."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from tgintel.detect.classify.model import LinearModel, extract_features
from tgintel.detect.classify.text import normalize, tokens

TEXTS = [
    "Fresh c0ca1ne and mdma, 50eur per g, DM @zqxdealer",
    "Glock 19 with two mags, 9x19 ammo, t.me/zqxguns",
    "",
    "hello",
    "bank accounts for sale, bank account for sale, bank acc for sale",
    "via kazakhstan to russia, через казахстан в россию, доставка по россии",
    "Replica rolex 1:1 copy, 200€, ٣٤ g 40",
    "cracked accounts netflix spotify, mail:pass combo, fresh logs, cvv fullz",
    "",
]


@pytest.fixture(scope="module")
def model() -> LinearModel:
    found = LinearModel.default()
    assert found is not None
    return found


def _plain_ids(model: LinearModel, toks: list[str]) -> list[int]:
    """The ids as the model defines them: a set built from the feature strings in extract_features order."""
    found = {model.index.get(f) for f in extract_features(toks)}
    found.discard(None)
    return list(found)  # type: ignore[arg-type]


def _messages(seed: int, n: int) -> list[list[str]]:
    """Token lists mixing vocabulary words, their neighbours (bigrams) and unknown words, some empty."""
    rng = np.random.default_rng(seed)
    words = [w for w in LinearModel.default().vocab if w.isalnum()][:3000]  # type: ignore[union-attr]
    words += [f"zqxword{i}" for i in range(200)] + ["доставка", "russland", "a"]
    out = []
    for _ in range(n):
        size = int(rng.integers(0, 120))
        out.append([words[i] for i in rng.integers(0, len(words), size=size)])
    return out


def test_ids_batch_gives_each_message_its_ids_in_the_defined_order(model: LinearModel) -> None:
    msgs = [tokens(normalize(t)) for t in TEXTS] + _messages(1, 300)
    want = [_plain_ids(model, t) for t in msgs]
    model.forget_words()
    for _ in range(2):  # cold, then every word remembered
        assert [list(s) for s in model.ids_batch(msgs)] == want
    assert [model.ids(t) for t in msgs] == want
    assert model.ids_batch([]) == []
    assert [list(s) for s in model.ids_batch([[], []])] == [[], []]


def test_the_word_table_grows_and_restarts_without_changing_answers(
    model: LinearModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    msgs = [[f"zqxnew{i}", "bank", "accounts", f"zqxnew{i + 1}"] for i in range(6000)]  # > 4096 new words
    want = [_plain_ids(model, t) for t in msgs]
    model.forget_words()
    assert [list(s) for s in model.ids_batch(msgs)] == want
    monkeypatch.setattr("tgintel.detect.classify.model._WordTable.MAX", 100)
    assert [list(s) for s in model.ids_batch(msgs[:50])] == want[:50]  # a fresh table
    assert len(model._words) < 200


def test_ids_batch_from_several_threads_at_once(model: LinearModel) -> None:
    msgs = _messages(2, 400)
    want = [_plain_ids(model, t) for t in msgs]
    model.forget_words()
    got: dict[int, list[list[int]]] = {}

    def run(k: int) -> None:
        got[k] = [list(s) for i in range(0, len(msgs), 37) for s in model.ids_batch(msgs[i : i + 37])]

    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(got[k] == want for k in range(4))


def _toy_model(seed: int, levels: int) -> LinearModel:
    rng = np.random.default_rng(seed)
    vocab = [f"f{i}" for i in range(300)]
    w = (rng.integers(-levels, levels + 1, size=(len(vocab), 3)) / 4).astype(np.float32)  # many ties
    outputs = ["drugs", "weapons", "offer"]
    return LinearModel(outputs=outputs, vocab=vocab, W=w, b=np.zeros(3, dtype=np.float32))


@pytest.mark.parametrize("levels", [1, 3, 400])
def test_top_features_batch_equals_top_features(levels: int) -> None:
    model = _toy_model(levels, levels)
    rng = np.random.default_rng(levels)
    id_lists = [list(dict.fromkeys(rng.integers(0, 300, size=int(rng.integers(0, 90))).tolist()))
                for _ in range(200)]  # fmt: skip
    indptr, indices = model.flatten(id_lists)
    rows = rng.integers(0, len(id_lists), size=500)
    cols = rng.integers(0, 3, size=500)
    got = model.top_features_batch(indptr, indices, rows, cols)
    assert got == [model.top_features(id_lists[r], model.outputs[c]) for r, c in zip(rows, cols, strict=True)]
    assert model.top_features_batch(indptr, indices, rows[:0], cols[:0]) == []


def test_a_model_with_nan_weights_names_features_one_message_at_a_time() -> None:
    model = _toy_model(5, 3)
    model.W[7, 0] = np.nan
    model = LinearModel(outputs=model.outputs, vocab=model.vocab, W=model.W, b=model.b)
    indptr, indices = model.flatten([[1, 2, 3]])
    assert model.top_features_batch(indptr, indices, np.array([0]), np.array([0])) is None
    col = model._W32[[1, 2, 3], 0]
    want = [model.vocab[[1, 2, 3][i]] for i in np.argsort(-col)[:3] if col[i] > 0]
    assert model.top_features({1, 2, 3}, "drugs") == want


def test_the_classifier_with_a_nan_weight_still_names_features(model: LinearModel) -> None:
    from tgintel.detect.classify.classifier import Classifier
    from tgintel.detect.classify.rules import RuleSet

    W = model.W.astype(np.float32)
    W[len(model.vocab) - 1, 0] = np.nan  # a feature none of the texts has
    nan_model = LinearModel(outputs=model.outputs, vocab=model.vocab, W=W, b=model.b)
    texts = TEXTS * 3
    plain = Classifier(RuleSet([]), model).classify_batch(texts)
    got = Classifier(RuleSet([]), nan_model).classify_batch(texts)
    named = 0
    for text, p, g in zip(texts, plain, got, strict=True):
        assert (g.offer, g.offer_score, g.scores) == (p.offer, p.offer_score, p.scores)
        feats = set(extract_features(tokens(normalize(text))))
        for f in g.findings:
            features = [e[9:-1] for e in f.evidence if e.startswith('feature:"')]
            named += len(features)
            assert set(features) <= feats
    assert named > 0
