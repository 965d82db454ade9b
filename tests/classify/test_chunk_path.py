"""The classifier's chunk path (tokens by bytes, ``RuleSet.match_chunk``, ``Classifier._chunk_verdicts``) must
give exactly what the per-message definitions give: ``re.findall(r"\\w+")``, ``RuleSet.match`` and
``_combined`` over it (every float bit for bit, every evidence string in order)."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tgintel.detect.classify import Classifier
from tgintel.detect.classify.model import LinearModel
from tgintel.detect.classify.rules import RuleSet, load_packs
from tgintel.detect.classify.text import normalize, tokens

_WORDS = re.compile(r"\w+")
INDICATORS = [
    ("l", "csam_indicator", 1, "zqxplaceholder1"),
    ("l", "csam_indicator", 2, "zqxplace*"),
    ("l", "weapons", 3, "zq*"),
    ("l", "drugs", 4, "cocaine"),
    ("l", "stolen_data", 5, "bank account* for sale"),
]


_ODD = " _\t\n€£₽😀\u00a0\u2003٣é\u0483\ud800"


@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(_ODD)))
@settings(max_examples=400, deadline=None)
def test_tokens_are_the_word_runs(text: str) -> None:
    assert tokens(text) == _WORDS.findall(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "_",
        "€_a",
        "a€b c_€_d",
        "50€ и 30₽",
        "héllo wörld",
        "x\ud800y z",
        "😀abc😀 𝐀𝐁 ٣٤",
        "a\u0483b",
        "__x_1",
    ],
)
def test_tokens_on_edge_cases(text: str) -> None:
    assert tokens(text) == _WORDS.findall(text)


def _texts(packs: list, n: int) -> list[str]:  # type: ignore[type-arg]
    """Pack tests, and random mixes of pack terms with prices, handles, leet and context words."""
    rng = random.Random(7)
    out = [t.text for p in packs for t in p.tests]
    words = [" ".join(t.toks) for p in packs for t in p.terms]
    extra = ["50€", "5g 40", "@zqxshop", "t.me/zqx", "c0ca1ne", "police warn", "1:1", "zqxplaceholder1"]
    for _ in range(n):
        parts = [rng.choice(words if rng.random() < 0.6 else extra) for _ in range(rng.randint(1, 8))]
        text = rng.choice([" ", ", ", "\n", "_"]).join(parts)
        out.append(text.upper() if rng.random() < 0.1 else text)
    return [normalize(t) for t in out]


@pytest.fixture(scope="module")
def packs() -> list:  # type: ignore[type-arg]
    return load_packs()


@pytest.mark.parametrize("indicators", [[], INDICATORS])
def test_match_chunk_equals_match(packs, indicators) -> None:  # type: ignore[no-untyped-def]
    rs = RuleSet(packs, indicators)
    norms = _texts(packs, 600)
    toks = [tokens(n) for n in norms]
    chunk = rs.match_chunk(norms, toks)
    col = {c: i for i, c in enumerate(rs.columns)}
    cells, want = [], []
    boosted = scaled = 0
    for r, norm in enumerate(norms):
        hits = rs.match(norm, toks[r])
        for cat in rs.columns:
            h = hits.get(cat) if cat != "context" else None
            c = col[cat]
            if cat == "context":
                continue
            assert (chunk.pos[r, c], chunk.neg[r, c]) == ((h.pos, h.neg) if h else (0.0, 0.0)), (norm, cat)
            if not cat.startswith("@"):
                cells.append((r, c))
                want.append(list(h.evidence) if h else [])
        boosted += any("context:offer" in h.evidence for h in hits.values())
        scaled += "_context" in hits
        found = chunk.indicators(len(rs.columns) - len([c for c in rs.columns if c.startswith("@")]))
        assert found.get(r, []) == [(c, h.evidence) for c, h in hits.items() if c.startswith("@")]
    assert chunk.evidence(cells) == want
    assert boosted and scaled  # both adjustments were exercised
    if indicators:
        assert any(c.startswith("@") for c in rs.columns)


def _verdicts(clf: Classifier, norms: list[str]) -> list[tuple]:  # type: ignore[type-arg]
    fresh = Classifier(clf.rules, clf.model)
    out = []
    for v in fresh.classify_batch(norms, norms):
        findings = [(f.category, f.score, f.evidence, f.source) for f in v.findings]
        out.append((v.offer, v.offer_score, list(v.scores.items()), findings))
    return out


@pytest.mark.parametrize("indicators", [[], INDICATORS])
def test_chunk_verdicts_equal_the_per_message_combination(  # type: ignore[no-untyped-def]
    packs, model, indicators, monkeypatch
) -> None:
    clf = Classifier(RuleSet(packs, indicators), model)
    norms = _texts(packs, 700)
    fast = _verdicts(clf, norms)
    # ``finite`` False sends the classifier down the per-message path (match + _combined)
    monkeypatch.setattr(LinearModel, "finite", property(lambda self: False))
    slow = _verdicts(clf, norms)
    assert fast == slow
    assert sum(bool(v[3]) for v in fast) > 100  # findings were compared, not only empty lists


_EDGES = [0.0, 1.0, 0.5, 0.125, 0.03125, 0.00005, 0.99995, 0.12345, 1.5, -0.1, float("nan")]


@given(st.lists(st.floats(min_value=0.0, max_value=1.0) | st.sampled_from(_EDGES), max_size=50))
@settings(max_examples=300, deadline=None)
def test_chunk_rounding_is_pythons(values: list[float]) -> None:
    import numpy as np

    from tgintel.detect.classify.classifier import _round

    arr = np.array(values, dtype=np.float64)
    assert repr(_round(arr, 4)) == repr([round(v, 4) for v in values])
    assert _round(arr, 2, "model:{:.2f}") == [f"model:{v:.2f}" for v in values]


def test_chunk_rounding_at_ties_and_next_to_them() -> None:
    import numpy as np

    from tgintel.detect.classify.classifier import _round

    ties = np.arange(20001) / 20000
    near = np.concatenate([ties, np.nextafter(ties, 2.0), np.nextafter(ties, -1.0)[1:]])
    assert _round(near, 4) == [round(v, 4) for v in near.tolist()]
    assert _round(near, 2, "{:.2f}") == [f"{v:.2f}" for v in near.tolist()]
