"""Actor linking on the small market: who is joined, why, and what must stay apart."""

from __future__ import annotations

from tgintel.analyze.actors import (
    analyze_actors,
    author_key,
    contact_key,
    iter_actor_rows,
    link_actors,
    load_network,
)
from tgintel.store.network import NetMessage


def test_contact_keys_join_handles_and_links() -> None:
    assert contact_key("username", "@shop") == contact_key("tme_link", "t.me/shop") == "tg:shop"
    assert contact_key("tme_link", "t.me/+HashX") == "tme_link:t.me/+HashX"
    assert contact_key("phone", "+31612345678") == "phone:+31612345678"


def test_author_keys() -> None:
    def nm(**kw: object) -> NetMessage:
        base = dict(pk=1, channel_id=5, date=0, sender_key=None, sender_name=None, author=None,
                    cluster_id=None, offer=None, fwd_channel_id=None, fwd_from=None,
                    fwd_key=None)  # fmt: skip
        base.update(kw)
        return NetMessage(**base)  # type: ignore[arg-type]

    assert author_key(nm(sender_key="user1")) == "user1"
    assert author_key(nm(sender_key="channel5", author="Anna")) == "sig:5:Anna"
    assert author_key(nm()) == "channel5"
    assert author_key(nm(sender_key="user1", fwd_key="channel9")) == "channel9"


def test_vendor_account_and_shop_channel_are_one_actor(market) -> None:
    a = analyze_actors(market)
    green = a.actor_of["user1"]
    assert green == "user1"  # a user account names the actor before its channel
    assert a.actor_of["channel100"] == green
    links = a.links_of(green)
    assert links and all(lk.kind == "entity" for lk in links)
    assert any("tg:greenplug" in lk.explain() or "phone:+31612345678" in lk.explain() for lk in links)
    profile = a.actors[green]
    assert set(profile.channels) == {100, 200, 300}
    assert profile.categories["drugs"] >= 5
    assert "tg:greenplug" in profile.contacts and "phone:+31612345678" in profile.contacts


def test_alt_account_joined_by_campaign_with_explanation(market) -> None:
    a = analyze_actors(market)
    assert a.actor_of["user5"] == a.actor_of["user3"]
    why = [lk for lk in a.links if {lk.a, lk.b} == {"user3", "user5"}]
    assert why and why[0].kind in ("campaign", "entity")
    assert a.actor_of["user5"] != a.actor_of["user1"]


def test_chatter_and_forwarders_are_not_merged_with_sellers(market) -> None:
    a = analyze_actors(market)
    assert a.actor_of["user2"] == "user2"  # talks about both vendors, sells nothing
    assert a.actor_of["user7"] == "user7"  # forwarded Green's ad
    msgs, ents, _ = load_network(market)
    fwd = next(m for m in msgs if m.sender_key == "user7")
    assert a.vendor_of(fwd, ents[fwd.pk]) == a.actor_of["user1"]


def test_hub_contact_joins_nobody(market) -> None:
    a = analyze_actors(market)
    sellers = {a.actor_of[f"user{50 + i}"] for i in range(8)}
    assert len(sellers) == 8
    assert ("tg:escrow_guard", 8) in a.hubs
    # With a higher hub limit the same handle would (wrongly) merge them: the guard is what keeps them apart.
    loose = analyze_actors(market, max_claimants=10)
    assert len({loose.actor_of[f"user{50 + i}"] for i in range(8)}) == 1


def test_actor_rows_are_json_ready_and_explained(market) -> None:
    rows = list(iter_actor_rows(analyze_actors(market), min_members=2))
    assert {r["id"] for r in rows} == {"user1", "user3"}
    for r in rows:
        assert r["links"] and all(lk["why"] for lk in r["links"])
        assert r["first_seen"].endswith("Z") and r["activity"]


def _net(pk: int, sender: str, cluster: str | None, offer: bool | None) -> NetMessage:
    return NetMessage(pk, 1, 1_700_000_000 + pk, sender, None, None, cluster, offer, None, None, None)


def test_copycats_of_one_template_are_not_joined_but_a_contactless_copy_is() -> None:
    msgs = [_net(1, "user1", "c1", True), _net(2, "user2", "c1", True), _net(3, "user3", "c1", True)]
    ents = {
        1: [("price", "40 EUR"), ("username", "@seller_one")],
        2: [("price", "40 EUR"), ("username", "@seller_two")],  # same ad, other seller's handle
        3: [("price", "40 EUR")],  # same ad, no contact: the seller's second account
    }
    a = link_actors(msgs, ents)
    assert a.actor_of["user2"] == "user2"
    assert a.actor_of["user3"] == a.actor_of["user1"]
    assert [(lk.kind, lk.value) for lk in a.links] == [("campaign", "c1")]


def test_a_buyers_question_claims_nothing_even_when_marked_as_offer() -> None:
    msgs = [_net(1, "user1", None, True), _net(2, "user2", None, True), _net(3, "user3", None, False)]
    ents = {
        1: [("price", "40 EUR"), ("username", "@seller_one")],
        2: [("username", "@seller_one")],  # "who sells? is @seller_one legit?"
        3: [("price", "40 EUR"), ("username", "@seller_one")],  # the classifier says: not a market post
    }
    a = link_actors(msgs, ents)
    assert a.links == []
    assert a.actors["user1"].adverts == 1 and a.actors["user2"].adverts == 0
