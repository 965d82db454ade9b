"""The per-word memo of the term pass (``_WordForms``) against its definition: the digit-read form of a
word ("" for a word of only letters or only digits) and whether it mixes letters and ASCII digits."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tgintel.detect.classify.rules import _LEET, _MIXED, _WordForms
from tgintel.detect.classify.text import tokens


def _definition(word: str) -> tuple[str, bool]:
    form = "" if word.isalpha() or word.isdigit() else word.translate(_LEET)
    return form, _MIXED.search(word) is not None


# letters, ASCII and other digits (Arabic-Indic, superscripts: isdigit but not \d), underscore, Cyrillic
_ALPHABET = "abcz013457_" + "кокаин" + "\u0663\u00b2\u00b9\u2460" + "@$"
_CASES = ["cocaine", "c0ca1ne", "4700", "\u0663\u0664", "0\u00b2", "\u00b2\u00b3", "a\u00b2", "trc20", "x_1"]


@settings(max_examples=400, deadline=None)  # no timing in tests: the machine is shared
@given(st.lists(st.text(alphabet=_ALPHABET, min_size=1, max_size=8), min_size=1, max_size=20))
def test_forms_and_mixed_marks_follow_the_definition(words: list[str]) -> None:
    forms = _WordForms()
    for word in [*_CASES, *words]:
        form, mixed = _definition(word)
        assert forms[word] == form
        assert (word in forms.mixed) is mixed


def test_digit_forms_are_still_found_for_terms() -> None:
    forms = _WordForms()
    got = [forms[w] for w in tokens("c0ca1ne 4700 rub \u0663\u0664 fresh")]
    assert got == ["cocaine", "", "", "", ""]
    assert forms.mixed == {"c0ca1ne"}
