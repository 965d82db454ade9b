"""The workspace's store calls on SQLite and PostgreSQL: accounts, sessions, audit, search with filters,
facets and keyset pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tgintel.model import Channel, Entity, Finding, Message
from tgintel.store import Analysis
from tgintel.store.search import COUNT_CAP, SearchQuery, fts_query, like_terms


def _fill(store) -> dict[int, int]:  # type: ignore[no-untyped-def]
    """30 messages over two channels; returns message id -> pk."""
    store.upsert_channels([Channel(id=1, title="Alpha"), Channel(id=2, title="Beta")])
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    msgs = [Message(channel_id=1 + i % 2, id=i, date=t0 + timedelta(days=i),
                    text=("cheap cocaine 50% off" if i % 3 == 0 else "fresh fullz and cvv") + f" lot{i}")
            for i in range(1, 31)]  # fmt: skip
    store.upsert_messages(msgs)
    pks = {m.id: pk for batch in store.iter_messages() for pk, m in batch}
    store.save_analysis([
        Analysis(pk=pk, lang="en" if i % 2 else "nl", offer=i % 3 == 0,
                 cluster_id="camp1" if i <= 4 else None,
                 findings=[Finding(category="drugs" if i % 3 == 0 else "stolen_data", score=0.9)],
                 entities=[Entity("btc", "bc1qexample", 0, 3)] if i % 5 == 0 else [])
        for i, pk in pks.items()
    ])  # fmt: skip
    return pks


def test_search_filters_facets_and_pages_agree_on_both_databases(store) -> None:  # type: ignore[no-untyped-def]
    pks = _fill(store)
    r = store.search(SearchQuery(q="cocaine"))
    assert r.total == 10 and not r.total_capped
    assert {h.id for h in r.hits} == {i for i in pks if i % 3 == 0}
    assert [h.pk for h in r.hits] == sorted((h.pk for h in r.hits), reverse=True)  # newest stored first
    assert {f.value: f.count for f in r.facets["channel"]} == {"1": 5, "2": 5}
    assert {f.value: f.count for f in r.facets["category"]} == {"drugs": 10}
    assert r.hits[0].categories == ["drugs"] and r.hits[0].channel_title in ("Alpha", "Beta")

    both = store.search(SearchQuery(q="cocaine", channel_id=1, lang="nl"))
    assert {h.id for h in both.hits} == {i for i in pks if i % 3 == 0 and i % 2 == 0}
    assert store.search(SearchQuery(category="stolen_data")).total == 20
    assert store.search(SearchQuery(entity_type="btc")).total == 6
    assert store.search(SearchQuery(offer=True)).total == 10
    assert {h.id for h in store.search(SearchQuery(campaign="camp1")).hits} == {1, 2, 3, 4}
    day = int(datetime(2026, 3, 11, tzinfo=UTC).timestamp())
    assert {h.id for h in store.search(SearchQuery(date_from=day, date_to=day + 86400)).hits} == {10}
    # "%" in a query is a literal on PostgreSQL's ILIKE path and a token separator in FTS5: both find it
    assert store.search(SearchQuery(q="50%")).total == 10

    # keyset pages cover everything exactly once
    seen, before = [], None
    while True:
        page = store.search(SearchQuery(q="fullz", limit=7, before=before), facets=False)
        seen += [h.id for h in page.hits]
        assert page.total == 20
        if page.next_before is None:
            break
        before = page.next_before
    assert sorted(seen) == sorted(i for i in pks if i % 3) and len(seen) == len(set(seen))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=40))
def test_any_typed_query_is_safe(sqlite_store, q: str) -> None:  # type: ignore[no-untyped-def]
    """FTS5 syntax typed by a user ("NEAR(", unbalanced quotes, column filters) never raises."""
    result = sqlite_store.search(SearchQuery(q=q))
    assert result.total <= COUNT_CAP
    assert re.fullmatch(r'(?:"[^"]+"\*?(?: |$))*', fts_query(q)), fts_query(q)  # only quoted phrases
    assert all(t.startswith("%") and t.endswith("%") for t in like_terms(q))


def test_accounts_sessions_and_audit(store) -> None:  # type: ignore[no-untyped-def]
    user = store.add_user("ana", "analyst", "hash1")
    with pytest.raises(ValueError, match="exists"):
        store.add_user("ana", "viewer", "hash2")
    with pytest.raises(ValueError, match="role"):
        store.add_user("bob", "root", "hash2")
    store.create_session(user.pk, "tokenhash", "csrf1", ttl_s=60)
    found = store.session_user("tokenhash")
    assert found is not None and found[0].name == "ana" and found[1] == "csrf1"
    assert store.session_user("otherhash") is None
    store.create_session(user.pk, "expired", "csrf2", ttl_s=-1)
    assert store.session_user("expired") is None
    assert store.set_user_disabled("ana", True)
    assert store.session_user("tokenhash") is None  # locking ends sessions
    store.set_user_disabled("ana", False)
    replaced = store.add_user("ana", "admin", "hash3", replace=True)
    assert replaced.pk == user.pk and replaced.role == "admin" and replaced.password_hash == "hash3"
    store.end_session("tokenhash")
    store.audit("ana", "view", "/search?q=x")
    store.audit("ana", "reveal", "/message/1/2", "3 spans")
    store.audit("bob", "login_failed", "/login")
    assert [e.action for e in store.list_audit()] == ["login_failed", "reveal", "view"]
    assert [e.target for e in store.list_audit(user="ana", action="reveal")] == ["/message/1/2"]


def test_users_add_cli(run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tgintel.store import open_store

    db = str(tmp_path / "cli.sqlite")
    ok = run_cli(
        "users", "add", "ana", "--role", "analyst", "--password-stdin", "--db", db, input="long-password\n"
    )
    assert ok.returncode == 0, ok.stderr
    again = run_cli("users", "add", "ana", "--role", "root", "--password-stdin", "--db", db, input="short\n")
    assert again.returncode == 2 and again.stderr.count("\n") == 1 and "--role" in again.stderr
    store = open_store(db)
    try:
        user = store.get_user("ana")
        assert user is not None and user.role == "analyst" and user.password_hash.startswith("$argon2id$")
        assert "long-password" not in user.password_hash
    finally:
        store.close()


def test_every_page_renders_on_both_databases(store) -> None:  # type: ignore[no-untyped-def]
    """Page queries are plain SQL both dialects accept: every page kind answers on SQLite and PostgreSQL."""
    from argon2 import PasswordHasher
    from fastapi.testclient import TestClient

    from tgintel.web.app import create_app

    pks = _fill(store)
    store.upsert_messages([Message(channel_id=1, id=99, date=datetime(2026, 4, 1, tzinfo=UTC), text="hi",
                                   sender_key="user7", sender_name="Seven")])  # fmt: skip
    store.add_user(
        "ada", "admin", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("pw-ada-12")
    )
    finding = store.message_findings(pks[3])[0]["pk"]
    with TestClient(create_app(store)) as c:
        token = c.get("/login.json").json()["csrf_token"]
        me = c.post(
            "/login.json", data={"username": "ada", "password": "pw-ada-12", "csrf_token": token}
        ).json()
        for path in ["/index.json", "/search.json?q=cocaine&category=drugs", "/search.json?category=drugs",
                     "/message/1/2.json", "/channel/1.json", "/channels.json", "/actor/user7.json",
                     "/campaign/camp1.json", "/campaigns.json", "/entity.json?type=btc&value=bc1qexample",
                     "/triage.json", "/graph/data.json", "/audit.json", "/search.csv?q=fullz"]:  # fmt: skip
            r = c.get(path)
            assert r.status_code == 200, (path, r.text[:300])
        assert c.get("/campaign/camp1.json").json()["summary"]["size"] == 4
        r = c.post(
            f"/triage/{finding}", data={"action": "confirm"}, headers={"X-CSRF-Token": me["csrf_token"]}
        )
        assert r.status_code == 200
    assert [x.verdict for x in store.labels_for([pks[3]])[pks[3]]] == ["confirm"]
