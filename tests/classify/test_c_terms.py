"""The compiled hot loops (``tgintel/detect/classify/_c_terms.c``) must give exactly what their pure-Python
references give: ``tokens`` the ``\\w+`` runs, the term matcher the same term ids, ``ids_flat`` the same ids
in the same order (the order fixes the float32 sums of the logits), and so the classifier the same verdicts.

The compiled module is imported directly, so these comparisons run under ``TGINTEL_PURE_PYTHON=1`` too
(that variable only stops the classifier from using it); they are skipped only where it was not built."""

from __future__ import annotations

import functools
import importlib
import random
import re
from types import ModuleType

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tgintel.detect.classify import classifier as classifier_module
from tgintel.detect.classify import model as model_module
from tgintel.detect.classify import rules as rules_module
from tgintel.detect.classify.classifier import Classifier
from tgintel.detect.classify.model import LinearModel, _WordTable
from tgintel.detect.classify.rules import RuleSet, load_packs
from tgintel.detect.classify.text import normalize, tokens_python

from .test_chunk_path import INDICATORS, _texts

_WORDS = re.compile(r"\w+")


def _compiled() -> ModuleType:
    try:
        return importlib.import_module("tgintel.detect.classify._c_terms")
    except ImportError:
        pytest.skip("the C accelerator was not built (no compiler): the pure-Python path is the only one")


@pytest.fixture(scope="module")
def c() -> ModuleType:
    return _compiled()


@pytest.fixture(scope="module")
def packs() -> list:  # type: ignore[type-arg]
    return load_packs()


@pytest.fixture(scope="module")
def corpus(packs) -> list[str]:  # type: ignore[no-untyped-def]
    """Normalised pack tests and generated mixes of pack terms, prices, handles and leet words."""
    return _texts(packs, 1500)


# -- tokens --------------------------------------------------------------------------------------------------
_ODD = " _\t\n\x00€£₽😀\u00a0\u2003٣é\u0483\ud800\udfff²ª𝐀½"
_ANY = st.characters(blacklist_categories=())  # every code point, lone surrogates included


@given(st.text(alphabet=_ANY | st.sampled_from(_ODD)))
@settings(max_examples=500, deadline=None)
def test_tokens_equal_python_and_the_regex(text: str) -> None:
    got = _compiled().tokens(text)
    assert got == tokens_python(text) == _WORDS.findall(text)


def test_tokens_on_corpus_and_long_texts(c, corpus) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(3)
    pieces = [*corpus[:300], *_ODD, "x" * 1000]
    long = "".join(rng.choice(pieces) + rng.choice(" ,.\n") for _ in range(20_000))  # ~1 MB
    for text in [*corpus, long, long + "\ud800", "😀" * 100_000, "a" * 1_000_000, ""]:
        assert c.tokens(text) == tokens_python(text) == _WORDS.findall(text)


def test_tokens_reject_what_is_not_a_str(c) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TypeError):
        c.tokens(b"bytes")


# -- terms ---------------------------------------------------------------------------------------------------
_DIGITS_FOR_LETTERS = str.maketrans("oieast", "013457")


def _term_texts(rs: RuleSet, corpus: list[str]) -> list[list[str]]:
    texts = list(corpus)
    for t in rs.terms:  # each term written out, with digits for letters, pulled apart, reversed
        words = [w + ("ing" if st else "") for w, st in zip(t.toks, t.stems, strict=True)]
        texts += [" ".join(words), " ".join(words).translate(_DIGITS_FOR_LETTERS)]
        if len(words) > 1:
            texts += [" x ".join(words), " ".join(reversed(words)), " ".join(words[:-1])]
    texts += ["zq zqa zqx", "zqxdd deal", "zqxd dealer", "a bb c", "a b", "a bc c d", "zqxplace9 and c0caine"]
    return [tokens_python(normalize(t)) for t in texts]


@pytest.mark.parametrize("indicators", [[], INDICATORS])
def test_term_matcher_equals_the_python_pass(c, packs, corpus, indicators) -> None:  # type: ignore[no-untyped-def]
    rs = RuleSet(packs, indicators)
    matcher = rs.compiled_terms(c)
    toks_list = _term_texts(rs, corpus)
    want = [rs._fired_terms_python(toks) for toks in toks_list]
    assert [matcher.fired(toks) for toks in toks_list] == want
    assert [matcher.fired(tuple(toks)) for toks in toks_list[:50]] == want[:50]
    nt = len(rs.terms)
    keys = np.frombuffer(matcher.fired_chunk(toks_list), dtype=np.int64).tolist()
    assert keys == [r * nt + t for r, ids in enumerate(want) for t in sorted(ids)]
    assert len(set().union(*want)) > 0.9 * nt  # nearly every term was found somewhere
    assert rs._special  # keys shared by several terms (and confirmed ones) were exercised


_WORD_LIST = ["bank", "account", "accounts", "for", "sale", "zq", "zqx", "zqxd", "deal", "a", "b", "bx", "c",
              "c0caine", "cocaine", "k1lo", "weed", "9mm", "x", "50g", "1", "٣", "²", "ваш", "к0кс", "_",
              "a_1", "ǅ", "ⅷ", "b@nk", "acc0unt", "$ale", "w33d", "me7h", "5ale", "4ccount"]  # fmt: skip


@functools.cache
def _made_up_rules() -> RuleSet:
    """Indicator terms that share keys, need word-by-word confirmation, or hold digits read as letters."""
    more = [("l", "drugs", 7, "bank account* for sale"), ("l", "drugs", 8, "we*"), ("l", "guns", 9, "k1lo"),
            ("l", "x", 10, "c0caine"), ("l", "x", 11, "9mm"), ("l", "y", 12, "zq* x"), ("l", "y", 13, "meth"),
            ("l", "y", 14, "sale"), ("l", "y", 15, "weed"), ("l", "y", 16, "bank"),
            ("l", "y", 17, "c0ca1ne cocaine")]  # fmt: skip
    return RuleSet([], [*INDICATORS, *more])


@given(st.lists(st.sampled_from(_WORD_LIST) | st.text(alphabet=_ANY, min_size=1, max_size=6), max_size=14))
@settings(max_examples=400, deadline=None)
def test_term_matcher_on_made_up_word_sequences(words: list[str]) -> None:
    rs = _made_up_rules()
    assert rs.compiled_terms(_compiled()).fired(words) == rs._fired_terms_python(words)


@pytest.mark.parametrize(
    "words",
    [["b@nk", "x1"], ["$ale", "a1"], ["w33d"], ["me7h"], ["5ale"], ["bank", "acc0unts", "for", "sale"],
     ["x1"], ["²a1"], ["a٣"], ["ⅷ1a"], [], ["zq", "x"], ["zqa", "x"], ["we"], ["weed"], ["wee"],
     ["", "c0ca1ne"], ["x", "", "c0ca1ne"], ["", "", "k1lo"]],
)  # fmt: skip
def test_term_matcher_on_chosen_word_sequences(c, words: list[str]) -> None:  # type: ignore[no-untyped-def]
    rs = _made_up_rules()
    assert rs.compiled_terms(c).fired(words) == rs._fired_terms_python(words)
    if words[:1] in (["b@nk"], ["$ale"], ["w33d"], ["me7h"], ["5ale"], ["bank"]):
        assert rs._fired_terms_python(words)  # digits or signs read as letters: a term is found


def test_term_matcher_rejects_bad_input(c, packs) -> None:  # type: ignore[no-untyped-def]
    rs = RuleSet(packs)
    matcher = rs.compiled_terms(c)
    with pytest.raises(TypeError):
        matcher.fired(["ok", 3])
    with pytest.raises(TypeError):
        matcher.fired(5)
    with pytest.raises(TypeError):
        matcher.fired_chunk("not a list")
    with pytest.raises(RuntimeError):
        c.TermMatcher.__new__(c.TermMatcher).fired(["x"])
    with pytest.raises(ValueError, match="starts with a space"):
        c.TermMatcher(["x"], [0], 1, [], [("x",)], [(False,)])
    with pytest.raises(ValueError, match="out of range"):
        c.TermMatcher([" x"], [5], 1, [], [("x",)], [(False,)])
    with pytest.raises(ValueError, match="out of range"):
        c.TermMatcher([" x"], [1], 1, [((7,), ())], [("x",)], [(False,)])
    with pytest.raises(ValueError):
        c.TermMatcher([" x"], [0], 2, [], [("x",)], [(False,)])
    with pytest.raises(TypeError):
        c.TermMatcher([" x"], [0], 1, [], [("x",)], [(0,)])  # stems are bools
    with pytest.raises(TypeError):
        c.TermMatcher([" x"], [0.0], 1, [], [("x",)], [(False,)])  # values are ints
    with pytest.raises(RuntimeError):
        matcher.__init__([" x"], [0], 1, [], [("x",)], [(False,)])


# -- the model's ids -----------------------------------------------------------------------------------------
def _ids(model: LinearModel, tok_lists: list[list[str]], module: ModuleType | None, monkeypatch) -> tuple:  # type: ignore[no-untyped-def, type-arg]
    monkeypatch.setattr(model_module, "_C", module)
    indptr, indices = model.ids_flat(tok_lists)
    return indptr.dtype, indptr.tolist(), indices.dtype, indices.tolist()


def test_ids_flat_equals_python_in_order(c, model, corpus, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    tok_lists = [tokens_python(n) for n in corpus]
    tok_lists += [[], ["x"], ["x"] * 40, ["\ud800", "é", "😀"]]
    for cold in (True, False):  # every word new, then every word known
        if cold:
            model.forget_words()
        got = _ids(model, tok_lists, c, monkeypatch)
        model.forget_words()
        assert got == _ids(model, tok_lists, None, monkeypatch)
    for i in range(0, len(tok_lists), 97):  # in chunks, the table filling between them
        part = tok_lists[i : i + 97]
        assert _ids(model, part, c, monkeypatch) == _ids(model, part, None, monkeypatch)
    indptr, indices = model.ids_flat(tok_lists)
    assert indices.flags.writeable and indptr.flags.writeable


@given(st.lists(st.lists(st.sampled_from(_WORD_LIST) | st.text(alphabet=_ANY, min_size=1, max_size=8),
                         max_size=30), max_size=6))  # fmt: skip
@settings(max_examples=200, deadline=None)
def test_ids_flat_on_made_up_messages(tok_lists: list[list[str]]) -> None:
    c = _compiled()
    model = LinearModel.default()
    if model is None:
        pytest.skip("no packaged model")
    with pytest.MonkeyPatch.context() as mp:
        assert _ids(model, tok_lists, c, mp) == _ids(model, tok_lists, None, mp)


def test_ids_flat_rejects_bad_input(c, model) -> None:  # type: ignore[no-untyped-def]
    table = _WordTable(model)
    table.add(["x"])
    args = (model._bigram_keys, model._bigram_ids, len(model._right), model._objs_list)
    assert c.ids_flat([["y"]], table, table.feats, *args) == ["y"]  # the words to add first
    with pytest.raises(TypeError):
        c.ids_flat([["x"]], table, table.feats.astype(np.int64), *args)
    with pytest.raises(TypeError):
        c.ids_flat([["x"]], table, table.feats, model._bigram_ids, *args[1:])
    with pytest.raises(TypeError):
        c.ids_flat(5, table, table.feats, *args)
    with pytest.raises(TypeError):
        c.ids_flat([["x", 5]], table, table.feats, *args)  # words are str
    with pytest.raises(ValueError):
        c.ids_flat([["x"]], table, table.feats, args[0], args[1], -1, args[3])  # nright out of range

    outer: list = []  # type: ignore[type-arg]

    class Shrinks:  # a message whose iteration empties the caller's list of messages
        def __iter__(self):  # type: ignore[no-untyped-def]
            outer.clear()
            return iter(["x"])

    outer.extend([Shrinks(), ["x"], ["x"]])
    indptr, _ = c.ids_flat(outer, table, table.feats, *args)  # read from a snapshot: no stale length
    assert len(indptr) == 4 * 8
    bad = dict(table)
    bad["x"] = 10**9  # a column outside feats
    with pytest.raises(ValueError):
        c.ids_flat([["x"]], bad, table.feats, *args)


# -- whole verdicts ------------------------------------------------------------------------------------------
def _verdicts(clf: Classifier, norms: list[str]) -> list[tuple]:  # type: ignore[type-arg]
    out = []
    for start in range(0, len(norms), 500):
        fresh = Classifier(clf.rules, clf.model)
        for v in fresh.classify_batch(norms[start : start + 500], norms[start : start + 500]):
            findings = [(f.category, f.score, f.evidence, f.source) for f in v.findings]
            out.append((v.offer, v.offer_score, list(v.scores.items()), findings))
    return out


@pytest.mark.parametrize("indicators", [[], INDICATORS])
def test_verdicts_are_the_same_on_both_paths(c, packs, model, corpus, indicators, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def run(module: ModuleType | None) -> list[tuple]:  # type: ignore[type-arg]
        monkeypatch.setattr(rules_module, "_C", module)
        monkeypatch.setattr(model_module, "_C", module)
        monkeypatch.setattr(classifier_module, "tokens", module.tokens if module else tokens_python)
        model.forget_words()
        return _verdicts(Classifier(RuleSet(packs, indicators), model), corpus)

    fast, slow = run(c), run(None)
    assert fast == slow
    assert sum(bool(v[3]) for v in fast) > 200  # findings were compared, not only empty lists
