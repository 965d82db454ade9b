"""Which of a rule set's regexes can match a text, found in one pass in C (an RE2 ``Set``) instead of one
Python ``re`` scan per regex.

Why a prefilter and not the answer: Python's ``re`` is what the packs are written for (Unicode ``\\d``,
``\\w``, ``\\b``, lookarounds, back references, possessive repeats) and RE2 speaks another dialect. So each
pattern is translated into an RE2 expression that matches *at least* wherever the Python regex can match (a
superset): assertions (``\\b``, ``^``, lookarounds) are dropped, atomic and possessive groups become plain
ones, a back reference becomes "any text", and ``\\d``, ``\\s``, ``\\w`` become explicit character classes
read from Python's own ``re`` (so they follow the installed Unicode database; ``\\w`` is exact up to U+052F
and widened to every character above, which keeps the class small). Every pattern the set reports is then
run by Python ``re`` exactly as before, so the answers cannot change; a pattern that cannot be translated
(a case-insensitive flag, a repeat count above RE2's 1000) is reported as a candidate for every text.

Measured on the simulator's posts (230 characters, 14 shipped patterns): one set match costs ~2 µs and
leaves ~2 candidates, against ~30 µs for a substring pre-test plus a ``re`` scan per pattern. Hyperscan was
tried too: it needs a Python callback per reported pattern (~3.5 µs a post), has no Unicode ``\\b`` and
refuses some Unicode classes as too large, and ships for x86 only.
Without the ``google-re2`` package every pattern is a candidate: the caller runs them all, as before.

Sure answers: for a pattern the caller answers exactly as ``re.search`` does, the set also holds a *subset*
translation (:func:`sure_expression`: exact classes, ``^``/``$`` kept, a ``\\b`` only at the very end after
a word character, no lookaround, atomic or possessive part, back reference or flag). When that entry
reports, Python's ``re`` would match too, so the caller skips its own scan: on the simulator's posts this
answers ~80 % of the ``re`` scans the superset left (contact handles, prices), and when it stays silent the
pattern is simply run as before.
"""

from __future__ import annotations

import re
import re._constants as _c
import re._parser as _p
from bisect import bisect_left
from collections.abc import Callable, Container, Sequence
from functools import cache

try:  # optional at run time: without it every pattern is a candidate
    import re2 as _re2
except ImportError:  # pragma: no cover - depends on the installation
    _re2 = None

__all__ = ["PatternPrefilter", "superset_expression", "sure_expression"]

_MAX = 0x10FFFF
_SURROGATES = (0xD800, 0xDFFF)
# \w is spelled out exactly below this code point (Latin, Greek, Cyrillic: where the markets write) and
# widened to "every character" above it, so the class stays a few dozen ranges instead of ~700.
_WORD_EXACT_BELOW = 0x0530

Ranges = tuple[tuple[int, int], ...]


class Unsupported(ValueError):
    """A regex construct with no superset translation here: the pattern stays a candidate for every text."""


# -- character classes as sorted, disjoint (lo, hi) ranges ------------------------------------------------
def _merge(ranges: list[tuple[int, int]]) -> Ranges:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return tuple(out)


def _complement(ranges: Ranges) -> Ranges:
    out: list[tuple[int, int]] = []
    nxt = 0
    for lo, hi in ranges:
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = hi + 1
    if nxt <= _MAX:
        out.append((nxt, _MAX))
    return tuple(out)


@cache
def _python_class(regex: str, below: int) -> Ranges:
    """The code points below ``below`` that Python's ``re`` matches with ``regex`` (one character class),
    found by letting ``re`` scan every code point once (tens of milliseconds, once per process)."""
    every = "".join(map(chr, (*range(_SURROGATES[0]), *range(_SURROGATES[1] + 1, below))))
    spans = [m.span() for m in re.finditer(regex + "+", every)]

    # positions to code points: the string skips the surrogates
    def cp(i: int) -> int:
        return i if i < _SURROGATES[0] else i + (_SURROGATES[1] - _SURROGATES[0] + 1)

    out: list[tuple[int, int]] = []
    for a, b in spans:  # a span may cross the surrogate gap: split it there
        lo, hi = cp(a), cp(b - 1)
        if lo < _SURROGATES[0] <= hi:
            out += [(lo, _SURROGATES[0] - 1), (_SURROGATES[1] + 1, hi)]
        else:
            out.append((lo, hi))
    return _merge(out)


def _category(cat: object) -> tuple[Ranges, Ranges]:
    """(subset, superset) of what a ``\\d``-style category matches in Python (Unicode ``str`` patterns)."""
    if cat in (_c.CATEGORY_DIGIT, _c.CATEGORY_NOT_DIGIT):
        exact = _python_class(r"\d", _MAX + 1)
        sub = sup = exact
    elif cat in (_c.CATEGORY_SPACE, _c.CATEGORY_NOT_SPACE):
        exact = _python_class(r"\s", _MAX + 1)
        sub = sup = exact
    elif cat in (_c.CATEGORY_WORD, _c.CATEGORY_NOT_WORD):
        sub = _python_class(r"\w", _WORD_EXACT_BELOW)
        sup = _merge([*sub, (_WORD_EXACT_BELOW, _MAX)])
    else:
        raise Unsupported(f"category {cat}")
    if cat in (_c.CATEGORY_NOT_DIGIT, _c.CATEGORY_NOT_SPACE, _c.CATEGORY_NOT_WORD):
        return _complement(sup), _complement(sub)
    return sub, sup


def _charset(items: list[tuple[object, object]]) -> Ranges:
    """A superset of what a ``[...]`` set matches."""
    return _charset_bounds(items)[1]


def _charset_bounds(items: list[tuple[object, object]]) -> tuple[Ranges, Ranges]:
    """(subset, superset) of what a ``[...]`` set matches."""
    negate = bool(items) and items[0][0] is _c.NEGATE
    sub: list[tuple[int, int]] = []
    sup: list[tuple[int, int]] = []
    for op, av in items[1:] if negate else items:
        if op is _c.LITERAL:
            sub.append((av, av))  # type: ignore[arg-type]
            sup.append((av, av))  # type: ignore[arg-type]
        elif op is _c.RANGE:
            sub.append(av)  # type: ignore[arg-type]
            sup.append(av)  # type: ignore[arg-type]
        elif op is _c.CATEGORY:
            a, b = _category(av)
            sub += a
            sup += b
        else:
            raise Unsupported(f"set member {op}")
    # [^...] matches what is not in the set: its superset is the complement of a subset of the set
    if negate:
        return _complement(_merge(sup)), _complement(_merge(sub))
    return _merge(sub), _merge(sup)


def _esc(cp: int) -> str:
    ch = chr(cp)
    return ch if ch.isascii() and ch.isalnum() else f"\\x{{{cp:x}}}"


def _class(ranges: Ranges) -> str:
    parts: list[str] = []
    for lo, hi in ranges:  # surrogates never reach the scanner (texts holding one are not scanned)
        for a, b in ((lo, min(hi, _SURROGATES[0] - 1)), (max(lo, _SURROGATES[1] + 1), hi)):
            if a <= b:
                parts.append(_esc(a) if a == b else f"{_esc(a)}-{_esc(b)}")
    if not parts:
        raise Unsupported("a set that matches nothing")
    return "[" + "".join(parts) + "]"


_NEWLINE = _complement(((10, 10),))
_ANYTHING = ((0, _MAX),)


def _seq(items: list[tuple[object, object]], dotall: bool, head: bool = False, tail: bool = False) -> str:
    """A superset translation of a sequence; ``head``/``tail``: nothing precedes/follows it in the whole
    pattern (where an assertion on one neighbouring character can be kept by consuming that character)."""
    out: list[str] = []
    last = len(items) - 1
    for j, (op, av) in enumerate(items):
        at_end = tail and j == last
        if op is _c.LITERAL:
            out.append(_esc(av))  # type: ignore[arg-type]
        elif op is _c.NOT_LITERAL:
            out.append(_class(_complement(((av, av),))))  # type: ignore[arg-type]
        elif op is _c.ANY:
            out.append(_class(_ANYTHING if dotall else _NEWLINE))
        elif op is _c.IN:
            out.append(_class(_charset(list(av))))  # type: ignore[call-overload]
        elif op is _c.CATEGORY:
            out.append(_class(_category(av)[1]))
        elif op is _c.BRANCH:
            out.append("(?:" + "|".join(_seq(list(b), dotall, False, at_end) for b in av[1]) + ")")  # type: ignore[index]
        elif op is _c.SUBPATTERN:
            _group, add, delete, sub = av  # type: ignore[misc]
            if add & (re.IGNORECASE | re.LOCALE | re.ASCII):
                raise Unsupported("case-insensitive or ASCII/locale group")
            inner = dotall or bool(add & re.DOTALL)
            if delete & re.DOTALL:
                inner = False
            out.append("(?:" + _seq(list(sub), inner, False, at_end) + ")")
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            lo, hi, sub = av  # type: ignore[misc]
            bound = f"{{{lo},}}" if hi == _c.MAXREPEAT else f"{{{lo},{hi}}}"
            out.append("(?:" + _seq(list(sub), dotall) + ")" + bound)
        elif op is _c.ATOMIC_GROUP:
            out.append("(?:" + _seq(list(av), dotall) + ")")  # type: ignore[call-overload]
        elif op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            # an assertion only ever removes matches: dropping it widens the set; one on the character
            # just before the whole pattern or just after it is kept (see _edge)
            try:
                edge = _edge(op, av, items, j, head and j == 0, at_end, sure=False)
            except Unsupported:
                edge = None
            if edge is not None:
                out.append(edge)
        elif op is _c.GROUPREF:
            out.append(_class(_ANYTHING) + "*")  # the group's text, whatever it was
        elif op is _c.GROUPREF_EXISTS:
            _gid, yes, no = av  # type: ignore[misc]
            alts = [_seq(list(yes), dotall), _seq(list(no), dotall) if no is not None else ""]
            out.append("(?:" + "|".join(alts) + ")")
        else:
            raise Unsupported(f"regex operator {op}")
    return "".join(out)


def superset_expression(regex: str) -> str:
    """An RE2 expression (UTF-8) matching wherever the Python ``regex`` may match; raise
    :class:`Unsupported` when there is none here."""
    tree = _p.parse(regex)
    if tree.state.flags & (re.IGNORECASE | re.LOCALE | re.ASCII):
        raise Unsupported("case-insensitive or ASCII/locale pattern")
    return _seq(list(tree), bool(tree.state.flags & re.DOTALL), True, True)


def _one_character(av: object) -> tuple[Ranges, Ranges] | None:
    """(subset, superset) of the one character a lookaround such as ``(?<![\\d.])`` looks at, or None when
    it looks at more."""
    _direction, sub = av  # type: ignore[misc]
    items = list(sub)
    if len(items) != 1:
        return None
    op, a = items[0]
    if op is _c.LITERAL:
        return ((a, a),), ((a, a),)  # type: ignore[return-value]
    if op is _c.NOT_LITERAL:
        return _complement(((a, a),)), _complement(((a, a),))  # type: ignore[arg-type]
    if op is _c.IN:
        return _charset_bounds(list(a))  # type: ignore[call-overload]
    if op is _c.CATEGORY:
        return _category(a)
    return None


def _edge(
    op: object, av: object, items: list[tuple[object, object]], j: int, head: bool, tail: bool, *, sure: bool
) -> str | None:
    """An assertion about the character just before the whole pattern (``head``: ``(?<!C)``, ``(?<=C)``)
    or just after it (``tail``: ``(?!C)``, ``(?=C)``, a ``\\b`` after a word character), written as that
    character being consumed (or the text starting or ending there): for "does it match somewhere" the same
    question, since nothing of the pattern lies beyond. A subset translation (``sure``) takes the classes'
    subsets where the superset takes their supersets. None: not such an assertion."""
    pick = 0 if sure else 1  # which bound of a class keeps the translation on its side
    if op in (_c.ASSERT, _c.ASSERT_NOT):
        direction = av[0]  # type: ignore[index]
        if (direction < 0 and not head) or (direction > 0 and not tail):
            return None
        bounds = _one_character(av)
        if bounds is None:
            return None
        if op is _c.ASSERT:
            return _class(bounds[pick])
        # "not C": the complement of C's other bound, or no character at all
        edge = "^" if direction < 0 else "$"
        return "(?:" + _class(_complement(bounds[1 - pick])) + "|" + edge + ")"
    if op is _c.AT and av is _c.AT_BOUNDARY and tail and _ends_in_word(items[:j]):
        # after a word character: the next one is not a word character, or the text ends
        return "(?:" + _class(_complement(_category(_c.CATEGORY_WORD)[1 - pick])) + "|$)"
    return None


# -- subset translation: "Python's re matches too" --------------------------------------------------------
_WORD_CHECK = re.compile(r"\w")


def _all_word(ranges: Ranges) -> bool:
    """Whether Python's ``re`` counts every code point in ``ranges`` as a word character."""
    if sum(hi - lo + 1 for lo, hi in ranges) <= 4096:
        return all(_WORD_CHECK.match(chr(c)) for lo, hi in ranges for c in range(lo, hi + 1))
    word = _category(_c.CATEGORY_WORD)[0]  # exact below _WORD_EXACT_BELOW, nothing above
    return all(any(a <= lo and hi <= b for a, b in word) for lo, hi in ranges)


def _ends_in_word(items: list[tuple[object, object]]) -> bool:
    """Whether every match of the sequence ends with a word character (False when unsure)."""
    if not items:
        return False
    op, av = items[-1]
    if op is _c.LITERAL:
        return _all_word(((av, av),))  # type: ignore[arg-type]
    if op is _c.IN:
        return _all_word(_charset_bounds(list(av))[1])  # type: ignore[call-overload]
    if op is _c.CATEGORY:
        return _all_word(_category(av)[1])
    if op is _c.SUBPATTERN:
        _group, add, _delete, sub = av  # type: ignore[misc]
        return not add and _ends_in_word(list(sub))
    if op is _c.BRANCH:
        return all(_ends_in_word(list(b)) for b in av[1])  # type: ignore[index]
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        lo, _hi, sub = av  # type: ignore[misc]
        return lo >= 1 and _ends_in_word(list(sub))
    return False


def _sure_seq(items: list[tuple[object, object]], dotall: bool, head: bool, tail: bool) -> str:
    """A subset translation of a sequence; ``head``/``tail`` as for :func:`_seq`."""
    out: list[str] = []
    last = len(items) - 1
    for j, (op, av) in enumerate(items):
        at_end = tail and j == last
        if op is _c.LITERAL:
            out.append(_esc(av))  # type: ignore[arg-type]
        elif op is _c.NOT_LITERAL:
            out.append(_class(_complement(((av, av),))))  # type: ignore[arg-type]
        elif op is _c.ANY:
            out.append(_class(_ANYTHING if dotall else _NEWLINE))
        elif op is _c.IN:
            out.append(_class(_charset_bounds(list(av))[0]))  # type: ignore[call-overload]
        elif op is _c.CATEGORY:
            out.append(_class(_category(av)[0]))
        elif op is _c.BRANCH:
            out.append("(?:" + "|".join(_sure_seq(list(b), dotall, False, at_end) for b in av[1]) + ")")  # type: ignore[index]
        elif op is _c.SUBPATTERN:
            _group, add, delete, sub = av  # type: ignore[misc]
            if add & ~re.DOTALL or delete & ~re.DOTALL:
                raise Unsupported("a group with flags")
            inner = (dotall or bool(add & re.DOTALL)) and not delete & re.DOTALL
            out.append("(?:" + _sure_seq(list(sub), inner, False, at_end) + ")")
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT):  # lazy or greedy: the same texts match somewhere
            lo, hi, sub = av  # type: ignore[misc]
            bound = f"{{{lo},}}" if hi == _c.MAXREPEAT else f"{{{lo},{hi}}}"
            out.append("(?:" + _sure_seq(list(sub), dotall, False, False) + ")" + bound)
        elif op is _c.AT and av is _c.AT_BEGINNING_STRING:
            out.append("^")
        elif op is _c.AT and av in (_c.AT_END_STRING, _c.AT_END):
            out.append("$")  # RE2's $ is the end of the text only: where Python's $ and \Z also match
        elif op is _c.AT and av is _c.AT_BEGINNING:
            out.append("^")  # without MULTILINE (refused below), Python's ^ is the start of the string
        elif (
            op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT)
            and (edge := _edge(op, av, items, j, head and j == 0, at_end, sure=True)) is not None
        ):
            out.append(edge)
        else:  # other lookarounds, \b and \B, atomic/possessive parts, back references
            raise Unsupported(f"regex operator {op} {av}")
    return "".join(out)


def sure_expression(regex: str) -> str:
    """An RE2 expression (UTF-8) that matches a text only where ``re.search(regex, text)`` also matches (a
    subset); raise :class:`Unsupported` when there is none here."""
    tree = _p.parse(regex)
    if tree.state.flags & (re.IGNORECASE | re.LOCALE | re.ASCII | re.MULTILINE):
        raise Unsupported("case-insensitive, multi-line or ASCII/locale pattern")
    return _sure_seq(list(tree), bool(tree.state.flags & re.DOTALL), True, True)


# -- the compiled set ------------------------------------------------------------------------------------
_Group = tuple[object, tuple[int, ...]]  # an RE2 set and the pattern index of each of its entries


def _options() -> object:
    opts = _re2.Options()  # type: ignore[union-attr]
    opts.log_errors = False
    # Room for the set's lazily built DFA. RE2 checks at compile time that the DFA can run within it, and a
    # set's DFA never gives up at match time (it starts its state cache afresh instead), so a set that
    # compiled always answers.
    opts.max_mem = 64 << 20
    return opts


def _compile(expressions: dict[int, str]) -> list[_Group]:
    """RE2 sets answering for as many of ``expressions`` (pattern index -> expression) as RE2 accepts: one
    set when they compile together (the usual case), else the list split in halves until each part does."""
    rset = _re2.Set.SearchSet(_options())  # type: ignore[union-attr]
    ids: list[int] = []
    for i, expr in expressions.items():
        try:
            rset.Add(expr)
        except _re2.error:  # type: ignore[union-attr]  # e.g. a repeat count above RE2's 1000
            continue
        ids.append(i)
    try:
        if ids:
            rset.Compile()
            return [(rset, tuple(ids))]
    except _re2.error:  # type: ignore[union-attr]  # too large together
        pass
    if len(ids) <= 1:
        return []
    half = len(ids) // 2
    first, second = ids[:half], ids[half:]
    return _compile({i: expressions[i] for i in first}) + _compile({i: expressions[i] for i in second})


@cache
def _sets(expressions: tuple[str | None, ...]) -> tuple[_Group, ...]:
    """Cached per process: every RuleSet built from the same packs shares the compiled sets."""
    if _re2 is None:
        return ()
    return tuple(_compile({i: e for i, e in enumerate(expressions) if e is not None}))


def _set_matcher(rset: object) -> Callable[[bytes], Sequence[int] | None]:
    """The fastest way to ask a compiled set: the extension object under the wrapper when there is one."""
    raw = getattr(rset, "_set", None)
    return raw.Match if raw is not None and hasattr(raw, "Match") else rset.Match  # type: ignore[attr-defined]


_NOTHING: frozenset[int] = frozenset()


class PatternPrefilter:
    """For a list of Python regexes: which of them may match a text (a superset of those that do), and of
    those, which surely match (see "Sure answers" above)."""

    def __init__(self, regexes: Sequence[str], sure: Sequence[bool] | None = None) -> None:
        """``sure[i]``: the caller's answer for regex ``i`` is exactly whether ``re.search`` finds it, so a
        subset translation may answer for it (default: no sure answers)."""
        n = len(regexes)
        expressions: list[str | None] = []
        for rx in regexes:
            try:
                expressions.append(superset_expression(rx))
            except (Unsupported, re.error, RecursionError):
                expressions.append(None)
        self.expressions = tuple(expressions)
        # set entries n, n+1, ...: the subset translations, for the patterns in ``sure_of[entry]``
        sure_of: list[int] = [-1] * n
        for i, rx in enumerate(regexes):
            if sure is not None and sure[i] and expressions[i] is not None:
                try:
                    expressions.append(sure_expression(rx))
                except (Unsupported, re.error, RecursionError):
                    continue
                sure_of.append(i)
        self.sure_expressions = {sure_of[e]: expressions[e] for e in range(n, len(expressions))}
        sets = _sets(tuple(expressions))
        self._sets = [(_set_matcher(rset), ids) for rset, ids in sets]
        self.covered = frozenset(i for _s, ids in sets for i in ids if i < n)
        self.sure = frozenset(sure_of[e] for _s, ids in sets for e in ids if e >= n)
        # always reported: the patterns no set answers for
        self.uncovered = tuple(i for i in range(n) if i not in self.covered)
        self._everything = list(range(n))
        self._n = n
        self._sure_of = tuple(sure_of)
        # the usual case, answered without any mapping: one set whose entries are the patterns' indices
        self._single = None
        if len(sets) == 1 and not self.uncovered and sets[0][1] == tuple(range(len(sets[0][1]))):
            self._single = self._sets[0][0]

    @property
    def active(self) -> bool:
        """Whether a scan can rule anything out (RE2 present and at least one pattern translated)."""
        return bool(self._sets)

    def candidates(self, text: str) -> list[int]:
        """Indices of the patterns that may match ``text``, in ascending order."""
        return list(self.scan(text)[0])

    def scan(self, text: str) -> tuple[Sequence[int], Container[int] | None]:
        """(indices of the patterns that may match ``text`` in ascending order, those of them that surely
        match); the second is None when nothing was ruled out (a text RE2 cannot read, or no set): then
        every pattern is a candidate and none is sure."""
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: RE2 needs valid UTF-8, so test everything
            return list(self._everything), None
        n = self._n
        if self._single is not None:
            found = self._single(data)
            if not found:
                return (), _NOTHING
            found.sort()
            if found[-1] < n:
                return found, _NOTHING
            cut = bisect_left(found, n)
            return found[:cut], set(map(self._sure_of.__getitem__, found[cut:]))
        if not self._sets:
            return list(self._everything), None
        may: list[int] = list(self.uncovered)
        sure: set[int] = set()
        for match, ids in self._sets:
            for e in map(ids.__getitem__, match(data) or ()):
                if e < n:
                    may.append(e)
                else:
                    sure.add(self._sure_of[e])
        may.sort()
        return may, sure
