"""The core store's promises (interface.py) on SQLite and PostgreSQL: idempotent upserts, edits that reset
analysis, actors' first/last seen, per-channel stats, and (SQLite) an FTS index that follows the text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fts_docs import fts_documents
from sqlalchemy import text

from tgintel.model import Channel, Markup, Media, Message
from tgintel.store.interface import Analysis

T0 = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)


def full(mid: int, **kw) -> Message:  # type: ignore[no-untyped-def]
    """A message using every field, so a round trip that loses one fails."""
    base = dict(
        channel_id=10, id=mid, date=T0 + timedelta(minutes=mid), kind="message", text=f"selling item {mid}",
        markup=[Markup("bold", 0, 7), Markup("text_link", 8, 12, "https://example.invalid")],
        sender_key="user5", sender_name="Seller", author="sig", action=None, edited=T0 + timedelta(hours=1),
        reply_to=1, fwd_channel_id=99, fwd_msg_id=7, fwd_from="Origin", fwd_date=T0 - timedelta(days=1),
        via_bot="@b", views=100, forwards=3, grouped_id=555, reactions={"👍": 2},
        media=Media(kind="photo", width=10, height=20, size=300, extra={"file": "not_included"}),
        raw={"unknown": [1, {"x": None}]},
    )  # fmt: skip
    base.update(kw)
    return Message(**base)


@pytest.fixture
def st(store):  # type: ignore[no-untyped-def]
    store.upsert_channels([Channel(id=10, title="Ten", kind="channel"), Channel(id=20, title="Twenty")])
    return store


def test_round_trip_and_idempotence(st) -> None:  # type: ignore[no-untyped-def]
    batch = [full(i) for i in range(1, 6)]
    r1 = st.upsert_messages(batch)
    assert (r1.inserted, r1.updated, r1.unchanged) == (5, 0, 0)
    r2 = st.upsert_messages(batch)
    assert (r2.inserted, r2.updated, r2.unchanged) == (0, 0, 5)
    pk, got = st.get_message(10, 3)
    assert got == batch[2]
    assert st.get_messages([pk]) == {pk: batch[2]}
    assert st.count_messages() == 5


def test_duplicates_inside_a_batch_last_wins(st) -> None:  # type: ignore[no-untyped-def]
    r = st.upsert_messages([full(1, text="first"), full(2), full(1, text="second")])
    assert (r.inserted, r.unchanged) == (2, 1)
    assert st.get_message(10, 1)[1].text == "second"


def test_edit_resets_analysis_other_changes_do_not(st) -> None:  # type: ignore[no-untyped-def]
    st.upsert_messages([full(1), full(2)])
    pks = [st.get_message(10, i)[0] for i in (1, 2)]
    st.save_analysis([Analysis(pk=p, lang="en") for p in pks])
    assert st.count_messages(unanalyzed_only=True) == 0
    r = st.upsert_messages([full(1, text="selling item 1, now cheaper"), full(2, views=5000)])
    assert (r.inserted, r.updated) == (0, 2)
    assert st.get_message(10, 1)[0] == pks[0]  # updated in place: same row key
    waiting = [pk for batch in st.iter_messages(unanalyzed_only=True) for pk, _ in batch]
    assert waiting == [pks[0]]
    assert st.get_message(10, 2)[1].views == 5000


def test_actors_and_channel_stats(st) -> None:  # type: ignore[no-untyped-def]
    st.upsert_messages([full(5, sender_key="user1", sender_name="A"), full(9, sender_key="user2")])
    st.upsert_messages([full(2, sender_key="user1", sender_name="A2"),
                        full(1, channel_id=20, sender_key=None)])  # fmt: skip
    with st.connect() as conn:
        found = conn.execute(text("SELECT key, name, first_seen, last_seen FROM actors"))
        actors = {r.key: (r.name, r.first_seen, r.last_seen) for r in found}
    t = lambda m: int((T0 + timedelta(minutes=m)).timestamp())  # noqa: E731
    assert actors == {"user1": ("A2", t(2), t(5)), "user2": ("Seller", t(9), t(9))}
    stats = {s.id: s for s in st.channel_stats()}
    assert (stats[10].messages, stats[10].senders, stats[20].messages, stats[20].senders) == (3, 2, 1, 0)
    assert stats[10].first_date == "2026-02-01T08:02:00Z" and stats[10].last_date == "2026-02-01T08:09:00Z"


def test_channel_source_kept_from_first_sight(st) -> None:  # type: ignore[no-untyped-def]
    st.upsert_channels([Channel(id=10, title="Ten renamed", kind="supergroup", source="live")])
    ch = st.get_channel(10)
    assert (ch.title, ch.kind, ch.source) == ("Ten renamed", "supergroup", "export")


def fts(store, query: str) -> list[int]:  # type: ignore[no-untyped-def]
    with store.connect() as conn:
        return sorted(r[0] for r in conn.execute(
            text("SELECT m.id FROM messages_fts f JOIN messages m ON m.pk = f.rowid "
                 "WHERE messages_fts MATCH :q"),
            {"q": query},
        ))  # fmt: skip


def test_fts_follows_inserts_and_edits(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    s = sqlite_store
    s.upsert_channels([Channel(id=10, title="Ten")])
    s.upsert_messages([full(1, text="fresh apples"), full(2, text="cheap bananas")])
    s.upsert_messages([full(3, text="apples again")])
    assert fts(s, "apples") == [1, 3] and fts(s, "bananas") == [2]
    s.upsert_messages([full(1, text="fresh cherries"), full(4, text="bananas too")])
    assert fts(s, "apples") == [3] and fts(s, "cherries") == [1] and fts(s, "bananas") == [2, 4]
    s.upsert_messages([full(2, text="cheap bananas", views=1)])  # not a text change
    assert fts(s, "bananas") == [2, 4]
    with s.connect() as conn:
        docs = fts_documents(conn)
        # the FTS index is consistent with its content table
        conn.execute(text("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)"))
    assert docs == 4


def test_poorer_copy_keeps_what_a_richer_source_stored(st) -> None:  # type: ignore[no-untyped-def]
    """A Desktop export of a channel the collector already follows lacks views, album and forward post ids;
    importing it must update the text but not erase those."""
    st.upsert_messages([full(1)])
    poorer = full(1, text="selling item 1 (edited)", views=None, forwards=None, grouped_id=None,
                  fwd_msg_id=None, fwd_date=None)  # fmt: skip
    r = st.upsert_messages([poorer])
    assert (r.updated, r.inserted) == (1, 0)
    _, m = st.get_message(10, 1)
    assert m.text == "selling item 1 (edited)"
    assert (m.views, m.forwards, m.grouped_id, m.fwd_msg_id, m.fwd_date) == (
        100, 3, 555, 7, T0 - timedelta(days=1),
    )  # fmt: skip
    newer = full(1, text="selling item 1 (edited)", views=250)
    st.upsert_messages([newer])
    assert st.get_message(10, 1)[1].views == 250


def test_schema_has_one_head_and_a_reopen_migrates_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from tgintel.store import open_store
    from tgintel.store.sql import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    heads = ScriptDirectory.from_config(cfg).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}; add a merge revision"
    s = open_store(str(tmp_path / "m.sqlite"))
    with s.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_heads() == tuple(heads)
    s.close()
    open_store(str(tmp_path / "m.sqlite")).close()
