"""The workspace's security promises, checked over real HTTP handling (FastAPI TestClient)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tgintel.web.app import api_routes

HOSTILE_START = "<script>alert('xss')</script> Fresh logs"


def _hostile(store):  # type: ignore[no-untyped-def]
    for batch in store.iter_messages():
        for pk, m in batch:
            if m.text.startswith(HOSTILE_START):
                return pk, m
    raise AssertionError("hostile message missing")


def _hrefs(html: str) -> list[str]:
    return re.findall(r'(?:href|src|action|hx-get|hx-post)\s*=\s*["\']([^"\']*)', html)


def test_hostile_text_is_inert_everywhere(client_as, web_store) -> None:  # type: ignore[no-untyped-def]
    _pk, m = _hostile(web_store)
    c = client_as("ana")
    shows_text = [f"/message/{m.channel_id}/{m.id}", "/search?q=logs", f"/actor/{m.sender_key}"]
    for path in shows_text:
        assert "&lt;script&gt;alert(" in c.get(path).text, path
    for path in [*shows_text, f"/channel/{m.channel_id}", "/triage", "/"]:
        html = c.get(path).text
        assert "<script>alert" not in html, path
        assert "<img src=x" not in html and "onerror=" not in html.replace("onerror=&#34;", ""), path
        for target in _hrefs(html):
            assert not target.strip().lower().startswith(("javascript:", "data:", "vbscript:")), (
                path,
                target,
            )
        # Bidi overrides are shown as a visible marker, never passed to the browser raw.
        assert "\u202e" not in html, path
    message = c.get(f"/message/{m.channel_id}/{m.id}").text
    assert "⟨U+202E⟩" in message
    assert "&lt;img src=x onerror=" in message
    assert "<b>evil</b>" not in message  # sender name markup escaped too


def test_victims_data_redacted_until_revealed_and_reveal_is_logged(client_as, web_store) -> None:  # type: ignore[no-untyped-def]
    _pk, m = _hostile(web_store)
    viewer, analyst = client_as("vic"), client_as("ana")
    url = f"/message/{m.channel_id}/{m.id}"
    for c in (viewer, analyst):
        page = c.get(url).text + c.get(url + ".json").text
        assert "12345678" not in page and "jan.jansen@example.nl" not in page and "123456782" not in page
    assert "Reveal" not in viewer.get(url).text
    assert viewer.post(url + "/reveal", headers={"x-csrf-token": viewer.csrf}).status_code == 403
    revealed = analyst.post(url + "/reveal", headers={"x-csrf-token": analyst.csrf})
    assert revealed.status_code == 200
    assert "jan.jansen@example.nl" in revealed.text and "&lt;script&gt;" in revealed.text
    log = web_store.list_audit(user="ana", action="reveal")
    assert [e.target for e in log] == [url]


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_route_refuses_unauthenticated_access(app) -> None:  # type: ignore[no-untyped-def]
    public = {"/login"}
    routes = [r for r in api_routes(app) if r.path not in public]
    assert len(routes) >= 15
    with TestClient(app) as anon:
        for route in routes:
            for method in route.methods:
                for suffix in ("", ".json"):
                    path = _fill(route.path)
                    if suffix and "." in path.rsplit("/", 1)[-1]:
                        continue
                    r = anon.request(method, path + suffix, follow_redirects=False)
                    assert r.status_code in (401, 303), (method, path + suffix, r.status_code)
                    if r.status_code == 303:
                        assert r.headers["location"].startswith("/login")
                    assert "Snow" not in r.text and "cocaine" not in r.text


def test_viewer_cannot_label_or_export(client_as, web_store) -> None:  # type: ignore[no-untyped-def]
    viewer = client_as("vic")
    queue = viewer.get("/triage.json").json()["findings"]
    assert queue, "the test store should have findings to triage"
    pk = queue[0]["finding_pk"]
    h = {"x-csrf-token": viewer.csrf}
    assert viewer.post(f"/triage/{pk}", data={"action": "confirm"}, headers=h).status_code == 403
    assert viewer.get("/search.csv?q=logs").status_code == 403
    assert viewer.get("/graph.gexf").status_code == 403
    assert web_store.labels_for([queue[0]["pk"]]) == {}
    assert "export CSV" not in viewer.get("/search?q=logs").text


def test_analyst_labels_and_exports_are_stored_and_audited(client_as, web_store) -> None:  # type: ignore[no-untyped-def]
    analyst = client_as("ana")
    item = analyst.get("/triage.json").json()["findings"][0]
    r = analyst.post(f"/triage/{item['finding_pk']}", data={"action": "reject"},
                     headers={"x-csrf-token": analyst.csrf})  # fmt: skip
    assert r.status_code == 200 and "rejected" in r.text
    labels = web_store.labels_for([item["pk"]])[item["pk"]]
    assert [(x.category, x.verdict, x.user) for x in labels] == [(item["category"], "reject", "ana")]
    # a labelled finding leaves the queue
    assert item["finding_pk"] not in [f["finding_pk"] for f in analyst.get("/triage.json").json()["findings"]]
    csv = analyst.get("/search.csv?q=logs")
    assert csv.status_code == 200 and csv.text.count("\n") > 1
    assert "jan.jansen@example.nl" not in csv.text
    actions = {e.action for e in web_store.list_audit(user="ana")}
    assert {"label", "export", "view", "login"} <= actions


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_post_without_the_session_csrf_token_is_refused(client_as, web_store, token) -> None:  # type: ignore[no-untyped-def]
    analyst = client_as("ana")
    pk = analyst.get("/triage.json").json()["findings"][0]["finding_pk"]
    data = {"action": "confirm"} if token is None else {"action": "confirm", "csrf_token": token}
    r = analyst.post(f"/triage/{pk}", data=data)
    assert r.status_code == 403
    headers = {} if token is None else {"x-csrf-token": token}
    assert analyst.post("/logout", headers=headers).status_code == 403
    assert analyst.get("/").status_code == 200  # still logged in: the forged logout did nothing
    assert not any(e.action == "label" for e in web_store.list_audit())
    # the other session's token does not work either
    other = client_as("ada")
    assert (
        analyst.post(f"/triage/{pk}", data={"action": "confirm", "csrf_token": other.csrf}).status_code == 403
    )
    assert (
        analyst.post(f"/triage/{pk}", data={"action": "confirm", "csrf_token": analyst.csrf}).status_code
        == 200
    )


def test_login_needs_its_csrf_token_and_right_password(app, web_store) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app) as c:
        assert c.post("/login", data={"username": "ana", "password": "ana-analyst-pass"},
                      follow_redirects=False).status_code == 403  # fmt: skip
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
        bad = c.post("/login", data={"username": "ana", "password": "nope", "csrf_token": token},
                     follow_redirects=False)  # fmt: skip
        assert bad.status_code == 401 and "tgintel_session" not in bad.headers.get("set-cookie", "")
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
        ok = c.post("/login", data={"username": "ana", "password": "ana-analyst-pass", "csrf_token": token,
                                    "next": "//evil.example/x"}, follow_redirects=False)  # fmt: skip
        assert ok.status_code == 303 and ok.headers["location"] == "/"
        cookie = ok.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
    assert any(e.action == "login_failed" and e.user == "ana" for e in web_store.list_audit())


def test_security_headers_on_every_kind_of_response(app, client_as) -> None:  # type: ignore[no-untyped-def]
    c = client_as("ana")
    with TestClient(app) as anon:
        responses = [c.get("/"), c.get("/search.json?q=x"), c.get("/static/app.css"), c.get("/message/9/9"),
                     anon.get("/login"), anon.get("/", follow_redirects=False)]  # fmt: skip
    for r in responses:
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
    html = c.get("/").text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script found"
    assert " style=" not in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html.replace('href="https://t.me/', "")), (
        "external asset"
    )


def test_json_twins_share_one_scheme(client_as, web_store) -> None:  # type: ignore[no-untyped-def]
    c = client_as("ana")
    _pk, m = _hostile(web_store)
    for path in ["/", "/search?q=cocaine", f"/channel/{m.channel_id}", f"/message/{m.channel_id}/{m.id}",
                 "/triage", "/channels", "/campaigns", f"/actor/{m.sender_key}"]:  # fmt: skip
        base, _, query = path.partition("?")
        suffix = c.get(("/index" if base == "/" else base) + ".json" + ("?" + query if query else ""))
        fmt = c.get(path + ("&" if query else "?") + "format=json")
        assert fmt.headers["content-type"].startswith("application/json"), path
        assert suffix.status_code == 200 and suffix.json().keys() == fmt.json().keys(), path
    hits = c.get("/search.json?q=cocaine").json()
    assert hits["total"] > 0 and all("cocaine" in h["text"].lower() for h in hits["hits"])


def test_scripts_log_in_and_label_through_json(app, web_store) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app) as c:
        token = c.get("/login.json").json()["csrf_token"]
        me = c.post(
            "/login.json", data={"username": "ana", "password": "ana-analyst-pass", "csrf_token": token}
        ).json()
        assert me["role"] == "analyst"
        item = c.get("/triage.json").json()["findings"][0]
        new = "counterfeit_goods" if item["category"] != "counterfeit_goods" else "drugs"
        r = c.post(
            f"/triage/{item['finding_pk']}",
            data={"action": "relabel", "category": new},
            headers={"X-CSRF-Token": me["csrf_token"], "accept": "application/json"},
        )
        assert r.json()["action"] == "relabel" and len(r.json()["labels"]) == 2
    verdicts = {(x.category, x.verdict) for x in web_store.labels_for([item["pk"]])[item["pk"]]}
    assert verdicts == {(item["category"], "reject"), (new, "confirm")}
