"""Options every command shares, so ``--db`` means the same thing everywhere."""

from __future__ import annotations

from typing import Annotated

import typer

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="TGINTEL_DB",
        help="SQLite file path or postgresql:// URL (default ./tgintel.sqlite).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def print_json(obj: object) -> None:
    """Write JSON to stdout (UTF-8, no ASCII escaping), the same bytes whatever the terminal."""
    import sys

    import orjson

    sys.stdout.buffer.write(orjson.dumps(obj, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS) + b"\n")
    sys.stdout.flush()
