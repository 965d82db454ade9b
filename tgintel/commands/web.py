"""``tgintel serve`` (the analyst workspace) and ``tgintel users`` (its accounts)."""

from __future__ import annotations

from typing import Annotated

import typer

from tgintel.commands.common import DbOption, JsonOption, print_json
from tgintel.errors import UserError

users_app = typer.Typer(help="Workspace accounts: admin, analyst or viewer.", no_args_is_help=True)


def _read_password(from_stdin: bool) -> str:
    import getpass
    import sys

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise UserError("the two passwords differ")
    if len(password) < 8:
        raise UserError("password: use at least 8 characters")
    return password


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option("--role", help="admin, analyst or viewer.")] = "analyst",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
    replace: Annotated[
        bool, typer.Option("--replace", help="Reset the password and role of an existing account.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Create an account (the password is asked for, or read from stdin)."""
    from tgintel.store import open_store
    from tgintel.store.web import ROLES
    from tgintel.web.auth import hash_password

    if role not in ROLES:
        raise UserError(f"--role: must be one of {', '.join(ROLES)}, not {role!r}")
    if not name or len(name) > 64 or not name.isprintable() or name.strip() != name:
        raise UserError(f"user name {name!r}: 1-64 printable characters, no surrounding spaces")
    password = _read_password(password_stdin)
    store = open_store(db)
    try:
        store.add_user(name, role, hash_password(password), replace=replace)
    except ValueError as exc:
        raise UserError(f"{exc} (use --replace to reset it)") from None
    finally:
        store.close()
    typer.echo(f"user {name} ({role}) saved")


@users_app.command("list")
def users_list(db: DbOption = None, json: JsonOption = False) -> None:
    """Show the accounts."""
    from tgintel.store import open_store

    store = open_store(db)
    rows = [{"name": u.name, "role": u.role, "disabled": u.disabled} for u in store.list_users()]
    store.close()
    if json:
        print_json(rows)
        return
    for r in rows:
        typer.echo(f"{r['name']}\t{r['role']}" + ("\tlocked" if r["disabled"] else ""))


@users_app.command("lock")
def users_lock(
    name: str, unlock: Annotated[bool, typer.Option("--unlock")] = False, db: DbOption = None
) -> None:
    """Lock an account (ends its sessions), or unlock it with --unlock."""
    from tgintel.store import open_store

    store = open_store(db)
    try:
        if not store.set_user_disabled(name, not unlock):
            raise UserError(f"no user {name!r}")
    finally:
        store.close()
    typer.echo(f"user {name} {'unlocked' if unlock else 'locked'}")


def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to bind; keep loopback unless behind a proxy.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    secure_cookies: Annotated[
        bool, typer.Option("--secure-cookies", help="Mark cookies Secure (HTTPS proxy).")
    ] = False,
    db: DbOption = None,
) -> None:
    """Run the analyst workspace (web pages with JSON twins) on http://HOST:PORT/."""
    import os

    import uvicorn

    from tgintel.store import open_store
    from tgintel.web.app import create_app

    store = open_store(db)
    if not store.list_users():
        typer.echo("note: no accounts yet; create one with `tgintel users add NAME --role admin`", err=True)
    secret = os.environ.get("TGINTEL_SECRET")
    app = create_app(store, secret=secret, secure_cookies=secure_cookies)
    typer.echo(f"tgintel workspace on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False, proxy_headers=False)
    finally:
        store.close()


def register(app: typer.Typer) -> None:
    """Add this area's commands to the CLI."""
    app.command("serve")(serve)
    app.add_typer(users_app, name="users")
