"""What the store promises, independent of the database behind it.

The lifecycle of data in tgintel, as the store sees it (in the manner of Meta's Hasher-Matcher-Actioner
``storage/interface.py``):

1. A source (export import, live collector, simulator) calls :meth:`CoreStore.upsert_channels` and then
   :meth:`CoreStore.upsert_messages` once per batch. A batch is one transaction: after a crash either the
   whole batch is stored or none of it, so re-running the same source converges on exactly the right rows.
   ``(channel_id, id)`` identifies a message; storing the same message twice changes nothing, a changed
   message (edited text, new view count) is updated in place and, if its text changed, queued for analysis
   again.
2. ``tgintel analyze`` pulls messages whose text the detect stages have not seen
   (:meth:`CoreStore.iter_messages` with ``unanalyzed_only``), runs the stages without touching the store,
   and writes the results back with :meth:`CoreStore.save_analysis`, again one transaction per batch.
   Automated findings are replaced on re-analysis; findings from hash matches and analysts' labels never are.
3. Analysis modules (studies, campaigns, graph, alerts) read through these interfaces and never write
   messages.

Every area adds its own abstract class here-beside (``tgintel/store/<area>.py``) with the same kind of
docstrings; :class:`Store` is what callers type against.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import msgspec

from tgintel.model import Channel, Entity, Finding, Message
from tgintel.store.browse import BrowseStore
from tgintel.store.campaign_counts import CampaignCountStore
from tgintel.store.clusters import ClusterStore
from tgintel.store.collect import CollectStore
from tgintel.store.hashes import HashStore
from tgintel.store.labels import IndicatorStore, LabelStore
from tgintel.store.network import NetworkStore
from tgintel.store.search import SearchStore
from tgintel.store.study import StudyStore
from tgintel.store.web import WebStore


class UpsertResult(msgspec.Struct):
    """How a batch landed: new rows, rows changed in place, rows already stored exactly as given."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: UpsertResult) -> UpsertResult:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self


class Analysis(msgspec.Struct, kw_only=True):
    """The detect stages' verdict on one stored message (``pk`` is the store's row key)."""

    pk: int
    lang: str | None = None
    offer: bool | None = None
    norm_hash: str | None = None
    cluster_id: str | None = None
    findings: list[Finding] = []
    entities: list[Entity] = []


class ChannelStats(msgspec.Struct):
    id: int
    title: str
    username: str | None
    kind: str
    messages: int
    first_date: str | None
    last_date: str | None
    senders: int


class CoreStore(abc.ABC):
    """Channels, messages and the detect stages' results."""

    url: str

    @abc.abstractmethod
    def close(self) -> None:
        """Release connections. The store may not be used afterwards."""

    @abc.abstractmethod
    def upsert_channels(self, channels: Iterable[Channel]) -> None:
        """Create or refresh channels. Title, username and kind are replaced by the newest values given;
        ``source`` is kept from the first time a channel was seen."""

    @abc.abstractmethod
    def get_channel(self, channel_id: int) -> Channel | None:
        """The channel with this Telegram id, or None."""

    @abc.abstractmethod
    def list_channels(self) -> list[Channel]:
        """All channels, ordered by id."""

    @abc.abstractmethod
    def upsert_messages(self, messages: Sequence[Message]) -> UpsertResult:
        """Store one batch atomically (all or nothing). Every referenced channel must exist already.

        A message equal to the stored one is left alone (counted ``unchanged``); a different one replaces it
        in place, keeping its row key, and its analysis is reset when its text changed. Senders are recorded
        as actors with first and last seen dates."""

    def begin_bulk_import(self) -> bool:
        """Ask for bulk mode before a large import; True if granted. While granted, indexes and full-text
        search are not kept up to date per batch but built by :meth:`finish_bulk_import`, which the caller
        must call (in ``finally``). Every batch stays atomic; if the process dies in between, the next
        opening of the store finishes the build. Stores that cannot do this return False (the default)."""
        return False

    def finish_bulk_import(self) -> None:
        """Build what bulk mode deferred and leave bulk mode; does nothing when not in bulk mode."""
        return None

    def begin_bulk_analysis(self, pending: int, total: int) -> bool:
        """Ask for bulk mode before analysing ``pending`` of the ``total`` stored messages; True if granted.
        While granted, indexes that analysis would update in random order are not kept up to date but built
        by :meth:`finish_bulk_analysis`, which the caller must call (in ``finally``). Each batch stays
        atomic; if the process dies in between, the next opening of the store builds them. Stores that
        cannot do this, and runs too small to gain from it, get False (the default)."""
        return False

    def finish_bulk_analysis(self) -> None:
        """Build what bulk analysis deferred and leave bulk mode; does nothing when not in bulk mode."""
        return None

    @abc.abstractmethod
    def get_message(self, channel_id: int, message_id: int) -> tuple[int, Message] | None:
        """The stored message and its row key, or None."""

    @abc.abstractmethod
    def get_messages(self, pks: Sequence[int]) -> dict[int, Message]:
        """Messages by row key; unknown keys are absent from the result."""

    @abc.abstractmethod
    def iter_messages(
        self,
        *,
        channel_id: int | None = None,
        unanalyzed_only: bool = False,
        batch_size: int = 5000,
    ) -> Iterator[list[tuple[int, Message]]]:
        """Batches of ``(pk, message)`` in row-key order, streaming: memory does not grow with the store.

        With ``unanalyzed_only`` only messages the detect stages have not processed since their text last
        changed are returned; it is safe to call :meth:`save_analysis` between batches."""

    @abc.abstractmethod
    def iter_lean_messages(
        self, *, unanalyzed_only: bool = True, batch_size: int = 20_000
    ) -> Iterator[list[tuple[int, Message]]]:
        """Like :meth:`iter_messages`, but each Message holds only what the detect stages read: identity,
        date, kind, text, sender, forward origin and media. ``raw``, ``markup``, ``reactions`` and the other
        display fields are left at their defaults. ``tgintel analyze`` and indicator scans read with this
        because rebuilding whole messages was a fifth of analyze's time."""

    @abc.abstractmethod
    def count_messages(self, *, unanalyzed_only: bool = False) -> int:
        """How many messages are stored (or wait for analysis)."""

    @abc.abstractmethod
    def channel_stats(self) -> list[ChannelStats]:
        """Per channel: message count, first and last date (ISO 8601, UTC), distinct senders."""

    @abc.abstractmethod
    def save_analysis(self, results: Sequence[Analysis]) -> None:
        """Record the detect stages' results for a batch, atomically, and mark those messages analysed.

        Findings from ``rules``, ``model`` and ``indicator`` sources and all entities of these messages are
        replaced; ``hash`` and ``analyst`` findings are kept."""

    @abc.abstractmethod
    def findings_for(self, pks: Sequence[int]) -> dict[int, list[Finding]]:
        """All findings of these messages, by row key."""

    @abc.abstractmethod
    def entities_for(self, pks: Sequence[int]) -> dict[int, list[Entity]]:
        """All entities of these messages, by row key, in text order."""

    @abc.abstractmethod
    def record_import(self, path: str, size: int | None, started: int, result: dict[str, Any]) -> None:
        """Keep a line of provenance for one imported file: what, when, and how many rows it gave."""


class Store(
    CoreStore, CollectStore, HashStore, BrowseStore, SearchStore, WebStore, LabelStore, IndicatorStore,
    ClusterStore, CampaignCountStore, NetworkStore, StudyStore, abc.ABC,
):
    """Everything the store offers; areas add their interfaces as further bases."""
