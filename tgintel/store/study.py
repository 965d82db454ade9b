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
    def study_categories(self, threshold: float = 0.5) -> dict[str, dict[str, int]]:
        """Per category with a finding at or above ``threshold``: distinct messages and distinct clusters."""

    @abc.abstractmethod
    def study_languages(self) -> dict[str, int]:
        """Text messages per detected language (analysed messages only)."""

    @abc.abstractmethod
    def study_channels(self, limit: int | None = None) -> list[dict[str, Any]]:
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

    def study_scan(self) -> StudyScan:
        s = StudyScan()
        sql = (
            f"SELECT m.channel_id, m.sender_key, m.kind, CASE WHEN {_TEXT} THEN 1 ELSE 0 END, m.norm_hash, "
            "m.cluster_id, CASE WHEN m.offer THEN 1 ELSE 0 END, m.date, LENGTH(m.text) FROM messages m"
        )
        days, hash_first, clusters = s.days, s.hash_first, s.clusters
        actor_channels, senders = s.actor_channels, s.senders
        with self.engine.connect() as conn:  # type: ignore[attr-defined]
            result = conn.execution_options(stream_results=True, yield_per=20000).execute(text(sql))
            for rows in result.partitions():
                for channel, sender, kind, is_text, norm_hash, cluster, offer, date, length in rows:
                    s.messages += 1
                    if s.first is None or date < s.first:
                        s.first = date
                    if s.last is None or date > s.last:
                        s.last = date
                    day = days.get(date // 86400)
                    if day is None:
                        day = days[date // 86400] = [0, 0]
                    day[0] += 1
                    if kind == "message" and sender is not None:
                        actor_channels.setdefault(sender, set()).add(channel)
                    if not is_text:
                        continue
                    day[1] += 1
                    s.text_messages += 1
                    s.offers += offer
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

    def _finding_rows(self, threshold: float) -> list[Any]:
        return self._rows(
            "SELECT f.category, f.message_pk, m.cluster_id, m.date FROM findings f "
            "JOIN messages m ON m.pk = f.message_pk WHERE f.score >= :t AND m.kind = 'message'",
            t=threshold,
        )

    def study_categories(self, threshold: float = 0.5) -> dict[str, dict[str, int]]:
        msgs: dict[str, set[int]] = defaultdict(set)
        clusters: dict[str, set[str]] = defaultdict(set)
        for category, pk, cluster, _date in self._finding_rows(threshold):
            msgs[category].add(pk)
            if cluster is not None:
                clusters[category].add(cluster)
        return {c: {"messages": len(msgs[c]), "clusters": len(clusters[c])} for c in sorted(msgs)}

    def study_languages(self) -> dict[str, int]:
        rows = self._rows(
            f"SELECT m.lang, COUNT(*) FROM messages m WHERE {_TEXT} AND m.lang IS NOT NULL "
            "GROUP BY m.lang ORDER BY COUNT(*) DESC, m.lang"
        )
        return {r[0]: int(r[1]) for r in rows}

    def study_channels(self, limit: int | None = None) -> list[dict[str, Any]]:
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
        per_day: dict[tuple[int, str], set[int]] = defaultdict(set)
        for category, pk, _cluster, date in self._finding_rows(threshold):
            per_day[(date // 86400, category)].add(pk)
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
