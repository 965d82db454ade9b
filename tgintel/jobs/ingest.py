"""Import Telegram Desktop exports into the store: the use case behind ``tgintel ingest``.

Crash safety comes from the store, not from bookkeeping here: every batch is one transaction and
``(channel_id, id)`` is the key, so a run killed at any point and started again stores each message exactly
once (already-stored batches come back ``unchanged``). There is deliberately no resume offset to get wrong.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tgintel.errors import UserError
from tgintel.sources.desktop_export import DEFAULT_BATCH, RowMaker, file_size, find_exports, iter_export

if TYPE_CHECKING:  # the store package pulls in SQLAlchemy and Alembic: not at CLI start-up
    from tgintel.store.interface import Store

__all__ = ["IngestProgress", "ingest_paths"]


class IngestProgress:
    """What a progress display is told; subclass and override what you show. The defaults do nothing."""

    def file_started(self, path: Path, size: int | None) -> None:
        """A file is about to be read (``size`` in bytes)."""

    def advanced(self, path: Path, bytes_read: int, messages: int) -> None:
        """A batch was stored; ``messages`` counts this file's messages so far."""

    def file_done(self, path: Path, counts: dict[str, Any]) -> None:
        """A file is finished; ``counts`` as in the result of :func:`ingest_paths`."""

    def bad(self, line: str) -> None:
        """A message or file was skipped (``--skip-bad``); ``line`` says what and where."""

    def indexing(self) -> None:
        """The messages are stored; the indexes a bulk import deferred are being built (one step)."""


def _zero() -> dict[str, Any]:
    return {"files": 0, "chats": 0, "messages": 0, "inserted": 0, "updated": 0, "unchanged": 0,
            "skipped": 0, "bad_files": 0, "empty_chats": 0}  # fmt: skip


def ingest_paths(
    store: Store,
    paths: Sequence[str | Path],
    *,
    skip_bad: bool = False,
    progress: IngestProgress | Callable[..., Any] | None = None,
    tz: tzinfo | None = None,
    batch_size: int = DEFAULT_BATCH,
    bulk: bool = True,
) -> dict[str, Any]:
    """Import files or folders (searched for ``result.json``); returns counts over all of them.

    Counts: ``files``, ``chats``, ``messages`` (read), ``inserted``, ``updated``, ``unchanged``,
    ``skipped`` (bad messages passed over with ``skip_bad``), ``bad_files`` (unreadable files passed over
    with ``skip_bad``), ``empty_chats``; ``per_file`` lists the same per file.

    Without ``skip_bad`` the first problem raises :class:`UserError` (one line naming file and byte offset
    or message id); batches stored before it stay stored. With ``skip_bad`` bad messages are counted and
    skipped, and a file that cannot be read on (syntax error, not an export) is reported, counted and left
    after storing what came before the error; the other files are still imported.

    ``bulk`` (default) lets an import into an empty store defer its index build to the end (the store
    decides whether it can); False keeps per-batch indexing, as for an import into a filled store.
    """
    prog = progress if isinstance(progress, IngestProgress) else _CallbackProgress(progress)
    # The parser allocates millions of short-lived dicts and lists, none of them in reference cycles; each
    # allocation burst starts a cyclic-GC pass that walks every live batch object for nothing. Pausing the
    # collector for the import measured 5-10 % of its CPU time (bench/ingest.py); memory stays flat because
    # reference counting still frees everything, and whatever cycles the store makes are collected after.
    paused = gc.isenabled()
    gc.disable()
    try:
        # Bulk mode (an empty SQLite store): indexes and full-text search are built once after the last
        # batch instead of per row. Granted only when safe; see tgintel/store/deferred_index.py.
        bulk = bulk and store.begin_bulk_import()
        done = False
        try:
            counts = _ingest_all(store, paths, skip_bad=skip_bad, prog=prog, tz=tz, batch_size=batch_size)
            done = True
            return counts
        finally:
            if bulk:
                # Also over what a failed import stored (bad input, an interrupt). If the build fails too (a
                # full disk fails both), the first error is the one to report: the marker row stays, and the
                # next command that opens the store builds the indexes (tgintel/store/deferred_index.py).
                prog.indexing()
                try:
                    store.finish_bulk_import()
                except Exception:
                    if done:
                        raise
    finally:
        if paused:
            gc.enable()


def _ingest_all(
    store: Store,
    paths: Sequence[str | Path],
    *,
    skip_bad: bool,
    prog: IngestProgress,
    tz: tzinfo | None,
    batch_size: int,
) -> dict[str, Any]:
    total = _zero()
    per_file: list[dict[str, Any]] = []
    for path in find_exports(list(paths)):
        counts = _zero()
        counts["path"] = str(path)
        try:
            _ingest_file(store, path, counts, skip_bad=skip_bad, prog=prog, tz=tz, batch_size=batch_size)
        except UserError as exc:
            if not skip_bad:
                raise
            counts["bad_files"] = 1
            counts["error"] = str(exc)
            prog.bad(str(exc))
        per_file.append(counts)
        for k, v in counts.items():
            if isinstance(v, int):
                total[k] += v
    total["per_file"] = per_file
    return total


def _ingest_file(
    store: Store,
    path: Path,
    counts: dict[str, Any],
    *,
    skip_bad: bool,
    prog: IngestProgress,
    tz: tzinfo | None,
    batch_size: int,
) -> None:
    from tgintel.store.interface import UpsertResult

    started = int(time.time())
    size = file_size(path)
    counts["files"] = 1
    prog.file_started(path, size)
    position = [0, size or 0]
    seen_channels: dict[int, int] = {}
    result = UpsertResult()
    record = True
    # Stores that take rows get them made while parsing (no Message objects in between).
    rows = _row_maker(store)
    upsert = store.upsert_message_rows if rows is not None else store.upsert_messages  # type: ignore[attr-defined]

    def on_bad(line: str) -> None:
        counts["skipped"] += 1
        prog.bad(line)

    try:
        for channel, batch in iter_export(
            path, batch_size=batch_size, tz=tz, on_bad=on_bad if skip_bad else None, position=position,
            rows=rows,
        ):
            if channel.id not in seen_channels:
                store.upsert_channels([channel])
                seen_channels[channel.id] = 0
            seen_channels[channel.id] += len(batch)
            if batch:
                result += upsert(batch)
                counts["messages"] += len(batch)
            prog.advanced(path, position[0], counts["messages"])
    except UserError:
        raise
    except BaseException:
        # a store failure or an interrupt: recording provenance would likely fail too and hide the cause
        record = False
        raise
    finally:
        counts["chats"] = len(seen_channels)
        counts["empty_chats"] = sum(1 for n in seen_channels.values() if n == 0)
        counts["inserted"], counts["updated"], counts["unchanged"] = (
            result.inserted, result.updated, result.unchanged,
        )  # fmt: skip
        if seen_channels and record:
            store.record_import(str(path.resolve()), size, started, counts)
    prog.file_done(path, counts)


def _row_maker(store: Store) -> RowMaker | None:
    if not hasattr(store, "upsert_message_rows"):
        return None
    from tgintel.store.sql import ROW_NULL, seal_message_values

    return RowMaker(seal_message_values, ROW_NULL, native_digest=True)


class _CallbackProgress(IngestProgress):
    """Adapts a plain callable ``fn(event, **info)`` (or None) to :class:`IngestProgress`."""

    def __init__(self, fn: Callable[..., Any] | None) -> None:
        self.fn = fn

    def file_started(self, path: Path, size: int | None) -> None:
        if self.fn:
            self.fn("file_started", path=path, size=size)

    def advanced(self, path: Path, bytes_read: int, messages: int) -> None:
        if self.fn:
            self.fn("advanced", path=path, bytes_read=bytes_read, messages=messages)

    def file_done(self, path: Path, counts: dict[str, Any]) -> None:
        if self.fn:
            self.fn("file_done", path=path, counts=counts)

    def bad(self, line: str) -> None:
        if self.fn:
            self.fn("bad", line=line)

    def indexing(self) -> None:
        if self.fn:
            self.fn("indexing")
