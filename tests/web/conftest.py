"""A small workspace store built through the real store API and the real detect stages, and logged-in
clients for each role."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tgintel.model import Channel, Media, Message
from tgintel.store import SQLStore, open_store

PASSWORDS = {"ada": "ada-admin-pass", "ana": "ana-analyst-pass", "vic": "vic-viewer-pass"}
ROLES = {"ada": "admin", "ana": "analyst", "vic": "viewer"}

HOSTILE = (
    "<script>alert('xss')</script> Fresh logs "
    '<img src=x onerror="alert(2)"> '
    '<a href="javascript:alert(3)">click</a> '
    "invoice\u202egpj.exe "
    "contact victim +31 6 12345678 or jan.jansen@example.nl BSN 123456782"
)

ADVERTS = [
    "Fresh cocaine and MDMA, 40 EUR per gram, discreet shipping. Order @snowdealer_nl t.me/snowshop_nl",
    "Bank accounts with card and online access for sale, 300 USD. Contact @dropmaster",
    "Stealer logs and fullz database 2025, 0.01 BTC. Write @logsking",
    "Glock 19 with ammunition, 1800 USD, delivery EU. Contact @ironhand",
    "Fake passport and driving licence, any country, 900 EUR. @docsmaker",
]


def _messages() -> list[Message]:
    t0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    out = []
    n = 0
    for day in range(12):
        for i, text in enumerate(ADVERTS):
            n += 1
            channel = 101 if (day + i) % 2 == 0 else 202
            out.append(
                Message(
                    channel_id=channel,
                    id=n,
                    date=t0 + timedelta(days=day, minutes=7 * i),
                    text=text,
                    sender_key=f"user{500 + i}",
                    sender_name=f"Seller {i}",
                )
            )
    n += 1
    out.append(
        Message(
            channel_id=101,
            id=n,
            date=t0 + timedelta(days=13),
            text=HOSTILE,
            sender_key="user777",
            sender_name="<b>evil</b>\u202ename",
            media=Media(kind="photo", mime="image/jpeg", size=1234),
        )
    )
    return out


def build_store(path: Path) -> SQLStore:
    from tgintel.jobs.analyze import analyze

    store = open_store(str(path))
    store.upsert_channels(
        [
            Channel(id=101, title="Snow <i>market</i> NL", username="snowmarket_nl", kind="channel"),
            Channel(id=202, title="Drops \u202eEU", username=None, kind="supergroup"),
        ]
    )
    store.upsert_messages(_messages())
    analyze(store)
    from argon2 import PasswordHasher

    # Real argon2id hashes, with cheap parameters so the many test logins stay fast (verify reads the
    # parameters from the hash itself).
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    for name, role in ROLES.items():
        store.add_user(name, role, hasher.hash(PASSWORDS[name]))
    return store


@pytest.fixture(scope="session")
def web_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web") / "web.sqlite"
    build_store(path).close()
    return path


@pytest.fixture
def web_store(web_db: Path, tmp_path: Path) -> Iterator[SQLStore]:
    """A private copy per test, so labels and audit lines never leak between tests."""
    import shutil

    copy = tmp_path / "web.sqlite"
    shutil.copy(web_db, copy)
    store = open_store(str(copy))
    yield store
    store.close()


@pytest.fixture
def app(web_store: SQLStore):  # type: ignore[no-untyped-def]
    from tgintel.web.app import create_app

    return create_app(web_store, secret=b"test-secret")


def login(client, name: str) -> str:  # type: ignore[no-untyped-def]
    """Log in through the real form; returns the session's CSRF token."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post(
        "/login",
        data={"username": name, "password": PASSWORDS[name], "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    home = client.get("/")
    return re.search(r'data-csrf="([^"]+)"', home.text).group(1)


@pytest.fixture
def client_as(app):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    clients = []

    def make(name: str):  # type: ignore[no-untyped-def]
        c = TestClient(app)
        c.csrf = login(c, name)
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()
