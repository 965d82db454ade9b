"""Campaign commands: ``tgintel campaigns`` (the list) and ``tgintel campaign ID`` (one, with variants and
timeline). Message text is hostile: it is printed as plain Rich ``Text``, never parsed as markup."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tgintel.commands.common import DbOption, JsonOption, print_json


def register(app: typer.Typer) -> None:
    """Add this area's commands to the CLI."""
    app.command("campaigns")(campaigns)
    app.command("campaign")(campaign)


def campaigns(
    db: DbOption = None,
    json: JsonOption = False,
    min_channels: Annotated[int, typer.Option("--min-channels", help="Reached at least N channels.")] = 1,
    min_size: Annotated[int, typer.Option("--min-size", help="At least N posts.")] = 2,
    sort: Annotated[
        str, typer.Option("--sort", help="size, channels, actors, first_seen or last_seen.")
    ] = "size",
    limit: Annotated[int, typer.Option("--limit", help="Show at most N campaigns.")] = 50,
    media: Annotated[
        bool, typer.Option("--media", help="Also list media-only clusters (same file id).")
    ] = False,
) -> None:
    """List near-duplicate campaigns: size, channels, actors, first and last seen."""
    from tgintel.analyze.campaigns import list_campaigns
    from tgintel.store import open_store

    store = open_store(db)
    try:
        rows = list_campaigns(
            store, min_size=min_size, min_channels=min_channels, sort=sort, limit=limit,
            kind=None if media else "text",
        )  # fmt: skip
    finally:
        store.close()
    if json:
        print_json(rows)
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"Campaigns ({len(rows)})", show_lines=False)
    for col in ("id", "posts", "channels", "actors", "first seen", "last seen", "lead channel", "text"):
        table.add_column(
            col, overflow="fold", justify="right" if col in ("posts", "channels", "actors") else "left"
        )
    for r in rows:
        table.add_row(
            Text(r["id"]),
            str(r["size"]),
            str(r["channels"]),
            str(r["actors"]),
            Text(r["first_seen"] or ""),
            Text(r["last_seen"] or ""),
            Text(r["lead_channel"]["title"] or ""),
            Text(r["preview"][:80]),
        )
    Console().print(table)
    if not rows:
        Console().print(Text("No campaigns yet: run `tgintel analyze` after `tgintel ingest`."))


def campaign(
    cluster_id: Annotated[str, typer.Argument(help="Campaign (cluster) id from `tgintel campaigns`.")],
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Show one campaign: channels reached, actors, timeline and the variants with what changed."""
    from tgintel.analyze.campaigns import get_campaign
    from tgintel.errors import UserError
    from tgintel.store import open_store

    store = open_store(db)
    try:
        c = get_campaign(store, cluster_id)
    finally:
        store.close()
    if c is None:
        raise UserError(f"campaign {cluster_id}: not found (see `tgintel campaigns`)")
    if json:
        print_json(c)
        return
    _show(c)


def _show(c: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    con = Console()
    lead = c["lead_channel"] or {}
    con.print(Text(f"Campaign {c['id']} ({c['kind']})", style="bold"))
    con.print(
        Text(
            f"{c['size']} posts in {c['channels_reached']} channels by {c['actors_count']} actors, "
            f"{c['first_seen']} → {c['last_seen']}; lead channel: {lead.get('title') or lead.get('id')}; "
            f"{c['forwarded_posts']} forwarded; {c['variants_count']} variants"
        )
    )
    ch = Table(title="Channels (in order of arrival)")
    for col in ("channel", "id", "posts", "first seen", "last seen"):
        ch.add_column(col)
    for r in c["channels"]:
        ch.add_row(Text(r["title"] or ""), str(r["id"]), str(r["posts"]), r["first_seen"], r["last_seen"])
    con.print(ch)
    if c["actors"]:
        at = Table(title="Actors")
        for col in ("actor", "name", "posts", "first seen", "last seen"):
            at.add_column(col)
        for r in c["actors"][:20]:
            at.add_row(
                Text(r["key"]), Text(r["name"] or ""), str(r["posts"]), r["first_seen"], r["last_seen"]
            )
        con.print(at)
    tl = Table(title="Timeline (posts per day)")
    tl.add_column("date")
    tl.add_column("posts", justify="right")
    tl.add_column("per channel")
    for d in c["timeline"]:
        tl.add_row(d["date"], str(d["total"]), Text(", ".join(f"{k}: {v}" for k, v in d["posts"].items())))
    con.print(tl)
    vt = Table(title="Variants", show_lines=True)
    for col in ("#", "posts", "first seen", "text", "changes vs #1"):
        vt.add_column(col, overflow="fold")
    for i, v in enumerate(c["variants"], 1):
        vt.add_row(
            str(i), str(v["posts"]), v["first_seen"], Text(v["text"][:400]), Text("\n".join(v["changes"]))
        )
    con.print(vt)
