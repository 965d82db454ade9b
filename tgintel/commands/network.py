"""Network commands: ``tgintel actors``, ``tgintel graph``, ``tgintel discover``, ``tgintel entity VALUE``,
``tgintel entities TEXT`` (extraction on loose text) and ``tgintel channels region`` (a channel's default
country for phone numbers). Message text and entity values are hostile: they are
printed as plain Rich ``Text``, never parsed as markup."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tgintel.commands.common import DbOption, JsonOption, print_json


def register(app: typer.Typer) -> None:
    """Add this area's commands to the CLI."""
    app.command("actors")(actors)
    app.command("graph")(graph)
    app.command("discover")(discover)
    app.command("entity")(entity)
    app.command("entities")(entities)
    channels_app = typer.Typer(help="Channel settings.", no_args_is_help=True)
    channels_app.command("region")(channel_region)
    app.add_typer(channels_app, name="channels")


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title)
    for col in columns:
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(*(Text("" if v is None else str(v)) for v in r))
    Console().print(table)


def actors(
    db: DbOption = None,
    json: JsonOption = False,
    min_members: Annotated[
        int, typer.Option("--min-members", help="Only actors joined from at least N accounts/channels.")
    ] = 1,
    limit: Annotated[int, typer.Option("--limit", help="Show at most N actors.")] = 50,
    max_claimants: Annotated[
        int, typer.Option("--max-claimants", help="A contact published by more authors is a hub: no link.")
    ] = 6,
) -> None:
    """Actors across channels: accounts linked by shared contacts or campaigns, with why."""
    from itertools import islice

    from tgintel.analyze.actors import analyze_actors, iter_actor_rows
    from tgintel.store import open_store

    store = open_store(db)
    try:
        analysis = analyze_actors(store, max_claimants=max_claimants)
    finally:
        store.close()
    rows = list(islice(iter_actor_rows(analysis, min_members=min_members), limit))
    if json:
        print_json({"actors": rows, "hubs": [{"value": v, "authors": n} for v, n in analysis.hubs[:50]]})
        return
    _table(
        f"Actors ({len(rows)} shown)",
        ["actor", "members", "messages", "adverts", "channels", "top contacts", "why linked"],
        [
            [r["id"], " ".join(r["members"]), r["messages"], r["adverts"], len(r["channels"]),
             " ".join(c["contact"] for c in r["contacts"][:3]), "; ".join(lk["why"] for lk in r["links"][:3])]
            for r in rows
        ],
    )  # fmt: skip


def graph(
    db: DbOption = None,
    json: JsonOption = False,
    gexf: Annotated[str | None, typer.Option("--gexf", help="Write the graph as GEXF (Gephi).")] = None,
    graphml: Annotated[str | None, typer.Option("--graphml", help="Write the graph as GraphML.")] = None,
    no_entities: Annotated[
        bool, typer.Option("--no-entities", help="Leave contact-point nodes out.")
    ] = False,
    full: Annotated[
        bool, typer.Option("--full", help="With --json: every node and edge, not a summary.")
    ] = False,
) -> None:
    """The channel/actor/entity/campaign network: communities, central distributors, Gephi export."""
    from tgintel.analyze import graph as ga
    from tgintel.share.graph_export import write_gexf, write_graphml
    from tgintel.store import open_store

    store = open_store(db)
    try:
        g = ga.build_graph(store, entities=not no_entities)
    finally:
        store.close()
    parts = ga.communities(g)
    ga.annotate_communities(g, parts)
    central = ga.central_distributors(g)
    if gexf:
        write_gexf(g, gexf)
    if graphml:
        write_graphml(g, graphml)
    summary = ga.graph_summary(g, parts, central)
    if json:
        print_json({**summary, **ga.graph_json(g)} if full else summary)
        return
    from rich.console import Console
    from rich.text import Text

    Console().print(Text(f"nodes {summary['nodes']}  edges {summary['edges']}"))
    _table(
        "Central distributors",
        ["actor", "label", "channels", "messages", "betweenness"],
        [[r["actor"], r["label"], r["channels"], r["messages"], r["betweenness"]] for r in central],
    )
    _table(
        "Communities",
        ["#", "size", "channels", "actors"],
        [
            [c["community"], c["size"], ", ".join(c["channels"]), ", ".join(c["actors"])]
            for c in summary["communities"]
        ],
    )


def discover(
    db: DbOption = None,
    json: JsonOption = False,
    min_channels: Annotated[
        int, typer.Option("--min-channels", help="Propose a chat once N monitored channels point at it.")
    ] = 2,
    limit: Annotated[int, typer.Option("--limit", help="Show at most N candidates.")] = 50,
) -> None:
    """Chats the monitored channels link to, forward from or mention, not monitored yet, ranked."""
    from tgintel.analyze.discovery import discover as run
    from tgintel.errors import UserError
    from tgintel.store import open_store

    if min_channels < 1:
        raise UserError("--min-channels must be at least 1")
    store = open_store(db)
    try:
        cands = run(store, min_channels=min_channels, limit=limit)
    finally:
        store.close()
    if json:
        print_json([c.to_json() for c in cands])
        return
    _table(
        f"Discovery candidates ({len(cands)})",
        ["chat", "channels", "messages", "score", "via", "categories"],
        [
            [_chat_label(c), c.channels, c.messages, f"{c.score:.2f}", ",".join(c.kinds),
             ",".join(list(c.categories)[:3])]
            for c in cands
        ],
    )  # fmt: skip


def _chat_label(c: Any) -> str:
    if c.username:
        return "@" + c.username
    return c.invite or f"id {c.channel_id} {c.title or ''}"


def entity(
    value: Annotated[str, typer.Argument(help="A handle, t.me link, phone, wallet, email, URL, IBAN …")],
    db: DbOption = None,
    json: JsonOption = False,
    region: Annotated[
        str | None, typer.Option("--region", help="Country for local phone numbers (e.g. NL).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="List at most N messages.")] = 50,
) -> None:
    """Pivot on one value: every message, channel, actor and campaign where it appears."""
    from tgintel.analyze.pivot import entity_occurrences
    from tgintel.errors import UserError
    from tgintel.store import open_store

    if not value.strip():
        raise UserError("entity: empty value")
    store = open_store(db)
    try:
        res = entity_occurrences(store, value, default_region=region, limit=limit)
    finally:
        store.close()
    if json:
        print_json(res)
        return
    from rich.console import Console
    from rich.text import Text

    con = Console()
    con.print(Text(f"{res['type'] or 'unknown type'} {' '.join(res['values'][:4])}: {res['occurrences']} "
                   f"occurrences, first {res['first_seen']}, last {res['last_seen']}"))  # fmt: skip
    _table("Channels", ["channel", "title", "messages"],
           [[c["channel_id"], c["title"], c["messages"]] for c in res["channels"]])  # fmt: skip
    _table("Actors", ["actor", "messages"], [[a["actor"], a["messages"]] for a in res["actors"]])
    _table("Campaigns", ["cluster", "messages"], [[c["cluster_id"], c["messages"]] for c in res["campaigns"]])
    _table("Messages", ["date", "channel", "id", "text"],
           [[m["date"], m["channel_id"], m["message_id"], " ".join(m["text"].split())[:100]]
            for m in res["messages"]])  # fmt: skip


def entities(
    text: Annotated[str, typer.Argument(help="Text to scan ('-' reads standard input).")],
    json: JsonOption = False,
    region: Annotated[
        str | None, typer.Option("--region", help="Country for local phone numbers (e.g. NL).")
    ] = None,
) -> None:
    """Extract validated entities from loose text (no database)."""
    import sys

    from tgintel.detect.entities import extract_entities

    if text == "-":
        text = sys.stdin.read()
    ents = extract_entities(text, default_region=region)
    rows = [{"type": e.type, "value": e.value, "start": e.start, "end": e.end} for e in ents]
    if json:
        print_json(rows)
        return
    _table(f"Entities ({len(rows)})", ["type", "value", "surface"],
           [[r["type"], r["value"], text[r["start"] : r["end"]]] for r in rows])  # fmt: skip


def channel_region(
    channel: Annotated[
        str | None, typer.Argument(help="Channel id or @username; omit to list the channels with a region.")
    ] = None,
    region: Annotated[
        str | None, typer.Argument(help="Country code (ISO 3166, e.g. NL) for its numbers without '+'.")
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the channel's region.")] = False,
    suggest: Annotated[
        bool, typer.Option("--suggest", help="Propose regions from the channels' international numbers.")
    ] = False,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Show, set or clear a channel's default region for phone numbers written without a country code.

    Setting or clearing it queues the channel's messages for `tgintel analyze` again."""
    from tgintel.errors import UserError
    from tgintel.jobs.regions import channel_region_rows, resolve_channel, set_region, suggest_regions
    from tgintel.store import open_store

    if region is not None and clear:
        raise UserError("give a region or --clear, not both")
    if (region is not None or clear) and channel is None:
        raise UserError("name the channel to set a region for")
    store = open_store(db)
    try:
        if suggest:
            rows = suggest_regions(store)
            title, cols, keys = "Suggested regions", ["channel", "title", "suggested", "numbers", "of"], [
                "channel_id", "title", "suggested", "numbers", "of"]  # fmt: skip
        elif region is not None or clear:
            rows = [set_region(store, channel, None if clear else region)]  # type: ignore[arg-type]
            title, cols, keys = "Channel region", ["channel", "title", "region", "messages queued"], [
                "channel_id", "title", "region", "queued"]  # fmt: skip
        else:
            rows = channel_region_rows(store)
            if channel is not None:
                cid, name = resolve_channel(store, channel)
                rows = [r for r in rows if r["channel_id"] == cid] or [
                    {"channel_id": cid, "title": name, "region": None}]  # fmt: skip
            title, cols = "Channel regions", ["channel", "title", "region"]
            keys = ["channel_id", "title", "region"]
    finally:
        store.close()
    if json:
        print_json({"channels": rows})
        return
    _table(title, cols, [[r.get(k) for k in keys] for r in rows])
