"""Data in and out: ``tgintel ingest``, ``tgintel stats``, ``tgintel export messages``."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from tgintel.commands.common import DbOption, JsonOption, print_json
from tgintel.errors import UserError
from tgintel.jobs.ingest import IngestProgress
from tgintel.sources.desktop_export import DEFAULT_BATCH

export_app = typer.Typer(help="Take your data elsewhere (JSON Lines, CSV, Parquet).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the CLI."""
    app.command("ingest")(ingest)
    app.command("stats")(stats)
    app.add_typer(export_app, name="export")


def _tz(name: str | None) -> Any:
    if not name:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(f"--tz {name}: unknown time zone (use a name like Europe/Amsterdam)") from None


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="result.json files or folders holding them.")],
    db: DbOption = None,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Skip (and count) bad messages and unreadable files.")
    ] = False,
    tz: Annotated[
        str | None,
        typer.Option(
            "--tz",
            help="Time zone of the machine that made the export, for old exports without date_unixtime "
            "(default UTC).",
        ),
    ] = None,
    json: JsonOption = False,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Messages per transaction.", hidden=True)
    ] = DEFAULT_BATCH,
) -> None:
    """Import Telegram Desktop exports (single chat or full account). Safe to repeat or resume."""
    from tgintel.jobs.ingest import ingest_paths
    from tgintel.store import open_store

    zone = _tz(tz)
    store = open_store(db)
    try:
        with _progress() as prog:
            counts = ingest_paths(
                store, paths, skip_bad=skip_bad, progress=prog, tz=zone, batch_size=batch_size
            )
    finally:
        store.close()
    if json:
        print_json(counts)
    else:
        _summary(counts)
    if counts["bad_files"]:
        raise typer.Exit(1)


def _summary(c: dict[str, Any]) -> None:
    parts = [
        f"{c['files']} file(s)", f"{c['chats']} chat(s)", f"{c['messages']:,} messages read",
        f"{c['inserted']:,} new", f"{c['updated']:,} updated", f"{c['unchanged']:,} unchanged",
    ]  # fmt: skip
    if c["skipped"]:
        parts.append(f"{c['skipped']:,} bad messages skipped")
    if c["bad_files"]:
        parts.append(f"{c['bad_files']} unreadable file(s) skipped")
    print("ingest: " + ", ".join(parts))
    if c["empty_chats"]:
        print(f"ingest: {c['empty_chats']} chat(s) had no messages (stored as channels, nothing else)")


def _progress() -> Any:
    return _RichProgress() if sys.stderr.isatty() else _LogProgress()


class _LogProgress(IngestProgress):
    """Plain lines on stderr (logs, CI, pipes): one per file and at most one every 5 s."""

    def __init__(self) -> None:
        self.t0 = self.last = time.monotonic()

    def __enter__(self) -> _LogProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def file_started(self, path: Path, size: int | None) -> None:
        self.t0 = self.last = time.monotonic()
        mb = f" ({size / 1e6:,.1f} MB)" if size else ""
        print(f"ingest: reading {path}{mb}", file=sys.stderr, flush=True)

    def advanced(self, path: Path, bytes_read: int, messages: int) -> None:
        now = time.monotonic()
        if now - self.last >= 5:
            self.last = now
            rate = messages / max(now - self.t0, 1e-9)
            print(f"ingest: {path.name}: {messages:,} messages, {rate:,.0f}/s", file=sys.stderr, flush=True)

    def file_done(self, path: Path, counts: dict[str, Any]) -> None:
        dt = max(time.monotonic() - self.t0, 1e-9)
        print(
            f"ingest: {path}: {counts['messages']:,} messages in {dt:.1f} s "
            f"({counts['messages'] / dt:,.0f}/s), {counts['inserted']:,} new, {counts['updated']:,} updated",
            file=sys.stderr,
            flush=True,
        )

    def bad(self, line: str) -> None:
        print(f"ingest: skipped: {line}", file=sys.stderr, flush=True)

    def indexing(self) -> None:
        print("ingest: building indexes and full-text search", file=sys.stderr, flush=True)


class _RichProgress(_LogProgress):
    """A bar over the bytes of each file, with messages and messages/s (terminals only)."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        super().__init__()
        self.console = Console(stderr=True)
        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
            TextColumn("{task.fields[messages]:>12,} msgs"), TextColumn("{task.fields[rate]:>9,.0f}/s"),
            TimeRemainingColumn(), console=self.console,
        )  # fmt: skip
        self.task: Any = None

    def __enter__(self) -> _RichProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def file_started(self, path: Path, size: int | None) -> None:
        from rich.markup import escape

        self.t0 = time.monotonic()
        name = escape(path.parent.name + "/" + path.name)
        self.task = self.progress.add_task(name, total=size or 1, messages=0, rate=0.0)

    def advanced(self, path: Path, bytes_read: int, messages: int) -> None:
        rate = messages / max(time.monotonic() - self.t0, 1e-9)
        self.progress.update(self.task, completed=bytes_read, messages=messages, rate=rate)

    def file_done(self, path: Path, counts: dict[str, Any]) -> None:
        self.progress.update(self.task, completed=self.progress.tasks[-1].total)

    def bad(self, line: str) -> None:
        from rich.markup import escape

        self.console.print("skipped: " + escape(line), highlight=False)

    def indexing(self) -> None:
        self.console.print("building indexes and full-text search…", highlight=False)


def stats(db: DbOption = None, json: JsonOption = False) -> None:
    """Per channel: messages, first and last date, distinct senders."""
    from tgintel.store import open_store

    store = open_store(db)
    try:
        rows = store.channel_stats()
    finally:
        store.close()
    if json:
        print_json([{f: getattr(r, f) for f in r.__struct_fields__} for r in rows])
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(rows)} channel(s), {sum(r.messages for r in rows):,} messages")
    for col in ("id", "title", "kind", "messages", "first", "last", "senders"):
        right = col in ("id", "messages", "senders")
        table.add_column(col, justify="right" if right else "left", no_wrap=col != "title")
    for r in rows:
        table.add_row(
            str(r.id), r.title, r.kind, f"{r.messages:,}", (r.first_date or "")[:10],
            (r.last_date or "")[:10], f"{r.senders:,}",
        )  # fmt: skip
    if not rows:
        print("no channels stored yet")
        return
    # Not a terminal (pipes, make demo): don't squeeze the table into 80 columns.
    Console(highlight=False, markup=False, width=None if sys.stdout.isatty() else 160).print(table)


@export_app.command("messages")
def export_messages(
    out: Annotated[Path, typer.Option("-o", "--out", help="File to write.")],
    fmt: Annotated[str, typer.Option("--format", help="jsonl, csv or parquet.")] = "jsonl",
    channel: Annotated[int | None, typer.Option("--channel", help="Only this channel id.")] = None,
    raw_csv: Annotated[
        bool, typer.Option("--raw-csv", help="Don't guard CSV cells against spreadsheet formula injection.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Write stored messages to a file, streaming (memory does not grow with the store)."""
    from tgintel.jobs.export_messages import write_messages
    from tgintel.store import open_store

    if fmt not in ("jsonl", "csv", "parquet"):
        raise UserError(f"--format {fmt}: choose jsonl, csv or parquet")
    store = open_store(db)
    try:
        n = write_messages(store, out, fmt, channel_id=channel, guard_csv=not raw_csv)
    finally:
        store.close()
    print(f"export: {n:,} messages written to {out}", file=sys.stderr)
