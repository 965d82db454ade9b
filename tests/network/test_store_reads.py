"""The network reads on SQLite and PostgreSQL: streams, pagination, entity hits."""

from __future__ import annotations

from network.netmarket import BTC, fill_store, market_messages


def test_streams_cover_every_message_and_entity(store) -> None:
    fill_store(store)
    msgs = [m for batch in store.network_messages(batch_size=5) for m in batch]
    assert len(msgs) == len(market_messages())
    assert [m.pk for m in msgs] == sorted(m.pk for m in msgs)
    fwd = [m for m in msgs if m.fwd_channel_id == 999]
    assert len(fwd) == 2 and all(m.fwd_key == "channel999" for m in fwd)
    assert sum(1 for m in msgs if m.cluster_id == "c-blue") == 3

    small = [row for batch in store.network_entities(("username", "btc"), batch_size=3) for row in batch]
    full = [row for batch in store.network_entities(("username", "btc")) for row in batch]
    assert small == full  # keyset pagination loses and repeats nothing
    assert {t for _, t, _ in full} == {"username", "btc"}
    assert sum(1 for _, t, v in full if (t, v) == ("btc", BTC)) == 3

    cats = [row for batch in store.network_categories() for row in batch]
    assert {c for _, c, _ in cats} == {"drugs"}


def test_entity_hits_and_counts(store) -> None:
    fill_store(store)
    pairs = [("username", "@greenplug"), ("tme_link", "t.me/greenplug")]
    hits = store.entity_hits(pairs)
    assert len(hits) == store.entity_hit_count(pairs) == 7  # 5 ads + a forward + a chatter line
    assert all(h.text[h.start : h.end].lower() == "@greenplug" for h in hits)
    assert [h.date for h in hits] == sorted(h.date for h in hits)
    assert len(store.entity_hits(pairs, limit=2)) == 2
    assert store.entity_hit_count([("btc", "nothing")]) == 0
    like = store.entity_values_like("green")
    assert ("username", "@greenplug", 7) in like
    assert store.entity_values_like("100%_") == []  # LIKE wildcards in the fragment are literal


def test_entity_hit_groups_count_every_occurrence(store) -> None:
    fill_store(store)
    groups = store.entity_hit_groups([("btc", BTC)])
    assert sum(g["n"] for g in groups) == 3
    assert {(g["channel_id"], g["sender_key"], g["cluster_id"]) for g in groups} == {
        (300, "user3", "c-blue"),
        (400, "user3", "c-blue"),
        (400, "user5", "c-blue"),
    }
    assert all(g["first"] <= g["last"] for g in groups)
