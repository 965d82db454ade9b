"""Session and API secrets: loaded only from private places, never shown."""

from __future__ import annotations

import asyncio
import logging
import os
import stat
from pathlib import Path

import pytest
from telegram_fakes import FakeClock, FakeTelegram, channel, message
from telethon.crypto import AuthKey
from telethon.sessions import StringSession

from tgintel.errors import UserError
from tgintel.jobs.collect import CollectOptions, collect
from tgintel.sources.telegram_secrets import load_credentials, make_client, write_session_file

API_HASH = "0123456789abcdef0123456789abcdef"


def session_string() -> str:
    s = StringSession()
    s.set_dc(2, "149.154.167.51", 443)
    s.auth_key = AuthKey(os.urandom(256))
    return s.save()


def test_session_file_with_loose_permissions_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "tg.session"
    f.write_text(session_string())
    f.chmod(0o644)
    env = {"TGINTEL_API_ID": "12345", "TGINTEL_API_HASH": API_HASH}
    with pytest.raises(UserError, match=r"permissions 0644 .*chmod 600"):
        load_credentials(session_file=f, env=env, config=None)
    f.chmod(0o600)
    creds = load_credentials(session_file=f, env=env)
    assert creds.api_id == 12345 and creds.session is not None


def test_config_holding_the_api_hash_must_be_private(tmp_path: Path) -> None:
    cfg = tmp_path / "telegram.toml"
    cfg.write_text(f'api_id = 999\napi_hash = "{API_HASH}"\nsession_file = "{tmp_path}/s"\n')
    cfg.chmod(0o640)
    with pytest.raises(UserError, match="config file"):
        load_credentials(config=cfg, env={}, require_session=False)
    cfg.chmod(0o600)
    creds = load_credentials(config=cfg, env={}, require_session=False)
    assert (creds.api_id, creds.api_hash.reveal(), creds.session_file) == (999, API_HASH, tmp_path / "s")
    with pytest.raises(UserError, match="tgintel login"):
        load_credentials(config=cfg, env={})
    with pytest.raises(UserError, match=r"absent\.toml: not found"):
        load_credentials(config=tmp_path / "absent.toml", env={})  # named explicitly: must exist
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    with pytest.raises(UserError, match=r"API id/hash missing.*my\.telegram\.org"):
        load_credentials(config=empty, env={})


def test_write_session_file_is_private_and_atomic(tmp_path: Path) -> None:
    f = tmp_path / "dir" / "tg.session"
    write_session_file(f, "first")
    write_session_file(f, "second")
    assert stat.S_IMODE(f.stat().st_mode) == 0o600 and f.read_text().strip() == "second"
    assert [p.name for p in f.parent.iterdir()] == ["tg.session"]  # no temporary file left behind


def test_secrets_never_reach_logs_or_output(tmp_path: Path, caplog, capsys, sqlite_store) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    secret_session = session_string()
    env = {"TGINTEL_API_ID": "4242", "TGINTEL_API_HASH": API_HASH, "TGINTEL_SESSION": secret_session}
    creds = load_credentials(env=env, session_file=tmp_path / "none")
    client = make_client(creds)  # a real TelegramClient on the secret session (not connected)
    assert client.session.save() == secret_session
    logging.getLogger("tgintel").debug("credentials: %r %s", creds, creds.api_hash)
    tg = FakeTelegram()
    c = channel(3131, "log_test", "L")
    tg.add(c, [message(c, 1, "x")])
    tg.fail[("history", c.id)] = [ConnectionError("boom")]
    sqlite_store.watch_add(["@log_test"])
    asyncio.run(collect(sqlite_store, tg, CollectOptions(), clock=FakeClock()))
    out = capsys.readouterr()
    seen = caplog.text + out.out + out.err + repr(creds) + str(creds)
    assert "credentials:" in caplog.text  # the log line was captured, with the secrets masked
    for secret in (secret_session, API_HASH, secret_session[10:40]):
        assert secret not in seen


def test_cli_refuses_a_readable_session_file_in_one_line(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "tg.session"
    f.write_text(session_string())
    f.chmod(0o644)
    env = {"TGINTEL_API_ID": "1", "TGINTEL_API_HASH": API_HASH, "HOME": str(tmp_path)}
    proc = run_cli("collect", "--once", "--session-file", str(f), env=env)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "chmod 600" in proc.stderr
    assert API_HASH not in proc.stderr + proc.stdout
