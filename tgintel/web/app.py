"""The analyst workspace: a FastAPI app rendering Jinja2 pages, with htmx for small in-place updates.

Server-rendered HTML keeps the browser side tiny (two vendored scripts, two of ours) and lets every page
have a JSON twin from the same handler: ``/channel/42`` is the page, ``/channel/42.json`` (or
``?format=json``) the data, as in Datasette. Every route except the login form and static files sits behind
a session (:mod:`tgintel.web.auth`), and every response carries a strict Content-Security-Policy: scripts
and styles from this origin only, no inline script, no frames, no outbound connections.
"""

from __future__ import annotations

import atexit
import importlib
import logging
import secrets
import threading
import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from tgintel.store import Store
from tgintel.web import charts
from tgintel.web.auth import Forbidden, NotAuthenticated, check_csrf, current_user
from tgintel.web.format import day, dt, number
from tgintel.web.redact import inert

HERE = Path(__file__).parent

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "
    "frame-src 'none'; worker-src 'none'; manifest-src 'self'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]


class Workspace:
    """ASGI wrapper: strips a ``.json`` suffix into a JSON request and stamps security headers on every
    response (pure ASGI rather than BaseHTTPMiddleware: it costs nothing per request)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.endswith(".json") and not path.startswith("/static/"):
            scope = dict(scope)
            scope["path"] = path[: -len(".json")] or "/"
            if scope["path"] == "/index":
                scope["path"] = "/"
            scope["raw_path"] = scope["path"].encode()
            scope.setdefault("state", {})
            scope["state"] = {**scope["state"], "want_json": True}

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    h for h in message.get("headers", []) if h[0].lower() not in dict(SECURITY_HEADERS)
                ]
                headers.extend(SECURITY_HEADERS)
                if not scope["path"].startswith("/static/"):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def templates_env() -> Jinja2Templates:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True,
                      lstrip_blocks=True)  # fmt: skip
    env.filters.update(inert=inert, day=day, dt=dt, number=number, colour=charts.colour)
    return Jinja2Templates(env=env)


REFRESH_SHARE = 10


class TTLCache:
    """Whole-store aggregates (study figures, the overview chart, channel and campaign lists, the graph),
    recomputed in a background thread at most once per ``ttl_s``.

    On a million messages some of these take longer than anyone should wait for a page, so a request never
    computes one while holding the page: it waits up to ``wait_s`` for a first result, otherwise the page
    says "being computed" (:meth:`pending`); once a value exists, a stale one is served while the refresh
    runs. On a small store everything is ready within the wait and the cache is invisible.
    """

    def __init__(self, ttl_s: float, wait_s: float = 3.0) -> None:
        self.ttl_s = ttl_s
        self.wait_s = wait_s
        self._data: dict[Any, tuple[float, Any]] = {}
        self._running: dict[Any, threading.Thread] = {}
        self._lock = threading.Lock()

    def _refresh(self, key: Any, compute: Any, ttl_s: float) -> None:
        started = time.monotonic()
        try:
            value = compute()
        except Exception:  # a failing aggregate must not take the page down; it is retried next time
            logging.getLogger("tgintel.web").exception("computing %s failed", key)
            value = None
        took = time.monotonic() - started
        with self._lock:
            # A value that took T to compute stays fresh for at least REFRESH_SHARE × T, so refreshing the
            # minutes-long whole-store figures of a big store takes at most a tenth of a core from the pages.
            self._data[key] = (time.monotonic() + max(ttl_s, took * REFRESH_SHARE), value)
            self._running.pop(key, None)

    def get(self, key: Any, compute: Any, *, ttl_s: float | None = None, wait_s: float | None = None) -> Any:
        now = time.monotonic()
        with self._lock:
            hit = self._data.get(key)
            if hit is not None and hit[0] > now:
                return hit[1]
            thread = self._running.get(key)
            if thread is None:
                thread = threading.Thread(target=self._refresh, args=(key, compute, ttl_s or self.ttl_s),
                                          name=f"tgintel-cache-{key}", daemon=True)  # fmt: skip
                self._running[key] = thread
                thread.start()
        if hit is not None:
            return hit[1]  # stale while refreshing
        thread.join(self.wait_s if wait_s is None else wait_s)
        with self._lock:
            done = self._data.get(key)
        return None if done is None else done[1]

    def pending(self, key: Any) -> bool:
        """True while the first value for ``key`` is still being computed."""
        with self._lock:
            return key in self._running and key not in self._data


_STORES: dict[str, Any] = {}


def _call_with_store(url: str, target: str, args: tuple[Any, ...]) -> Any:
    from tgintel.store.sql import SQLStore

    module, _, name = target.partition(":")
    store = _STORES.get(url) or _STORES.setdefault(url, SQLStore(url))
    return getattr(importlib.import_module(module), name)(store, *args)


_POOL: Any = None
_POOL_LOCK = threading.Lock()


def in_subprocess(store: Store, target: str, *args: Any) -> Any:
    """Run ``module:function(store, *args)`` in the workspace's one worker process (on its own connection)
    and return its pickled result. For pure-Python analysis that takes seconds to minutes on a big store
    (the network graph, a large campaign's breakdown): in a thread it would hold the GIL and slow every page
    of every analyst; in the worker it only takes a core, and jobs queue instead of piling up."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
            atexit.register(_POOL.shutdown, wait=True, cancel_futures=True)
    return _POOL.submit(_call_with_store, store.url, target, args).result()


def create_app(
    store: Store,
    *,
    secret: bytes | str | None = None,
    secure_cookies: bool = False,
    cache_ttl_s: float = 60.0,
) -> FastAPI:
    """Build the workspace over ``store``. ``secret`` signs the login form's CSRF token (random per process
    when not given); ``secure_cookies`` marks cookies ``Secure`` (set it behind HTTPS)."""
    from tgintel.web.routes import ROUTERS, auth_routes

    app = FastAPI(title="tgintel workspace", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store = store
    app.state.secret = (secret.encode() if isinstance(secret, str) else secret) or secrets.token_bytes(32)
    app.state.secure_cookies = secure_cookies
    app.state.templates = templates_env()
    app.state.cache = TTLCache(cache_ttl_s)

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(auth_routes.public)
    protected = APIRouter(dependencies=[Depends(current_user), Depends(check_csrf)])
    for router in ROUTERS:
        protected.include_router(router)
    app.include_router(protected)

    @app.exception_handler(NotAuthenticated)
    async def _login_first(request: Request, _exc: NotAuthenticated) -> Response:
        if _json_error(request):
            return JSONResponse({"error": "login required"}, status_code=401)
        return RedirectResponse("/login?next=" + _safe_next(request), status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        if _json_error(request):
            return JSONResponse({"error": exc.reason}, status_code=403)
        return render(
            request, "error.html", {"status": 403, "reason": exc.reason}, status_code=403, audit=False
        )

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        if _json_error(request) or getattr(request.state, "user", None) is None:
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        return render(request, "error.html", {"status": exc.status_code, "reason": exc.detail},
                      status_code=exc.status_code, audit=False)  # fmt: skip

    app.add_middleware(Workspace)
    return app


def _safe_next(request: Request) -> str:
    from urllib.parse import quote

    path = request.url.path
    return quote(path if path.startswith("/") and not path.startswith("//") else "/", safe="/")


def wants_json(request: Request) -> bool:
    return bool(getattr(request.state, "want_json", False)) or request.query_params.get("format") == "json"


def _json_error(request: Request) -> bool:
    """Errors answer in JSON for JSON twins, htmx requests and clients that only accept JSON."""
    return (
        wants_json(request)
        or bool(request.headers.get("hx-request"))
        or request.headers.get("accept", "").startswith("application/json")
    )


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    data: Any = None,
    status_code: int = 200,
    audit: bool = True,
    target: str | None = None,
) -> Response:
    """The page, or its JSON twin (``data``, else ``context``), and one audit line saying who viewed it."""
    import msgspec

    user = getattr(request.state, "user", None)
    if audit and user is not None:
        request.app.state.store.audit(user.name, "view", target or str(request.url.path),
                                      "json" if wants_json(request) else None)  # fmt: skip
    if wants_json(request):
        payload = context if data is None else data
        return Response(msgspec.json.encode(payload), status_code=status_code, media_type="application/json")
    ctx = {"user": user, "csrf": getattr(request.state, "csrf", ""), "path": request.url.path, **context}
    return request.app.state.templates.TemplateResponse(request, template, ctx, status_code=status_code)


def api_routes(app: FastAPI) -> list[Any]:
    """Every APIRoute of the app, looking inside included routers (FastAPI ≥0.16x keeps them nested).
    The workspace's routers use no prefixes, so each route's ``path`` is its full path."""
    from fastapi.routing import APIRoute

    out: list[Any] = []

    def walk(routes: list[Any]) -> None:
        for r in routes:
            if isinstance(r, APIRoute):
                out.append(r)
            elif hasattr(r, "original_router"):
                walk(r.original_router.routes)

    walk(app.routes)
    return out
