"""Messages for the duplicate tests: a small market of adverts, their variants, forwards and media posts."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from tgintel.model import Channel, Media, Message

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)

ADVERTS = [
    "🔥 Fresh cocaine 90% pure, 1g = 80 EUR, discreet delivery in Amsterdam and Rotterdam, write @dealer_nl",
    "Verified UK bank accounts with online banking and debit card, 350 GBP each, escrow ok, DM @acc_store",
    "Passports and ID cards of every EU country, scannable, express shipping, order via @docs_master_bot",
    "Свежие аккаунты Госуслуг с подтверждением, 1500 руб за штуку, оптом дешевле, пишите @gos_acc",
    "Phishing kit for Dutch banks with admin panel and Telegram notifications, 200 USDT, contact @kitseller",
]
# One seller's two menus: the same frame around other products (different offers, never one cluster).
MENUS = [
    "🌿 Premium weed and hash 🌿\nShop greenplug\n• Amnesia haze 5g - 45€\n• Moroccan hash 10g - 60€\n"
    "• Pre-rolls 5 pcs - 25€\nFast delivery in Utrecht\n💰 Payment: iDEAL, crypto\n💬 Contact: @greenplug_nl",
    "🌿 Premium weed and hash 🌿\nShop greenplug\n• Ketamine 1g - 30€\n• XTC pills 10 pcs - 50€\n"
    "• Amnesia haze 5g - 45€\nFast delivery in Utrecht\n💰 Payment: iDEAL, crypto\n💬 Contact: @greenplug_nl",
]


def variant(text: str, rng: random.Random) -> str:
    """A re-post as vendors do it: new price, new contact, emoji, look-alike letters or a header."""
    choice = rng.randrange(5)
    if choice == 0:
        return "".join(str((int(c) + 1) % 10) if c.isdigit() else c for c in text)
    if choice == 1:
        return text.rsplit("@", 1)[0] + "@backup_" + str(rng.randrange(100))
    if choice == 2:
        return "✅✅ " + text + " 💯"
    if choice == 3:
        return text.replace("e", "е", 2).replace("o", "о", 1)  # Cyrillic look-alikes
    return "NEW STOCK TODAY!!! " + text


def market(seed: int = 5, per_advert: int = 12) -> tuple[list[Channel], list[Message], list[int]]:
    """Channels, messages (in date order) and the true advert index of each message (-1 for chatter)."""
    rng = random.Random(seed)
    channels = [Channel(id=100 + i, title=f"Market {i}", username=f"market{i}") for i in range(4)]
    messages: list[Message] = []
    truth: list[int] = []
    when = T0
    ids = {c.id: 0 for c in channels}

    def post(ch: int, **kw: object) -> Message:
        nonlocal when
        when += timedelta(minutes=rng.randint(5, 600))
        ids[ch] += 1
        m = Message(channel_id=ch, id=ids[ch], date=when, **kw)  # type: ignore[arg-type]
        messages.append(m)
        return m

    for _round in range(per_advert):
        for a, text in enumerate(ADVERTS):
            ch = channels[(a + rng.randrange(2)) % len(channels)].id
            body = text if rng.random() < 0.5 else variant(text, rng)
            post(ch, text=body, sender_key=f"user{a}", sender_name=f"Vendor {a}")
            truth.append(a)
        ch = rng.choice(channels).id
        post(ch, text=f"anyone around tonight? {rng.randrange(10**6)} {rng.choice(['lol', 'ok', 'hi'])}",
             sender_key=f"user{50 + rng.randrange(5)}")  # fmt: skip
        truth.append(-1)
    # The menus, from a generator of their own (so the adverts' stream above is what it always was).
    mrng = random.Random(seed + 1000)
    for _round in range(per_advert):
        for k, text in enumerate(MENUS):
            ch = channels[(k + mrng.randrange(2)) % len(channels)].id
            body = text if mrng.random() < 0.5 else variant(text, mrng)
            post(ch, text=body, sender_key="user40", sender_name="Vendor 40")
            truth.append(len(ADVERTS) + k)
    # A photo re-posted in two channels, a forward of the first advert, a service message.
    post(100, media=Media(kind="photo", file_id="AgADphoto1"), sender_key="user9")
    truth.append(-2)
    post(103, media=Media(kind="photo", file_id="AgADphoto1"), sender_key="user9")
    truth.append(-2)
    first = messages[0]
    post(102, text=first.text, fwd_channel_id=first.channel_id, fwd_msg_id=first.id, sender_key="user77")
    truth.append(0)
    post(101, kind="service", action="pin_message")
    truth.append(-3)
    return channels, messages, truth
