"""The matching engine (Aho-Corasick terms, RE2 pattern prefilter, Python top features, the combined score)
must give exactly what the plain computation gives: each piece is checked here against a straightforward
reference written from the rules' definitions, for the shipped packs and for packs and regexes made up
here."""

from __future__ import annotations

import contextlib
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tgintel.detect.classify.classifier import THRESHOLD, Classifier
from tgintel.detect.classify.model import LinearModel
from tgintel.detect.classify.regex_prefilter import PatternPrefilter, superset_expression
from tgintel.detect.classify.rules import _LEET, _MIXED, RuleSet, _term_key, load_pack, load_packs
from tgintel.detect.classify.taxonomy import OFFER, RULE_CATEGORIES
from tgintel.detect.classify.text import normalize, tokens

re2 = pytest.importorskip("re2")

TEXTS = [
    "Fresh c0ca1ne and mdma, 50eur per g, DM @zqxdealer",
    "Glock 19 with two mags, 9x19 ammo, t.me/zqxguns",
    "police warn about fake cocaine ads, 3 arrested",
    "cracked accounts netflix spotify, mail:pass combo @zqx.com:hunter22",
    "bank accounts for sale, bank account for sale, bank acc for sale",
    "via kazakhstan to russia, через казахстан в россию",
    "Replica rolex 1:1 copy, 200€, ٣٤ g 40",
    "hello, how are you today?",
    "",
]


@pytest.fixture(scope="module")
def packs():  # type: ignore[no-untyped-def]
    return load_packs()


# -- terms -----------------------------------------------------------------------------------------------
def _word_ok(word: str, tok: str, stem: bool, first: bool) -> bool:
    # a prefix word matches every word it starts; as a term's first word only from three letters on
    if stem and (not first or len(tok) >= 3):
        return word.startswith(tok)
    return word == tok


def reference_terms(rs: RuleSet, toks: list[str]) -> set[int]:
    """Every term, tried word by word at every position of the words (plus their digit-read forms when a
    word mixes letters and digits)."""
    if any(_MIXED.search(t) for t in toks):
        toks = toks + [t.translate(_LEET) for t in toks if not t.isalpha() and not t.isdigit()]
    fired = set()
    for ti, t in _terms_starting(rs, toks):
        n = len(t.toks)
        for i in range(len(toks) - n + 1):
            if all(_word_ok(toks[i + j], t.toks[j], t.stems[j], j == 0) for j in range(n)):
                fired.add(ti)
                break
    return fired


def _terms_starting(rs: RuleSet, toks: list[str]):  # type: ignore[no-untyped-def]
    """The terms whose first word could match one of ``toks`` (only to keep the reference fast)."""
    first = {w[:2] for w in toks}
    return [(ti, t) for ti, t in enumerate(rs.terms) if t.toks[0][:2] in first]


def reference_patterns(rs: RuleSet, norm: str) -> list[int]:
    out = []
    for k, (_need, rx, boundary, _pat, _ev) in enumerate(rs._patterns):
        if boundary:  # the leading \b, checked on the character before each match
            ok = any(m.start() == 0 or not (norm[m.start() - 1].isalnum() or norm[m.start() - 1] == "_")
                     for m in rx.finditer(norm))  # fmt: skip
        else:
            ok = rx.search(norm) is not None
        if ok:
            out.append(k)
    return out


INDICATORS = [
    ("l", "csam_indicator", 1, "zqxplaceholder1"),
    ("l", "csam_indicator", 2, "zqxplace*"),
    ("l", "weapons", 3, "zq*"),  # a first prefix shorter than three letters matches only itself
    ("l", "drugs", 4, "zqxd* deal"),  # a prefix word before the last: confirmed word by word
    ("l", "drugs", 5, "a b* c"),
    ("l", "drugs", 6, "cocaine"),  # the same key as a pack term: both fire
]


def test_term_keys() -> None:
    assert _term_key(("cocaine",), (False,)) == (" cocaine ", False)
    assert _term_key(("weed",), (True,)) == (" weed", False)
    assert _term_key(("cracked", "account"), (False, True)) == (" cracked account", False)
    bank = _term_key(("bank", "account", "for", "sale"), (False, True, False, False))
    assert bank == (" bank account", True)
    assert _term_key(("zq",), (True,)) == (" zq ", False)
    assert _term_key(("zq", "x"), (True, False)) == (" zq x ", False)


def test_terms_match_the_reference_on_every_pack_test_and_term(packs) -> None:  # type: ignore[no-untyped-def]
    rs = RuleSet(packs, INDICATORS)
    texts = [*TEXTS, *(t.text for p in packs for t in p.tests)]
    for t in rs.terms:  # each term written out (with digits for letters), longer ones pulled apart
        words = [w + ("ing" if st else "") for w, st in zip(t.toks, t.stems, strict=True)]
        texts += [" ".join(words), " ".join(words).replace("o", "0").replace("i", "1")]
        if len(words) > 1:
            texts += [" x ".join(words), " ".join(reversed(words))]
    texts += ["zq zqa zqx", "zqxdd deal", "zqxd dealer", "a bb c", "a b", "a bc c d", "zqxplace9 and c0caine"]
    fired_any = set()
    for text in texts:
        toks = tokens(normalize(text))
        got = rs.fired_terms(toks)
        assert got == reference_terms(rs, toks), text
        fired_any |= got
    assert len(fired_any) > 0.9 * len(rs.terms)  # the check above covered nearly every term


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["bank", "account", "accounts", "for", "sale", "zq", "zqx", "zqxd", "deal",
                                 "a", "b", "bx", "c", "c0caine", "cocaine", "k1lo", "weed", "9mm", "x"]),
                max_size=12))  # fmt: skip
def test_terms_match_the_reference_on_made_up_word_sequences(words: list[str]) -> None:
    more = [("l", "drugs", 7, "bank account* for sale"), ("l", "drugs", 8, "we*")]
    pack_terms = RuleSet([], [*INDICATORS, *more])
    assert pack_terms.fired_terms(words) == reference_terms(pack_terms, words)


# -- patterns --------------------------------------------------------------------------------------------
def test_patterns_match_the_reference(packs) -> None:  # type: ignore[no-untyped-def]
    rs = RuleSet(packs)
    assert rs._prefilter.active and rs._prefilter.covered == frozenset(range(len(rs._patterns)))
    for text in [*TEXTS, *(t.text for p in packs for t in p.tests)]:
        norm = normalize(text)
        assert rs.fired_patterns(norm) == reference_patterns(rs, norm), text


# fmt: off
_ATOMS = ["a", "b", "1", "é", "€", "я", " ", "_", "-", r"\.", r"\d", r"\w", r"\s", r"\D", r"\W", r"\S",
          ".", "[ab]", "[^a]", r"[^\d]", r"[^\W\d_]", "[a-z]", r"[\w-]", r"[^\s]", r"\b", r"\B", "^", "$"]
# fmt: on


@st.composite
def regexes(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.integers(0, 9 if depth < 2 else 1))
        if kind <= 1:
            atom = draw(st.sampled_from(_ATOMS))
        else:
            inner = draw(regexes(depth + 1))  # type: ignore[call-arg]
            other = draw(regexes(depth + 1))  # type: ignore[call-arg]
            atom = draw(st.sampled_from([
                f"(?:{inner}|{other})", f"({inner})", f"(?>{inner})", f"(?={inner})", f"(?!{inner})",
                "(?<=a)", r"(?<!\d)", f"(a){inner}\\1", f"(?s:{inner})", f"(?:{inner})",
            ]))  # fmt: skip
        if atom not in (r"\b", r"\B", "^", "$") and not atom.startswith("(?<") and not atom.startswith("(?="):
            atom += draw(st.sampled_from(["", "", "*", "+", "?", "{1,3}", "*?", "++", "{2}"]))
        parts.append(atom)
    return "".join(parts)


# Derandomised: a random regex can backtrack catastrophically in Python's ``re`` (nested quantifiers over
# alternations: one such draw ran for over 20 minutes on 2026-11-23), so each run checks the same examples,
# known to finish, instead of new ones that might not.
@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.lists(regexes(), min_size=1, max_size=4),  # type: ignore[call-arg]
    st.lists(st.text(alphabet="ab1é€я _-.\n٣\u2003\u00a0Zx", max_size=25), min_size=1, max_size=6),
)
def test_the_prefilter_never_hides_a_match(patterns: list[str], texts: list[str]) -> None:
    compiled = []
    for p in patterns:
        try:
            compiled.append(re.compile(p))
        except re.error:
            compiled.append(None)
    pf = PatternPrefilter([p for p, c in zip(patterns, compiled, strict=True) if c is not None])
    kept = [c for c in compiled if c is not None]
    for text in texts:
        may = set(pf.candidates(text))
        for i, rx in enumerate(kept):
            if rx.search(text):
                assert i in may, (rx.pattern, text, pf.expressions[i])


def test_the_prefilter_rules_out_and_falls_back() -> None:
    pf = PatternPrefilter([r"\bab\d+", "(?i)zz", r"x{2000}", r"@\w+"])
    assert pf.covered == {0, 3}  # case-insensitive and RE2-refused patterns are not translated
    assert pf.candidates("nothing here") == [1, 2]  # the untranslated ones are always candidates
    assert pf.candidates("ab12 @me") == [0, 1, 2, 3]
    assert pf.candidates("ab\u0663") == [0, 1, 2]  # Arabic-Indic three is a \d for Python, so for the set
    assert pf.candidates("\ud800 ab1") == [0, 1, 2, 3]  # not valid UTF-8: everything is a candidate
    assert superset_expression(r"b(?<=b)c(?=c)d") == "bcd"  # assertions inside the pattern are dropped
    assert superset_expression(r"(?<=a)b(?=[c])") == "[a]b[c]"  # on the neighbours of the whole: consumed
    assert superset_expression(r"b\b") == superset_expression(r"b(?!\w)")  # a final \b after a word char


# Derandomised: a random regex can backtrack catastrophically in Python's ``re`` (nested quantifiers over
# alternations: one such draw ran for over 20 minutes on 2026-11-23), so each run checks the same examples,
# known to finish, instead of new ones that might not.
@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.lists(regexes(), min_size=1, max_size=4),  # type: ignore[call-arg]
    st.lists(st.text(alphabet="ab1é€я _-.\n٣\u2003\u00a0Zx", max_size=25), min_size=1, max_size=6),
)
def test_a_sure_answer_is_always_a_python_match(patterns: list[str], texts: list[str]) -> None:
    kept = []
    for p in patterns:
        with contextlib.suppress(re.error):
            kept.append(re.compile(p))
    pf = PatternPrefilter([rx.pattern for rx in kept], [True] * len(kept))
    for text in texts:
        may, sure = pf.scan(text)
        for i, rx in enumerate(kept):
            if rx.search(text):
                assert i in may, (rx.pattern, text, pf.expressions[i])
            if sure is not None and i in sure:
                assert rx.search(text), (rx.pattern, text, pf.sure_expressions[i])


def test_sure_translations_of_the_shipped_kinds_of_pattern() -> None:
    cases = {  # regex: (texts answered "matches" by the set alone, texts left to Python's re)
        r"\d\s?(?:€|р\b|kr\b|e\b)": (["5 €", "5р", "5р.", "5 kr", "5e"], ["5ря", "5 kro", "5ex", "5_e"]),
        r"@[a-z][\w]{3,}|t\.me/\S+": (["@abcd", "@abcд", "t.me/x"], ["@ab", "@1abc", "t.me/ "]),
        r"(?<![\d.,:])1:1(?![\d.,:])": (["1:1", "a 1:1 b"], ["11:1", "1:1.", ".1:1"]),
        r"^ab$": (["ab"], ["ab\n", "xab"]),
    }
    pf = PatternPrefilter(list(cases), [True] * len(cases))
    assert pf.sure == frozenset(range(len(cases)))
    for i, (yes, no) in enumerate(cases.values()):
        for text in yes:
            assert i in pf.scan(text)[1], (i, text)
        for text in no:
            assert i not in pf.scan(text)[1], (i, text)
    # what cannot be answered surely: lookarounds inside, a \b not at the end, back references, atomic groups
    for rx in [r"a(?=b)c", r"\bab", r"a\bb", r"(a)\1", r"(?>ab)", r"a++", r"(?i)ab", r"(?m)^a"]:
        assert PatternPrefilter([rx], [True]).sure == frozenset(), rx
    assert PatternPrefilter([r"ab"]).sure == frozenset()  # only where the caller allows it


# -- model and combination -------------------------------------------------------------------------------
def _plain_top(model: LinearModel, ids: list[int], output: str, k: int = 3) -> list[str]:
    """The evidence order as docs/classification.md defines it: positive weights only, highest first, equal
    weights by feature string."""
    col = model._W32[:, model.col[output]]
    named = sorted((-float(col[i]), model.vocab[i]) for i in ids if col[i] > 0)
    return [f for _w, f in named[:k]]


def _toy_model(seed: int, outputs: list[str], levels: int) -> LinearModel:
    rng = np.random.default_rng(seed)
    vocab = [f"f{i}" for i in range(300)]
    # few distinct weights: many ties, as float16 weights have
    w = (rng.integers(-levels, levels + 1, size=(len(vocab), len(outputs))) / 4).astype(np.float32)
    return LinearModel(outputs=outputs, vocab=vocab, W=w, b=np.zeros(len(outputs), dtype=np.float32))


@pytest.mark.parametrize("levels", [2, 6, 400])
def test_top_features_follow_the_evidence_order_even_with_ties(levels: int) -> None:
    model = _toy_model(levels, ["drugs", "offer"], levels)
    rng = np.random.default_rng(levels)
    for _ in range(400):
        ids = list(dict.fromkeys(rng.integers(0, 300, size=int(rng.integers(1, 90))).tolist()))
        for out in ("drugs", "offer"):
            want = _plain_top(model, ids, out)
            assert model.top_features(ids, out) == want
            assert model.top_features(ids[::-1], out) == want  # whatever order the ids come in


def reference_verdict(clf: Classifier, text: str) -> tuple:  # type: ignore[type-arg]
    """The combination as the classifier's docstring defines it, computed plainly."""
    norm = normalize(text)
    toks = tokens(norm)
    hits = clf.rules.match(norm, toks)
    model = clf.model
    assert model is not None
    ids = model.ids(toks)
    logits = model.logits([ids])[0].tolist()
    probs = {o: 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
             for o, z in zip(model.outputs, logits, strict=True)}  # fmt: skip
    scores, findings = {}, []
    for cat in (*RULE_CATEGORIES, OFFER):
        h = hits.get(cat)
        rules = 0.0 if h is None or h.strength <= 0 else 1.0 - math.pow(2.0, -h.strength)
        scores[cat] = (rules if cat not in probs else 1.0 - (1.0 - rules) * (1.0 - probs[cat])) if h else (
            0.0 if cat not in probs else 1.0 - (1.0 - probs[cat]))  # fmt: skip
        if cat != OFFER and scores[cat] >= THRESHOLD:
            evidence = list(h.evidence) if h else []
            if cat in probs:
                evidence.append(f"model:{probs[cat]:.2f}")
                if probs[cat] >= THRESHOLD:
                    evidence += [f'feature:"{f}"' for f in _plain_top(model, ids, cat)]
            source = "rules" if rules >= THRESHOLD else "model"
            findings.append((cat, round(scores[cat], 4), evidence, source))
    off = scores.pop(OFFER)
    return off >= THRESHOLD, round(off, 4), scores, findings


def test_combined_verdicts_equal_the_plain_formula_with_a_model_lacking_categories(packs) -> None:  # type: ignore[no-untyped-def]
    shipped = LinearModel.default()
    assert shipped is not None
    outputs = ["drugs", "weapons", "offer"]  # the other categories: rules alone
    cols = [shipped.col[o] for o in outputs]
    model = LinearModel(outputs=outputs, vocab=shipped.vocab, W=shipped.W[:, cols], b=shipped.b[cols])
    texts = [*TEXTS, *(t.text for p in packs for t in p.tests)]
    for m in (model, shipped):
        clf = Classifier(RuleSet(packs), m)
        for text, v in zip(texts, clf.classify_batch(texts), strict=True):
            found = [(f.category, f.score, f.evidence, f.source) for f in v.findings]
            got = (v.offer, v.offer_score, v.scores, found)
            assert got == reference_verdict(clf, text), text


def test_a_pack_without_patterns_or_terms_still_matches(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "drugs.yaml"
    path.write_text("category: drugs\nnegative:\n  en: {police: 1}\n", encoding="utf-8")
    rs = RuleSet([load_pack(path)])
    assert rs.match("the police") and not rs.match("hello")
    assert RuleSet([]).match("anything at all 5g") == {}
