"""The matcher's shortcuts (per-word memo, required-literal prefilter, id lookups without feature strings)
must never change an answer: each is checked here against the plain computation it replaces."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tgintel.detect.classify.model import LinearModel, extract_features
from tgintel.detect.classify.rules import RuleSet, load_packs, required_literals
from tgintel.detect.classify.text import normalize, tokens

TEXTS = [
    "Fresh c0ca1ne and mdma, 50eur per g, DM @zqxdealer",
    "Glock 19 with two mags, 9x19 ammo, t.me/zqxguns",
    "police warn about fake cocaine ads, 3 arrested",
    "cracked accounts netflix spotify, mail:pass combo @zqx.com:hunter22",
    "via kazakhstan to russia, через казахстан в россию",
    "Replica rolex 1:1 copy, 200€",
    "zqxplaceholder1 zqxplaceholder2",
    "hello, how are you today?",
]


@pytest.fixture(scope="module")
def packs():  # type: ignore[no-untyped-def]
    return load_packs()


def _plain(hits):  # type: ignore[no-untyped-def]
    return {k: (h.pos, h.neg, h.evidence) for k, h in hits.items()}


def test_memo_gives_the_same_hits_cold_warm_and_after_it_fills(packs, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    indicators = [("l", "csam_indicator", 1, "zqxplaceholder1"), ("l", "csam_indicator", 2, "zqxplace*")]
    rs = RuleSet(packs, indicators)
    cold = [_plain(RuleSet(packs, indicators).match(normalize(t))) for t in TEXTS]
    assert any("drugs" in c for c in cold) and any("@csam_indicator" in c for c in cold)
    assert [_plain(rs.match(normalize(t))) for t in TEXTS] == cold
    assert [_plain(rs.match(normalize(t))) for t in TEXTS] == cold  # every word remembered now
    monkeypatch.setattr("tgintel.detect.classify.rules._MEMO_MAX", 3)  # the memo starts afresh mid-message
    rs.forget_words()
    assert [_plain(rs.match(normalize(t))) for t in TEXTS] == cold


def test_shipped_patterns_have_a_prefilter_and_it_never_hides_a_match(packs) -> None:  # type: ignore[no-untyped-def]
    rs = RuleSet(packs)
    filtered = [p for p in rs._patterns if p[0] is not None]
    assert len(filtered) >= len(rs._patterns) - 2
    for text in TEXTS:
        norm = normalize(text)
        for need, rx, _boundary, pat, _ev in filtered:
            if rx.search(norm):
                assert any(s in norm for s in need), (pat.id, norm)


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        (r"\d{2,4}\s?%\s?(?:profit|roi)", ("profit", "roi")),  # the longer strings: fewer false passes
        (r"(?:bit\.ly|t\.ly|is\.gd)", ("t.ly", "is.gd")),  # bit.ly contains t.ly: finding t.ly is enough
        (r"a?b*", None),  # may match without any literal
        (r"(?i)cocaine", None),  # case-insensitive: no case-sensitive substring test
        (r"[a-z]+@[a-z]+", ("@",)),
    ],
)
def test_required_literals(regex: str, expected: tuple[str, ...] | None) -> None:
    got = required_literals(regex)
    assert (set(got) if got else got) == (set(expected) if expected else expected)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(
        [r"\d+\s?(?:g|gr|гр)\b\s*\d+", r"(?:ab|cd)x{2,}(?:ef)?", r"[.,]q|z(?:w|v)+", r"a(?=b)c|dd"]
    ),
    st.text(alphabet="abcdefgqwvxz.,0123 гр", max_size=30),
)
def test_required_literals_are_in_every_match(regex: str, text: str) -> None:
    need = required_literals(regex)
    if need is not None and re.search(regex, text):
        assert any(s in text for s in need)


def test_model_ids_match_the_feature_strings_in_order() -> None:
    model = LinearModel.default()
    assert model is not None
    for text in TEXTS:
        toks = tokens(normalize(text))
        plain = {model.index.get(f) for f in extract_features(toks)}
        plain.discard(None)
        assert model.ids(toks) == list(plain)
        assert model.ids(toks) == list(plain)  # stems and endings now remembered
