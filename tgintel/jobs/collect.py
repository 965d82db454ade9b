"""The live collection use case: watchlist → Telegram → the same rows ``ingest`` writes.

Why it is built the way it is:

- **Resumable.** Each channel is read oldest → newest from its cursor; a batch of messages and the cursor move
  in one transaction (:meth:`CollectStore.save_collected_batch`), so a crash or a kill at any point resumes
  exactly after the last stored message.
- **Rate limits are policy, not luck.** Every Telegram call goes through :meth:`Collector._call`: a FloodWait
  up to ``flood_threshold`` seconds is slept through; a longer one re-queues only that channel (others go
  on); per-method budgets pace the calls (username resolution hardest, and it happens once per username per
  database thanks to the peer cache); account-level errors (PEER_FLOOD, banned or logged-out account) stop
  the run with one clear line; network errors back off exponentially up to a bound.
- **Gone channels are marked, not retried forever** (private, deleted, renamed, invalid).
- **Media stays metadata** unless ``hash_media``: then bytes live in memory just long enough to be hashed.

All waiting goes through a :class:`Clock` so tests run the whole policy without sleeping.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import msgspec
from telethon import errors
from telethon.tl import types

from tgintel.errors import UserError
from tgintel.model import Channel, Message
from tgintel.sources.telethon_live import (
    MediaTooLarge,
    TelegramSource,
    channel_from_telethon,
    declared_media_size,
    message_from_telethon,
)
from tgintel.store.collect import Peer, WatchEntry
from tgintel.store.interface import Store, UpsertResult

log = logging.getLogger("tgintel.collect")

COLLECTABLE = ("active", "renamed")

# -- targets ----------------------------------------------------------------------------------------------

_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
_TME = re.compile(r"^(?:https?://)?(?:www\.)?(?:t|telegram)\.(?:me|dog)/(.+)$", re.IGNORECASE)


def parse_target(value: str) -> str:
    """``@name``, ``name``, ``t.me/name[/post]``, ``t.me/s/name``, ``t.me/c/ID/post``, ``ID`` or ``-100ID`` →
    the canonical watch target: ``@name`` lowercased, or the bare channel id as text. Invite links are
    refused: they lead to private chats, and tgintel collects public channels only."""
    v = value.strip()
    m = _TME.match(v)
    if m:
        parts = [p for p in m.group(1).split("?")[0].split("/") if p]
        if not parts:
            raise UserError(f"watch target {value!r}: link names no channel")
        if parts[0].startswith("+") or parts[0].lower() == "joinchat":
            raise UserError(
                f"watch target {value!r}: invite links lead to private chats; "
                "tgintel collects public channels only"
            )
        if parts[0] == "c" and len(parts) > 1 and parts[1].isdigit():
            return parts[1]
        if parts[0] == "s" and len(parts) > 1:
            parts = parts[1:]
        v = parts[0]
    v = v.removeprefix("@")
    digits = v.removeprefix("-100") if v.startswith("-100") else v
    if digits.isdigit():
        return str(int(digits))
    if not _USERNAME.match(v):
        raise UserError(f"watch target {value!r}: not a public @username, t.me link or channel id")
    return "@" + v.lower()


# -- time and budgets -------------------------------------------------------------------------------------


class Clock(Protocol):
    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class RateBudget:
    """A token bucket: ``calls`` per ``per`` seconds, refilled continuously. Telegram's limits are per method
    and undocumented; staying well under them costs less than one flood wait."""

    def __init__(self, calls: int, per: float, clock: Clock) -> None:
        self.capacity, self.rate, self.clock = float(calls), calls / per, clock
        self.tokens, self.stamp = float(calls), clock.now()

    def wait_needed(self) -> float:
        now = self.clock.now()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.wait_needed()
        self.tokens -= 1


DEFAULT_BUDGETS: dict[str, tuple[int, float]] = {
    "resolve": (10, 300.0),  # contacts.resolveUsername: a burst of 10, then one per 30 s
    "get_channel": (30, 60.0),
    "history": (30, 30.0),  # one per channel per round; Telethon paces the pages inside
    "download": (20, 60.0),
}


# -- options and outcome ----------------------------------------------------------------------------------


@dataclass
class CollectOptions:
    since: datetime | None = None
    hash_media: bool = False
    max_media_bytes: int = 20 * 1024 * 1024
    flood_threshold: float = 60.0
    batch_size: int = 200
    refresh: int = 0  # re-read the last N message ids per round to pick up edits and view counts
    network_retries: int = 6
    backoff_base: float = 2.0
    backoff_max: float = 300.0
    budgets: dict[str, tuple[int, float]] = field(default_factory=lambda: dict(DEFAULT_BUDGETS))


@dataclass
class CollectReport:
    channels: int = 0
    messages: UpsertResult = field(default_factory=UpsertResult)
    media_hashed: int = 0
    media_skipped: int = 0
    media_matched: int = 0
    resolved: int = 0
    deferred: dict[str, int] = field(default_factory=dict)  # target → not_before (Unix seconds)
    marked: dict[str, str] = field(default_factory=dict)  # target → status

    def as_dict(self) -> dict[str, Any]:
        return {
            "channels": self.channels,
            "inserted": self.messages.inserted,
            "updated": self.messages.updated,
            "unchanged": self.messages.unchanged,
            "media_hashed": self.media_hashed,
            "media_skipped": self.media_skipped,
            "media_matched": self.media_matched,
            "resolved": self.resolved,
            "deferred": self.deferred,
            "marked": self.marked,
        }


class AccountStopped(UserError):
    """Telegram limited, banned or logged out the account: nothing more can be done in this run, and
    restarting will not help. What was collected so far is stored."""

    exit_code = 3


class TelegramUnreachable(UserError):
    """The network stayed down through the whole bounded back-off. Temporary by nature (EX_TEMPFAIL), so a
    service manager may restart the collector, which resumes from its cursors."""

    exit_code = 75


class _Requeue(Exception):
    def __init__(self, not_before: float, reason: str) -> None:
        super().__init__(reason)
        self.not_before, self.reason = not_before, reason


class _Gone(Exception):
    def __init__(self, status: str, note: str) -> None:
        super().__init__(note)
        self.status, self.note = status, note


# Errors that concern the account, not one channel: continuing would only make things worse.
STOP_ERRORS: dict[type[BaseException], str] = {
    errors.PeerFloodError: "Telegram limited this account for spam (PEER_FLOOD); check @SpamBot and wait",
    errors.UserDeactivatedBanError: "the Telegram account is banned",
    errors.UserDeactivatedError: "the Telegram account was deleted or deactivated",
    errors.PhoneNumberBannedError: "the phone number is banned from Telegram",
    errors.AuthKeyUnregisteredError: "the session is no longer logged in; run `tgintel login` again",
    errors.AuthKeyDuplicatedError: "the session was used from two places at once and is now void; "
    "run `tgintel login` again and use each session in one place only",
    errors.SessionRevokedError: "the session was terminated from another device; run `tgintel login` again",
    errors.SessionExpiredError: "the session expired; run `tgintel login` again",
}
PRIVATE_ERRORS = (errors.ChannelPrivateError, errors.ChannelPublicGroupNaError, errors.ChannelBannedError)
NETWORK_ERRORS = (ConnectionError, OSError, asyncio.TimeoutError, errors.ServerError, errors.RpcCallFailError)

MediaHasher = Callable[[bytes], dict[str, Any]]
# Matches the hashes of a committed batch against the user's hash lists (recording ``hash`` findings);
# returns how many messages matched.
MediaMatcher = Callable[[Store, list[Message]], int]


def default_media_hasher() -> MediaHasher:
    """The media stage's in-memory hashes (MD5, SHA-256, PDQ with quality)."""
    from tgintel.detect.media import hash_image_bytes

    def hasher(data: bytes) -> dict[str, Any]:
        h = msgspec.structs.asdict(hash_image_bytes(data))
        return {k: v for k, v in h.items() if v not in (None, [])}

    return hasher


# -- the collector ----------------------------------------------------------------------------------------


class Collector:
    """One collection run over the watchlist; :meth:`run_round` may be called repeatedly (``--follow``)."""

    def __init__(
        self,
        store: Store,
        source: TelegramSource,
        options: CollectOptions | None = None,
        *,
        clock: Clock | None = None,
        hasher: MediaHasher | None = None,
        matcher: MediaMatcher | None = None,
    ) -> None:
        self.store, self.source = store, source
        self.opt = options or CollectOptions()
        self.clock = clock or SystemClock()
        self.budgets = {k: RateBudget(c, p, self.clock) for k, (c, p) in self.opt.budgets.items()}
        self.hasher = hasher
        self.matcher = matcher
        if self.opt.hash_media and self.hasher is None:
            self.hasher = default_media_hasher()
        if self.opt.hash_media and self.matcher is None:
            from tgintel.jobs.media import match_message_media

            self.matcher = match_message_media
        self._checked: set[int] = set()  # channels whose entity was refreshed in this run

    # -- policy around every Telegram call ---------------------------------------------------------------
    async def _pace(self, method: str) -> None:
        budget = self.budgets.get(method)
        if budget is None:
            return
        wait = budget.wait_needed()
        if wait > self.opt.flood_threshold:
            raise _Requeue(self.clock.now() + wait, f"{method} budget exhausted")
        if wait > 0:
            await self.clock.sleep(wait)
        budget.take()

    async def _flood(self, exc: errors.FloodError) -> None:
        seconds = float(getattr(exc, "seconds", 0) or 0)
        if seconds > self.opt.flood_threshold:
            raise _Requeue(self.clock.now() + seconds, f"FloodWait {int(seconds)} s")
        log.info("Telegram asks to wait %d s; waiting", seconds)
        await self.clock.sleep(seconds + 1)

    async def _network(self, exc: BaseException, attempt: int) -> None:
        if attempt >= self.opt.network_retries:
            raise TelegramUnreachable(
                f"network: Telegram unreachable after {attempt} attempts ({type(exc).__name__}); "
                "collected messages are stored, run again later"
            ) from None
        delay = min(self.opt.backoff_max, self.opt.backoff_base * 2**attempt)
        log.warning("network error (%s); retrying in %.0f s", type(exc).__name__, delay)
        await self.clock.sleep(delay)

    def _stop_if_account(self, exc: BaseException) -> None:
        for cls, why in STOP_ERRORS.items():
            if isinstance(exc, cls):
                raise AccountStopped(f"stopped: {why}") from None
        if isinstance(exc, errors.UnauthorizedError):
            raise AccountStopped(f"stopped: Telegram refused the session ({type(exc).__name__})") from None

    async def _call(self, method: str, fn: Callable[[], Any]) -> Any:
        """Run one request under the method's budget with the FloodWait / account / network policy."""
        attempt = 0
        while True:
            await self._pace(method)
            try:
                return await fn()
            except errors.FloodError as exc:
                await self._flood(exc)
            except NETWORK_ERRORS as exc:
                attempt += 1
                await self._network(exc, attempt)
            except errors.RPCError as exc:
                self._stop_if_account(exc)
                raise

    # -- one round ---------------------------------------------------------------------------------------
    async def run_round(self) -> CollectReport:
        """Collect every collectable watch target once. Targets deferred by an earlier flood wait are skipped
        until their time; account-level problems raise :class:`AccountStopped` after storing what was got."""
        report = CollectReport()
        deferred = self.store.requeue_get()
        for entry in self.store.watch_list():
            if entry.status not in COLLECTABLE:
                continue
            not_before = deferred.get(entry.target, (0, ""))[0]
            if not_before > self.clock.now():
                report.deferred[entry.target] = not_before
                continue
            try:
                await self._collect_target(entry, report)
            except _Requeue as rq:
                self.store.requeue_set(entry.target, int(rq.not_before) + 1, rq.reason)
                report.deferred[entry.target] = int(rq.not_before) + 1
                log.warning("%s: %s; deferred, other channels continue", entry.target, rq.reason)
                continue
            except _Gone as gone:
                self.store.watch_mark(entry.target, status=gone.status, note=gone.note)
                report.marked[entry.target] = gone.status
                log.warning("%s: marked %s (%s)", entry.target, gone.status, gone.note)
            if entry.target in deferred:
                self.store.requeue_clear(entry.target)
        return report

    async def _peer_for(self, entry: WatchEntry, report: CollectReport) -> Peer:
        """The cached id + access hash of a target; resolves a username only if it was never resolved."""
        if (
            entry.channel_id is not None
        ):  # resolved before (and possibly renamed since): the id is what counts
            peer = self.store.peer_get(channel_id=entry.channel_id)
            if peer is not None:
                return peer
        if entry.target.startswith("@"):
            username = entry.target[1:]
            peer = self.store.peer_get(username=username)
            if peer is not None:
                self.store.watch_mark(entry.target, channel_id=peer.channel_id)
                return peer
            try:
                entity = await self._call("resolve", lambda: self.source.resolve_username(username))
            except errors.UsernameNotOccupiedError:
                raise _Gone("deleted", "username is free: the channel was deleted or renamed") from None
            except (errors.UsernameInvalidError, LookupError):
                raise _Gone("invalid", "Telegram does not accept this username") from None
            except PRIVATE_ERRORS:
                raise _Gone("private", "the channel is private or banned for this account") from None
            report.resolved += 1
            if not isinstance(entity, types.Channel):
                raise _Gone(
                    "invalid", f"@{username} is a {type(entity).__name__.lower()}, not a public channel"
                )
            peer = self._remember(entity)
            self.store.watch_mark(entry.target, channel_id=peer.channel_id)
            return peer
        channel_id = int(entry.target)
        peer = self.store.peer_get(channel_id=channel_id)
        if peer is None:
            raise _Gone(
                "invalid", "no access hash known for this id: add the channel once by @username or link"
            )
        return peer

    def _remember(self, entity: Any) -> Peer:
        peer = Peer(channel_id=int(entity.id), access_hash=int(entity.access_hash or 0),
                    username=entity.username, title=entity.title, kind=channel_from_telethon(entity).kind,
                    resolved_at=int(self.clock.now()))  # fmt: skip
        self.store.peer_save(peer)
        return peer

    async def _current_channel(self, entry: WatchEntry, peer: Peer) -> Channel:
        """Refresh the channel once per run: detects private/deleted channels and renames cheaply (by id)."""
        if peer.channel_id in self._checked:
            return Channel(id=peer.channel_id, title=peer.title or "", username=peer.username,
                           kind=peer.kind or "channel", source="live")  # fmt: skip
        try:
            entity = await self._call(
                "get_channel", lambda: self.source.get_channel(peer.channel_id, peer.access_hash)
            )
        except PRIVATE_ERRORS:
            raise _Gone("private", "the channel is private or banned for this account") from None
        except errors.ChannelInvalidError:
            raise _Gone("deleted", "Telegram says the channel no longer exists") from None
        if isinstance(entity, types.ChannelForbidden):
            raise _Gone("private", "the channel is private or banned for this account")
        self._checked.add(peer.channel_id)
        new = self._remember(entity)
        if entry.target.startswith("@") and (new.username or "").lower() != entry.target[1:]:
            note = f"now @{new.username}" if new.username else "the channel no longer has a public username"
            self.store.watch_mark(entry.target, status="renamed", note=note, channel_id=new.channel_id)
            log.info("%s: renamed (%s); collecting by channel id", entry.target, note)
        elif entry.status == "renamed":  # the old name is back
            self.store.watch_mark(entry.target, status="active", note="")
        return channel_from_telethon(entity)

    async def _collect_target(self, entry: WatchEntry, report: CollectReport) -> None:
        peer = await self._peer_for(entry, report)
        channel = await self._current_channel(entry, peer)
        report.channels += 1
        attempt = 0
        while True:  # restarted after a short flood wait or a network error, from the stored cursor
            cursor = self.store.cursor_get(channel.id) or 0
            min_id = max(0, cursor - self.opt.refresh) if cursor else 0
            since = self.opt.since if not cursor else None
            batch: list[Message] = []
            try:
                await self._pace("history")
                async for msg in self.source.iter_messages(
                    peer.channel_id, peer.access_hash, min_id=min_id, offset_date=since
                ):
                    if isinstance(msg, types.MessageEmpty):
                        continue
                    m = message_from_telethon(msg, channel)
                    if self.opt.hash_media:
                        m = await self._hash_media(msg, m, report)
                    batch.append(m)
                    if len(batch) >= self.opt.batch_size:
                        self._commit(channel, batch, report)
                        batch = []
                self._commit(channel, batch, report)
                return
            except errors.FloodError as exc:
                self._commit(channel, batch, report)  # what is in hand is complete and in order: keep it
                await self._flood(exc)
            except NETWORK_ERRORS as exc:
                self._commit(channel, batch, report)
                attempt += 1
                await self._network(exc, attempt)
            except PRIVATE_ERRORS:
                self._commit(channel, batch, report)
                raise _Gone("private", "the channel is private or banned for this account") from None
            except errors.ChannelInvalidError:
                self._commit(channel, batch, report)
                raise _Gone("deleted", "Telegram says the channel no longer exists") from None
            except errors.RPCError as exc:
                self._commit(channel, batch, report)
                self._stop_if_account(exc)
                raise

    def _commit(self, channel: Channel, batch: list[Message], report: CollectReport) -> None:
        if not batch:
            return
        result = self.store.save_collected_batch(channel, batch, max(m.id for m in batch))
        report.messages += result
        if self.matcher is not None:
            hashed = [m for m in batch if m.media is not None and (m.media.extra or {}).get("hashes")]
            if hashed:
                report.media_matched += self.matcher(self.store, hashed)

    async def _hash_media(self, msg: Any, m: Message, report: CollectReport) -> Message:
        """Download the photo/document into memory (up to the cap), hash it, drop the bytes."""
        if m.media is None or m.media.kind not in {"photo", "document", "video", "animation", "sticker",
                                                   "video_note", "voice", "audio"}:  # fmt: skip
            return m
        size = declared_media_size(msg)
        if size is None or size > self.opt.max_media_bytes:
            report.media_skipped += 1
            return m
        try:
            data = await self._call(
                "download", lambda: self.source.download_media(msg, max_bytes=self.opt.max_media_bytes)
            )
        except (_Requeue, MediaTooLarge, errors.RPCError) as exc:
            if isinstance(exc, errors.RPCError):
                self._stop_if_account(exc)
            report.media_skipped += 1
            return m
        try:
            assert self.hasher is not None
            hashes = self.hasher(data)
        finally:
            del data  # the only reference: the bytes go with it
        report.media_hashed += 1
        extra = dict(m.media.extra or {})
        extra["hashes"] = hashes
        return msgspec.structs.replace(m, media=msgspec.structs.replace(m.media, extra=extra))


async def collect(
    store: Store,
    source: TelegramSource,
    options: CollectOptions | None = None,
    *,
    follow: bool = False,
    interval: float = 300.0,
    clock: Clock | None = None,
    hasher: MediaHasher | None = None,
    matcher: MediaMatcher | None = None,
    after_round: Callable[[CollectReport], Any] | None = None,
    max_rounds: int | None = None,
) -> list[CollectReport]:
    """Run one round (``follow=False``) or keep polling every ``interval`` seconds (``follow=True``).

    ``after_round`` gets each round's report (the CLI prints it and may run ``analyze``)."""
    collector = Collector(store, source, options, clock=clock, hasher=hasher, matcher=matcher)
    reports: list[CollectReport] = []
    while True:
        report = await collector.run_round()
        reports.append(report)
        if after_round is not None:
            after_round(report)
        if not follow or (max_rounds is not None and len(reports) >= max_rounds):
            return reports
        await collector.clock.sleep(interval)
