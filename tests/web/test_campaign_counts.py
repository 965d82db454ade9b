"""The per-campaign counts kept as clusters are assigned equal a recount from the memberships, on SQLite and
PostgreSQL: batch by batch, across merges, when a message is edited into another text or cluster, when a
batch is written twice, and when the migration fills them for a store clustered before they existed."""

from __future__ import annotations

from datetime import timedelta

from duplicates.dupmarket import T0, market

from tgintel.analyze.campaigns import get_campaign
from tgintel.detect.minhash import Similarity
from tgintel.jobs.cluster import assign_clusters
from tgintel.model import Channel, Message
from tgintel.store import Analysis, SQLStore


def _cluster(store: SQLStore, batch: list, **kw: object) -> None:  # type: ignore[type-arg]
    res = assign_clusters(store, batch, **kw)  # type: ignore[arg-type]
    store.save_analysis([Analysis(pk=pk, norm_hash=h, cluster_id=c) for pk, (h, c) in res.items()])


def _stored(store: SQLStore) -> list[tuple[int, Message]]:
    return [x for b in store.iter_messages() for x in b]


def _assert_counts_equal_a_recount(store: SQLStore) -> int:
    """Kept counts == the member scans they replace, for every cluster; no rows for merged-away ones."""
    ids = [r.id for r in store.list_clusters(min_size=1, limit=None)]
    assert ids
    for cid in ids:
        assert store.campaign_timeline(cid) == store.cluster_timeline(cid), cid
        assert store.campaign_variants(cid) == store.cluster_variants(cid), cid
        assert store.campaign_variants(cid, limit=2) == store.cluster_variants(cid, limit=2), cid
    with store.connect() as conn:
        kept = {r[0] for t in ("campaign_days", "campaign_texts")
                for r in conn.exec_driver_sql(f"SELECT DISTINCT cluster_id FROM {t}")}  # fmt: skip
    assert kept <= set(ids)
    return len(ids)


def test_counts_follow_batches_merges_edits_and_reruns(store: SQLStore) -> None:
    channels, messages, _truth = market(per_advert=10)
    for i, m in enumerate(messages):  # some forwards, so the forward counts are exercised
        if i % 4 == 0:
            messages[i] = Message(**{**{f: getattr(m, f) for f in m.__struct_fields__},
                                     "fwd_channel_id": 999, "fwd_msg_id": i})  # fmt: skip
    store.upsert_channels(channels)
    store.upsert_messages(messages)
    order = {(m.channel_id, m.id): i for i, m in enumerate(messages)}
    stored = sorted(_stored(store), key=lambda pm: order[(pm[1].channel_id, pm[1].id)])
    for i in range(0, len(stored), 7):
        _cluster(store, stored[i : i + 7])
    assert _assert_counts_equal_a_recount(store) > 3
    assert sum(t["forwarded"] for c in store.list_clusters(limit=None)
               for t in store.campaign_timeline(c.id)) > 0  # fmt: skip

    # The same batch again changes nothing.
    def variants() -> dict[str, list]:  # type: ignore[type-arg]
        return {c.id: store.campaign_variants(c.id) for c in store.list_clusters(min_size=1, limit=None)}

    before = variants()
    _cluster(store, stored[:30])
    assert variants() == before

    # An edit: a stored advert's text becomes another advert's text (its membership moves), and one becomes
    # a new variant of its own advert (same cluster, new text).
    first, other = stored[0][1], stored[1][1]
    store.upsert_messages([
        Message(channel_id=first.channel_id, id=first.id, date=first.date, text=other.text,
                sender_key=first.sender_key),
        Message(channel_id=other.channel_id, id=other.id, date=other.date,
                text=other.text + " Also wholesale, ask for the price list.", sender_key=other.sender_key),
    ])  # fmt: skip
    edited = [store.get_message(m.channel_id, m.id) for m in (first, other)]
    _cluster(store, [e for e in edited if e is not None])
    _assert_counts_equal_a_recount(store)

    # A campaign reads the kept counts and gives what the member scans gave.
    big = store.list_clusters(limit=1)[0].id
    full = get_campaign(store, big, max_variants=3)
    assert full is not None and full["variants_count"] == len(store.cluster_variants(big))
    assert sum(t["total"] for t in full["timeline"]) == full["size"]
    assert full["forwarded_posts"] == sum(t["forwarded"] for t in store.cluster_timeline(big))


def test_a_merge_moves_the_counts(store: SQLStore) -> None:
    left = "aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll"
    right = "mmmm nnnn oooo pppp qqqq rrrr ssss tttt uuuu vvvv wwww xxxx"
    bridge = "eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq rrrr ssss tttt"
    store.upsert_channels([Channel(id=1, title="a"), Channel(id=2, title="b")])
    store.upsert_messages(
        [Message(channel_id=1, id=1, date=T0, text=left, sender_key="x"),
         Message(channel_id=2, id=1, date=T0 + timedelta(days=1), text=right, sender_key="y"),
         Message(channel_id=2, id=2, date=T0 + timedelta(days=1), text=right, sender_key="y"),
         Message(channel_id=2, id=3, date=T0 + timedelta(days=2), text=bridge, sender_key="z")]
    )  # fmt: skip
    rows = _stored(store)
    sim = Similarity(containment=0.45)
    _cluster(store, rows[:3], similarity=sim)
    assert len(store.list_clusters(min_size=1, limit=None)) == 2
    _cluster(store, rows[3:], similarity=sim)
    (only,) = store.list_clusters(min_size=1, limit=None)
    assert only.size == 4
    timeline = store.campaign_timeline(only.id)
    assert [(t["channel_id"], t["posts"]) for t in timeline] == [(1, 1), (2, 2), (2, 1)]
    assert [v["posts"] for v in store.campaign_variants(only.id)] == [1, 2, 1]
    _assert_counts_equal_a_recount(store)


def test_the_migration_fills_the_counts_of_a_store_clustered_before_it(store: SQLStore) -> None:
    from alembic import command
    from alembic.config import Config

    from tgintel.store.sql import MIGRATIONS

    channels, messages, _truth = market(per_advert=6)
    store.upsert_channels(channels)
    store.upsert_messages(messages)
    stored = _stored(store)
    for i in range(0, len(stored), 11):
        _cluster(store, stored[i : i + 11])
    expect = {c.id: (store.campaign_timeline(c.id), store.campaign_variants(c.id))
              for c in store.list_clusters(min_size=1, limit=None)}  # fmt: skip
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005_web-1")  # the revision before this one, wherever it is chained
        assert not {"campaign_days", "campaign_texts"} & set(
            store.engine.dialect.get_table_names(conn)
        )
        command.upgrade(cfg, "heads")
    assert {cid: (store.campaign_timeline(cid), store.campaign_variants(cid)) for cid in expect} == expect
    _assert_counts_equal_a_recount(store)
