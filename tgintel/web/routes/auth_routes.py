"""Login and logout. The login form is the only page served without a session."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from tgintel.web.app import wants_json
from tgintel.web.auth import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    SESSION_TTL_S,
    check_login_csrf,
    current_user,
    login_csrf,
    new_token,
    token_hash,
    verify_password,
)

public = APIRouter()
router = APIRouter()


def _next(value: str | None) -> str:
    """Only same-site paths: an attacker's ``next=//evil`` must not bounce a fresh login elsewhere."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def _form(request: Request, *, next_url: str = "/", error: str | None = None, status: int = 200) -> Response:
    nonce = new_token()
    token = login_csrf(request.app.state.secret, nonce)
    if wants_json(request):
        resp: Response = JSONResponse({"csrf_token": token, "error": error}, status_code=status)
    else:
        resp = request.app.state.templates.TemplateResponse(
            request,
            "login.html",
            {"csrf": token, "next": next_url, "error": error, "user": None},
            status_code=status,
        )
    resp.set_cookie(LOGIN_COOKIE, nonce, max_age=3600, path="/", httponly=True, samesite="strict",
                    secure=request.app.state.secure_cookies)  # fmt: skip
    return resp


@public.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    return _form(request, next_url=_next(next))


@public.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    store = request.app.state.store
    name, password = str(form.get("username", "")), str(form.get("password", ""))
    next_url = _next(str(form.get("next", "/")))
    if not check_login_csrf(request.app.state.secret, request.cookies.get(LOGIN_COOKIE),
                            str(form.get("csrf_token", ""))):  # fmt: skip
        return _form(request, next_url=next_url, error="The form expired; please try again.", status=403)
    user = store.get_user(name) if name else None
    if not verify_password(user, password):
        store.audit(name[:64] or "-", "login_failed", "/login")
        return _form(request, next_url=next_url, error="Wrong name or password.", status=401)
    assert user is not None
    token, csrf = new_token(), new_token()
    store.create_session(user.pk, token_hash(token), csrf, SESSION_TTL_S)
    store.audit(user.name, "login", "/login")
    if wants_json(request):
        resp: Response = JSONResponse({"user": user.name, "role": user.role, "csrf_token": csrf})
    else:
        resp = RedirectResponse(next_url, status_code=303)
    resp.set_cookie(SESSION_COOKIE, token, max_age=SESSION_TTL_S, path="/", httponly=True, samesite="strict",
                    secure=request.app.state.secure_cookies)  # fmt: skip
    resp.delete_cookie(LOGIN_COOKIE, path="/")
    return resp


@router.post("/logout")
def logout(request: Request) -> Response:
    user = current_user(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        request.app.state.store.end_session(token_hash(token))
    request.app.state.store.audit(user.name, "logout", "/logout")
    resp: Response = (JSONResponse({"ok": True}) if wants_json(request)
                      else RedirectResponse("/login", status_code=303))  # fmt: skip
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp
