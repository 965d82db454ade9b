"""A small market written into a real store: two vendors with shops and alt accounts, chatter about them,
a hub handle shared by many sellers, forwards from and links to chats that are not monitored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tgintel.detect.entities import extract_entities
from tgintel.model import Channel, Finding, Message
from tgintel.store.interface import Analysis

T0 = datetime(2025, 3, 1, tzinfo=UTC)

SHOP, AMS, ROT, UTR = 100, 200, 300, 400
CHANNELS = [
    Channel(id=SHOP, title="greenplug_shop Official", kind="channel"),
    Channel(id=AMS, title="Markt Amsterdam", kind="supergroup"),
    Channel(id=ROT, title="Markt Rotterdam", kind="supergroup"),
    Channel(id=UTR, title="Markt Utrecht", kind="supergroup"),
]
BTC = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
PHONE_SURFACE = "+31 6 1234 5678"
GREEN_AD = "🔥 Wiet 5g - 50€\n📩 @GreenPlug\n➡️ t.me/greenplug_shop\n📞 " + PHONE_SURFACE
BLUE_AD = "💊 Pillen 10x - 30€\nBTC: " + BTC + "\nmsg @blue_pharma"


def _msg(channel: int, mid: int, text: str, sender: str | None, minutes: int, **kw: object) -> Message:
    return Message(channel_id=channel, id=mid, date=T0 + timedelta(minutes=minutes), text=text,
                   sender_key=sender, sender_name=sender and sender.title(), **kw)  # type: ignore[arg-type]  # fmt: skip


def market_messages() -> list[tuple[Message, str | None, bool]]:
    """(message, cluster id, criminal?) in posting order."""
    out: list[tuple[Message, str | None, bool]] = []
    n = 0

    def add(
        channel: int, text: str, sender: str | None, cluster: str | None, criminal: bool, **kw: object
    ) -> None:
        nonlocal n
        n += 1
        out.append((_msg(channel, n, text, sender, n, **kw), cluster, criminal))

    # Green: a user account posting in groups and its own broadcast channel posting as itself.
    for ch in (AMS, ROT, AMS):
        add(ch, GREEN_AD, "user1", "c-green", True)
    add(SHOP, GREEN_AD + "\nVandaag vers!", "channel100", "c-green", True)
    add(SHOP, "Nieuw menu 🔥 - 60€ @GreenPlug t.me/greenplug_shop", "channel100", "c-green2", True)
    # Blue: two accounts posting the same campaign; the second never shows a contact of the first.
    add(ROT, BLUE_AD, "user3", "c-blue", True)
    add(UTR, BLUE_AD, "user3", "c-blue", True)
    add(UTR, "💊 Pillen 10x - 25€ !!\nBTC: " + BTC, "user5", "c-blue", True)
    # Chatter naming the sellers: not claims.
    add(AMS, "heeft iemand @GreenPlug geprobeerd?", "user2", None, False)
    add(ROT, "pas op voor @blue_pharma, scam", "user2", None, False)
    # Eight unrelated sellers all naming the same escrow service: a hub that must join nobody.
    for i in range(8):
        add((AMS, ROT, UTR)[i % 3], f"Telefoons {i} - {100 + i}€, escrow via @escrow_guard", f"user{50 + i}",
            None, True)  # fmt: skip
    # Links and forwards to chats nobody monitors yet.
    add(AMS, "Nieuwe markt: t.me/new_market 🔥 Wiet 40€", "user1", None, True)
    add(ROT, "Check t.me/new_market", "user2", None, False)
    add(UTR, "Nieuwe markt t.me/new_market - coke 60€", "user3", None, True)
    add(AMS, "Alleen hier: t.me/lonely_chan", "user2", None, False)
    add(ROT, "Doorgestuurd: 3g - 30€", "user2", None, True, fwd_channel_id=999, fwd_from="Dark Depot")
    add(UTR, "Doorgestuurd: 4g - 40€", "user2", None, True, fwd_channel_id=999, fwd_from="Dark Depot")
    # A forward of Green's ad by someone else: the content is Green's.
    add(UTR, GREEN_AD, "user7", "c-green", True, fwd_from="Green")
    return out


def fill_store(store) -> dict[tuple[int, int], int]:
    """Write the market and its analysis; returns (channel, id) -> pk."""
    store.upsert_channels(CHANNELS)
    rows = market_messages()
    store.upsert_messages([m for m, _, _ in rows])
    pks: dict[tuple[int, int], int] = {}
    results = []
    for m, cluster, criminal in rows:
        got = store.get_message(m.channel_id, m.id)
        assert got is not None
        pk = got[0]
        pks[(m.channel_id, m.id)] = pk
        results.append(Analysis(
            pk=pk, lang="nl", offer=criminal, cluster_id=cluster, norm_hash=None,
            findings=[Finding(category="drugs", score=0.9, evidence=["test"])] if criminal else [],
            entities=extract_entities(m.text, default_region="NL"),
        ))  # fmt: skip
    store.save_analysis(results)
    return pks
