"""Vendors' offers and the ways they vary between re-posts.

An offer is an :class:`OfferSpec` (header, item lines with euro prices, contact lines, payment and wallet
lines, layout); a re-post variant is the previous spec with one or two small changes of the kinds seen in
real markets: new emoji, changed prices, other line breaks, Latin/Cyrillic look-alike letters, a contact
line added or removed, shouting case, another tagline or currency style. Rendering turns a spec into pieces
(``text.Lines``) whose entities are annotated.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field

from tgintel.sources.simulate import identifiers as ids
from tgintel.sources.simulate.market import (
    BULLETS,
    CATEGORY_PRICE,
    CONTACT_EMOJI,
    CRYPTO_PRICE_STYLES,
    EMAIL_DOMAINS,
    HEADER_EMOJI,
    IBAN_COUNTRY,
    PAY_EMOJI,
    PAYMENT_SURFACES,
    PER_EUR,
    PHONE_COUNTRY,
    PRICE_STYLES,
    SCAM_BRANDS,
    URL_PATHS,
    URL_TLDS,
)
from tgintel.sources.simulate.text import Bold, Ent, Lines, Piece, lookalike


def fmt_amount(x: float) -> str:
    """Amount as the entity contract writes it: '.' decimals, no trailing zeros."""
    s = f"{x:.4f}".rstrip("0").rstrip(".")
    return s or "0"


def round_price(eur: float, code: str) -> str:
    x = eur * PER_EUR[code]
    if code in ("BTC", "XMR"):
        digits = 4 if code == "BTC" else 2
        x = max(round(x, digits), 10**-digits)
        return fmt_amount(x)
    if code == "RUB":
        return str(max(100, int(round(x, -2))))
    step = 10 if x >= 100 else 5 if x >= 20 else 1
    return str(max(1, round(x / step) * step))


def price_ent(eur: float, style: tuple[str, str]) -> Ent:
    fmt, code = style
    amount = round_price(eur, code)
    return Ent(fmt.format(a=amount), "price", f"{amount} {code}")


def username_ent(handle: str) -> Ent:
    return Ent("@" + handle, "username", "@" + handle.lower(), "mention")


def public_link_ent(username: str, rng: random.Random) -> Ent:
    surface = ("https://t.me/" if rng.random() < 0.4 else "t.me/") + username
    return Ent(surface, "tme_link", "t.me/" + username.lower(), "link")


def invite_link_ent(rng: random.Random) -> Ent:
    h = ids.invite_hash(rng)
    r = rng.random()
    surface = "https://t.me/+" + h if r < 0.5 else "t.me/+" + h if r < 0.8 else "https://t.me/joinchat/" + h
    return Ent(surface, "tme_link", "t.me/+" + h, "link")


@dataclass
class Vendor:
    """A seller (or scammer): one Telegram account, its contact points and wallets, its campaigns."""

    idx: int
    uid: int
    handle: str
    name: str
    lang: str
    weight: float
    cats: list[str]
    scam: bool
    price_style: tuple[str, str]
    contacts: list[list[Piece]] = field(default_factory=list)
    pay_line: list[Piece] | None = None
    wallets: list[list[Piece]] = field(default_factory=list)
    shop_channel: int | None = None  # index of the simulated broadcast channel the vendor owns
    user: int = -1  # index in World.users
    fwd_name: int = -1  # index in World.fwd_names: how forwards of this vendor's posts name their origin
    channels: list[int] = field(default_factory=list)
    offered: list[frozenset[str]] = field(default_factory=list)  # item sets of its offers so far
    pitches: list[str] = field(default_factory=list)  # scam pitches it has run so far

    @property
    def key(self) -> str:
        return f"user{self.uid}"


def build_vendor_contacts(v: Vendor, vocab: dict, rng: random.Random, shop_username: str | None) -> None:
    """The vendor's pool of contact lines, payment line and wallet lines (all entities annotated)."""
    label = rng.choice(vocab["contact"])
    v.contacts.append([rng.choice(CONTACT_EMOJI), " ", label, ": ", username_ent(v.handle)])
    if shop_username or rng.random() < 0.5:
        uname = shop_username or (v.handle[:20] + rng.choice(["_shop", "_channel", "_menu", "info"]))
        v.contacts.append(["➡️ ", public_link_ent(uname, rng)])
    if rng.random() < 0.4:
        surface, value = ids.phone(rng, PHONE_COUNTRY[v.lang])
        v.contacts.append(["📞 ", Ent(surface, "phone", value, "phone")])
    if rng.random() < 0.3:
        v.contacts.append(["🔒 ", invite_link_ent(rng)])
    if rng.random() < 0.25:
        host = v.handle.lower().replace("_", "-") + "." + rng.choice(URL_TLDS)
        url = f"https://{host}/{rng.choice(URL_PATHS)}"
        v.contacts.append(["🌐 ", Ent(url, "url", url, "link")])
    if rng.random() < 0.2:
        onion = ids.onion_v3(rng)
        v.contacts.append(["🧅 ", Ent(onion, "onion", onion)])
    if rng.random() < 0.15:
        email = v.handle.lower() + "@" + rng.choice(EMAIL_DOMAINS)
        v.contacts.append(["✉️ ", Ent(email, "email", email, "email")])
    methods = PAYMENT_SURFACES[v.lang] + PAYMENT_SURFACES["common"]
    chosen = rng.sample(methods, rng.randint(1, 3))
    line: list[Piece] = [rng.choice(PAY_EMOJI), " ", rng.choice(vocab["pay"]), ": "]
    for i, (surface, canon) in enumerate(chosen):
        if i:
            line.append(", " if rng.random() < 0.7 else " / ")
        line.append(Ent(surface, "payment_method", canon))
    v.pay_line = line
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        kind = rng.choice(["btc", "btc", "tron", "eth", "xmr", "iban"])
        if kind == "btc":
            a = ids.btc_address(rng)
            v.wallets.append(["BTC: ", Ent(a, "btc", a.lower() if a.startswith("bc1") else a)])
        elif kind == "tron":
            a = ids.tron_address(rng)
            v.wallets.append(["USDT TRC20: ", Ent(a, "tron", a)])
        elif kind == "eth":
            s, val = ids.eth_address(rng)
            v.wallets.append(["ETH: ", Ent(s, "eth", val)])
        elif kind == "xmr":
            a = ids.xmr_address(rng)
            v.wallets.append(["XMR: ", Ent(a, "xmr", a)])
        else:
            s, val = ids.iban(rng, IBAN_COUNTRY[v.lang])
            v.wallets.append(["IBAN: ", Ent(s, "iban", val)])


@dataclass
class OfferSpec:
    emoji: str
    emoji2: str
    header: str
    items: list[list]  # [item text, euro price]
    bullet: str
    tag: str | None
    contact_ids: list[int]
    wallet_ids: list[int]
    pay: bool
    price_style: tuple[str, str]
    shop: str | None = None
    upper: bool = False
    bold: bool = True
    layout: int = 0  # 0 plain lines, 1 items on one line, 2 blank lines between sections
    glyph_seed: int = 0
    glyph_n: int = 0


def _draw(cats: list[str], vocab: dict, rng: random.Random) -> tuple[list[str], list[list]]:
    """Headers and items ([item text, euro price]) for the categories, in the generator's draw order."""
    headers: list[str] = []
    items: list[list] = []
    for c in cats:
        hs, its = vocab["cats"][c]
        headers.append(rng.choice(hs))
        lo, hi = CATEGORY_PRICE[c]
        for it in rng.sample(its, min(len(its), rng.randint(1, 3) if len(cats) > 1 else rng.randint(2, 4))):
            items.append([it, lo * (hi / lo) ** rng.random()])
    return headers, items


def _side_rng(v: Vendor, n: int) -> random.Random:
    """A generator of its own for the rare re-draws, so the main stream (the rest of the corpus) stays as
    it was when nothing needs re-drawing."""
    return random.Random(v.uid * 1_000_003 + n)


def new_offer(
    v: Vendor, cats: list[str], vocab: dict, rng: random.Random, shop: str | None
) -> OfferSpec | None:
    """A new offer of the vendor, or None when the vendor has no item list left that it has not offered.

    Its item list differs from those of the vendor's earlier offers: two "campaigns" of one seller selling
    the same items under the same contacts could differ only in prices, emoji, order or header, which are
    the changes a re-post makes, so no analyst (and no ground truth worth scoring against) could tell them
    apart (docs/simulator.md, "Campaigns")."""
    headers, items = _draw(cats, vocab, rng)
    side = _side_rng(v, len(v.offered))
    for _ in range(60):
        if frozenset(it for it, _eur in items) not in v.offered:
            break
        headers, items = _draw(cats, vocab, side)
    else:
        return None
    v.offered.append(frozenset(it for it, _eur in items))
    style = v.price_style
    if rng.random() < 0.1:
        style = rng.choice(CRYPTO_PRICE_STYLES)
    n_contacts = len(v.contacts)
    contact_ids = sorted(rng.sample(range(n_contacts), min(n_contacts, rng.randint(1, 3))))
    if 0 not in contact_ids and rng.random() < 0.7:
        contact_ids = [0, *contact_ids]
    return OfferSpec(
        emoji=rng.choice(HEADER_EMOJI),
        emoji2=rng.choice(HEADER_EMOJI),
        header=" + ".join(headers),
        items=items,
        bullet=rng.choice(BULLETS),
        tag=rng.choice(vocab["tags"]) if rng.random() < 0.7 else None,
        contact_ids=contact_ids,
        wallet_ids=list(range(len(v.wallets))) if rng.random() < 0.6 else [],
        pay=rng.random() < 0.8,
        price_style=style,
        shop=shop,
        bold=rng.random() < 0.6,
    )


def new_scam(v: Vendor, vocab: dict, rng: random.Random) -> OfferSpec | None:
    """A new scam campaign: a pitch the scammer has not run yet (None when it has run them all), under the
    scammer's brand name. The brand is what tells two scammers' copies of one pitch apart (the pitches are
    few, and a pitch with only the handle changed is what a banned scammer posts from a new account, which
    the duplicate engine rightly keeps together)."""
    emoji = rng.choice(["🚀", "💰", "📈", "💸", "🤑"])
    emoji2 = rng.choice(["🚀", "💰", "📈", "✅"])
    pitch = rng.choice(vocab["scam"])
    if pitch in v.pitches:
        left = [p for p in vocab["scam"] if p not in v.pitches]
        if not left:
            return None
        pitch = _side_rng(v, len(v.pitches)).choice(left)
    v.pitches.append(pitch)
    brand = _side_rng(v, -1)
    return OfferSpec(
        emoji=emoji,
        emoji2=emoji2,
        header=pitch,
        shop=f"{brand.choice(SCAM_BRANDS[0])} {brand.choice(SCAM_BRANDS[1])}",
        items=[],
        bullet="",
        tag=None,
        contact_ids=[0],
        wallet_ids=list(range(len(v.wallets))),
        pay=False,
        price_style=v.price_style,
        bold=rng.random() < 0.5,
    )


MUTATIONS = ("emoji", "price", "layout", "glyph", "contact", "case", "tag", "bullet", "style")


def mutate(spec: OfferSpec, v: Vendor, vocab: dict, rng: random.Random, lang: str) -> OfferSpec:
    """One re-post variant: the spec with one or two of the changes vendors make between posts."""
    s = dataclasses.replace(
        spec,
        items=[list(it) for it in spec.items],
        contact_ids=list(spec.contact_ids),
        wallet_ids=list(spec.wallet_ids),
    )
    for kind in rng.sample(MUTATIONS, rng.choice([1, 1, 2])):
        if kind == "emoji":
            s.emoji, s.emoji2 = rng.choice(HEADER_EMOJI), rng.choice([*HEADER_EMOJI, ""])
        elif kind == "price" and s.items:
            it = rng.choice(s.items)
            it[1] *= rng.choice([0.8, 0.85, 0.9, 1.1, 1.15, 1.25])
        elif kind == "layout":
            s.layout = rng.choice([x for x in (0, 1, 2) if x != s.layout])
        elif kind == "glyph":
            s.glyph_seed, s.glyph_n = rng.randrange(1 << 30), rng.randint(1, 3)
        elif kind == "contact":
            unused = [i for i in range(len(v.contacts)) if i not in s.contact_ids]
            if unused and (len(s.contact_ids) == 1 or rng.random() < 0.5):
                s.contact_ids = sorted([*s.contact_ids, rng.choice(unused)])
            elif len(s.contact_ids) > 1:
                s.contact_ids.remove(rng.choice(s.contact_ids))
        elif kind == "case":
            s.upper = not s.upper
        elif kind == "tag":
            s.tag = rng.choice([*vocab["tags"], None])
        elif kind == "bullet" and s.items:
            s.bullet = rng.choice(BULLETS)
        elif kind == "style" and s.items:
            s.price_style = rng.choice(PRICE_STYLES[lang] + CRYPTO_PRICE_STYLES[:1])
        else:
            s.emoji2 = rng.choice(HEADER_EMOJI)
    return s


def render_offer(s: OfferSpec, v: Vendor, lang: str) -> Lines:
    grng = random.Random(s.glyph_seed)
    to_cyr = lang != "ru"

    def g(text: str) -> str:
        return lookalike(text, grng, s.glyph_n, to_cyr) if s.glyph_n else text

    header = g(s.header.upper() if s.upper else s.header)
    head_text = f"{s.emoji} {header} {s.emoji2}".strip()
    lines: Lines = [[Bold(head_text) if s.bold else head_text]]
    if s.shop:
        lines.append([s.shop])
    item_pieces = [[f"{s.bullet} {g(t)} - ", price_ent(eur, s.price_style)] for t, eur in s.items]
    if s.layout == 2:
        lines.append([])
    if s.layout == 1 and item_pieces:
        joined: list[Piece] = []
        for i, p in enumerate(item_pieces):
            joined += ([" | "] if i else []) + [p[0].removeprefix(s.bullet + " "), p[1]]
        lines.append(joined)
    else:
        lines.extend(item_pieces)
    if s.tag:
        lines.append([g(s.tag)])
    if s.layout == 2:
        lines.append([])
    lines.extend(v.contacts[i] for i in s.contact_ids)
    if s.pay and v.pay_line:
        lines.append(v.pay_line)
    lines.extend(v.wallets[i] for i in s.wallet_ids)
    return lines
