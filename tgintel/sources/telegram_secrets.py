"""Telegram credentials: API id/hash and the logged-in session, loaded so that they are never shown.

A Telethon StringSession is a full login (whoever holds it reads as the account), so it is treated like an SSH
key: read from a file only the owner can read (mode 0600, anything looser is refused with the ``chmod`` to
run) or from ``$TGINTEL_SESSION``, written atomically with 0600, and wrapped in :class:`Secret` whose repr
is ``'***'`` so a log line, traceback or ``--json`` dump can never carry it.

Where things come from (first found wins):

- API id / hash: ``$TGINTEL_API_ID`` / ``$TGINTEL_API_HASH``, else ``api_id`` / ``api_hash`` in the config
  file (``--config``, ``$TGINTEL_CONFIG`` or ``~/.config/tgintel/telegram.toml``; 0600 too when it holds
  the hash).
- Session: ``$TGINTEL_SESSION`` (the string itself), else the session file (``--session-file``,
  ``$TGINTEL_SESSION_FILE``, ``session_file`` in the config, or ``~/.config/tgintel/telegram.session``).
"""

from __future__ import annotations

import os
import stat
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tgintel.errors import UserError

CONFIG_DIR = Path("~/.config/tgintel")
DEFAULT_CONFIG = CONFIG_DIR / "telegram.toml"
DEFAULT_SESSION = CONFIG_DIR / "telegram.session"


class Secret:
    """A string that refuses to be printed: ``str``/``repr``/f-strings give ``***``; ``reveal()`` gives it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "'***'"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return "***"

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass(frozen=True)
class Credentials:
    api_id: int
    api_hash: Secret
    session: Secret | None  # None before the first `tgintel login`
    session_file: Path


def check_private_file(path: Path, what: str) -> None:
    """Refuse a secret file that group or others may read or write."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise UserError(
            f"{what} {path}: permissions {mode:04o} let other users read it; run: chmod 600 {path}"
        )


def _read_config(path: Path, explicit: bool) -> dict[str, Any]:
    if not path.exists():
        if explicit:
            raise UserError(f"config file {path}: not found")
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"config file {path}: not valid TOML ({exc})") from None
    if "api_hash" in data:
        check_private_file(path, "config file")
    return data


def load_credentials(
    *,
    config: str | Path | None = None,
    session_file: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    require_session: bool = True,
) -> Credentials:
    """Gather API id/hash and session; every problem is one line naming the file or variable to fix."""
    env = os.environ if env is None else env
    explicit = config is not None or "TGINTEL_CONFIG" in env
    cfg_path = Path(config or env.get("TGINTEL_CONFIG") or DEFAULT_CONFIG).expanduser()
    cfg = _read_config(cfg_path, explicit)
    raw_id = env.get("TGINTEL_API_ID") or cfg.get("api_id")
    raw_hash = env.get("TGINTEL_API_HASH") or cfg.get("api_hash")
    if not raw_id or not raw_hash:
        raise UserError(
            "Telegram API id/hash missing: set TGINTEL_API_ID and TGINTEL_API_HASH or put api_id and "
            "api_hash "
            f"in {cfg_path} (get them at https://my.telegram.org → API development tools)"
        )
    try:
        api_id = int(raw_id)
    except (TypeError, ValueError):
        raise UserError("Telegram API id must be a number (TGINTEL_API_ID or api_id in the config)") from None
    sess_path = Path(
        session_file or env.get("TGINTEL_SESSION_FILE") or cfg.get("session_file") or DEFAULT_SESSION
    ).expanduser()
    session: Secret | None = None
    if env.get("TGINTEL_SESSION"):
        session = Secret(env["TGINTEL_SESSION"].strip())
    elif sess_path.exists():
        check_private_file(sess_path, "session file")
        session = Secret(sess_path.read_text(encoding="ascii", errors="replace").strip())
    if session is None and require_session:
        raise UserError(f"no Telegram session: run `tgintel login` first (it writes {sess_path})")
    return Credentials(api_id=api_id, api_hash=Secret(str(raw_hash)), session=session, session_file=sess_path)


def write_session_file(path: Path, session: str) -> None:
    """Write the session atomically, readable by the owner only (0600 from the first byte: the temporary
    file is created with that mode, so there is no window in which others could read it)."""
    path = path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".session-")  # mkstemp creates 0600
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(session + "\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def make_client(creds: Credentials) -> Any:
    """A TelegramClient on the stored session; FloodWaits are left to the collector (threshold 0)."""
    from telethon import TelegramClient
    from telethon.sessions import StringSession

    try:
        session = StringSession(creds.session.reveal() if creds.session else None)
    except ValueError:
        raise UserError(
            f"the Telegram session (TGINTEL_SESSION or {creds.session_file}) is not a valid Telethon "
            "StringSession; run `tgintel login` again"
        ) from None
    return TelegramClient(
        session, creds.api_id, creds.api_hash.reveal(), flood_sleep_threshold=0, receive_updates=False
    )
