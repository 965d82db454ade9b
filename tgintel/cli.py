"""The command line: a thin face over ``tgintel.jobs`` and the analysis modules.

Each area registers its commands from ``tgintel/commands/<area>.py`` so the commands of one capability live
together; this module only assembles them and turns known errors into one line and a non-zero exit.
"""

from __future__ import annotations

import importlib
import sys

import typer

from tgintel.errors import UserError

app = typer.Typer(
    name="tgintel",
    help="Evidence and intelligence from public Telegram crime markets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

COMMAND_MODULES = (
    "ingest",
    "simulate",
    "campaigns",
    "classify",
    "network",
    "media",
    "web",
    "collect",
)

for _name in COMMAND_MODULES:
    importlib.import_module(f"tgintel.commands.{_name}").register(app)


def main() -> None:
    from tgintel.store.sql import StoreError

    try:
        app(standalone_mode=False)
    except UserError as exc:
        print(f"tgintel: error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except StoreError as exc:
        print(f"tgintel: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("tgintel: interrupted", file=sys.stderr)
        sys.exit(130)
    except (typer.Exit, SystemExit) as exc:
        code = getattr(exc, "exit_code", None)
        if code is None:
            code = getattr(exc, "code", 0)
        sys.exit(code or 0)
    except Exception as exc:  # click usage errors and friends
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Abort):
            sys.exit(1)
        from tgintel.store.sql import database_error_line

        line = database_error_line(exc)
        if line is not None:  # a full disk, a locked or damaged file: one line, never a traceback
            print(f"tgintel: error: {line}", file=sys.stderr)
            sys.exit(2)
        raise


if __name__ == "__main__":
    main()
