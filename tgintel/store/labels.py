"""Analysts' labels on classifier output, and the user-loaded indicator lists the classifier applies.

Labels (lifecycle):

1. An analyst confirms, rejects or relabels a category on a message (web workspace, or ``tgintel label``):
   :meth:`LabelStore.add_label` appends one row (who, when, which message, which category, which verdict).
   Labels are never edited or deleted by the tool: a change of mind is a newer label, so the history of
   decisions stays auditable.
2. A label never changes past evidence: the ``rules``/``model``/``indicator`` findings of the message keep
   their scores and evidence. A confirmation adds one ``analyst`` finding beside them (which re-analysis
   keeps, see :meth:`tgintel.store.interface.CoreStore.save_analysis`); a rejection adds nothing there.
3. ``tgintel train`` reads every label with the message text (:meth:`LabelStore.iter_labels`); the newest
   label per message and category wins.

Indicator lists (lifecycle):

1. ``tgintel indicators load FILE --category C --name N`` calls :meth:`IndicatorStore.load_indicator_list`:
   the list and its entries are stored in one transaction; loading a list under an existing name replaces
   its entries, and removes the ``indicator`` findings that the old version produced.
2. The loading job then scans the stored messages and records matches with
   :meth:`IndicatorStore.add_indicator_findings`; ``tgintel analyze`` applies all lists
   (:meth:`IndicatorStore.iter_indicators`) to new messages. ``csam_indicator`` comes only from here and from
   media hash matches: the project ships no such terms.
"""

from __future__ import annotations

import abc
import time
from collections.abc import Iterator, Sequence

import msgspec
import orjson
from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table, Text, text

from tgintel.model import Finding
from tgintel.store.schema import RowKey, metadata

VERDICTS = ("confirm", "reject")

labels = Table(
    "labels",
    metadata,
    Column("pk", RowKey, primary_key=True, autoincrement=True),
    Column("message_pk", RowKey, ForeignKey("messages.pk", ondelete="CASCADE"), nullable=False),
    Column("category", String(32), nullable=False),  # a taxonomy category, or "offer"
    Column("verdict", String(8), nullable=False),  # confirm | reject
    Column("user", String(80), nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("note", Text),
)
Index("ix_labels_message", labels.c.message_pk)

indicator_lists = Table(
    "indicator_lists",
    metadata,
    Column("pk", RowKey, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False, unique=True),
    Column("category", String(32), nullable=False),
    Column("source", Text),  # file it was loaded from
    Column("sha256", String(64)),
    Column("loaded", BigInteger, nullable=False),
    Column("entries", Integer, nullable=False, default=0),
)

indicators = Table(
    "indicators",
    metadata,
    Column("list_pk", RowKey, ForeignKey("indicator_lists.pk", ondelete="CASCADE"), nullable=False),
    # line number in the loaded file: evidence names it, never the term itself
    Column("number", Integer, nullable=False),
    Column("term", Text, nullable=False),
)
Index("ix_indicators_list", indicators.c.list_pk)


class Label(msgspec.Struct, kw_only=True):
    pk: int
    message_pk: int
    category: str
    verdict: str
    user: str
    created: int
    note: str | None = None
    text: str | None = None  # the message text (filled by iter_labels, for training)


class IndicatorList(msgspec.Struct, kw_only=True):
    name: str
    category: str
    entries: int
    loaded: int
    source: str | None = None
    sha256: str | None = None


class LabelStore(abc.ABC):
    """Analysts' verdicts on categories of messages."""

    @abc.abstractmethod
    def add_label(
        self, message_pk: int, category: str, verdict: str, user: str, note: str | None = None
    ) -> int:
        """Append a label and, for ``confirm``, one ``analyst`` finding; returns the label's key. Existing
        findings are not touched."""

    @abc.abstractmethod
    def iter_labels(self, *, batch_size: int = 5000) -> Iterator[list[Label]]:
        """All labels in the order given, with the current message text, in batches."""

    @abc.abstractmethod
    def labels_for(self, pks: Sequence[int]) -> dict[int, list[Label]]:
        """Labels of these messages (oldest first), by message key."""


class IndicatorStore(abc.ABC):
    """User-loaded indicator lists (terms that mark a category, e.g. ``csam_indicator``)."""

    @abc.abstractmethod
    def load_indicator_list(
        self,
        name: str,
        category: str,
        entries: Sequence[tuple[int, str]],
        *,
        source: str | None = None,
        sha256: str | None = None,
    ) -> int:
        """Store a list (replacing one of that name, and the ``indicator`` findings it produced) atomically;
        returns the number of entries."""

    @abc.abstractmethod
    def list_indicator_lists(self) -> list[IndicatorList]:
        """The loaded lists, by name."""

    @abc.abstractmethod
    def iter_indicators(self) -> Iterator[tuple[str, str, int, str]]:
        """Every entry of every list as ``(list name, category, number, term)``."""

    @abc.abstractmethod
    def add_indicator_findings(self, rows: Sequence[tuple[int, Finding]]) -> None:
        """Record ``indicator`` findings ``(message key, finding)`` found by scanning stored messages; a
        message's previous finding for the same list and category is replaced."""


def _evidence_prefix(finding: Finding) -> str | None:
    for e in finding.evidence:
        if e.startswith("indicator:"):
            return e.rsplit(":", 1)[0] + ":"
    return None


class SQLLabelsMixin(LabelStore, IndicatorStore):
    """SQL for labels and indicator lists; plain SQL both SQLite and PostgreSQL accept."""

    engine: object

    def add_label(
        self, message_pk: int, category: str, verdict: str, user: str, note: str | None = None
    ) -> int:
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, not {verdict!r}")
        now = int(time.time())
        with self.engine.begin() as conn:  # type: ignore[attr-defined]
            pk = conn.execute(
                text(
                    'INSERT INTO labels (message_pk, category, verdict, "user", created, note) '
                    "VALUES (:m, :c, :v, :u, :t, :n) RETURNING pk"
                ),
                {"m": message_pk, "c": category, "v": verdict, "u": user, "t": now, "n": note},
            ).scalar_one()
            if verdict == "confirm" and category != "offer":
                conn.execute(
                    text(
                        "INSERT INTO findings (message_pk, category, score, evidence, source, created) "
                        "VALUES (:m, :c, 1.0, :e, 'analyst', :t)"
                    ),
                    {
                        "m": message_pk,
                        "c": category,
                        "t": now,
                        "e": orjson.dumps([f"label:{pk}:{user}"]).decode(),
                    },
                )
        return int(pk)

    def _label(self, r: object) -> Label:
        return Label(
            pk=r.pk, message_pk=r.message_pk, category=r.category, verdict=r.verdict, user=r.user,  # type: ignore[attr-defined]
            created=r.created, note=r.note, text=getattr(r, "text", None),  # type: ignore[attr-defined]
        )  # fmt: skip

    def iter_labels(self, *, batch_size: int = 5000) -> Iterator[list[Label]]:
        last = 0
        q = text(
            'SELECT l.pk, l.message_pk, l.category, l.verdict, l."user", l.created, l.note, m.text '
            "FROM labels l JOIN messages m ON m.pk = l.message_pk WHERE l.pk > :last ORDER BY l.pk LIMIT :n"
        )
        while True:
            with self.engine.connect() as conn:  # type: ignore[attr-defined]
                rows = conn.execute(q, {"last": last, "n": batch_size}).all()
            if not rows:
                return
            last = rows[-1].pk
            yield [self._label(r) for r in rows]

    def labels_for(self, pks: Sequence[int]) -> dict[int, list[Label]]:
        out: dict[int, list[Label]] = {}
        with self.engine.connect() as conn:  # type: ignore[attr-defined]
            for i in range(0, len(pks), 500):
                ids = ",".join(str(int(p)) for p in pks[i : i + 500])
                for r in conn.execute(
                    text(
                        'SELECT pk, message_pk, category, verdict, "user", created, note FROM labels '
                        f"WHERE message_pk IN ({ids}) ORDER BY pk"
                    )
                ):
                    out.setdefault(r.message_pk, []).append(self._label(r))
        return out

    def load_indicator_list(
        self,
        name: str,
        category: str,
        entries: Sequence[tuple[int, str]],
        *,
        source: str | None = None,
        sha256: str | None = None,
    ) -> int:
        now = int(time.time())
        with self.engine.begin() as conn:  # type: ignore[attr-defined]
            old = conn.execute(text("SELECT pk FROM indicator_lists WHERE name = :n"), {"n": name}).first()
            if old is not None:
                conn.execute(text("DELETE FROM indicators WHERE list_pk = :p"), {"p": old.pk})
                conn.execute(text("DELETE FROM indicator_lists WHERE pk = :p"), {"p": old.pk})
                conn.execute(
                    text("DELETE FROM findings WHERE source = 'indicator' AND evidence LIKE :e"),
                    {"e": "%" + orjson.dumps(f"indicator:{name}:").decode()[:-1] + "%"},
                )
            pk = conn.execute(
                text(
                    "INSERT INTO indicator_lists (name, category, source, sha256, loaded, entries) "
                    "VALUES (:n, :c, :s, :h, :t, :e) RETURNING pk"
                ),
                {"n": name, "c": category, "s": source, "h": sha256, "t": now, "e": len(entries)},
            ).scalar_one()
            if entries:
                conn.execute(
                    text("INSERT INTO indicators (list_pk, number, term) VALUES (:p, :n, :t)"),
                    [{"p": pk, "n": n, "t": t} for n, t in entries],
                )
        return len(entries)

    def list_indicator_lists(self) -> list[IndicatorList]:
        with self.engine.connect() as conn:  # type: ignore[attr-defined]
            return [
                IndicatorList(name=r.name, category=r.category, entries=r.entries, loaded=r.loaded,
                              source=r.source, sha256=r.sha256)
                for r in conn.execute(text("SELECT * FROM indicator_lists ORDER BY name"))
            ]  # fmt: skip

    def iter_indicators(self) -> Iterator[tuple[str, str, int, str]]:
        with self.engine.connect() as conn:  # type: ignore[attr-defined]
            rows = conn.execute(
                text(
                    "SELECT l.name, l.category, i.number, i.term FROM indicators i "
                    "JOIN indicator_lists l ON l.pk = i.list_pk ORDER BY l.name, i.number"
                )
            ).all()
        for r in rows:
            yield (r.name, r.category, r.number, r.term)

    def add_indicator_findings(self, rows: Sequence[tuple[int, Finding]]) -> None:
        if not rows:
            return
        now = int(time.time())
        with self.engine.begin() as conn:  # type: ignore[attr-defined]
            for pk, f in rows:
                prefix = _evidence_prefix(f)
                if prefix:
                    conn.execute(
                        text(
                            "DELETE FROM findings WHERE message_pk = :m AND source = 'indicator' "
                            "AND category = :c AND evidence LIKE :e"
                        ),
                        {"m": pk, "c": f.category, "e": "%" + orjson.dumps(prefix).decode()[:-1] + "%"},
                    )
            conn.execute(
                text(
                    "INSERT INTO findings (message_pk, category, score, evidence, source, created) "
                    "VALUES (:m, :c, :s, :e, 'indicator', :t)"
                ),
                [
                    {"m": pk, "c": f.category, "s": float(f.score), "e": orjson.dumps(f.evidence).decode(),
                     "t": now}
                    for pk, f in rows
                ],
            )  # fmt: skip
