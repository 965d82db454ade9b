"""Reading hash lists in the shapes partners actually send, line by line, reporting what it cannot use.

Accepted (auto-detected from the first non-comment line; see docs/media.md):

- **plain**: one hash a line, as NCMEC-style MD5 lists and ``md5sum``/``sha256sum`` output come (anything
  after the first whitespace, e.g. a file name, is ignored). ``#`` comments and blank lines are skipped.
- **CSV/TSV with a header** naming the hash column (``hash``, ``pdq``, ``md5``, ``sha256``, ``signal_value``,
  ``hash_value``, ``pdq_hex``…); a ``tags``/``labels`` column is kept as the hash's tags, and when a
  ``signal_type`` column is present rows of other types are counted as skipped, not stored.
- **CSV without a header**, ThreatExchange/HMA style ``hash,tags``: first column the hash, second the tags.
- **JSON lines**: one object a line with one of the hash keys above (and optional ``tags``, string or list).

Bad lines are never dropped silently: each yields a :class:`BadLine` with its line number and reason.
This module does no I/O: the caller hands it lines of text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

import msgspec
import orjson

from tgintel.detect.media.base import SignalType

HASH_COLUMNS = (
    "hash", "value", "signal_value", "hash_value", "signal", "pdq", "pdq_hash", "pdq_hex", "md5", "md5_hash",
    "sha256", "sha256_hash", "sha-256", "digest",
)  # fmt: skip
TAG_COLUMNS = ("tags", "tag", "labels", "label", "category")
TYPE_COLUMNS = ("signal_type", "hash_type", "type")
FORMATS = ("auto", "plain", "csv", "jsonl")
#: Bad lines kept with their reason (all are counted): enough to show, bounded for million-line files.
BAD_KEPT = 100


class BadLine(msgspec.Struct, frozen=True):
    line: int
    reason: str


class ParseStats(msgspec.Struct, kw_only=True):
    format: str = "plain"
    lines: int = 0  # data lines seen (comments, blanks and the header excluded)
    good: int = 0
    other_type: int = 0  # rows whose signal_type column names another hash type
    bad_count: int = 0
    bad: list[BadLine] = []  # the first BAD_KEPT of them

    def add_bad(self, line: int, reason: str) -> None:
        self.lines += 1
        self.bad_count += 1
        if len(self.bad) < BAD_KEPT:
            self.bad.append(BadLine(line, reason))


def _same_type(written: str, name: str) -> bool:
    """Whether a list's type column names this hash type (HMA ``pdq``, ThreatExchange ``HASH_PDQ``…)."""
    t = written.strip().lower()
    return not t or t in (name, f"hash_{name}", f"photo_{name}", f"video_{name}")


def _sniff(first: str) -> str:
    s = first.lstrip()
    if s.startswith("{"):
        return "jsonl"
    if "," in s or "\t" in s or ";" in s:
        return "csv"
    return "plain"


def _delimiter(first: str) -> str:
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    return max(counts, key=lambda d: counts[d])


def _pick(header: list[str], names: tuple[str, ...], type_name: str | None = None) -> int | None:
    lowered = [h.strip().lower() for h in header]
    if type_name is not None and type_name in lowered:
        return lowered.index(type_name)
    for n in names:
        if n in lowered:
            return lowered.index(n)
    return None


def parse_hash_lines(
    lines: Iterable[str], signal: SignalType, *, format: str = "auto", stats: ParseStats | None = None
) -> Iterator[tuple[str, str | None]]:
    """Yield ``(normalised hash, tags or None)`` for every usable line; the rest is recorded in ``stats``."""
    st = stats if stats is not None else ParseStats()
    if format not in FORMATS:
        raise ValueError(f"unknown list format {format!r} (one of {', '.join(FORMATS)})")
    numbered = ((i, ln.rstrip("\r\n")) for i, ln in enumerate(lines, 1))
    data = ((i, ln) for i, ln in numbered if ln.strip() and not ln.lstrip().startswith("#"))
    first = next(data, None)
    if first is None:
        return
    fmt = _sniff(first[1]) if format == "auto" else format
    st.format = fmt

    def take(lineno: int, raw: str, tags: str | None) -> Iterator[tuple[str, str | None]]:
        try:
            value = signal.normalize(raw)
        except ValueError as exc:
            st.add_bad(lineno, str(exc))
            return
        st.lines += 1
        st.good += 1
        yield value, (tags or None)

    def rest() -> Iterator[tuple[int, str]]:
        yield first
        yield from data

    if fmt == "plain":
        for i, ln in rest():
            yield from take(i, ln.split()[0], None)
    elif fmt == "jsonl":
        for i, ln in rest():
            try:
                obj = orjson.loads(ln)
            except orjson.JSONDecodeError as exc:
                st.add_bad(i, f"not JSON: {exc}")
                continue
            if not isinstance(obj, dict):
                st.add_bad(i, "not a JSON object")
                continue
            low = {str(k).lower(): v for k, v in obj.items()}
            t = next((low[k] for k in TYPE_COLUMNS if k in low), None)
            if isinstance(t, str) and not _same_type(t, signal.name):
                st.lines += 1
                st.other_type += 1
                continue
            key = signal.name if signal.name in low else next((k for k in HASH_COLUMNS if k in low), None)
            if key is None or not isinstance(low[key], str):
                st.add_bad(i, "no hash field (" + ", ".join(HASH_COLUMNS[:4]) + ", …)")
                continue
            tags = next((low[k] for k in TAG_COLUMNS if k in low), None)
            if isinstance(tags, list):
                tags = ",".join(str(t) for t in tags)
            yield from take(i, low[key], str(tags) if tags is not None else None)
    else:
        delim = _delimiter(first[1])
        head = next(csv.reader([first[1]], delimiter=delim))
        hash_col = _pick(head, HASH_COLUMNS, signal.name)
        rows = rest()
        if hash_col is not None:  # a header row: skip it
            next(rows)
            tag_col = _pick(head, TAG_COLUMNS)
            type_col = _pick(head, TYPE_COLUMNS)
        else:  # ThreatExchange-style "hash,tags" without a header
            hash_col, tag_col, type_col = 0, 1, None
        for i, ln in rows:
            cells = next(csv.reader([ln], delimiter=delim), [])
            if len(cells) <= hash_col:
                st.add_bad(i, f"no column {hash_col + 1}")
                continue
            if (
                type_col is not None
                and type_col < len(cells)
                and not _same_type(cells[type_col], signal.name)
            ):
                st.lines += 1
                st.other_type += 1
                continue
            tags = cells[tag_col].strip() if tag_col is not None and tag_col < len(cells) else None
            yield from take(i, cells[hash_col], tags)
