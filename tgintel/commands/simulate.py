"""``tgintel simulate``: write a synthetic Telegram crime-market study with ground truth."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tgintel.commands.common import DbOption, JsonOption, print_json


def register(app: typer.Typer) -> None:
    """Add this area's commands to the CLI: simulate, study, report."""
    register_study(app)

    @app.command("simulate")
    def simulate_cmd(
        out: Annotated[
            Path, typer.Option("--out", "-o", help="Folder to write the exports and truth.jsonl to.")
        ],
        channels: Annotated[int, typer.Option("--channels", help="Number of channels and groups.")] = 106,
        days: Annotated[int, typer.Option("--days", help="Length of the study period in days.")] = 90,
        seed: Annotated[int, typer.Option("--seed", help="Random seed; same seed, same corpus.")] = 1,
        full_account: Annotated[
            bool,
            typer.Option(
                "--full-account", help="One full-account export (result.json) instead of one per chat."
            ),
        ] = False,
        repetition: Annotated[
            float, typer.Option("--repetition", help="Share of text messages that repeat an earlier text.")
        ] = 0.96,
        templates: Annotated[
            str, typer.Option("--templates", help="Vocabulary set: train, or heldout (disjoint wording).")
        ] = "train",
        per_day: Annotated[
            float, typer.Option("--per-day", help="Mean messages per channel per day.")
        ] = 70.0,
        json_out: JsonOption = False,
    ) -> None:
        """Write Telegram Desktop exports of a simulated market plus truth.jsonl (see docs/simulator.md)."""
        from tgintel.sources.simulate import simulate

        result = simulate(
            out,
            channels=channels,
            days=days,
            seed=seed,
            full_account=full_account,
            repetition=repetition,
            templates=templates,
            per_day=per_day,
        )
        if json_out:
            print_json(result)
            return
        print(
            f"simulate: {result['messages']:,} messages ({result['text_messages']:,} with text, "
            f"{result['unique_texts']:,} unique, {result['repetition']:.1%} repeated) "
            f"in {result['channels']} chats over {result['days']} days, {result['seconds']} s\n"
            f"simulate: exports in {out}/, ground truth in {result['truth']}"
        )


def register_study(app: typer.Typer) -> None:
    """``tgintel study`` and ``tgintel report``: the figures of everything stored, as a table or a report."""

    @app.command("study")
    def study_cmd(db: DbOption = None, json_out: JsonOption = False) -> None:
        """Headline figures: channels, period, messages, repetition, campaigns, actors, categories."""
        from tgintel.analyze.study import compute_study
        from tgintel.store import open_store

        store = open_store(db)
        try:
            study = compute_study(store)
        finally:
            store.close()
        if json_out:
            print_json(study)
        else:
            print_study(study)

    @app.command("report")
    def report_cmd(
        out: Annotated[
            Path, typer.Option("--out", "-o", help="Folder for report.html, report.pdf, report.json.")
        ],
        db: DbOption = None,
        pdf: Annotated[
            bool, typer.Option("--pdf/--no-pdf", help="Also print a PDF with headless Chromium.")
        ] = True,
        redact: Annotated[
            bool, typer.Option("--redact/--no-redact", help="Mask phone numbers, IBANs and ID-like numbers.")
        ] = True,
        json_out: JsonOption = False,
    ) -> None:
        """Write a self-contained HTML report of the study (inline SVG charts) and a PDF of it."""
        from tgintel.share.report import build_report
        from tgintel.store import open_store

        store = open_store(db)
        try:
            result = build_report(store, out, pdf=pdf, redact=redact)
        finally:
            store.close()
        if json_out:
            print_json(result)
            return
        print(f"report: {result['html']}")
        if result["pdf"]:
            print(f"report: {result['pdf']}")
        for note in result["notes"]:
            print(f"report: {note}")


def print_study(s: dict) -> None:
    """The study as Rich tables: headline figures, categories, top channels and distributors."""
    from rich.console import Console
    from rich.table import Table

    con = Console()
    head = Table(title="Study", show_header=False, title_justify="left")
    head.add_column(style="bold")
    head.add_column(justify="right")
    period = (
        f"{s['first_date'][:10]} – {s['last_date'][:10]} ({s['days']} days)"
        if s["first_date"]
        else "no messages"
    )
    rows = [
        ("channels", f"{s['channels']:,}"),
        ("period", period),
        ("messages", f"{s['messages']:,}"),
        ("text messages", f"{s['text_messages']:,}"),
        (
            "unique texts",
            f"{s['exact_unique_texts']:,} ({s['repetition']:.1%} repeated; {s['unique_basis']})",
        ),
        ("near-duplicate clusters", f"{s['near_duplicate_clusters']:,}"),
        ("clusters in 2+ channels", f"{s['cross_channel_clusters']:,}"),
        ("actors", f"{s['actors']:,}"),
        ("actors in 2+ channels", f"{s['cross_channel_actors']:,}"),
        ("offers", f"{s['offers']:,}"),
        (
            "dark-web links",
            f"{s['dark_web_links']['messages']:,} messages, {s['dark_web_links']['distinct']:,} onions",
        ),
    ]
    for k, v in rows:
        head.add_row(k, v)
    con.print(head)
    if s["analysed_text_messages"] < s["text_messages"]:
        con.print(
            f"[yellow]{s['text_messages'] - s['analysed_text_messages']:,} text messages not analysed yet "
            "(tgintel analyze): clusters, categories and entities cover analysed messages only.[/yellow]"
        )
    cats = Table(title="Categories (score ≥ 0.5)", title_justify="left")
    cats.add_column("category")
    cats.add_column("messages", justify="right")
    cats.add_column("clusters", justify="right")
    for name, c in s["categories"].items():
        cats.add_row(name, f"{c['messages']:,}", f"{c['clusters']:,}")
    con.print(cats)
    ch = Table(title="Top channels", title_justify="left")
    for col, just in (("channel", "left"), ("kind", "left"), ("messages", "right"), ("senders", "right")):
        ch.add_column(col, justify=just)  # type: ignore[arg-type]
    for c in s["top_channels"]:
        ch.add_row(c["title"] or str(c["id"]), c["kind"], f"{c['messages']:,}", f"{c['senders']:,}")
    con.print(ch)
    di = Table(title="Top distributors", title_justify="left")
    for col, just in (("actor", "left"), ("channels", "right"), ("messages", "right"), ("clusters", "right")):
        di.add_column(col, justify=just)  # type: ignore[arg-type]
    for d in s["top_distributors"]:
        di.add_row(d["name"] or d["key"], f"{d['channels']:,}", f"{d['messages']:,}", f"{d['clusters']:,}")
    con.print(di)
