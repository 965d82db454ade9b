"""The figures of a study (``tgintel study``, ``tgintel report``): counts over the whole store.

No tables of its own: every figure is an aggregate over the core tables (messages, findings, entities,
actors, channels), so a study is always consistent with what is stored and needs no refresh step.
Definitions the callers rely on:

- a *text message* is a ``kind = 'message'`` row whose text is not blank; service messages and media without
  a caption are messages but not text messages;
- *actors* are the distinct senders of ``kind = 'message'`` rows (a service message's actor, such as someone
  joining a group, has not posted anything and is not counted);
- a *unique text* is a distinct ``norm_hash`` (written by ``tgintel analyze``) when every text message has
  one, otherwise a distinct raw text;
- a *cluster* is a distinct ``cluster_id`` among text messages; a message is in a category when it has a
  finding of that category with ``score >= threshold`` (0.5 by default, the decision threshold); media
  without text counts too (a hash-list match is a finding on a photo).
Days are UTC days, as integer ``date / 86400``.

Most figures come from one streaming pass over the messages (:meth:`StudyStore.study_scan`) aggregated in
Python: at study scale (≈668k messages) that is several times faster than one ``COUNT(DISTINCT …)`` query
per figure, each of which re-reads and sorts the table; callers pass the scan on to the other calls.
"""

from __future__ import annotations

import abc
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, text

__all__ = ["SQLStudyMixin", "StudyScan", "StudyStore"]

_TEXT = "m.kind = 'message' AND TRIM(m.text) <> ''"


@dataclass
class _ClusterAgg:
    messages: int = 0
    offers: int = 0
    longest: int = 0
    first: int = 0
    last: int = 0
    arrivals: dict[int, int] = field(default_factory=dict)  # channel -> first date
    actors: set[str] = field(default_factory=set)


@dataclass
class _SenderAgg:
    messages: int = 0
    offers: int = 0
    channels: set[int] = field(default_factory=set)
    clusters: set[str] = field(default_factory=set)
    offer_channels: set[int] = field(default_factory=set)
    offer_clusters: set[str] = field(default_factory=set)


@dataclass
class _ChannelAgg:
    messages: int = 0
    text_messages: int = 0
    offers: int = 0
    first: int = 0
    last: int = 0
    senders: set[str] = field(default_factory=set)  # of every kind, as ``COUNT(DISTINCT sender_key)``


@dataclass
class StudyScan:
    """Aggregates of one pass over all messages; hand it to the other ``study_*`` calls to reuse it."""

    messages: int = 0
    first: int | None = None
    last: int | None = None
    text_messages: int = 0
    hashed: int = 0
    offers: int = 0
    hash_first: dict[str, int] = field(default_factory=dict)  # norm_hash -> first date
    days: dict[int, list[int]] = field(default_factory=dict)  # day -> [messages, text messages]
    clusters: dict[str, _ClusterAgg] = field(default_factory=dict)
    actor_channels: dict[str, set[int]] = field(default_factory=dict)
    senders: dict[str, _SenderAgg] = field(default_factory=dict)  # of text messages
    languages: dict[str, int] = field(default_factory=dict)  # text messages per detected language
    channels: dict[int, _ChannelAgg] = field(default_factory=dict)  # channels with messages
    # threshold -> (messages per category, clusters per category, messages per (day, category)): the
    # finding rows read once for both the category table and the daily chart
    findings: dict[float, tuple[Any, Any, Any]] = field(default_factory=dict)

    @property
    def normalised(self) -> bool:
        return self.text_messages > 0 and self.hashed == self.text_messages


class StudyStore(abc.ABC):
    """Read-only aggregates for studies and reports; each call is one consistent read of the store."""

    @abc.abstractmethod
    def study_scan(self) -> StudyScan:
        """One pass over every message, aggregated; the input the other calls reuse when given it."""

    @abc.abstractmethod
    def study_counts(self, scan: StudyScan | None = None) -> dict[str, Any]:
        """Headline counts: channels, first/last message date (Unix seconds or None), messages, text messages,
        analysed text messages, unique texts (and which basis was used), clusters, clusters in 2+ channels,
        actors, actors in 2+ channels, offers."""

    @abc.abstractmethod
    def study_categories(
        self, threshold: float = 0.5, scan: StudyScan | None = None
    ) -> dict[str, dict[str, int]]:
        """Per category with a finding at or above ``threshold``: distinct messages and distinct clusters."""

    @abc.abstractmethod
    def study_languages(self, scan: StudyScan | None = None) -> dict[str, int]:
        """Text messages per detected language (analysed messages only)."""

    @abc.abstractmethod
    def study_channels(self, limit: int | None = None, scan: StudyScan | None = None) -> list[dict[str, Any]]:
        """Channels by message count, largest first: id, title, kind, messages, text_messages, senders,
        offers, first and last date."""

    @abc.abstractmethod
    def study_distributors(self, limit: int = 10, scan: StudyScan | None = None) -> list[dict[str, Any]]:
        """Senders of text messages ordered by how many channels they posted in, then by messages: key,
        name, username, messages, channels, clusters, offers. Once offers have been detected, only offers
        count (a distributor spreads offers; a talkative member of many groups is not one)."""

    @abc.abstractmethod
    def study_daily(self, threshold: float = 0.5, scan: StudyScan | None = None) -> dict[str, Any]:
        """Per UTC day: ``totals`` rows (day, messages, text_messages, new_unique: texts first seen that day)
        and ``categories`` rows (day, category, messages)."""

    @abc.abstractmethod
    def study_top_clusters(
        self, limit: int = 10, *, min_chars: int = 20, scan: StudyScan | None = None
    ) -> list[dict[str, Any]]:
        """Clusters spread widest (channels, then messages): cluster_id, messages, channels, actors, first and
        last date, the earliest text, and ``reach``: (day, channels reached so far) whenever reach grew.

        Stock replies ("+", "ok") repeat across channels too but are not campaigns: clusters whose longest
        text is under ``min_chars`` characters are left out, and once offers have been detected only
        clusters holding at least one offer are considered."""

    @abc.abstractmethod
    def study_entities(self, top: int = 5, types: list[str] | None = None) -> dict[str, dict[str, Any]]:
        """Per entity type (all, or ``types``): occurrences, distinct values, messages, and the ``top``
        values by messages with the number of channels they appear in."""


class SQLStudyMixin(StudyStore):
    """SQL for :class:`StudyStore`; plain SQL that SQLite and PostgreSQL both accept."""

    def _rows(self, sql: str, **params: Any) -> list[Any]:
        with self.engine.connect() as conn:  # type: ignore[attr-defined]
            return list(conn.execute(text(sql), params))

    def _stream(self, sql: str, size: int = 20_000) -> Iterator[list[Any]]:
        """Rows of a parameterless query in lists of ``size``. On SQLite straight from the driver's cursor:
        SQLAlchemy's result wrapping cost more than the query itself for the 668k rows of a study scan
        (about half of ``study_scan``'s time on the demo store)."""
        with self.engine.connect() as conn:  # type: ignore[attr-defined]
            if conn.dialect.name == "sqlite":
                cur = conn.connection.driver_connection.cursor()
                try:
                    cur.execute(sql)
                    while rows := cur.fetchmany(size):
                        yield rows
                finally:
                    cur.close()
            else:
                result = conn.execution_options(stream_results=True).execute(text(sql))
                for rows in result.partitions(size):
                    yield list(rows)

    def study_scan(self) -> StudyScan:
        s = StudyScan()
        sql = (
            f"SELECT m.channel_id, m.sender_key, m.kind, CASE WHEN {_TEXT} THEN 1 ELSE 0 END, m.norm_hash, "
            "m.cluster_id, CASE WHEN m.offer THEN 1 ELSE 0 END, m.date, LENGTH(m.text), m.lang "
            "FROM messages m"
        )
        days, hash_first, clusters = s.days, s.hash_first, s.clusters
        actor_channels, senders, languages, channels = s.actor_channels, s.senders, s.languages, s.channels
        for rows in self._stream(sql):
            for channel, sender, kind, is_text, norm_hash, cluster, offer, date, length, lang in rows:
                s.messages += 1
                if s.first is None or date < s.first:
                    s.first = date
                if s.last is None or date > s.last:
                    s.last = date
                day = days.get(date // 86400)
                if day is None:
                    day = days[date // 86400] = [0, 0]
                day[0] += 1
                ch = channels.get(channel)
                if ch is None:
                    ch = channels[channel] = _ChannelAgg(first=date, last=date)
                ch.messages += 1
                if date < ch.first:
                    ch.first = date
                elif date > ch.last:
                    ch.last = date
                if sender is not None:
                    ch.senders.add(sender)
                    if kind == "message":
                        actor_channels.setdefault(sender, set()).add(channel)
                if not is_text:
                    continue
                day[1] += 1
                ch.text_messages += 1
                ch.offers += offer
                s.text_messages += 1
                s.offers += offer
                if lang is not None:
                    languages[lang] = languages.get(lang, 0) + 1
                if norm_hash is not None:
                    s.hashed += 1
                    seen = hash_first.get(norm_hash)
                    if seen is None or date < seen:
                        hash_first[norm_hash] = date
                if cluster is not None:
                    c = clusters.get(cluster)
                    if c is None:
                        c = clusters[cluster] = _ClusterAgg(first=date, last=date)
                    c.messages += 1
                    c.offers += offer
                    c.longest = max(c.longest, length or 0)
                    c.first, c.last = min(c.first, date), max(c.last, date)
                    if channel not in c.arrivals or date < c.arrivals[channel]:
                        c.arrivals[channel] = date
                    if sender is not None:
                        c.actors.add(sender)
                if sender is not None:
                    a = senders.get(sender)
                    if a is None:
                        a = senders[sender] = _SenderAgg()
                    a.messages += 1
                    a.channels.add(channel)
                    if cluster is not None:
                        a.clusters.add(cluster)
                    if offer:
                        a.offers += 1
                        a.offer_channels.add(channel)
                        if cluster is not None:
                            a.offer_clusters.add(cluster)
        return s

    def study_counts(self, scan: StudyScan | None = None) -> dict[str, Any]:
        s = scan or self.study_scan()
        if s.normalised:
            unique = len(s.hash_first)
        else:
            unique = self._rows(f"SELECT COUNT(DISTINCT m.text) FROM messages m WHERE {_TEXT}")[0][0]
        return {
            "channels": int(self._rows("SELECT COUNT(*) FROM channels")[0][0]),
            "first_date": s.first,
            "last_date": s.last,
            "messages": s.messages,
            "text_messages": s.text_messages,
            "analysed_text_messages": s.hashed,
            "exact_unique_texts": int(unique or 0),
            "unique_basis": "norm_hash" if s.normalised else "raw_text",
            "near_duplicate_clusters": len(s.clusters),
            "cross_channel_clusters": sum(1 for c in s.clusters.values() if len(c.arrivals) >= 2),
            "actors": len(s.actor_channels),
            "cross_channel_actors": sum(1 for chans in s.actor_channels.values() if len(chans) >= 2),
            "offers": s.offers,
        }

    def _finding_aggs(self, threshold: float, scan: StudyScan | None) -> tuple[Any, Any, Any]:
        """Messages and clusters per category and messages per (day, category) with a finding at or above
        ``threshold``: one read of the finding rows, kept on ``scan`` for the next caller."""
        if scan is not None and threshold in scan.findings:
            return scan.findings[threshold]
        msgs: dict[str, set[int]] = defaultdict(set)
        clusters: dict[str, set[str]] = defaultdict(set)
        per_day: dict[tuple[int, str], set[int]] = defaultdict(set)
        sql = (
            "SELECT f.category, f.message_pk, m.cluster_id, m.date FROM findings f "
            f"JOIN messages m ON m.pk = f.message_pk WHERE f.score >= {float(threshold)!r} "
            "AND m.kind = 'message'"
        )
        for rows in self._stream(sql):
            for category, pk, cluster, date in rows:
                msgs[category].add(pk)
                if cluster is not None:
                    clusters[category].add(cluster)
                per_day[(date // 86400, category)].add(pk)
        out = (msgs, clusters, per_day)
        if scan is not None:
            scan.findings[threshold] = out
        return out

    def study_categories(
        self, threshold: float = 0.5, scan: StudyScan | None = None
    ) -> dict[str, dict[str, int]]:
        msgs, clusters, _ = self._finding_aggs(threshold, scan)
        return {c: {"messages": len(msgs[c]), "clusters": len(clusters[c])} for c in sorted(msgs)}

    def study_languages(self, scan: StudyScan | None = None) -> dict[str, int]:
        if scan is not None:
            return dict(sorted(scan.languages.items(), key=lambda kv: (-kv[1], kv[0])))
        rows = self._rows(
            f"SELECT m.lang, COUNT(*) FROM messages m WHERE {_TEXT} AND m.lang IS NOT NULL "
            "GROUP BY m.lang ORDER BY COUNT(*) DESC, m.lang"
        )
        return {r[0]: int(r[1]) for r in rows}

    def study_channels(self, limit: int | None = None, scan: StudyScan | None = None) -> list[dict[str, Any]]:
        if scan is not None:
            ranked = []
            for cid, title, kind in self._rows("SELECT c.id, c.title, c.kind FROM channels c"):
                ch = scan.channels.get(cid)
                ranked.append((-(ch.messages if ch else 0), cid, title, kind, ch))
            ranked.sort(key=lambda r: (r[0], r[1]))
            return [
                {
                    "id": cid,
                    "title": title,
                    "kind": kind,
                    "messages": ch.messages if ch else 0,
                    "text_messages": ch.text_messages if ch else 0,
                    "senders": len(ch.senders) if ch else 0,
                    "offers": ch.offers if ch else 0,
                    "first_date": ch.first if ch else None,
                    "last_date": ch.last if ch else None,
                }
                for _, cid, title, kind, ch in ranked[:limit]
            ]
        sql = (
            "SELECT c.id, c.title, c.kind, COUNT(m.pk), "
            f"SUM(CASE WHEN {_TEXT} THEN 1 ELSE 0 END), COUNT(DISTINCT m.sender_key), "
            f"SUM(CASE WHEN {_TEXT} AND m.offer THEN 1 ELSE 0 END), MIN(m.date), MAX(m.date) "
            "FROM channels c LEFT JOIN messages m ON m.channel_id = c.id "
            "GROUP BY c.id, c.title, c.kind ORDER BY COUNT(m.pk) DESC, c.id"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [
            {
                "id": r[0],
                "title": r[1],
                "kind": r[2],
                "messages": int(r[3]),
                "text_messages": int(r[4] or 0),
                "senders": int(r[5]),
                "offers": int(r[6] or 0),
                "first_date": r[7],
                "last_date": r[8],
            }
            for r in self._rows(sql)
        ]

    def study_distributors(self, limit: int = 10, scan: StudyScan | None = None) -> list[dict[str, Any]]:
        s = scan or self.study_scan()
        only_offers = s.offers > 0
        ranked = []
        for key, a in s.senders.items():
            n, chans, clusters = (
                (a.offers, a.offer_channels, a.offer_clusters)
                if only_offers
                else (a.messages, a.channels, a.clusters)
            )
            if n:
                ranked.append((-len(chans), -n, key, n, len(chans), len(clusters), a.offers))
        ranked.sort()
        top = ranked[:limit]
        names: dict[str, tuple[str | None, str | None]] = {}
        if top:
            q = text("SELECT key, name, username FROM actors WHERE key IN :k").bindparams(
                bindparam("k", expanding=True)
            )
            with self.engine.connect() as conn:  # type: ignore[attr-defined]
                names = {r[0]: (r[1], r[2]) for r in conn.execute(q, {"k": [t[2] for t in top]})}
        return [
            {
                "key": key,
                "name": names.get(key, (None, None))[0],
                "username": names.get(key, (None, None))[1],
                "messages": n,
                "channels": chans,
                "clusters": clusters,
                "offers": offers,
            }
            for _, _, key, n, chans, clusters, offers in top
        ]

    def study_daily(self, threshold: float = 0.5, scan: StudyScan | None = None) -> dict[str, Any]:
        s = scan or self.study_scan()
        new: dict[int, int] = defaultdict(int)
        if s.normalised:
            for first in s.hash_first.values():
                new[first // 86400] += 1
        else:
            for d, n in self._rows(
                f"SELECT d, COUNT(*) FROM (SELECT MIN(m.date) / 86400 AS d FROM messages m WHERE {_TEXT} "
                "GROUP BY m.text) x GROUP BY d"
            ):
                new[int(d)] = int(n)
        per_day = self._finding_aggs(threshold, s)[2]
        return {
            "totals": [
                {"day": d, "messages": v[0], "text_messages": v[1], "new_unique": new.get(d, 0)}
                for d, v in sorted(s.days.items())
            ],
            "categories": [
                {"day": d, "category": c, "messages": len(pks)} for (d, c), pks in sorted(per_day.items())
            ],
        }

    def study_top_clusters(
        self, limit: int = 10, *, min_chars: int = 20, scan: StudyScan | None = None
    ) -> list[dict[str, Any]]:
        s = scan or self.study_scan()
        any_offer = s.offers > 0
        ranked = sorted(
            (-len(c.arrivals), -c.messages, cid)
            for cid, c in s.clusters.items()
            if c.longest >= min_chars and (c.offers > 0 or not any_offer)
        )[:limit]
        out = []
        for _, _, cid in ranked:
            c = s.clusters[cid]
            first = self._rows(
                f"SELECT m.text FROM messages m WHERE m.cluster_id = :c AND {_TEXT} "
                "ORDER BY m.date, m.pk LIMIT 1",
                c=cid,
            )
            reach: list[list[int]] = []
            for i, date in enumerate(sorted(c.arrivals.values()), 1):
                day = date // 86400
                if reach and reach[-1][0] == day:
                    reach[-1][1] = i
                else:
                    reach.append([day, i])
            out.append(
                {
                    "cluster_id": cid,
                    "messages": c.messages,
                    "channels": len(c.arrivals),
                    "actors": len(c.actors),
                    "first_date": c.first,
                    "last_date": c.last,
                    "text": first[0][0] if first else "",
                    "reach": reach,
                }
            )
        return out

    def study_entities(self, top: int = 5, types: list[str] | None = None) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        where, params = "", {}
        if types is not None:
            where = "WHERE e.type IN (" + ", ".join(f":t{i}" for i in range(len(types))) + ")"
            params = {f"t{i}": t for i, t in enumerate(types)}
        for etype, n, distinct, msgs in self._rows(
            "SELECT e.type, COUNT(*), COUNT(DISTINCT e.value), COUNT(DISTINCT e.message_pk) FROM entities e "
            f"{where} GROUP BY e.type ORDER BY COUNT(*) DESC, e.type",
            **params,
        ):
            values = self._rows(
                "SELECT e.value, COUNT(DISTINCT e.message_pk) FROM entities e WHERE e.type = :t "
                f"GROUP BY e.value ORDER BY COUNT(DISTINCT e.message_pk) DESC, e.value LIMIT {int(top)}",
                t=etype,
            )
            tops = []
            for value, k in values:
                chans = self._rows(
                    "SELECT COUNT(DISTINCT m.channel_id) FROM entities e "
                    "JOIN messages m ON m.pk = e.message_pk WHERE e.type = :t AND e.value = :v",
                    t=etype,
                    v=value,
                )[0][0]
                tops.append({"value": value, "messages": int(k), "channels": int(chans)})
            out[etype] = {
                "occurrences": int(n),
                "distinct": int(distinct),
                "messages": int(msgs),
                "top": tops,
            }
        return out
