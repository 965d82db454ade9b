"""The simulated market: channels, people, campaigns, and the stream of posts they make.

Built in two phases so the default study (≈668k messages) stays fast: first the *unique* texts (each
campaign's variants, the chatter pool, moderation notices; about 4% of the messages), rendered once with
their entities; then the *stream*: per channel, which slot holds which text, by whom, when, vectorised with
numpy. Heavy tails come from lognormal channel sizes and Pareto vendor activity and reach, which is what
makes a few channels and a few distributors dominate as in published studies.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np

from tgintel.sources.simulate import offers as of
from tgintel.sources.simulate.market import (
    CHANNEL_PLACES,
    CHANNEL_WORDS,
    CHAT_EMOJI,
    FIRST_NAMES,
    HANDLE_PARTS,
    PRICE_STYLES,
)
from tgintel.sources.simulate.text import Lines, Rendered, render

LANGS = ("en", "nl", "de", "ru", "fi")
LANG_WEIGHTS = (0.3, 0.15, 0.15, 0.3, 0.1)
# The taxonomy's category names (tgintel.detect.classify.taxonomy, a test keeps them equal; not imported
# because that package loads the classifier) and the share of vendors per category.
CATEGORIES = (
    "drugs", "weapons", "stolen_data", "financial_fraud", "counterfeit_documents", "counterfeit_goods",
    "cybercrime_tools", "sexual_exploitation", "csam_indicator", "violent_content", "sanctions_evasion",
)  # fmt: skip
CATEGORY_WEIGHTS = (0.38, 0.06, 0.12, 0.1, 0.08, 0.06, 0.08, 0.05, 0.01, 0.03, 0.03)
assert len(CATEGORY_WEIGHTS) == len(CATEGORIES)
# Pairs that real vendors sell together, for multi-label offers.
CATEGORY_PAIRS = (
    ("stolen_data", "financial_fraud"),
    ("stolen_data", "cybercrime_tools"),
    ("counterfeit_documents", "financial_fraud"),
    ("drugs", "weapons"),
    ("counterfeit_documents", "stolen_data"),
)

# Content kinds of a stream slot.
OFFER, ALBUM_PART, CHATTER, MODERATION, SERVICE, MEDIA_ONLY = range(6)
SERVICE_ACTIONS = ("join_group_by_link", "pin_message", "invite_members", "remove_members")


@dataclass
class Text:
    """One unique text with its truth."""

    rendered: Rendered
    lang: str
    offer: bool
    categories: list[str]
    campaign: str | None
    content: str  # offer | scam | chatter | moderation
    cluster: str | None = None  # gold near-duplicate group: the campaign, or the chatter template


@dataclass
class SimChannel:
    idx: int
    id: int
    title: str
    username: str
    lang: str
    broadcast: bool
    weight: float
    owner: int | None = None  # vendor index of a broadcast channel's owner
    vendors: list[int] = field(default_factory=list)
    admin: int = 0  # user index


@dataclass
class Campaign:
    idx: int
    vendor: int
    cats: list[str]
    spec: of.OfferSpec
    start: float  # seconds from study start
    end: float
    weight: float
    scam: bool
    n_posts: int = 0
    first_text: int = 0  # index of its first variant in the text table
    n_variants: int = 0


@dataclass
class User:
    uid: int
    name: str
    lang: str


class World:
    """Everything generated, deterministic for a (seed, parameters)."""

    def __init__(
        self,
        *,
        channels: int,
        days: int,
        seed: int,
        repetition: float,
        vocab: dict,
        per_day: float,
        template_set: str,
    ) -> None:
        self.rng = random.Random(seed)
        self.np = np.random.default_rng(seed)
        self.n_channels = channels
        self.days = days
        self.period = days * 86400
        self.repetition = repetition
        self.vocab = vocab
        self.template_set = template_set
        self.total_target = max(channels, round(channels * days * per_day))
        self.used_ids: set[int] = set()
        self.used_handles: set[str] = set()
        self.texts: list[Text] = []
        self.text_index: dict[str, int] = {}
        self.users: list[User] = []
        self.vendors: list[of.Vendor] = []
        self.campaigns: list[Campaign] = []
        self.channels: list[SimChannel] = []

    # ---- identities -------------------------------------------------------------------------------------
    def new_id(self, lo: int, hi: int) -> int:
        while True:
            x = self.rng.randrange(lo, hi)
            if x not in self.used_ids:
                self.used_ids.add(x)
                return x

    def new_handle(self, lang: str) -> str:
        rng = self.rng
        while True:
            a, b = rng.choice(HANDLE_PARTS[0]), rng.choice(HANDLE_PARTS[1])
            style = rng.random()
            if style < 0.3:
                h = f"{a.capitalize()}{b.capitalize()}_{lang.upper()}"
            elif style < 0.6:
                h = f"{a}_{b}{rng.randrange(10, 999)}"
            else:
                h = f"{a}{b}{rng.choice(['', 'x', 'official', 'bot', 'team', '24'])}"
            if len(h) >= 5 and h.lower() not in self.used_handles:
                self.used_handles.add(h.lower())
                return h

    def new_user(self, lang: str) -> int:
        name = self.rng.choice(FIRST_NAMES[lang])
        if self.rng.random() < 0.5:
            name += " " + self.rng.choice("ABCDEFGHKLMNPRSTV") + "."
        self.users.append(User(self.new_id(100_000_000, 7_999_999_999), name, lang))
        return len(self.users) - 1

    # ---- phase 1: structure -----------------------------------------------------------------------------
    def build(self) -> None:
        rng = self.rng
        n = self.n_channels
        langs = [LANGS[i] for i in range(min(n, len(LANGS)))]
        langs += rng.choices(LANGS, LANG_WEIGHTS, k=n - len(langs))
        rng.shuffle(langs)
        sizes = self.np.lognormal(0.0, 1.3, n)
        for i, lang in enumerate(langs):
            broadcast = rng.random() < 0.3
            title = f"{rng.choice(CHANNEL_WORDS[lang])} {rng.choice(CHANNEL_PLACES[lang])}"
            username = self.new_handle(lang) if broadcast else f"{title.split()[0]}_{lang}_{i}".lower()
            username = "".join(c for c in username if c.isascii() and (c.isalnum() or c == "_"))
            if not username[:1].isalpha():
                username = "c" + username
            if broadcast:
                title = f"{username} {rng.choice(['Shop', 'Store', 'Official', 'Menu'])}"
            self.channels.append(
                SimChannel(
                    i,
                    self.new_id(1_000_000_000, 2_999_999_999),
                    title,
                    username,
                    lang,
                    broadcast,
                    float(sizes[i]),
                )
            )
        self._people()
        self._campaigns()

    def _people(self) -> None:
        rng = self.rng
        n_vendors = max(len(LANGS) * 2, round(self.n_channels * 4))
        by_lang: dict[str, list[SimChannel]] = {
            lang: [c for c in self.channels if c.lang == lang] for lang in LANGS
        }
        present = [lang for lang in LANGS if by_lang[lang]]
        lang_w = [sum(c.weight for c in by_lang[lang]) for lang in present]
        activity = self.np.pareto(1.3, n_vendors) + 0.2
        reach = self.np.pareto(1.1, n_vendors)
        for i in range(n_vendors):
            lang = present[i] if i < len(present) else rng.choices(present, lang_w)[0]
            handle = self.new_handle(lang)
            scam = rng.random() < 0.07
            if scam:
                cats = ["financial_fraud"]
            elif rng.random() < 0.12:
                cats = list(rng.choice(CATEGORY_PAIRS))
            else:
                cats = [rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0]]
            v = of.Vendor(
                idx=i,
                uid=self.new_id(100_000_000, 7_999_999_999),
                handle=handle,
                name=handle.replace("_", " ") if rng.random() < 0.5 else rng.choice(FIRST_NAMES[lang]),
                lang=lang,
                weight=float(activity[i]),
                cats=cats,
                scam=scam,
                price_style=rng.choice(PRICE_STYLES[lang]),
            )
            pool = by_lang[lang] if lang != "en" or rng.random() < 0.7 else self.channels
            k = max(1, min(len(pool), int(1 + reach[i] * 2)))
            w = np.array([c.weight for c in pool])
            picks = self.np.choice(len(pool), size=k, replace=False, p=w / w.sum())
            v.channels = sorted(pool[j].idx for j in picks)
            self.vendors.append(v)
        # Broadcast channels belong to one vendor each (their shop); groups have vendors posting in them.
        for c in self.channels:
            if c.broadcast:
                same = [v for v in self.vendors if v.lang == c.lang and v.shop_channel is None and not v.scam]
                owner = max(same, key=lambda v: v.weight) if same else self.vendors[0]
                if owner.shop_channel is None:
                    owner.shop_channel = c.idx
                c.owner = owner.idx
                if c.idx not in owner.channels:
                    owner.channels.append(c.idx)
        for v in self.vendors:
            for ci in v.channels:
                self.channels[ci].vendors.append(v.idx)
        for c in self.channels:
            if not c.vendors:
                v = rng.choice(self.vendors)
                v.channels.append(c.idx)
                c.vendors.append(v.idx)
        self.fwd_names: list[str] = []
        for v in self.vendors:
            self.users.append(User(v.uid, v.name, v.lang))
            v.user = len(self.users) - 1
            self.fwd_names.append(
                self.channels[v.shop_channel].title if v.shop_channel is not None else v.name
            )
            v.fwd_name = len(self.fwd_names) - 1
            shop_user = self.channels[v.shop_channel].username if v.shop_channel is not None else None
            of.build_vendor_contacts(v, self.vocab[v.lang], rng, shop_user)
        # Chatter users come from a pool per language; popular ones talk in several groups.
        self.chat_pool: dict[str, list[int]] = {}
        for lang in present:
            size = max(20, round(sum(1 for c in by_lang[lang] if not c.broadcast) * 150))
            self.chat_pool[lang] = [self.new_user(lang) for _ in range(size)]
        admins = {
            lang: [self.new_user(lang) for _ in range(max(1, len(by_lang[lang]) // 3))] for lang in present
        }
        for c in self.channels:
            c.admin = rng.choice(admins[c.lang])

    def _campaigns(self) -> None:
        rng = self.rng
        text_share = 0.93
        uniques = (1 - self.repetition) * self.total_target * text_share
        target = max(len(self.vendors), round(uniques * 0.75 / 12))
        shares = self.np.dirichlet(np.full(len(self.vendors), 1.0)) * target
        for v in self.vendors:
            n = max(1, min(8, round(shares[v.idx])))
            shop = None
            if rng.random() < 0.5:
                shop = f"{rng.choice(self.vocab[v.lang]['shop'])} {v.handle.replace('_', ' ')}"
            for _ in range(n):
                spec = (
                    of.new_scam(v, self.vocab[v.lang], rng)
                    if v.scam
                    else of.new_offer(v, v.cats, self.vocab[v.lang], rng, shop)
                )
                if spec is None:  # no distinct offer left for this vendor (offers.new_offer, new_scam)
                    break
                dur = min(self.period, 86400 * max(1.0, float(self.np.lognormal(np.log(21), 0.8))))
                # windows may begin before or end after the study period, as real campaigns do
                start = rng.uniform(-0.7 * dur, self.period - 0.3 * dur)
                end = min(self.period, start + dur)
                start = max(0.0, start)
                self.campaigns.append(
                    Campaign(
                        len(self.campaigns), v.idx, v.cats, spec, start, end, rng.uniform(0.3, 1.0), v.scam
                    )
                )

    # ---- unique texts -----------------------------------------------------------------------------------
    def add_text(
        self,
        lines: Lines,
        lang: str,
        offer: bool,
        cats: list[str],
        campaign: str | None,
        content: str,
        cluster: str | None = None,
    ) -> int | None:
        r = render(lines)
        if r.text in self.text_index or not r.text.strip():
            return None
        self.text_index[r.text] = len(self.texts)
        self.texts.append(Text(r, lang, offer, cats, campaign, content, cluster or campaign))
        return len(self.texts) - 1

    def campaign_texts(self, c: Campaign, k: int) -> None:
        """Render ``k`` distinct variants of the campaign, each derived from the one before."""
        v = self.vendors[c.vendor]
        vocab = self.vocab[v.lang]
        cid = f"c{c.idx:05d}"
        spec = c.spec
        first = len(self.texts)
        content = "scam" if c.scam else "offer"
        tries = 0
        while len(self.texts) - first < k and tries < k * 30:
            tries += 1
            lines = of.render_offer(spec, v, v.lang)
            if self.add_text(lines, v.lang, True, list(c.cats), cid, content) is None:
                spec = of.mutate(spec, v, vocab, self.rng, v.lang)
                continue
            spec = of.mutate(spec, v, vocab, self.rng, v.lang)
        c.first_text, c.n_variants = first, len(self.texts) - first

    def chatter_text(self, lang: str) -> tuple[Lines, str]:
        """A composed chatter text and its gold near-duplicate group (the template it was made from)."""
        rng = self.rng
        vocab = self.vocab[lang]
        tag = f"{self.template_set}-{lang}"
        r = rng.random()
        if r < 0.3:
            kind = "ask" if r < 0.2 else "warn"
            k = rng.randrange(len(vocab[kind]))
            v = self.vendors[rng.randrange(len(self.vendors))]
            before, _, after = vocab[kind][k].partition("{h}")
            line: list = [before, of.username_ent(v.handle), after]
            if rng.random() < 0.5:
                line.append(" " + rng.choice(CHAT_EMOJI))
            return [[p for p in line if p != ""]], f"{kind}-{tag}-{k}"
        body = rng.randrange(len(vocab["chat_body"]))
        parts = [
            rng.choice(vocab["chat_open"]),
            vocab["chat_body"][body],
            rng.choice(vocab["chat_close"]),
            rng.choice(CHAT_EMOJI),
        ]
        if rng.random() < 0.3:
            parts[0] = parts[0].capitalize()
        sep = rng.choice([" ", ", ", " - "])
        text = sep.join(p for p in parts[:2] if p) + (" " + parts[2] if parts[2] else "")
        text += ("?" if rng.random() < 0.3 else "") + (" " + parts[3] if parts[3] else "")
        return [[text]], f"chat-{tag}-{body}"

    def moderation_texts(self, c: SimChannel) -> list[int]:
        """One to three notices per channel; the same template is the same campaign in every channel."""
        vocab = self.vocab[c.lang]
        out = []
        admin_handle = f"{c.username[:24]}_admin"
        for k in self.rng.sample(range(len(vocab["mod"])), min(len(vocab["mod"]), self.rng.randint(1, 3))):
            before, _, after = vocab["mod"][k].partition("{h}")
            line = [before] + ([of.username_ent(admin_handle), after] if _ else [])
            campaign = f"m-{self.template_set}-{c.lang}-{k}"
            lines = [["⚠️ ", *[p for p in line if p != ""]]]
            t = self.add_text(lines, c.lang, False, [], campaign, "moderation")
            if t is None:  # the same notice already exists (no handle in it): reuse it
                t = self.text_index[render(lines).text]
            out.append(t)
        return out
