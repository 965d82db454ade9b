"""The workspace in real headless Chromium: log in, search, open every page kind, label with the keyboard,
fetch JSON twins, and no Content-Security-Policy violation or script error on the way."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    import uvicorn

    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """One Chromium for the module; each test gets a fresh context (own cookies)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.problems = []  # console errors (CSP violations are reported there) and uncaught exceptions
    pg.on("console", lambda m: pg.problems.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.problems.append(str(e)))
    pg.base = server
    yield pg
    context.close()


def test_analyst_session_end_to_end(page, web_store) -> None:  # type: ignore[no-untyped-def]
    base = page.base
    page.goto(base + "/triage")
    assert "/login" in page.url  # redirected, not served
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", "ana-analyst-pass")
    page.click("button[type=submit]")
    page.wait_for_url(base + "/triage")

    # Search: typing runs the query through htmx without a full reload.
    page.goto(base + "/search")
    page.fill("#q", "cocaine")
    page.wait_for_url("**/search?*q=cocaine*")  # hx-push-url keeps the search linkable
    page.wait_for_selector(".hits .msg")
    assert all("cocaine" in t.lower() for t in page.locator(".hits .msg .snippet").all_inner_texts())
    page.click(".facets a:has-text('drugs')")
    page.wait_for_selector(".facets li.active")

    # Message page from a result; hostile text is visible as text, and the reveal is an explicit action.
    page.goto(base + "/search?q=%22Fresh+logs%22")
    page.click(".hits .msg .meta a >> nth=0")
    page.wait_for_selector("#msgtext")
    text = page.inner_text("#msgtext")
    assert "<script>alert('xss')</script>" in text and "[phone]" in text and "⟨U+202E⟩" in text
    assert not page.query_selector("#msgtext img, #msgtext a")
    page.click("#reveal")
    page.wait_for_selector("#msgtext mark.revealed")
    assert "jan.jansen@example.nl" in page.inner_text("#msgtext")
    message_url = page.url

    # Every other page kind opens without errors.
    page.click(".crumbs a")
    page.wait_for_selector("h2:has-text('Activity') + svg")
    page.click("a[href^='/actor/'] >> nth=0")
    page.wait_for_selector("h2:has-text('Timeline')")
    page.goto(base + "/")
    page.wait_for_selector("svg.chart")
    page.goto(base + "/campaigns")
    camp = page.query_selector("table a[href^='/campaign/']")
    if camp is not None:
        camp.click()
        page.wait_for_selector("h2:has-text('Variants')")
    page.goto(base + "/entity?type=username&value=%40dropmaster")
    page.wait_for_selector("h2:has-text('Channels')")
    assert "Drops" in page.inner_text("main") or "Snow" in page.inner_text("main")
    page.goto(base + "/graph")
    if page.query_selector("#cy"):
        page.wait_for_selector("#graphinfo:has-text('nodes')")
        assert page.evaluate("document.querySelectorAll('#cy canvas').length") > 0

    # Triage from the keyboard: "c" confirms the selected finding.
    page.goto(base + "/triage")
    first = page.get_attribute(".triage-row.selected", "data-finding")
    page.keyboard.press("c")
    page.wait_for_selector(f"#s{first}:has-text('confirmed')")
    page.keyboard.press("r")  # the selection moved on: this rejects the next one
    page.wait_for_selector(".triage-row.done >> nth=1")
    verdicts = [e.detail for e in web_store.list_audit(user="ana", action="label")]
    assert sorted(v.split()[0] for v in verdicts) == ["confirm", "reject"]

    # JSON twins, fetched with the browser's session.
    data = page.request.get(message_url + ".json").json()
    assert data["id"] and "jan.jansen@example.nl" not in data["text"]
    assert page.request.get(base + "/search.json?q=cocaine").json()["total"] > 0

    assert page.problems == [], page.problems


def test_viewer_sees_no_label_or_reveal_controls(page) -> None:  # type: ignore[no-untyped-def]
    base = page.base
    page.goto(base + "/login")
    page.fill("input[name=username]", "vic")
    page.fill("input[name=password]", "vic-viewer-pass")
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
    page.goto(base + "/triage")
    assert page.query_selector("button.confirm") is None
    page.keyboard.press("c")  # nothing to press: no request, no error
    page.goto(base + "/search?q=%22Fresh+logs%22")
    page.click(".hits .msg .meta a >> nth=0")
    page.wait_for_selector("#msgtext")
    assert page.query_selector("#reveal") is None and "export CSV" not in page.inner_text("body")
    assert page.problems == [], page.problems
