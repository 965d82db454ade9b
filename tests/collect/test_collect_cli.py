"""The `collect` and `login` commands' wiring, in process, with Telegram replaced at the client boundary."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from telegram_fakes import FakeTelegram, channel, message
from typer.testing import CliRunner

from tgintel.cli import app
from tgintel.store import open_store

API = {"TGINTEL_API_ID": "4242", "TGINTEL_API_HASH": "0123456789abcdef0123456789abcdef"}


class ClientStandIn:
    """What the commands ask of a TelegramClient."""

    def __init__(self, authorized: bool = True) -> None:
        self.authorized, self.disconnected = authorized, False
        self.session = self

    async def connect(self) -> None:
        pass

    async def is_user_authorized(self) -> bool:
        return self.authorized

    async def disconnect(self) -> None:
        self.disconnected = True

    async def start(self, *, phone: Any, code_callback: Any, password: Any) -> None:
        self.answers = (phone(), code_callback())

    async def get_me(self) -> Any:
        return type("Me", (), {"username": "research_acct"})()

    def save(self) -> str:
        return "1SESSIONSTRING"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    session = tmp_path / "tg.session"
    session.write_text("1ABC")
    session.chmod(0o600)
    return {**API, "TGINTEL_SESSION_FILE": str(session), "TGINTEL_DB": str(tmp_path / "db.sqlite")}


def test_collect_once_json_and_analyze(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    tg = FakeTelegram()
    c = channel(1301, "cli_shop", "CLI")
    tg.add(c, [message(c, 1, "weed 10 EUR, t.me/cli_shop"), message(c, 2, "more")])
    client = ClientStandIn()
    monkeypatch.setattr("tgintel.sources.telegram_secrets.make_client", lambda creds: client)
    monkeypatch.setattr("tgintel.sources.telethon_live.TelethonSource", lambda cl: tg)
    store = open_store(env["TGINTEL_DB"])
    store.watch_add(["@cli_shop"])
    store.close()
    result = CliRunner().invoke(app, ["collect", "--once", "--json", "--analyze"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["channels"], report["inserted"], report["deferred"]) == (1, 2, {})
    assert client.disconnected
    store = open_store(env["TGINTEL_DB"])
    try:
        assert store.count_messages() == 2 and store.count_messages(unanalyzed_only=True) == 0
    finally:
        store.close()


def test_collect_refuses_a_session_that_is_not_logged_in(env: dict[str, str], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("tgintel.sources.telegram_secrets.make_client", lambda creds: ClientStandIn(False))
    result = CliRunner().invoke(app, ["collect", "--once"], env=env)
    assert result.exit_code != 0 and "tgintel login" in str(result.exception)


def test_login_writes_a_private_session_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    client = ClientStandIn()
    monkeypatch.setattr("tgintel.sources.telegram_secrets.make_client", lambda creds: client)
    target = tmp_path / "new" / "tg.session"
    result = CliRunner().invoke(
        app, ["login", "--session-file", str(target)], env=API, input="+3161234\n12345\n"
    )
    assert result.exit_code == 0, result.output
    assert client.answers == ("+3161234", "12345")
    assert target.read_text().strip() == "1SESSIONSTRING" and stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "1SESSIONSTRING" not in result.output and "research_acct" in result.output
