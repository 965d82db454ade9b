"""Full-text search with filters and facets, fast enough to type into on a million messages.

How it stays under ~200 ms on SQLite at 1M messages:

* The FTS5 index drives the query in descending rowid order (``CROSS JOIN`` pins it as the outer loop), so the
  first page is found as soon as enough rows pass the filters; nothing sorts the whole match set. Results are
  therefore newest-*stored* first (row key order), which on imports and live collection tracks time.
* Facets are counted over the newest :data:`FACET_SAMPLE` hits, read in the same pass as page one; the
  result says when the sample was cut (``facets_sampled``), and the page says so.
* Beyond the sample the total is counted up to :data:`COUNT_CAP` only where that needs no table lookups
  (text alone: the FTS index; no condition: the row keys); with other filters it is reported as
  "FACET_SAMPLE or more" (``total_capped``). Exact counts of millions of rows are what
  ``tgintel study`` is for.
* Pages go on by keyset (``before`` = the last row key seen), never by OFFSET.

PostgreSQL has no ``messages_fts``; there each term becomes ``text ILIKE '%term%'`` (all must match). That
is a sequential scan stopped at the first page; good enough for team-sized stores, and documented as such. A
``to_tsvector`` GIN index is the upgrade path when a deployment needs it.
"""

from __future__ import annotations

import abc
import re
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy import text

COUNT_CAP = 10_000
FACET_SAMPLE = 1_000
_FACET_COLS = "m.pk, m.channel_id, m.lang, m.offer, m.cluster_id"
FACET_TOP = 12


class SearchQuery(msgspec.Struct, kw_only=True):
    """What the analyst asked for; every field is optional and they combine with AND."""

    q: str = ""
    channel_id: int | None = None
    category: str | None = None
    lang: str | None = None
    date_from: int | None = None  # Unix seconds, inclusive
    date_to: int | None = None  # Unix seconds, exclusive
    entity_type: str | None = None
    offer: bool | None = None
    campaign: str | None = None
    before: int | None = None  # keyset: only rows with pk < before
    limit: int = 50


class SearchHit(msgspec.Struct):
    pk: int
    channel_id: int
    id: int
    date: int
    text: str
    lang: str | None
    offer: bool | None
    cluster_id: str | None
    media_kind: str | None
    channel_title: str
    channel_username: str | None
    categories: list[str] = []


class FacetValue(msgspec.Struct):
    value: str
    label: str
    count: int


class SearchResult(msgspec.Struct):
    hits: list[SearchHit]
    total: int
    total_capped: bool
    next_before: int | None
    facets: dict[str, list[FacetValue]]
    facets_sampled: bool


_TERM = re.compile(r'"([^"]+)"|(\S+)')
_CONTROLS = re.compile("[\x00-\x1f\x7f]")  # NUL ends an FTS5 string early; PostgreSQL refuses it in text


def fts_query(q: str) -> str:
    """Turn what a person typed into a safe FTS5 expression: every word or "quoted phrase" must occur; a
    trailing ``*`` keeps prefix search. FTS5 operators typed by the user are treated as words, so no input
    can raise a syntax error."""
    parts = []
    for m in _TERM.finditer(_CONTROLS.sub(" ", q)):
        phrase = m.group(1) if m.group(1) is not None else m.group(2)
        prefix = phrase.endswith("*") and m.group(1) is None
        phrase = phrase.rstrip("*").replace('"', "")
        if not phrase.strip():
            continue
        parts.append('"' + phrase + '"' + ("*" if prefix else ""))
    return " ".join(parts)


def like_terms(q: str) -> list[str]:
    """The ILIKE patterns for PostgreSQL: one per word or quoted phrase, wildcards escaped."""
    out = []
    for m in _TERM.finditer(_CONTROLS.sub(" ", q)):
        phrase = (m.group(1) if m.group(1) is not None else m.group(2)).rstrip("*")
        if phrase.strip():
            out.append("%" + phrase.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    return out


class SearchStore(abc.ABC):
    """Message search for the workspace and its JSON API."""

    @abc.abstractmethod
    def search(self, query: SearchQuery, *, facets: bool = True) -> SearchResult:
        """One page of messages matching ``query``, newest stored first, with a capped total and facet counts
        (channel, category, lang, offer, entity_type, campaign) over the newest matches."""


class SearchMixin(SearchStore):
    """SQL for :class:`SearchStore`; mixed into ``SQLStore`` (needs ``self.engine``, ``self.dialect``)."""

    engine: Any
    dialect: str

    def _search_sql(self, query: SearchQuery, cols: str = "m.pk") -> tuple[str, dict[str, Any]] | None:
        """``SELECT m.pk FROM … WHERE … ORDER BY pk DESC`` without a LIMIT; None when the text can match
        nothing (only punctuation typed)."""
        params: dict[str, Any] = {}
        where: list[str] = []
        q = query.q.strip()
        if q and self.dialect == "sqlite":
            expr = fts_query(q)
            if not expr:
                return None
            params["fts"] = expr
            head = f"SELECT {cols} FROM messages_fts f CROSS JOIN messages m ON m.pk = f.rowid"
            where.append("messages_fts MATCH :fts")
            order = " ORDER BY f.rowid DESC"
            pk_col = "f.rowid"
        elif query.category and not q:
            # Category without text: walk the (category, message_pk) index newest first instead of testing
            # every message. A message with two findings of one category (rules + analyst) comes twice;
            # search() drops the repeat.
            join = "CROSS JOIN" if self.dialect == "sqlite" else "JOIN"  # CROSS JOIN pins the order in SQLite
            head = f"SELECT {cols} FROM findings x {join} messages m ON m.pk = x.message_pk"
            where.append("x.category = :category")
            params["category"] = query.category
            order = " ORDER BY x.message_pk DESC"
            pk_col = "x.message_pk"
        else:
            head = f"SELECT {cols} FROM messages m"
            order = " ORDER BY m.pk DESC"
            pk_col = "m.pk"
            if q:
                terms = like_terms(q)
                if not terms:
                    return None
                for i, t in enumerate(terms):
                    params[f"like{i}"] = t
                    where.append(f"m.text ILIKE :like{i} ESCAPE '\\'")
        if query.before is not None:
            where.append(f"{pk_col} < :before")
            params["before"] = query.before
        # With FTS5 driving, the channel and category filters are tested on the FTS rowid, before the message
        # row is read: a word in 50k posts, searched in one channel, then costs 50k probes of the channel's
        # keys (one pass over its covering index) instead of 50k message row lookups. "+" keeps the rowid
        # IN list away from FTS5 (it would run one MATCH per listed key).
        key = "f.rowid" if pk_col == "f.rowid" else "m.pk"
        if query.channel_id is not None:
            if key == "f.rowid":
                where.append("+f.rowid IN (SELECT pk FROM messages WHERE channel_id = :channel_id)")
            else:
                where.append("m.channel_id = :channel_id")
            params["channel_id"] = query.channel_id
        if query.lang:
            where.append("m.lang = :lang")
            params["lang"] = query.lang
        if query.date_from is not None:
            where.append("m.date >= :date_from")
            params["date_from"] = query.date_from
        if query.date_to is not None:
            where.append("m.date < :date_to")
            params["date_to"] = query.date_to
        if query.offer is not None:
            where.append("m.offer = :offer")
            params["offer"] = query.offer
        if query.campaign:
            where.append("m.cluster_id = :campaign")
            params["campaign"] = query.campaign
        if query.category and "category" not in params:
            where.append(
                f"EXISTS (SELECT 1 FROM findings x WHERE x.message_pk = {key} AND x.category = :category)"
            )
            params["category"] = query.category
        if query.entity_type:
            # "+" (SQLite only) keeps the planner on the message_pk index: on (type, value, message_pk) it
            # scanned every entity of the type for each candidate message (a minute on 1M messages).
            etype = "+y.type" if self.dialect == "sqlite" else "y.type"
            where.append(f"EXISTS (SELECT 1 FROM entities y WHERE y.message_pk = m.pk AND {etype} = :etype)")
            params["etype"] = query.entity_type
        sql = head + (" WHERE " + " AND ".join(where) if where else "") + order
        return sql, params

    def search(self, query: SearchQuery, *, facets: bool = True) -> SearchResult:
        everything = self._search_sql(msgspec.structs.replace(query, before=None), _FACET_COLS)
        if everything is None:
            return SearchResult([], 0, False, None, {}, False)
        sql, params = everything
        limit = max(1, min(int(query.limit), 500))
        with self.engine.connect() as conn:
            # One pass over the newest FACET_SAMPLE+1 matches gives the facet sample, page one and, when it
            # is not full, the exact total.
            sample = _distinct(conn.execute(text(sql + " LIMIT :n"), {**params, "n": FACET_SAMPLE + 1}).all())
            if query.before is None:
                page = [r[0] for r in sample[: limit + 1]]
            else:
                psql, pparams = self._search_sql(query) or ("", {})
                page = [r[0] for r in _distinct(conn.execute(text(psql + " LIMIT :n"),
                                                             {**pparams, "n": limit + 1}).all())]  # fmt: skip
            more = len(page) > limit
            page = page[:limit]
            hits = self._hits(conn, page)
            total, capped = len(sample), False
            if total > FACET_SAMPLE:
                total, capped = self._count_beyond_sample(conn, query)
            facet_out = self._facets(conn, sample[:FACET_SAMPLE]) if facets else {}
        return SearchResult(
            hits=hits,
            total=total,
            total_capped=capped,
            next_before=page[-1] if more and page else None,
            facets=facet_out,
            facets_sampled=facets and len(sample) > FACET_SAMPLE,
        )

    def _count_beyond_sample(self, conn: Any, query: SearchQuery) -> tuple[int, bool]:
        """Count up to COUNT_CAP+1 where that is cheap: text alone (the FTS index, no table lookups) or no
        condition at all. With other filters every candidate costs a table lookup, so the total stays
        "more than FACET_SAMPLE" (FACET_SAMPLE + 1)."""
        only_text = query.q.strip() and query == SearchQuery(
            q=query.q, limit=query.limit, before=query.before
        )
        nothing = query == SearchQuery(limit=query.limit, before=query.before)
        if nothing:
            sql, params = "SELECT pk FROM messages", {}
        elif only_text and self.dialect == "sqlite":
            sql, params = (
                "SELECT rowid FROM messages_fts WHERE messages_fts MATCH :fts",
                {"fts": fts_query(query.q)},
            )
        else:
            return FACET_SAMPLE, True
        n = int(
            conn.execute(text(f"SELECT count(*) FROM ({sql} LIMIT {COUNT_CAP + 1}) t"), params).scalar_one()
        )
        return min(n, COUNT_CAP), n > COUNT_CAP

    def _hits(self, conn: Any, pks: list[int]) -> list[SearchHit]:
        if not pks:
            return []
        ids = ",".join(str(int(p)) for p in pks)
        rows = conn.execute(text(
            "SELECT m.pk, m.channel_id, m.id, m.date, m.text, m.lang, m.offer, m.cluster_id, m.media_kind, "
            "c.title, c.username FROM messages m JOIN channels c ON c.id = m.channel_id "
            f"WHERE m.pk IN ({ids})"
        )).all()  # fmt: skip
        cats: dict[int, list[str]] = {}
        for r in conn.execute(text(
            f"SELECT DISTINCT message_pk, category FROM findings WHERE message_pk IN ({ids}) "
            "ORDER BY category"
        )):  # fmt: skip
            cats.setdefault(r[0], []).append(r[1])
        by_pk = {
            r.pk: SearchHit(r.pk, r.channel_id, r.id, r.date, r.text, r.lang,
                            None if r.offer is None else bool(r.offer), r.cluster_id, r.media_kind,
                            r.title, r.username, cats.get(r.pk, []))
            for r in rows
        }  # fmt: skip
        return [by_pk[p] for p in pks if p in by_pk]

    def _facets(self, conn: Any, rows: list[Any]) -> dict[str, list[FacetValue]]:
        """Facet counts over the sample rows ``(pk, channel_id, lang, offer, cluster_id)``: the message
        columns came with the sample; categories and entity types are two indexed lookups."""
        if not rows:
            return {}
        top = FACET_TOP
        counters: dict[str, Counter[str]] = {k: Counter() for k in ("channel", "lang", "offer", "campaign")}
        for _pk, channel_id, lang, offer, cluster_id in rows:
            counters["channel"][str(channel_id)] += 1
            if lang:
                counters["lang"][lang] += 1
            if offer is not None:
                counters["offer"]["true" if offer else "false"] += 1
            if cluster_id:
                counters["campaign"][cluster_id] += 1
        ids = ",".join(str(int(r[0])) for r in rows)
        for name, sql in (
            ("category", "SELECT category, count(DISTINCT message_pk) FROM findings "
                         f"WHERE message_pk IN ({ids}) GROUP BY category"),
            ("entity_type", "SELECT type, count(DISTINCT message_pk) FROM entities "
                            f"WHERE message_pk IN ({ids}) GROUP BY type"),
        ):  # fmt: skip
            counters[name] = Counter({str(v): int(n) for v, n in conn.execute(text(sql))})
        titles: dict[str, str] = {}
        if counters["channel"]:
            chan_ids = ",".join(str(int(c)) for c in counters["channel"])
            titles = {
                str(i): t
                for i, t in conn.execute(text(f"SELECT id, title FROM channels WHERE id IN ({chan_ids})"))
            }
        labels = {"channel": titles, "offer": {"true": "offer", "false": "not an offer"}}
        out: dict[str, list[FacetValue]] = {}
        for name in ("channel", "category", "lang", "offer", "entity_type", "campaign"):
            common = counters[name].most_common()
            if name == "campaign":
                common = [(v, n) for v, n in common if n > 1]
            out[name] = [FacetValue(v, labels.get(name, {}).get(v) or v, n) for v, n in common[:top]]
        return out


def _distinct(rows: list[Any]) -> list[Any]:
    """Drop repeated row keys (rows arrive ordered by key, so repeats are adjacent)."""
    out: list[Any] = []
    for r in rows:
        if not out or out[-1][0] != r[0]:
            out.append(r)
    return out


def day_start(value: str) -> int:
    """``YYYY-MM-DD`` → Unix seconds at 00:00 UTC (raises ``ValueError`` on anything else)."""
    return int(datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC).timestamp())
