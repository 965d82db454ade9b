"""Who is asking, and may they: password hashing, session cookies, CSRF and roles.

Sessions are random 256-bit tokens; the browser keeps the token in an HttpOnly, SameSite=Strict cookie and
the store keeps only its SHA-256, so a leaked database holds no usable session. Each session has its own
CSRF token (synchroniser pattern): every POST must send it back, as the ``csrf_token`` form field or the
``X-CSRF-Token`` header that htmx adds from ``hx-headers`` on ``<body>``. The login form, which has no
session yet, uses a signed double-submit token (cookie + field, HMAC'd with the app secret) so a login
cannot be forged either.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request

from tgintel.store.web import ROLES, WebUser

SESSION_COOKIE = "tgintel_session"
LOGIN_COOKIE = "tgintel_login"
SESSION_TTL_S = 12 * 3600
RANK = {role: i for i, role in enumerate(reversed(ROLES))}  # viewer 0 < analyst 1 < admin 2

_hasher = PasswordHasher()
# A hash to verify against when the user does not exist, so both paths cost the same argon2 time.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(8))


class NotAuthenticated(Exception):
    """No valid session: pages redirect to the login form, JSON gets 401."""


class Forbidden(Exception):
    """Logged in, but the role or the CSRF token does not allow this request."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: WebUser | None, password: str) -> bool:
    """Constant-ish time whether or not the user exists; disabled accounts never verify."""
    try:
        ok = _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return bool(ok and user is not None and not user.disabled)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def login_csrf(secret: bytes, nonce: str) -> str:
    """The login form's token: an HMAC of the nonce held in the login cookie."""
    return hmac.new(secret, nonce.encode(), hashlib.sha256).hexdigest()


def check_login_csrf(secret: bytes, nonce: str | None, token: str | None) -> bool:
    if not nonce or not token:
        return False
    return hmac.compare_digest(login_csrf(secret, nonce), token)


def current_user(request: Request) -> WebUser:
    """Dependency of every protected route: the session's user (also left on ``request.state``)."""
    user = getattr(request.state, "user", None)
    if user is not None:
        return user
    token = request.cookies.get(SESSION_COOKIE)
    found = request.app.state.store.session_user(token_hash(token)) if token else None
    if found is None:
        raise NotAuthenticated()
    request.state.user, request.state.csrf = found
    return found[0]


async def check_csrf(request: Request) -> None:
    """Dependency of every protected route: state-changing methods must echo the session's CSRF token."""
    current_user(request)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = request.headers.get("x-csrf-token")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value: Any = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, request.state.csrf):
        raise Forbidden("missing or wrong CSRF token")


def require(role: str) -> Any:
    """A dependency admitting ``role`` and the roles above it (viewer < analyst < admin)."""

    def dependency(request: Request) -> WebUser:
        user = current_user(request)
        if RANK.get(user.role, -1) < RANK[role]:
            raise Forbidden(f"the {user.role} role may not do this")
        return user

    return dependency


def can(user: WebUser | None, role: str) -> bool:
    return user is not None and RANK.get(user.role, -1) >= RANK[role]
