"""Phase two of the simulation: who posts which text where and when, per channel, as numpy arrays.

The unique-text budget is fixed here: ``repetition`` r means that of T text messages about (1 - r)·T carry
a text not seen before. The budget is split between campaign variants (most), chatter and moderation
notices; every unique text is used at least once, the rest of the slots re-use texts with heavy-tailed
weights, and a campaign's variants follow each other in time (vendors edit their ad as weeks go by).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tgintel.sources.simulate.world import (
    ALBUM_PART,
    CHATTER,
    MEDIA_ONLY,
    MODERATION,
    OFFER,
    SERVICE,
    World,
)

NO_MEDIA, PHOTO, VIDEO, STICKER = range(4)
CHANNEL_ACTOR = -1  # the channel posting as itself


@dataclass
class ChannelStream:
    """One channel's messages in id order (index = id - 1)."""

    ts: np.ndarray  # int64 Unix seconds offset from study start
    kind: np.ndarray  # OFFER, ALBUM_PART, …
    ref: np.ndarray  # text index (messages with text), action code (service), -1
    actor: np.ndarray  # user index or CHANNEL_ACTOR
    fwd: np.ndarray  # index into World.fwd_names or -1
    media: np.ndarray
    album: np.ndarray  # album group number or -1
    reply: np.ndarray  # replied-to message id or 0
    edited: np.ndarray  # seconds after ts, 0 if never edited


def _zipf_weights(n: int, s: float = 1.1) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** s
    return w / w.sum()


def plan(w: World) -> list[ChannelStream]:
    g = w.np
    chans = w.channels
    weights = np.array([c.weight for c in chans])
    counts = g.multinomial(w.total_target - 5 * len(chans), weights / weights.sum()) + 5
    album_p, album_mean = 0.04, 2.0
    comp = []
    for c, n in zip(chans, counts, strict=True):
        # shares of offers, chatter, moderation, service, media without text
        p = [0.95, 0.0, 0.01, 0.02, 0.02] if c.broadcast else [0.70, 0.235, 0.015, 0.03, 0.02]
        k = g.multinomial(int(n), p)
        k[0] = max(1, round(k[0] / (1 + album_p * album_mean)))
        comp.append(k)
    comp_arr = np.array(comp)

    # -- offers: pick a campaign per slot, a time inside its window --------------------------------------
    camp_vendor = np.array([cp.vendor for cp in w.campaigns])
    camp_w = np.array([w.vendors[cp.vendor].weight * cp.weight for cp in w.campaigns])
    camp_start = np.array([cp.start for cp in w.campaigns])
    camp_len = np.array([cp.end - cp.start for cp in w.campaigns])
    by_vendor: dict[int, list[int]] = {}
    for cp in w.campaigns:
        by_vendor.setdefault(cp.vendor, []).append(cp.idx)
    offer_ch, offer_camp = [], []
    for c, k in zip(chans, comp_arr[:, 0], strict=True):
        cand = np.array([i for v in c.vendors for i in by_vendor.get(v, [])])
        p = camp_w[cand].copy()
        if c.broadcast and c.owner is not None:
            own = camp_vendor[cand] == c.owner
            if own.any() and (~own).any():
                p[own] *= 0.6 / p[own].sum()
                p[~own] *= 0.4 / p[~own].sum()
        offer_camp.append(g.choice(cand, size=int(k), p=p / p.sum()))
        offer_ch.append(np.full(int(k), c.idx))
    o_camp = np.concatenate(offer_camp)
    o_ch = np.concatenate(offer_ch)
    o_ts = camp_start[o_camp] + g.random(len(o_camp)) * camp_len[o_camp]
    n_posts = np.bincount(o_camp, minlength=len(w.campaigns))

    # -- unique-text budget -------------------------------------------------------------------------------
    mod_texts = {c.idx: w.moderation_texts(c) for c, k in zip(chans, comp_arr[:, 2], strict=True) if k}
    chat_slots: dict[str, int] = {}
    for c, k in zip(chans, comp_arr[:, 1], strict=True):
        chat_slots[c.lang] = chat_slots.get(c.lang, 0) + int(k)
    text_total = int(comp_arr[:, 0].sum() + comp_arr[:, 1].sum() + comp_arr[:, 2].sum())
    uniques = max(1, round((1 - w.repetition) * text_total))
    short_share = 0.15
    chat_pools: dict[str, list[int]] = {}
    short_pools: dict[str, list[int]] = {}
    for lang, slots in sorted(chat_slots.items()):
        if not slots:
            continue
        short_pools[lang] = []
        for k, s in enumerate(w.vocab[lang]["chat_short"]):
            t = w.add_text([[s]], lang, False, [], None, "chatter", f"short-{w.template_set}-{lang}-{k}")
            short_pools[lang].append(t if t is not None else w.text_index[s])
    budget_chat = min(round(uniques * 0.2), round(0.5 * sum(chat_slots.values())))
    used = len(w.texts)
    budget_offer = max(int((n_posts > 0).sum()), uniques - used - budget_chat)
    # variants per campaign: ~ posts^0.8, at least one, at most one per post
    live = n_posts > 0
    raw = np.where(live, n_posts.astype(float) ** 0.8, 0.0)
    k = np.where(live, np.maximum(1, np.floor(raw / raw.sum() * budget_offer)), 0).astype(int)
    k = np.minimum(k, n_posts)
    order = np.argsort(-n_posts, kind="stable")
    deficit = budget_offer - int(k.sum())
    while deficit > 0:
        moved = 0
        for i in order:
            if deficit <= 0 or n_posts[i] == 0:
                break
            if k[i] < n_posts[i]:
                k[i] += 1
                deficit -= 1
                moved += 1
        if not moved:
            break
    for cp in w.campaigns:
        if k[cp.idx]:
            w.campaign_texts(cp, int(k[cp.idx]))
    # chatter pools per language, share of the budget proportional to slots
    total_chat = sum(chat_slots.values()) or 1
    for lang, slots in sorted(chat_slots.items()):
        if not slots:
            continue
        want = max(1, min(round(budget_chat * slots / total_chat), round(slots * (1 - short_share))))
        pool: list[int] = []
        tries = 0
        while len(pool) < want and tries < want * 20:
            tries += 1
            lines, group = w.chatter_text(lang)
            t = w.add_text(lines, lang, False, [], None, "chatter", group)
            if t is not None:
                pool.append(t)
        chat_pools[lang] = pool

    # -- variants follow each other in time ---------------------------------------------------------------
    order = np.lexsort((o_ts, o_camp))
    rank = np.empty(len(order), dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(n_posts)[:-1]))
    rank[order] = np.arange(len(order)) - starts[o_camp[order]]
    first = np.array([cp.first_text for cp in w.campaigns])
    nvar = np.array([max(1, cp.n_variants) for cp in w.campaigns])
    o_text = first[o_camp] + rank * nvar[o_camp] // np.maximum(1, n_posts[o_camp])

    # -- fill every channel -------------------------------------------------------------------------------
    vendor_user = np.array([v.user for v in w.vendors])
    fwd_vendor = np.array([v.fwd_name for v in w.vendors])
    chat_used: dict[str, int] = {lang: 0 for lang in chat_pools}
    streams = []
    album_no = 0
    per_ch = np.argsort(o_ch, kind="stable")
    bounds = np.concatenate(([0], np.cumsum(np.bincount(o_ch, minlength=len(chans)))))
    for c, kc in zip(chans, comp_arr, strict=True):
        blocks: list[tuple] = []

        def add(ts, kind, ref, actor, fwd=-1, media=NO_MEDIA, album=-1, edited=0, blocks=blocks):
            n = len(ts)
            blocks.append(
                tuple(
                    np.broadcast_to(np.asarray(x), (n,))
                    for x in (ts, kind, ref, actor, fwd, media, album, edited)
                )
            )

        sel = per_ch[bounds[c.idx] : bounds[c.idx + 1]]
        n_off = len(sel)
        vend = camp_vendor[o_camp[sel]]
        if c.broadcast:
            actor = np.full(n_off, CHANNEL_ACTOR)
            fwd = np.where(vend == c.owner, -1, fwd_vendor[vend])
        else:
            actor = vendor_user[vend]
            fwd = np.where(g.random(n_off) < 0.12, fwd_vendor[vend], -1)
        media = g.choice([PHOTO, VIDEO, NO_MEDIA], size=n_off, p=[0.55, 0.05, 0.40])
        album = np.full(n_off, -1)
        # albums: extra photo-only parts right after the captioned post
        is_album = np.flatnonzero(g.random(n_off) < album_p)
        if len(is_album):
            media[is_album] = PHOTO
            parts = g.integers(1, 4, len(is_album))
            idx = np.repeat(is_album, parts)
            gno = album_no + np.arange(len(is_album))
            album[is_album] = gno
            album_no += len(is_album)
            add(o_ts[sel][idx], ALBUM_PART, -1, actor[idx], fwd[idx], PHOTO, np.repeat(gno, parts))
        edited = np.where(g.random(n_off) < 0.04, g.integers(60, 86400, n_off), 0)
        add(o_ts[sel], OFFER, o_text[sel], actor, fwd, media, album, edited)
        # chatter by the group's members, heavy-tailed
        n_chat = int(kc[1])
        if n_chat and c.lang in chat_pools:
            pool_users = w.chat_pool[c.lang]
            m = min(len(pool_users), 10 + int(n_chat**0.75))
            pop = _zipf_weights(len(pool_users), 0.8)
            members = np.array(pool_users)[g.choice(len(pool_users), size=m, replace=False, p=pop)]
            who = members[g.choice(m, size=n_chat, p=_zipf_weights(m))]
            pool = chat_pools[c.lang]
            shorts = short_pools[c.lang]
            is_short = g.random(n_chat) < short_share
            txt = np.empty(n_chat, dtype=np.int64)
            n_short = int(is_short.sum())
            txt[is_short] = np.array(shorts)[
                g.choice(len(shorts), size=n_short, p=_zipf_weights(len(shorts)))
            ]
            n_long = n_chat - n_short
            fresh = min(n_long, len(pool) - chat_used[c.lang])
            long_txt = np.empty(n_long, dtype=np.int64)
            long_txt[:fresh] = pool[chat_used[c.lang] : chat_used[c.lang] + fresh]
            chat_used[c.lang] += fresh
            if n_long > fresh:
                long_txt[fresh:] = np.array(pool)[
                    g.choice(len(pool), size=n_long - fresh, p=_zipf_weights(len(pool), 0.9))
                ]
            txt[~is_short] = long_txt
            add(g.random(n_chat) * w.period, CHATTER, txt, who)
        # moderation notices, service messages, media without text
        n_mod, n_srv, n_med = int(kc[2]), int(kc[3]), int(kc[4])
        if n_mod:
            mt = np.array(mod_texts[c.idx])
            add(
                g.random(n_mod) * w.period,
                MODERATION,
                mt[g.integers(0, len(mt), n_mod)],
                CHANNEL_ACTOR if c.broadcast else c.admin,
            )
        if n_srv:
            if c.broadcast:
                add(g.random(n_srv) * w.period, SERVICE, 1, CHANNEL_ACTOR)
            else:
                act = g.choice(4, size=n_srv, p=[0.6, 0.15, 0.15, 0.1])
                who = np.full(n_srv, c.admin)
                joins = np.flatnonzero(act == 0)
                who[joins] = [w.new_user(c.lang) for _ in range(len(joins))]
                add(g.random(n_srv) * w.period, SERVICE, act, who)
        if n_med:
            if c.broadcast:
                add(g.random(n_med) * w.period, MEDIA_ONLY, -1, CHANNEL_ACTOR, -1, PHOTO)
            else:
                pool_users = np.array(w.chat_pool[c.lang])
                add(
                    g.random(n_med) * w.period,
                    MEDIA_ONLY,
                    -1,
                    pool_users[g.integers(0, len(pool_users), n_med)],
                    -1,
                    STICKER,
                )
        streams.append(_assemble(g, blocks))
    return streams


def _assemble(g: np.random.Generator, blocks: list[tuple]) -> ChannelStream:
    cols = [np.concatenate([b[i] for b in blocks]) for i in range(8)]
    t = cols[0].astype(np.int64)
    k = cols[1].astype(np.int8)
    sub = (k == ALBUM_PART).astype(np.int8)
    order = np.lexsort((sub, t))
    s = ChannelStream(
        ts=t[order],
        kind=k[order],
        ref=cols[2].astype(np.int64)[order],
        actor=cols[3].astype(np.int64)[order],
        fwd=cols[4].astype(np.int64)[order],
        media=cols[5].astype(np.int8)[order],
        album=cols[6].astype(np.int64)[order],
        reply=np.zeros(len(t), dtype=np.int64),
        edited=cols[7].astype(np.int64)[order],
    )
    # chatter answers a recent message now and then
    n = len(t)
    ids = np.arange(1, n + 1)
    chat = np.flatnonzero((s.kind == CHATTER) & (g.random(n) < 0.2) & (ids > 1))
    s.reply[chat] = np.maximum(1, ids[chat] - g.integers(1, 6, len(chat)))
    return s
