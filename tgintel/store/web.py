"""Workspace accounts, login sessions and the audit log.

Lifecycle, as the web workspace uses it:

1. An administrator creates accounts on the command line (``tgintel users add``); the store keeps only the
   argon2 hash the caller computed, never a password.
2. A login creates a session. The browser holds a random token; the store keeps only its SHA-256, so a copy of
   the database does not hand out live sessions. Each session carries its own CSRF token, which every
   state-changing request must echo back.
3. Every page view, reveal of redacted text, label and export is appended to the audit log, which is never
   rewritten: it answers "who saw or did what, when" for the unit's oversight.
"""

from __future__ import annotations

import abc
import time
from typing import Any

import msgspec
from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text, text

from tgintel.store.schema import RowKey, metadata

ROLES = ("admin", "analyst", "viewer")

web_users = Table(
    "web_users",
    metadata,
    Column("pk", RowKey, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("disabled", Integer, nullable=False, default=0),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_pk", BigInteger, nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("expires", BigInteger, nullable=False),
)

web_audit = Table(
    "web_audit",
    metadata,
    Column("pk", RowKey, primary_key=True, autoincrement=True),
    Column("ts", BigInteger, nullable=False),
    Column("user_name", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("target", Text, nullable=False, default=""),
    Column("detail", Text),
)
Index("ix_web_audit_ts", web_audit.c.ts)
Index("ix_web_audit_user", web_audit.c.user_name, web_audit.c.ts)


class WebUser(msgspec.Struct):
    pk: int
    name: str
    role: str
    password_hash: str
    disabled: bool = False


class AuditEntry(msgspec.Struct):
    ts: int
    user: str
    action: str
    target: str
    detail: str | None


class WebStore(abc.ABC):
    """Accounts, sessions and the audit trail of the web workspace."""

    @abc.abstractmethod
    def add_user(self, name: str, role: str, password_hash: str, *, replace: bool = False) -> WebUser:
        """Create an account. With ``replace`` an existing account of that name gets the new role and hash
        (and its sessions end); without it an existing name raises ``ValueError``."""

    @abc.abstractmethod
    def get_user(self, name: str) -> WebUser | None:
        """The account of that name, or None."""

    @abc.abstractmethod
    def list_users(self) -> list[WebUser]:
        """All accounts, by name."""

    @abc.abstractmethod
    def set_user_disabled(self, name: str, disabled: bool) -> bool:
        """Lock or unlock an account (locking ends its sessions); False when no such account."""

    @abc.abstractmethod
    def create_session(self, user_pk: int, token_hash: str, csrf: str, ttl_s: int) -> None:
        """Start a session that lasts ``ttl_s`` seconds; expired sessions are swept at the same time."""

    @abc.abstractmethod
    def session_user(self, token_hash: str) -> tuple[WebUser, str] | None:
        """The live, enabled account behind a session token hash and the session's CSRF token, or None."""

    @abc.abstractmethod
    def end_session(self, token_hash: str) -> None:
        """Log out: the token is useless afterwards."""

    @abc.abstractmethod
    def audit(self, user: str, action: str, target: str = "", detail: str | None = None) -> None:
        """Append one line to the audit log (view, reveal, label, export, login, logout, …)."""

    @abc.abstractmethod
    def list_audit(
        self, *, limit: int = 200, user: str | None = None, action: str | None = None
    ) -> list[AuditEntry]:
        """The newest audit lines first, optionally for one user or one action."""


def _user(r: Any) -> WebUser:
    return WebUser(r.pk, r.name, r.role, r.password_hash, bool(r.disabled))


class WebMixin(WebStore):
    """SQL for :class:`WebStore`; mixed into ``SQLStore`` (needs ``self.engine``)."""

    engine: Any

    def add_user(self, name: str, role: str, password_hash: str, *, replace: bool = False) -> WebUser:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        with self.engine.begin() as conn:
            old = conn.execute(text("SELECT pk FROM web_users WHERE name = :n"), {"n": name}).first()
            if old is not None and not replace:
                raise ValueError(f"user {name!r} exists already")
            if old is None:
                conn.execute(
                    text("INSERT INTO web_users (name, role, password_hash, created, disabled) "
                         "VALUES (:n, :r, :h, :t, 0)"),
                    {"n": name, "r": role, "h": password_hash, "t": int(time.time())},
                )  # fmt: skip
            else:
                conn.execute(
                    text("UPDATE web_users SET role = :r, password_hash = :h WHERE pk = :pk"),
                    {"r": role, "h": password_hash, "pk": old.pk},
                )
                conn.execute(text("DELETE FROM web_sessions WHERE user_pk = :pk"), {"pk": old.pk})
            r = conn.execute(text("SELECT * FROM web_users WHERE name = :n"), {"n": name}).one()
        return _user(r)

    def get_user(self, name: str) -> WebUser | None:
        with self.engine.connect() as conn:
            r = conn.execute(text("SELECT * FROM web_users WHERE name = :n"), {"n": name}).first()
        return _user(r) if r else None

    def list_users(self) -> list[WebUser]:
        with self.engine.connect() as conn:
            return [_user(r) for r in conn.execute(text("SELECT * FROM web_users ORDER BY name"))]

    def set_user_disabled(self, name: str, disabled: bool) -> bool:
        with self.engine.begin() as conn:
            r = conn.execute(text("SELECT pk FROM web_users WHERE name = :n"), {"n": name}).first()
            if r is None:
                return False
            conn.execute(text("UPDATE web_users SET disabled = :d WHERE pk = :pk"),
                         {"d": int(disabled), "pk": r.pk})  # fmt: skip
            if disabled:
                conn.execute(text("DELETE FROM web_sessions WHERE user_pk = :pk"), {"pk": r.pk})
        return True

    def create_session(self, user_pk: int, token_hash: str, csrf: str, ttl_s: int) -> None:
        now = int(time.time())
        with self.engine.begin() as conn:
            conn.execute(text("DELETE FROM web_sessions WHERE expires < :now"), {"now": now})
            conn.execute(
                text("INSERT INTO web_sessions (token_hash, user_pk, csrf, created, expires) "
                     "VALUES (:h, :u, :c, :t, :e)"),
                {"h": token_hash, "u": user_pk, "c": csrf, "t": now, "e": now + ttl_s},
            )  # fmt: skip

    def session_user(self, token_hash: str) -> tuple[WebUser, str] | None:
        with self.engine.connect() as conn:
            r = conn.execute(
                text("SELECT u.*, s.csrf AS csrf FROM web_sessions s JOIN web_users u ON u.pk = s.user_pk "
                     "WHERE s.token_hash = :h AND s.expires >= :now AND u.disabled = 0"),
                {"h": token_hash, "now": int(time.time())},
            ).first()  # fmt: skip
        return (_user(r), r.csrf) if r else None

    def end_session(self, token_hash: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(text("DELETE FROM web_sessions WHERE token_hash = :h"), {"h": token_hash})

    def audit(self, user: str, action: str, target: str = "", detail: str | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO web_audit (ts, user_name, action, target, detail) "
                    "VALUES (:t, :u, :a, :g, :d)"
                ),
                {"t": int(time.time()), "u": user, "a": action, "g": target, "d": detail},
            )

    def list_audit(
        self, *, limit: int = 200, user: str | None = None, action: str | None = None
    ) -> list[AuditEntry]:
        where, params = [], {"n": int(limit)}
        if user is not None:
            where.append("user_name = :u")
            params["u"] = user
        if action is not None:
            where.append("action = :a")
            params["a"] = action
        q = "SELECT * FROM web_audit" + (" WHERE " + " AND ".join(where) if where else "")
        with self.engine.connect() as conn:
            rows = conn.execute(text(q + " ORDER BY pk DESC LIMIT :n"), params).all()
        return [AuditEntry(r.ts, r.user_name, r.action, r.target, r.detail) for r in rows]
