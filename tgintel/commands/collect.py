"""``tgintel watch …``, ``tgintel collect`` and ``tgintel login``: live collection from public channels."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from tgintel.commands.common import DbOption, JsonOption, print_json
from tgintel.errors import UserError

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", help="TOML with api_id, api_hash, session_file (default ~/.config/tgintel/telegram.toml)."
    ),
]
SessionFileOption = Annotated[
    Path | None,
    typer.Option(
        "--session-file", help="Session file, mode 0600 (default ~/.config/tgintel/telegram.session)."
    ),
]

OnceOption = Annotated[bool, typer.Option("--once", help="Catch up once and exit (the default).")]
FollowOption = Annotated[bool, typer.Option("--follow", help="Keep polling every --interval seconds.")]
SinceOption = Annotated[
    str | None, typer.Option("--since", help="History back to this date for new channels.")
]
IntervalOption = Annotated[
    float, typer.Option("--interval", help="Seconds between rounds (--follow).", min=5)
]
RefreshOption = Annotated[
    int, typer.Option("--refresh", help="Re-read the last N posts per round (edits, views).", min=0)
]
HashMediaOption = Annotated[
    bool, typer.Option("--hash-media", help="Hash photos/files in memory; bytes are never stored.")
]
MaxMediaOption = Annotated[int, typer.Option("--max-media-bytes", help="Skip media larger than this.", min=1)]
FloodOption = Annotated[
    float,
    typer.Option(
        "--flood-threshold",
        help="Sleep through FloodWaits up to this many seconds; longer ones defer the channel.",
        min=0,
    ),
]
AnalyzeOption = Annotated[bool, typer.Option("--analyze", help="Run `tgintel analyze` after each round.")]


def _parse_since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise UserError(f"--since {value!r}: not a date (use YYYY-MM-DD or an ISO 8601 time)") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _discovery_targets(store: Any, n: int) -> list[str]:
    """The top ``n`` discovery candidates that can be collected: public usernames, or channel ids whose access
    hash is already cached. Invite links (private chats) are never added."""
    from tgintel.analyze.discovery import discover
    from tgintel.jobs.collect import parse_target

    out: list[str] = []
    for cand in discover(store, limit=None):
        if len(out) >= n:
            break
        if cand.username:
            try:
                out.append(parse_target(cand.username))
            except UserError:
                continue
        elif cand.channel_id is not None and store.peer_get(channel_id=cand.channel_id) is not None:
            out.append(str(cand.channel_id))
    return out


def register(app: typer.Typer) -> None:
    """Add this area's commands to the CLI."""
    watch = typer.Typer(
        help="The list of public channels that `tgintel collect` follows.", no_args_is_help=True
    )
    app.add_typer(watch, name="watch")

    @watch.command("add")
    def watch_add(
        targets: Annotated[
            list[str] | None, typer.Argument(help="@name, t.me/name link or channel id.")
        ] = None,
        tag: Annotated[list[str] | None, typer.Option("--tag", help="Tag to attach (repeatable).")] = None,
        note: Annotated[str | None, typer.Option("--note", help="Free-text note.")] = None,
        from_discovery: Annotated[
            int | None, typer.Option("--from-discovery", help="Add the top N discovery candidates.", min=1)
        ] = None,
        db: DbOption = None,
        json: JsonOption = False,
    ) -> None:
        """Watch channels (re-adding one marked private/deleted makes it active again)."""
        from tgintel.jobs.collect import parse_target
        from tgintel.store import open_store

        parsed = [parse_target(t) for t in targets or []]
        store = open_store(db)
        try:
            if from_discovery:
                parsed += _discovery_targets(store, from_discovery)
            if not parsed:
                raise UserError("watch add: give @names, t.me links or ids, or --from-discovery N")
            added = store.watch_add(parsed, tags=tag or [], note=note)
        finally:
            store.close()
        if json:
            print_json([{"target": t, "new": new} for t, new in added])
        else:
            for t, new in added:
                print(f"{'added' if new else 'already watched'}: {t}")

    @watch.command("list")
    def watch_list(
        status: Annotated[str | None, typer.Option("--status", help="Only this status.")] = None,
        db: DbOption = None,
        json: JsonOption = False,
    ) -> None:
        """Show watched channels, their status and tags."""
        import msgspec

        from tgintel.store import open_store

        store = open_store(db)
        try:
            entries = store.watch_list(status=status)
            cursors = {e.target: store.cursor_get(e.channel_id) if e.channel_id else None for e in entries}
        finally:
            store.close()
        if json:
            print_json([{**msgspec.structs.asdict(e), "cursor": cursors[e.target]} for e in entries])
            return
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table

        table = Table("target", "channel id", "status", "tags", "cursor", "note")
        for e in entries:
            table.add_row(escape(e.target), str(e.channel_id or ""), e.status, escape(", ".join(e.tags)),
                          str(cursors[e.target] or ""), escape(e.note or ""))  # fmt: skip
        Console().print(table)

    @watch.command("remove")
    def watch_remove(
        targets: Annotated[list[str], typer.Argument(help="@name, t.me/name link or channel id.")],
        db: DbOption = None,
    ) -> None:
        """Stop watching channels (collected messages stay)."""
        from tgintel.jobs.collect import parse_target
        from tgintel.store import open_store

        store = open_store(db)
        try:
            n = store.watch_remove([parse_target(t) for t in targets])
        finally:
            store.close()
        print(f"removed {n}")

    @app.command("collect")
    def collect_cmd(
        once: OnceOption = False,
        follow: FollowOption = False,
        since: SinceOption = None,
        interval: IntervalOption = 300,
        refresh: RefreshOption = 0,
        hash_media: HashMediaOption = False,
        max_media_bytes: MaxMediaOption = 20 * 1024 * 1024,
        flood_threshold: FloodOption = 60,
        analyze: AnalyzeOption = False,
        config: ConfigOption = None,
        session_file: SessionFileOption = None,
        db: DbOption = None,
        json: JsonOption = False,
    ) -> None:
        """Collect new posts of watched channels with a Telegram user account (see docs/collect.md)."""
        import asyncio

        from tgintel.jobs.collect import CollectOptions, CollectReport, TelegramUnreachable, collect
        from tgintel.sources.telegram_secrets import load_credentials, make_client
        from tgintel.sources.telethon_live import TelethonSource
        from tgintel.store import open_store

        if once and follow:
            raise UserError("collect: choose --once or --follow, not both")
        logging.basicConfig(level=logging.INFO, format="tgintel: %(message)s", stream=sys.stderr)
        logging.getLogger("telethon").setLevel(logging.WARNING)  # connection chatter, not collection news
        creds = load_credentials(config=config, session_file=session_file)
        options = CollectOptions(
            since=_parse_since(since),
            hash_media=hash_media,
            max_media_bytes=max_media_bytes,
            flood_threshold=flood_threshold,
            refresh=refresh,
        )
        store = open_store(db)

        def after_round(report: CollectReport) -> None:
            if analyze:
                _run_analyze(store)
            if json:
                print_json(report.as_dict())
            else:
                d = report.as_dict()
                print(f"channels {d['channels']}: {d['inserted']} new, {d['updated']} updated, "
                      f"{d['unchanged']} unchanged; deferred {len(d['deferred'])}, marked {len(d['marked'])}",
                      flush=True)  # fmt: skip

        async def main() -> None:
            client = make_client(creds)
            try:
                await client.connect()
            except OSError as exc:
                raise TelegramUnreachable(f"network: cannot reach Telegram ({type(exc).__name__})") from None
            try:
                if not await client.is_user_authorized():
                    raise UserError("the Telegram session is not logged in; run `tgintel login`")
                await collect(store, TelethonSource(client), options, follow=follow, interval=interval,
                              after_round=after_round)  # fmt: skip
            finally:
                await client.disconnect()

        try:
            asyncio.run(main())
        finally:
            store.close()

    @app.command("login")
    def login_cmd(
        phone: Annotated[
            str | None, typer.Option("--phone", help="Phone number in international format.")
        ] = None,
        config: ConfigOption = None,
        session_file: SessionFileOption = None,
    ) -> None:
        """Log in to Telegram once (phone, code, 2FA password) and save the session file with mode 0600."""
        import asyncio
        import getpass

        from tgintel.sources.telegram_secrets import load_credentials, make_client, write_session_file

        creds = load_credentials(config=config, session_file=session_file, require_session=False)

        async def main() -> str:
            client = make_client(creds)
            await client.start(
                phone=lambda: phone or input("Phone number (international format): "),
                code_callback=lambda: input("Login code Telegram sent you: "),
                password=lambda: getpass.getpass("Two-step verification password: "),
            )
            try:
                me = await client.get_me()
                session = client.session.save()
            finally:
                await client.disconnect()
            write_session_file(creds.session_file, session)
            return str(getattr(me, "username", None) or getattr(me, "first_name", "") or "account")

        who = asyncio.run(main())
        print(f"logged in as {who}; session saved to {creds.session_file} (mode 0600)")


def _run_analyze(store: Any) -> None:
    """Hand newly collected messages to the detect stages, exactly as `tgintel analyze` does."""
    from tgintel.jobs.analyze import analyze

    counts = analyze(store)
    logging.getLogger("tgintel.collect").info("analysed %d messages", counts.get("messages", 0))
