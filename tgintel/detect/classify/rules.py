"""Rule packs: analysts' terms and patterns per category and language, loaded from YAML and compiled into
one fast matcher.

A pack is one YAML file (see ``docs/classification.md`` for the format)::

    category: drugs
    terms:
      en: {cocaine: 1.5, "weed*": 0.7}
    patterns:
      - {id: gram_price, regex: '\\b\\d+ ?g\\b', weight: 0.3}
    negative:
      en: {"police seized": 1.0}
    tests:
      match: ["fresh cocaine, dm"]
      no_match: ["the police seized cocaine"]

Scoring: each term or pattern counts once per message; a category's rule strength is the sum of its
positive weights minus its own negative ones, then scaled by ``2**-c`` where ``c`` is the summed weight of
the ``category: context`` negatives that fired (news, police, warnings apply to every category). Inside a
clear market post (``offer`` strength of 1.5 or more) every category with a hit gains 0.4, so one weak
hint next to prices and a contact handle is enough. On its own, weight 1 means "enough by itself": the
rules-only score is ``1 - 2**-s``, so a strength of 1 lands exactly on the 0.5 decision threshold.

How a message is matched (``docs/classification.md``, "How the matcher runs"): terms through one
Aho-Corasick automaton (pyahocorasick, in C) over the message's words joined by single spaces, keyed by the
string each term's matches contain (``" cocaine "``, or ``" weed"`` for the prefix term ``weed*``), so the
cost per message does not grow with the number of terms; a term with a prefix word before its last word
(``bank account* for sale``) is confirmed word by word. Words in which digits stand in for letters
(``c0ca1ne``) are matched a second time with the digits read as letters. Patterns are real Python regexes,
each run only when an RE2 set (``regex_prefilter``: a superset translation of every pattern, matched in one
pass) says it may match and when the text holds one of the strings every match must contain
(``required_literals``), and not at all when the same set's subset translation of it already matched
(a "sure" answer); an alternation of all patterns would let one pattern's match hide another's.

Errors name the file and line (from the YAML node marks) so an analyst can fix a pack without reading code.
"""

from __future__ import annotations

import math
import os
import re
import re._constants as _sre_constants
import re._parser as _sre_parser
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain, repeat
from operator import itemgetter
from pathlib import Path
from types import ModuleType
from typing import Any

import ahocorasick
import numpy as np
import yaml

from tgintel.accel import load as _load_accel
from tgintel.detect.classify.packing import packed_array
from tgintel.detect.classify.regex_prefilter import PatternPrefilter
from tgintel.detect.classify.taxonomy import CATEGORIES, OFFER, RULE_CATEGORIES
from tgintel.detect.classify.text import normalize, tokens
from tgintel.errors import UserError

__all__ = [
    "INDICATOR_PREFIX",
    "PACK_DIR",
    "CategoryHits",
    "ChunkHits",
    "Pack",
    "PackTest",
    "RuleError",
    "RuleSet",
    "default_pack_paths",
    "load_pack",
    "load_packs",
    "rule_score",
]

PACK_DIR = Path(__file__).parent / "rules"
CONTEXT = "context"
# Hits of user-loaded indicator lists are kept apart from the packs' hits under "@<category>".
INDICATOR_PREFIX = "@"
MAX_WEIGHT = 10.0
# A category hint inside a clear market post (offer strength >= OFFER_CONTEXT) gains OFFER_BOOST.
OFFER_CONTEXT = 1.5
OFFER_BOOST = 0.4
_LANG = re.compile(r"^(?:[a-z]{2}|any)$")
_LEET = str.maketrans("013457@$", "oieastas")
_MIXED = re.compile(r"[^\W\d_][0-9]|[0-9][^\W\d_]")
_SECOND = itemgetter(1)
# The term pass in C (``_c_terms.c``, TermMatcher): the same ids as RuleSet._fired_terms_python.
_C = _load_accel("tgintel.detect.classify._c_terms")


def _top_level(regex: str) -> str:
    """The regex with bracketed and parenthesised parts removed (to see top-level alternation)."""
    depth, out, i = 0, [], 0
    while i < len(regex):
        ch = regex[i]
        if ch == "\\":
            if depth == 0:
                out.append(regex[i : i + 2])
            i += 2
            continue
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(depth - 1, 0)
        elif depth == 0:
            out.append(ch)
        i += 1
    return "".join(out)


class RuleError(UserError):
    """A pack that cannot be used; the message starts with ``file:line:``."""


@dataclass(slots=True)
class Term:
    text: str
    toks: tuple[str, ...]
    stems: tuple[bool, ...]
    weight: float
    category: str
    lang: str
    negative: bool
    where: str


@dataclass(slots=True)
class Pattern:
    id: str
    regex: str
    weight: float
    category: str
    negative: bool
    where: str


@dataclass(slots=True)
class PackTest:
    text: str
    category: str
    expect: bool
    where: str


@dataclass
class Pack:
    path: Path
    category: str
    description: str = ""
    terms: list[Term] = field(default_factory=list)
    patterns: list[Pattern] = field(default_factory=list)
    tests: list[PackTest] = field(default_factory=list)


@dataclass(slots=True)
class CategoryHits:
    """What fired for one category in one message: summed weights and the evidence strings."""

    pos: float = 0.0
    neg: float = 0.0
    evidence: list[str] = field(default_factory=list)

    @property
    def strength(self) -> float:
        return self.pos - self.neg


class ChunkHits:
    """What ``RuleSet.match_chunk`` found in a chunk of texts: ``pos`` and ``neg`` (texts x ``columns``),
    and what the evidence of a (text, column) cell is made of, read out only for the cells asked for."""

    __slots__ = ("_boosted", "_cell", "_ctx_rows", "_ev", "_scaled", "columns", "neg", "pos")

    def __init__(
        self,
        columns: tuple[str, ...],
        pos: np.ndarray,
        neg: np.ndarray,
        cell: np.ndarray,
        ev: np.ndarray,
        boosted: np.ndarray,
        ctx_rows: np.ndarray,
        scaled: np.ndarray,
    ) -> None:
        self.columns, self.pos, self.neg = columns, pos, neg
        self._cell, self._ev, self._boosted = cell, ev, boosted
        self._ctx_rows, self._scaled = ctx_rows, scaled

    def evidence(self, cells: Sequence[tuple[int, int]]) -> list[list[str]]:
        """For each (text, column) cell, the evidence list ``match`` gives that category (``[]`` when it has
        no hits): its terms' and patterns' strings in ``match``'s order, ``context:offer`` where a market
        post boosted it, and the context negatives' evidence where they scaled it down."""
        if not cells:
            return []
        ncol = len(self.columns)
        ctx = len(RULE_CATEGORIES) + 1
        scaled_of = {r: k for k, r in enumerate(self._ctx_rows.tolist())}
        wanted = {r * ncol + c for r, c in cells}
        wanted.update(r * ncol + ctx for r, _c in cells if r in scaled_of)
        found: dict[int, list[str]] = {}
        at = np.flatnonzero(np.isin(self._cell, np.fromiter(wanted, dtype=np.intp, count=len(wanted))))
        for key, ev in zip(self._cell[at].tolist(), self._ev[at].tolist(), strict=True):
            got = found.get(key)
            if got is None:
                found[key] = [ev]
            else:
                got.append(ev)
        out: list[list[str]] = []
        for r, c in cells:
            evidence = found.get(r * ncol + c, [])
            if self._boosted[r, c]:
                evidence.append("context:offer")
            k = scaled_of.get(r)
            if k is not None and self._scaled[k, c]:
                evidence += found.get(r * ncol + ctx, [])
            out.append(evidence)
        return out

    def indicators(self, first: int) -> dict[int, list[tuple[str, list[str]]]]:
        """Per text with hits of a user-loaded list (columns from ``first`` on): (category, evidence) in the
        order ``match`` lists them."""
        ncol = len(self.columns)
        at = np.flatnonzero(self._cell % ncol >= first)
        found: dict[int, dict[str, list[str]]] = {}
        for key, ev in zip(self._cell[at].tolist(), self._ev[at].tolist(), strict=True):
            r, c = divmod(key, ncol)
            found.setdefault(r, {}).setdefault(self.columns[c], []).append(ev)
        return {r: list(cats.items()) for r, cats in found.items()}


def rule_score(strength: float) -> float:
    """Rules-only score in [0, 1): weight 1 in total is the 0.5 threshold."""
    return 0.0 if strength <= 0 else 1.0 - math.pow(2.0, -strength)


# -- loading -------------------------------------------------------------------------------------------------
def _where(path: Path, node: yaml.Node) -> str:
    return f"{path}:{node.start_mark.line + 1}"


def _fail(path: Path, node: yaml.Node, msg: str) -> RuleError:
    return RuleError(f"{_where(path, node)}: {msg}")


def _scalar(path: Path, node: yaml.Node, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise _fail(path, node, f"{what} must be a single value, not a list or mapping")
    return str(node.value)


def _weight(path: Path, node: yaml.Node) -> float:
    raw = _scalar(path, node, "weight")
    try:
        w = float(raw)
    except ValueError:
        raise _fail(path, node, f"weight {raw!r} is not a number") from None
    if not (0 < w <= MAX_WEIGHT) or math.isnan(w):
        raise _fail(path, node, f"weight {raw} must be greater than 0 and at most {MAX_WEIGHT:g}")
    return w


def _mapping(path: Path, node: yaml.Node, what: str) -> list[tuple[yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        raise _fail(path, node, f"{what} must be a mapping (key: value lines)")
    return list(node.value)


def compile_term(text: str) -> tuple[tuple[str, ...], tuple[bool, ...]]:
    """Tokens of a term after normalisation; a trailing ``*`` on a word makes it a prefix."""
    toks: list[str] = []
    stems: list[bool] = []
    for word in text.split():
        stem = word.endswith("*")
        parts = tokens(normalize(word.rstrip("*")))
        if not parts:
            continue
        toks.extend(parts)
        stems.extend([False] * (len(parts) - 1) + [stem])
    return tuple(toks), tuple(stems)


def _terms(path: Path, node: yaml.Node, category: str, negative: bool, section: str) -> list[Term]:
    out: list[Term] = []
    seen: dict[tuple[str, tuple[tuple[str, ...], tuple[bool, ...]]], str] = {}
    merged: dict[tuple[tuple[str, ...], tuple[bool, ...]], Term] = {}
    for lang_node, terms_node in _mapping(path, node, section):
        lang = _scalar(path, lang_node, "language")
        if not _LANG.match(lang):
            raise _fail(
                path, lang_node, f"{section}: language {lang!r} must be a two-letter ISO 639-1 code or 'any'"
            )
        for term_node, weight_node in _mapping(path, terms_node, f"{section}.{lang}"):
            text = _scalar(path, term_node, "term").strip()
            if text.rstrip("*").strip() == "":
                raise _fail(path, term_node, f"{section}.{lang}: empty term")
            toks, stems = compile_term(text)
            if not toks:
                raise _fail(
                    path, term_node, f"{section}.{lang}: term {text!r} has no letters or digits to match"
                )
            if stems[0] and len(toks[0]) < 3:
                raise _fail(
                    path,
                    term_node,
                    f"{section}.{lang}: prefix term {text!r} is too short (3 letters or more)",
                )
            key = (toks, stems)
            weight = _weight(path, weight_node)
            if (lang, key) in seen:
                raise _fail(path, term_node, f"{section}.{lang}: term {text!r} repeats {seen[(lang, key)]}")
            seen[(lang, key)] = _where(path, term_node)
            if key in merged:  # the same word in two languages: one term, the larger weight
                merged[key].weight = max(merged[key].weight, weight)
                continue
            merged[key] = Term(text, toks, stems, weight, category, lang, negative, _where(path, term_node))
            out.append(merged[key])
    return out


_PATTERN_KEYS = {"id", "regex", "weight", "negative", "note", "lang"}


def _patterns(path: Path, node: yaml.Node, category: str) -> list[Pattern]:
    if not isinstance(node, yaml.SequenceNode):
        raise _fail(path, node, "patterns must be a list of {id, regex, weight} entries")
    out: list[Pattern] = []
    ids: set[str] = set()
    for item in node.value:
        fields = {}
        for k, v in _mapping(path, item, "a pattern"):
            key = _scalar(path, k, "key")
            if key not in _PATTERN_KEYS:
                raise _fail(
                    path, k, f"unknown pattern field {key!r} (expected one of {sorted(_PATTERN_KEYS)})"
                )
            fields[key] = v
        for required in ("id", "regex", "weight"):
            if required not in fields:
                raise _fail(path, item, f"pattern lacks {required!r}")
        pid = _scalar(path, fields["id"], "id")
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", pid):
            raise _fail(path, fields["id"], f"pattern id {pid!r} may use letters, digits, _ . - only")
        if pid in ids:
            raise _fail(path, fields["id"], f"pattern id {pid!r} repeats")
        ids.add(pid)
        regex = _scalar(path, fields["regex"], "regex")
        try:
            rx = re.compile(regex)
        except re.error as exc:
            raise _fail(path, fields["regex"], f"pattern {pid!r}: bad regex: {exc}") from None
        if rx.groups:
            regex = _no_capture(regex)
        if re.compile(regex).match(""):
            raise _fail(path, fields["regex"], f"pattern {pid!r} matches the empty string")
        negative = False
        if "negative" in fields:
            negative = _scalar(path, fields["negative"], "negative").lower() in {"true", "yes", "1"}
        out.append(
            Pattern(pid, regex, _weight(path, fields["weight"]), category, negative, _where(path, item))
        )
    return out


def _no_capture(regex: str) -> str:
    """Turn capturing groups into non-capturing ones so patterns can share one alternation."""
    return re.sub(r"(?<!\\)\((?!\?)", "(?:", regex)


def _tests(path: Path, node: yaml.Node, category: str) -> list[PackTest]:
    out: list[PackTest] = []
    for key_node, items in _mapping(path, node, "tests"):
        key = _scalar(path, key_node, "key")
        if key not in {"match", "no_match"}:
            raise _fail(path, key_node, f"tests: unknown key {key!r} (expected match, no_match)")
        if not isinstance(items, yaml.SequenceNode):
            raise _fail(path, items, f"tests.{key} must be a list of texts")
        for item in items.value:
            cat = category
            if isinstance(item, yaml.MappingNode):
                fields = {_scalar(path, k, "key"): v for k, v in item.value}
                unknown = set(fields) - {"text", "category", "lang"}
                if unknown or "text" not in fields:
                    raise _fail(path, item, "a test is a text, or {text, category, lang}")
                text = _scalar(path, fields["text"], "text")
                if "category" in fields:
                    cat = _scalar(path, fields["category"], "category")
            else:
                text = _scalar(path, item, "test text")
            out.append(PackTest(text, cat, key == "match", _where(path, item)))
    return out


_PACK_KEYS = {"category", "description", "terms", "patterns", "negative", "tests", "version"}


def load_pack(path: str | Path) -> Pack:
    """Parse and validate one pack; raise :class:`RuleError` naming file and line on any problem."""
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path}: cannot read rule pack: {exc}") from None
    try:
        root = yaml.compose(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"{mark.line + 1}" if mark is not None else "1"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RuleError(f"{path}:{line}: not valid YAML: {problem}") from None
    if root is None:
        raise RuleError(f"{path}:1: empty rule pack")
    sections = {}
    for k, v in _mapping(path, root, "a rule pack"):
        key = _scalar(path, k, "key")
        if key not in _PACK_KEYS:
            raise _fail(path, k, f"unknown section {key!r} (expected one of {sorted(_PACK_KEYS)})")
        sections[key] = v
    if "category" not in sections:
        raise _fail(path, root, "pack lacks 'category'")
    category = _scalar(path, sections["category"], "category")
    if category == "csam_indicator":
        raise _fail(
            path, sections["category"],
            "csam_indicator has no built-in rules; load an indicator list with "
            "`tgintel indicators load FILE --category csam_indicator`",
        )  # fmt: skip
    if category not in RULE_CATEGORIES and category not in (OFFER, CONTEXT):
        raise _fail(
            path, sections["category"],
            f"unknown category {category!r} (expected one of {[*RULE_CATEGORIES, OFFER, CONTEXT]})",
        )  # fmt: skip
    pack = Pack(path=path, category=category)
    if "description" in sections:
        pack.description = _scalar(path, sections["description"], "description")
    if category == CONTEXT and ("terms" in sections or "patterns" in sections):
        node = sections.get("terms") or sections["patterns"]
        raise _fail(path, node, "a context pack holds only 'negative' terms, which apply to every category")
    if "terms" in sections:
        pack.terms += _terms(path, sections["terms"], category, False, "terms")
    if "negative" in sections:
        pack.terms += _terms(path, sections["negative"], category, True, "negative")
    if "patterns" in sections:
        pack.patterns = _patterns(path, sections["patterns"], category)
    if "tests" in sections:
        pack.tests = _tests(path, sections["tests"], category)
        for t in pack.tests:
            if t.category not in (*RULE_CATEGORIES, OFFER, CONTEXT):
                raise RuleError(f"{t.where}: test names unknown category {t.category!r}")
    return pack


def default_pack_paths() -> list[Path]:
    """The shipped packs, with same-named files from ``$TGINTEL_RULES`` directories taking their place and
    new files there added."""
    by_name = {p.name: p for p in sorted(PACK_DIR.glob("*.yaml"))}
    for d in filter(None, os.environ.get("TGINTEL_RULES", "").split(os.pathsep)):
        for p in sorted(Path(d).glob("*.yaml")):
            by_name[p.name] = p
    return [by_name[n] for n in sorted(by_name)]


def load_packs(paths: Iterable[str | Path] | None = None) -> list[Pack]:
    return [load_pack(p) for p in (default_pack_paths() if paths is None else paths)]


# -- matching ------------------------------------------------------------------------------------------------
def required_literals(regex: str) -> tuple[str, ...] | None:
    """Strings of which every match of ``regex`` contains at least one, or None when no such set is known.

    Why: most patterns cannot match most messages (no ``%`` means no ``roi_promise``), and a substring test
    (``in``, a C memchr/fast search) costs a small fraction of a regex scan. The set is read from the parsed
    regex (Python's own parser), so it holds for any pattern an analyst writes: literal runs, alternations of
    them, small character classes, and repeats of at least one; anything else (lookarounds, case-insensitive
    groups, back references) contributes nothing and the pattern simply runs unfiltered."""
    try:
        tree = _sre_parser.parse(regex)
    except Exception:  # unknown syntax: no filter, the regex still runs
        return None
    if tree.state.flags & re.IGNORECASE:
        return None
    try:
        return _req_seq(list(tree))
    except Exception:  # an opcode shape this parser makes differently: no filter
        return None


def _req_best(options: list[tuple[str, ...]]) -> tuple[str, ...] | None:
    """The most selective candidate: longest shortest string, then fewest strings."""
    if not options:
        return None
    return max(options, key=lambda s: (min(map(len, s)), -len(s)))


def _req_minimal(strings: Iterable[str]) -> tuple[str, ...]:
    """Drop strings that contain another one of the set (finding the shorter one is the weaker, sufficient
    test), in a fixed order."""
    uniq = sorted(set(strings), key=lambda s: (len(s), s))
    keep: list[str] = []
    for s in uniq:
        if not any(k in s for k in keep):
            keep.append(s)
    return tuple(keep)


def _req_seq(items: list[tuple[object, object]]) -> tuple[str, ...] | None:
    c = _sre_constants
    options: list[tuple[str, ...]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            options.append(("".join(run),))
            run.clear()

    for op, av in items:
        if op is c.LITERAL:
            run.append(chr(av))  # type: ignore[arg-type]
            continue
        flush()
        req: tuple[str, ...] | None = None
        if op is c.IN:
            members = list(av)  # type: ignore[call-overload]
            if members and len(members) <= 8 and all(o is c.LITERAL for o, _ in members):
                req = _req_minimal(chr(v) for _, v in members)
        elif op is c.SUBPATTERN:
            _group, add_flags, _del_flags, sub = av  # type: ignore[misc]
            if not add_flags:
                req = _req_seq(list(sub))
        elif op is c.ATOMIC_GROUP:
            req = _req_seq(list(av))  # type: ignore[call-overload]
        elif op is c.BRANCH:
            branches = [_req_seq(list(b)) for b in av[1]]  # type: ignore[index]
            if all(b is not None for b in branches):
                req = _req_minimal(s for b in branches for s in b)  # type: ignore[union-attr]
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            lo, _hi, sub = av  # type: ignore[misc]
            if lo >= 1:
                req = _req_seq(list(sub))
        if req:
            options.append(req)
    flush()
    return _req_best(options)


class _WordForms(dict[str, str]):
    """word -> its digits read as letters (``c0ca1ne`` -> ``cocaine``), or "" for a word of only letters or
    only digits; worked out on first sight. Words that mix letters and digits are also kept in ``mixed``.

    Why remembered: a message's words are mostly words seen before (Zipf), so the per-message work is one
    C-level dict lookup per word. ``mixed`` is filled before the word's entry, so a thread sharing the rule
    set never sees the entry without the mark; when full the memo is replaced, never cleared in place."""

    __slots__ = ("mixed",)

    def __init__(self) -> None:
        super().__init__()
        self.mixed: set[str] = set()

    def __missing__(self, word: str) -> str:
        if word.isalpha() or word.isdecimal():
            # only letters (no [0-9]) or only \d: never mixed, and "" either way (no regex for most new words)
            self[word] = ""
            return ""
        if _MIXED.search(word):
            self.mixed.add(word)
        form = self[word] = "" if word.isdigit() else word.translate(_LEET)
        return form


_MEMO_MAX = 500_000  # words remembered; then the memo starts afresh


def _term_key(toks: tuple[str, ...], stems: tuple[bool, ...]) -> tuple[str, bool]:
    """The string every match of a term contains in the joined token stream ``" w1 w2 … wn "``, and whether
    a match must still be confirmed word by word (a prefix word before the last one: ``bank account* for``).

    A first word given as a prefix shorter than three letters matches only itself: the word-table lookup
    this replaces keyed prefixes by their first three letters, and packs reject such terms anyway."""
    literal: list[str] = []
    for j, (word, stem) in enumerate(zip(toks, stems, strict=True)):
        if stem and not (j == 0 and len(word) < 3):
            return " " + " ".join([*literal, word]), j < len(toks) - 1
        literal.append(word)
    return " " + " ".join(literal) + " ", False


class RuleSet:
    """All packs (and user-loaded indicator lists) compiled into one matcher."""

    def __init__(self, packs: Sequence[Pack], indicators: Iterable[tuple[str, str, int, str]] = ()) -> None:
        """``indicators`` are ``(list name, category, entry number, term)`` rows from the store."""
        self.packs = list(packs)
        terms: list[Term] = [t for p in self.packs for t in p.terms]
        for name, category, number, text in indicators:
            toks, stems = compile_term(text)
            if toks:
                terms.append(
                    Term(text, toks, stems, MAX_WEIGHT, INDICATOR_PREFIX + category, "any", False,
                         f"indicator:{name}:{number}")
                )  # fmt: skip
        self.terms = terms
        self.has_indicators = any(t.category.startswith(INDICATOR_PREFIX) for t in terms)
        # What a fired term adds to its category's hits, per term index (evidence string built once).
        self._term_rows = [
            (
                t.category, t.negative, t.weight,
                f"negative:{t.text}" if t.negative
                else t.where if t.category.startswith(INDICATOR_PREFIX)
                else f"rule:{t.text}",
            )
            for t in terms
        ]  # fmt: skip
        # Terms: one Aho-Corasick automaton over the message's words joined by single spaces, keyed by the
        # string each term's matches contain (``_term_key``). A term whose key is the whole condition fires
        # from the automaton alone; the few with a prefix word inside are stored as ``~id`` and confirmed
        # word by word.
        keyed: dict[str, list[int]] = defaultdict(list)
        for i, t in enumerate(terms):
            key, confirm = _term_key(t.toks, t.stems)
            keyed[key].append(~i if confirm else i)
        # A key's value is its term id when that alone decides (the usual case: ``set(map(...))`` in C);
        # otherwise ``len(terms) + k`` for row k of ``_special``: (ids that fire, ids to confirm).
        self._special: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
        automaton = ahocorasick.Automaton()
        values: list[int] = []
        for key, ids in keyed.items():
            if len(ids) == 1 and ids[0] >= 0:
                values.append(ids[0])
            else:
                values.append(len(terms) + len(self._special))
                self._special.append((tuple(i for i in ids if i >= 0), tuple(~i for i in ids if i < 0)))
            automaton.add_word(key, values[-1])
        automaton.make_automaton()
        self._scan = automaton.iter if keyed else None
        # The same keys and values in the compiled matcher (a trie walked from every space of the joined
        # words, see _c_terms.c), which also expands the special rows and confirms word by word; the
        # automaton above stays the reference (``_fired_terms_python``) and the fallback.
        self._keys = (list(keyed), values)
        self._c_terms = self.compiled_terms(_C) if _C is not None and keyed else None
        self._words = _WordForms()
        # Patterns run one by one over the normalised (already lower-cased) text, each only when the text
        # holds one of the strings every match of it must contain (``required_literals``). A leading \\b is
        # checked in Python after the match instead of by the regex: sre then uses its fast first-character
        # scan, which makes a typical pattern three times cheaper.
        self._patterns: list[tuple[tuple[str, ...] | None, re.Pattern[str], bool, Pattern, str]] = []
        for p in self.packs:
            for pat in p.patterns:
                body, boundary = pat.regex, False
                if body.startswith("\\b") and "|" not in _top_level(body[2:]):
                    body, boundary = body[2:], True
                evidence = f"negative:/{pat.id}/" if pat.negative else f"pattern:{pat.id}"
                self._patterns.append((required_literals(body), re.compile(body), boundary, pat, evidence))
        # Which patterns can match a text at all, for all of them in one RE2 pass (see regex_prefilter):
        # only those are then run, each exactly as above. A pattern answered as plain ``re.search`` (no
        # leading \\b checked here) may also be answered by the set alone when a subset translation of it
        # reports (``sure``). A leading \\b checked here is "no word character before the match": for the
        # set, ``(?<!\\w)``.
        self._prefilter = PatternPrefilter(
            [
                f"(?<!\\w)(?:{rx.pattern})" if boundary else rx.pattern
                for _need, rx, boundary, _pat, _ev in self._patterns
            ],
            [not boundary for _need, _rx, boundary, _pat, _ev in self._patterns],
        )
        # Per pattern, what confirming it needs: the required strings (only when the set did not scan the
        # text, or does not cover the pattern: every string a covered pattern's set entry reports contains
        # one of them already, since the translation keeps literals), the regex, the leading-\\b flag.
        covered = self._prefilter.covered
        self._checks = [
            (need, None if k in covered else need, rx, boundary)
            for k, (need, rx, boundary, _pat, _ev) in enumerate(self._patterns)
        ]
        # What a fired pattern adds to its category's hits, as ``_term_rows`` for terms.
        self._pattern_rows = [
            (pat.category, pat.negative, pat.weight, ev) for _need, _rx, _b, pat, ev in self._patterns
        ]
        # Categories a market post's boost applies to: not offer, context or an indicator list.
        self._boosted = frozenset(
            c for c, *_ in (*self._term_rows, *self._pattern_rows)
            if c not in (OFFER, CONTEXT) and not c.startswith(INDICATOR_PREFIX)
        )  # fmt: skip
        # For match_chunk: one column per category (the taxonomy's rule categories, offer and context first,
        # in that order, then the indicator lists' categories), and per term and per pattern its column,
        # weight, sign and evidence string as arrays.
        indicator_cats = dict.fromkeys(
            c for c, *_ in self._term_rows if c.startswith(INDICATOR_PREFIX)
        )  # fmt: skip
        self.columns: tuple[str, ...] = (*RULE_CATEGORIES, OFFER, CONTEXT, *indicator_cats)
        col = {c: i for i, c in enumerate(self.columns)}
        rows = [*self._term_rows, *self._pattern_rows]
        self._row_col = np.array([col[c] for c, *_ in rows], dtype=np.intp)
        self._row_pos = np.array([0.0 if neg else w for _c, neg, w, _e in rows], dtype=np.float64)
        self._row_neg = np.array([w if neg else 0.0 for _c, neg, w, _e in rows], dtype=np.float64)
        self._row_ev = np.empty(len(rows), dtype=object)
        self._row_ev[:] = [e for *_, e in rows]
        self._boost_col = np.array([c in self._boosted for c in self.columns], dtype=bool)
        self._ctx_col = np.array(
            [c not in (OFFER, CONTEXT) and not c.startswith(INDICATOR_PREFIX) for c in self.columns],
            dtype=bool,
        )

    def compiled_terms(self, module: ModuleType) -> Any:
        """This rule set's terms in ``module.TermMatcher`` (``_c_terms``): tests build one to compare it with
        the Python pass whichever path the process takes."""
        keys, values = self._keys
        return module.TermMatcher(
            keys, values, len(self.terms), self._special,
            [t.toks for t in self.terms], [t.stems for t in self.terms],
        )  # fmt: skip

    def forget_words(self) -> None:
        """Drop the per-word memo (benchmarks use this to measure a cold start)."""
        self._words = _WordForms()

    def _confirm(self, ti: int, toks: list[str]) -> bool:
        """Whether term ``ti`` matches word by word somewhere in ``toks`` (for terms with a prefix word before
        their last word, which the automaton's key cannot express)."""
        t = self.terms[ti]
        first, n = t.toks[0], len(t.toks)
        first_is_prefix = t.stems[0] and len(first) >= 3
        for i in range(len(toks) - n + 1):
            word = toks[i]
            if not (word.startswith(first) if first_is_prefix else word == first):
                continue
            for j in range(1, n):
                word = toks[i + j]
                if not (word.startswith(t.toks[j]) if t.stems[j] else word == t.toks[j]):
                    break
            else:
                return True
        return False

    def fired_terms(self, toks: list[str]) -> set[int]:
        """Indices (into ``terms``) of the terms found in a message's words."""
        if self._c_terms is not None:
            return self._c_terms.fired(toks)  # type: ignore[no-any-return]
        return self._fired_terms_python(toks)

    def _fired_terms_python(self, toks: list[str]) -> set[int]:
        """``fired_terms`` in Python: the reference of the compiled matcher, and the fallback."""
        forms = self._words
        if len(forms) > _MEMO_MAX:
            forms = self._words = _WordForms()
        leet = list(map(forms.__getitem__, toks))
        if not forms.mixed.isdisjoint(toks):
            # "c0ca1ne": digits standing in for letters. The digit-read forms of the message's words are added
            # after its words (so a term can also match them).
            toks = toks + list(filter(None, leet))
        scan = self._scan
        fired = set(map(_SECOND, scan(" " + " ".join(toks) + " "))) if scan else set()
        if self._special and fired and max(fired) >= len(self.terms):
            n = len(self.terms)
            for v in [v for v in fired if v >= n]:
                fired.discard(v)
                plain, confirm = self._special[v - n]
                fired.update(plain)
                for ti in confirm:
                    if ti not in fired and self._confirm(ti, toks):
                        fired.add(ti)
        return fired

    def fired_patterns(self, norm: str) -> list[int]:
        """Indices (into ``_patterns``, pack order) of the patterns that match a text."""
        out: list[int] = []
        candidates, sure = self._prefilter.scan(norm)
        unfiltered = sure is None
        checks = self._checks
        for k in candidates:
            if sure and k in sure:  # a subset translation matched: so does the regex
                out.append(k)
                continue
            need_all, need_left, rx, boundary = checks[k]
            need = need_all if unfiltered else need_left
            if need is not None:
                for s in need:
                    if s in norm:
                        break
                else:
                    continue  # no string every match must contain: no match
            if boundary:
                for m in rx.finditer(norm):
                    start = m.start()
                    if start and (norm[start - 1].isalnum() or norm[start - 1] == "_"):
                        continue
                    break
                else:
                    continue
            elif rx.search(norm) is None:
                continue
            out.append(k)
        return out

    def match(self, norm: str, toks: list[str] | None = None) -> dict[str, CategoryHits]:
        """Hits per category (``offer`` and ``context`` included) for one normalised text (``toks``, when
        given, must be ``tokens(norm)``)."""
        if toks is None:
            toks = tokens(norm)
        hits: dict[str, CategoryHits] = {}
        fired = self.fired_terms(toks)
        if fired:
            rows = self._term_rows
            last = h = None
            for ti in sorted(fired):  # a pack's terms are neighbours: the category changes rarely
                cat, negative, weight, ev = rows[ti]
                if cat is not last:
                    h = hits.get(cat)
                    if h is None:
                        h = hits[cat] = CategoryHits(0.0, 0.0, [])
                    last = cat
                if negative:
                    h.neg += weight  # type: ignore[union-attr]
                else:
                    h.pos += weight  # type: ignore[union-attr]
                h.evidence.append(ev)  # type: ignore[union-attr]
        pattern_rows = self._pattern_rows
        for k in self.fired_patterns(norm):
            cat, negative, weight, ev = pattern_rows[k]
            h = hits.get(cat)
            if h is None:
                h = hits[cat] = CategoryHits(0.0, 0.0, [])
            if negative:
                h.neg += weight
            else:
                h.pos += weight
            h.evidence.append(ev)
        offer = hits.get(OFFER)
        if offer is not None and offer.pos - offer.neg >= OFFER_CONTEXT:
            # Inside a market post a weak hint is worth more: "pills" in chatter is nothing, in a price list
            # with a contact handle it is a product.
            boosted = self._boosted
            for cat, h in hits.items():
                if h.pos > 0 and cat in boosted:
                    h.pos += OFFER_BOOST
                    h.evidence.append("context:offer")
        if CONTEXT in hits:
            ctx = hits.pop(CONTEXT)
            if ctx.neg:
                # Context scales a category down rather than subtracting a fixed amount: a news report that
                # names five drugs is still news, while one "beware of scammers" in a long ad leaves the ad
                # standing.
                keep = math.pow(2.0, -ctx.neg)
                for cat, h in hits.items():
                    if cat != OFFER and not cat.startswith(INDICATOR_PREFIX) and h.pos > 0:
                        h.neg += (h.pos - h.neg) * (1.0 - keep) if h.pos > h.neg else 0.0
                        h.evidence.extend(ctx.evidence)
                hits["_context"] = ctx
        return hits

    def match_chunk(self, norms: Sequence[str], toks_list: Sequence[list[str]]) -> ChunkHits:
        """``match`` for many texts at once, as arrays: per text and column (``self.columns``) the ``pos``
        and ``neg`` that ``match`` gives its category (0.0 where it has no hits), and the evidence on demand
        (:meth:`ChunkHits.evidence`).

        Why: the classifier needs every category's strength but the evidence of only the one or two that
        reach a decision. ``match`` builds a dict, a ``CategoryHits`` and an evidence list per category per
        text in Python; here the weights are summed for the whole chunk by ``np.bincount``, which adds in
        input order, and the entries are laid out per text as ``match`` visits them (fired terms by index,
        then fired patterns), so every sum is the same float ``match`` computes."""
        m, ncol = len(norms), len(self.columns)
        nt = len(self.terms)
        if self._c_terms is not None:  # the same sorted keys, from C
            t_key = np.frombuffer(self._c_terms.fired_chunk(list(toks_list)), dtype=np.int64).astype(np.intp)
        else:
            fired = list(map(self.fired_terms, toks_list))
            t_len = np.fromiter(map(len, fired), dtype=np.intp, count=m)
            # terms in index order within each text: sort (text, term) keys
            t_key = packed_array(list(chain.from_iterable(fired)), "q").astype(np.intp)
            t_key += np.repeat(np.arange(m, dtype=np.intp) * nt, t_len)
            t_key.sort()
        pats = list(map(self.fired_patterns, norms))
        p_len = np.fromiter(map(len, pats), dtype=np.intp, count=m)
        p_row = packed_array(list(chain.from_iterable(pats)), "q").astype(np.intp)
        rows = np.concatenate((t_key % nt, p_row + nt))
        texts = np.concatenate((t_key // nt, np.repeat(np.arange(m, dtype=np.intp), p_len)))
        cell = texts * ncol + self._row_col[rows]
        pos = np.bincount(cell, self._row_pos[rows], minlength=m * ncol).reshape(m, ncol)
        neg = np.bincount(cell, self._row_neg[rows], minlength=m * ncol).reshape(m, ncol)
        off, ctx = len(RULE_CATEGORIES), len(RULE_CATEGORIES) + 1
        # inside a clear market post every category with a hint gains OFFER_BOOST (see ``match``)
        boosted = ((pos[:, off] - neg[:, off]) >= OFFER_CONTEXT)[:, None] & (pos > 0) & self._boost_col
        if boosted.any():
            pos = np.where(boosted, pos + OFFER_BOOST, pos)
        # context negatives scale the other categories down (see ``match``)
        ctx_rows = np.flatnonzero(neg[:, ctx])
        scaled = np.zeros((0, ncol), dtype=bool)
        if len(ctx_rows):
            keep = np.array(list(map(math.pow, repeat(2.0), (-neg[ctx_rows, ctx]).tolist())), dtype=float)
            p, n = pos[ctx_rows], neg[ctx_rows]
            scaled = (p > 0) & self._ctx_col
            adjusted = n + np.where(p > n, (p - n) * (1.0 - keep[:, None]), 0.0)
            neg[ctx_rows] = np.where(scaled, adjusted, n)
        return ChunkHits(self.columns, pos, neg, cell, self._row_ev[rows], boosted, ctx_rows, scaled)


def categories_with_tests(packs: Sequence[Pack]) -> dict[str, set[str]]:
    """Which languages the tests of each category cover (by detected language), for coverage reports."""
    from tgintel.detect.lang import detect_language

    cover: dict[str, set[str]] = defaultdict(set)
    for p in packs:
        for t in p.tests:
            if t.expect:
                cover[t.category].add(detect_language(t.text))
    return dict(cover)


def check_packs(paths: Sequence[str | Path] | None = None) -> list[str]:
    """Validate packs and run their embedded tests with the rules alone; return failures (file:line: why).

    Named files are checked together with the shipped packs (a named file replaces the shipped one of the
    same name), so context negatives and neighbouring categories apply as they would in production."""
    chosen = [Path(p) for p in paths] if paths else []
    base = {p.name: p for p in default_pack_paths()}
    for p in chosen:
        if not p.exists():
            raise RuleError(f"{p}: no such rule pack")
        base[p.name] = p
    packs = [load_pack(p) for p in base.values()]
    ruleset = RuleSet(packs)
    to_test = [p for p in packs if not chosen or p.path in chosen]
    failures: list[str] = []
    for pack in to_test:
        for t in pack.tests:
            norm = normalize(t.text)
            hits = ruleset.match(norm)
            if t.category == CONTEXT:
                fired = [c for c, h in hits.items() if c in CATEGORIES and rule_score(h.strength) >= 0.5]
                if t.expect == bool(fired) or (not t.expect and not fired):
                    continue
                failures.append(f"{t.where}: context test: categories fired: {fired} for {t.text!r}")
                continue
            h = hits.get(t.category)
            score = rule_score(h.strength) if h else 0.0
            if (score >= 0.5) != t.expect:
                want = "match" if t.expect else "not match"
                got = ", ".join(h.evidence) if h else "nothing fired"
                failures.append(
                    f"{t.where}: expected {t.category} to {want} (rules score {score:.2f}: {got}): {t.text!r}"
                )
    return failures
