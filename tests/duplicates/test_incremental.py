"""Clustering stored messages batch by batch: same clusters as one in-memory pass, aggregates equal to a
recount, state that survives reopening the store (SQLite and PostgreSQL), merges that relabel everything."""

from __future__ import annotations

from collections import defaultdict

import msgspec

from duplicates.dupmarket import ADVERTS, MENUS, T0, market
from tgintel.detect.duplicates import NearDuplicateIndex, media_cluster_id
from tgintel.detect.minhash import Similarity
from tgintel.jobs.cluster import assign_clusters
from tgintel.model import Channel, Message
from tgintel.store import Analysis, SQLStore, open_store


def _load(store: SQLStore) -> tuple[list[tuple[int, Message]], list[int]]:
    channels, messages, truth = market()
    store.upsert_channels(channels)
    store.upsert_messages(messages)
    stored = [x for batch in store.iter_messages() for x in batch]
    order = {(m.channel_id, m.id): i for i, m in enumerate(messages)}
    stored.sort(key=lambda pm: order[(pm[1].channel_id, pm[1].id)])  # date order, as they arrived
    return stored, [truth[order[(m.channel_id, m.id)]] for _pk, m in stored]


def _cluster(
    store: SQLStore, stored: list[tuple[int, Message]], size: int
) -> dict[int, tuple[str | None, str]]:
    out: dict[int, tuple[str | None, str]] = {}
    for i in range(0, len(stored), size):
        batch = stored[i : i + size]
        res = assign_clusters(store, batch)
        store.save_analysis([Analysis(pk=pk, norm_hash=res[pk][0], cluster_id=res[pk][1]) for pk in res])
        out.update(res)
    return out


def _recount(store: SQLStore, stored: list[tuple[int, Message]], final: dict[int, str]) -> dict[str, dict]:
    agg: dict[str, dict] = defaultdict(lambda: {"size": 0, "ch": set(), "ac": set(), "dates": []})
    for pk, m in stored:
        if pk not in final:
            continue
        a = agg[final[pk]]
        a["size"] += 1
        a["ch"].add(m.channel_id)
        if m.sender_key:
            a["ac"].add(m.sender_key)
        a["dates"].append((int(m.date.timestamp()), pk, m.channel_id))
    return agg


def _stored_clusters(store: SQLStore, stored: list[tuple[int, Message]]) -> dict[int, str]:
    with store.connect() as conn:
        rows = conn.exec_driver_sql("SELECT message_pk, cluster_id FROM dup_members").all()
    return dict(rows)


def test_batches_equal_one_pass_and_the_in_memory_index(store: SQLStore) -> None:
    stored, truth = _load(store)
    res = _cluster(store, stored, size=7)
    final = _stored_clusters(store, stored)

    # Same clusters, same ids, as the in-memory engine fed the same texts in the same order.
    ix = NearDuplicateIndex()
    text_pks = [pk for pk, m in stored if m.kind == "message" and m.text]
    ix.add_many([(str(pk), m.text) for pk, m in stored if pk in set(text_pks)])
    assert {pk: final[pk] for pk in text_pks} == {
        pk: ix.cluster_of_text(m.text) for pk, m in stored if pk in set(text_pks)
    }
    # Every advert is one cluster, chatter never joins one, the service message has none.
    by_advert: dict[int, set[str]] = defaultdict(set)
    for (pk, _m), t in zip(stored, truth, strict=True):
        if t >= 0:
            by_advert[t].add(final[pk])
    assert all(len(c) == 1 for c in by_advert.values())
    assert len({next(iter(c)) for c in by_advert.values()}) == len(ADVERTS) + len(MENUS)
    service = [pk for pk, m in stored if m.kind == "service"]
    assert service and all(pk not in res for pk in service)
    # The media copies share a cluster by file id; norm_hash is None for them.
    media = [pk for pk, m in stored if m.media is not None]
    assert {res[pk] for pk in media} == {(None, media_cluster_id("AgADphoto1"))}
    # What analyze wrote into messages agrees with the membership table.
    with store.connect() as conn:
        msg_clusters = dict(
            conn.exec_driver_sql("SELECT pk, cluster_id FROM messages WHERE cluster_id IS NOT NULL").all()
        )
    assert msg_clusters == final


def test_aggregates_equal_a_recount(store: SQLStore) -> None:
    stored, _truth = _load(store)
    _cluster(store, stored, size=9)
    final = _stored_clusters(store, stored)
    expect = _recount(store, stored, final)
    rows = {r.id: r for r in store.list_clusters(min_size=1, limit=None)}
    assert set(rows) == set(expect)
    for cid, e in expect.items():
        r = rows[cid]
        first = min(e["dates"])
        assert (r.size, r.channels, r.actors) == (e["size"], len(e["ch"]), len(e["ac"]))
        assert (r.first_seen, r.last_seen) == (first[0], max(e["dates"])[0])
        assert r.lead_channel_id == first[2] and r.representative_pk == first[1]
        chans = store.cluster_breakdown(cid)["channels"]
        assert sum(c["posts"] for c in chans) == e["size"]
    counts = store.cluster_counts()
    assert counts["media_clusters"] == 1
    assert counts["normalised_unique_texts"] == len({h for h in _norm_hashes(store) if h is not None})
    assert counts["exact_unique_texts"] == len({m.text for pk, m in stored if pk in final and m.text})
    assert counts["near_duplicate_clusters"] == len([c for c in expect if c.startswith("c")])


def _norm_hashes(store: SQLStore) -> list[str | None]:
    with store.connect() as conn:
        return [r[0] for r in conn.exec_driver_sql("SELECT DISTINCT norm_hash FROM messages").all()]


def test_rerunning_a_batch_changes_nothing(store: SQLStore) -> None:
    stored, _truth = _load(store)
    _cluster(store, stored, size=50)
    before = [msgspec.structs.astuple(r) for r in store.list_clusters(min_size=1, limit=None)]
    again = assign_clusters(store, stored[:40])
    assert [msgspec.structs.astuple(r) for r in store.list_clusters(min_size=1, limit=None)] == before
    assert all(again[pk][1] == _stored_clusters(store, stored)[pk] for pk in again)


def test_state_survives_reopening_and_new_messages_join_old_clusters(store: SQLStore) -> None:
    stored, _truth = _load(store)
    _cluster(store, stored, size=25)
    url = store.url
    store.close()
    reopened = open_store(url)
    try:
        first = stored[0][1]
        old_cluster = _stored_clusters(reopened, stored)[stored[0][0]]
        reopened.upsert_channels([Channel(id=999, title="New channel")])
        later = first.date.replace(year=2027)
        new = [
            Message(
                channel_id=999, id=1, date=later, text=first.text.replace("80", "95") + " !!", sender_key="u1"
            ),
            Message(
                channel_id=999, id=2, date=later, text="Totally unrelated chatter about the weather today"
            ),
        ]
        reopened.upsert_messages(new)
        batch = [reopened.get_message(999, 1), reopened.get_message(999, 2)]
        res = assign_clusters(reopened, [b for b in batch if b is not None])
        pk1, pk2 = batch[0][0], batch[1][0]  # type: ignore[index]
        assert res[pk1][1] == old_cluster
        assert res[pk2][1] != old_cluster
        row = reopened.get_cluster(old_cluster)
        assert row is not None and row.last_seen == int(later.timestamp())
        assert 999 in {c["channel_id"] for c in reopened.cluster_breakdown(old_cluster)["channels"]}
    finally:
        reopened.close()


def test_a_bridge_merges_stored_clusters_everywhere(store: SQLStore) -> None:
    left = "aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll"
    right = "mmmm nnnn oooo pppp qqqq rrrr ssss tttt uuuu vvvv wwww xxxx"
    bridge = "eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq rrrr ssss tttt"
    store.upsert_channels([Channel(id=1, title="a"), Channel(id=2, title="b")])
    store.upsert_messages(
        [Message(channel_id=1, id=1, date=T0, text=left, sender_key="x"),
         Message(channel_id=2, id=1, date=T0, text=right, sender_key="y"),
         Message(channel_id=2, id=2, date=T0, text=bridge, sender_key="z")]
    )  # fmt: skip
    rows = [x for b in store.iter_messages() for x in b]
    first = assign_clusters(store, rows[:2], similarity=Similarity(containment=0.45))
    store.save_analysis([Analysis(pk=pk, norm_hash=h, cluster_id=c) for pk, (h, c) in first.items()])
    (c_left, c_right) = (first[rows[0][0]][1], first[rows[1][0]][1])
    assert c_left != c_right
    second = assign_clusters(store, rows[2:], similarity=Similarity(containment=0.45))
    assert second[rows[2][0]][1] == c_left
    assert store.get_cluster(c_right) is None
    row = store.get_cluster(c_left)
    assert row is not None and (row.size, row.channels, row.actors) == (3, 2, 3)
    with store.connect() as conn:
        labels = {
            r[0] for r in conn.exec_driver_sql("SELECT cluster_id FROM messages WHERE cluster_id IS NOT NULL")
        }
    assert labels == {c_left}
