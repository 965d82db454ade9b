"""Incremental near-duplicate clustering of stored messages: new messages join the clusters already in the
store without recomputing the corpus.

``tgintel analyze`` calls :func:`assign_clusters` once per batch (before ``store.save_analysis``, which writes
``messages.norm_hash`` and ``messages.cluster_id`` from its result). Every lookup is by primary key or an
indexed band key, so the cost of a batch follows the batch: a day of new messages into a 10M-message store
costs the same as into an empty one, apart from the B-tree depth.

The rules are those of :class:`tgintel.detect.duplicates.NearDuplicateIndex` (exact → placeholder text →
verified MinHash LSH neighbours, clusters = connected components, the older cluster keeps its id on a merge),
so a store clustered batch by batch holds the same clusters as one in-memory pass over the same messages in
the same order (tests/duplicates/test_incremental.py checks this).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tgintel.detect.duplicates import (
    MAX_BUCKET,
    cluster_id_for,
    contact_keys,
    exact_hash,
    hash64,
    media_cluster_id,
    product_keys,
)
from tgintel.detect.minhash import (
    MinHashParams,
    Similarity,
    band_keys,
    shingle_hashes,
    shingle_sets,
    signatures,
)
from tgintel.detect.normalize import normalize, placeholder_form
from tgintel.model import Message
from tgintel.store.clusters import ClusterBatch, ClusterStore, Member

__all__ = ["TextMemo", "assign_clusters"]

#: What the exact stage knows about one raw text: (normalised text, its exact hash, hash of the raw text).
TextFacts = tuple[str, str, str]


class TextMemo:
    """Raw text → :data:`TextFacts`, kept by the caller across the batches of one run.

    ~96% of market posts repeat a text byte for byte, so one ``tgintel analyze`` run normalises and hashes
    each distinct text once instead of once per batch it appears in. Only pure functions of the text are
    kept (never cluster ids, which a later merge can change), so a memo can't go stale."""

    def __init__(self, max_size: int = 200_000) -> None:
        self.max_size = max_size
        self.facts: dict[str, TextFacts] = {}

    def normalized(self, text: str) -> str:
        """:func:`~tgintel.detect.normalize.normalize` of ``text``, memoised."""
        return self.get(text)[0]

    def get(self, text: str) -> TextFacts:
        facts = self.facts.get(text)
        if facts is None:
            if len(self.facts) >= self.max_size:
                self.facts.clear()
            norm = normalize(text) if text else ""
            facts = self.facts[text] = (norm, exact_hash(norm), exact_hash(text)) if norm else ("", "", "")
        return facts


_DEFAULT_PARAMS: MinHashParams | None = None


def _params() -> MinHashParams:
    global _DEFAULT_PARAMS
    if _DEFAULT_PARAMS is None:
        _DEFAULT_PARAMS = MinHashParams()
    return _DEFAULT_PARAMS


def _contact_set(text: str) -> frozenset[int]:
    return frozenset(int(h, 16) for h in text.split())


def _sets_for(texts: list[str], params: MinHashParams) -> list[np.ndarray]:
    h, offs = shingle_hashes(texts, params.shingle)
    return shingle_sets(h, offs)


def assign_clusters(
    store: ClusterStore,
    batch: Sequence[tuple[int, Message]],
    *,
    similarity: Similarity | None = None,
    params: MinHashParams | None = None,
    max_bucket: int = MAX_BUCKET,
    memo: TextMemo | None = None,
) -> dict[int, tuple[str | None, str]]:
    """Cluster a batch of stored messages and persist the result; ``pk → (norm_hash, cluster_id)``.

    ``norm_hash`` is :func:`~tgintel.detect.duplicates.exact_hash` of the normalised text (None for a post
    without text). Text posts cluster by text; text-less posts by their attachment's Telegram file id, else
    with the stored original they were forwarded from. Service messages and empty posts are absent from the
    result. Calling it again for the same messages changes nothing. ``similarity`` and ``params`` must stay
    the same for the life of a store (band keys and past decisions depend on them). ``memo``: pass one
    :class:`TextMemo` to every batch of a run so each distinct text is normalised once per run."""
    params = params or _params()
    similarity = similarity or Similarity()
    memo = memo or TextMemo()
    texts: list[tuple[int, Message, str, str, str]] = []  # pk, message, norm, exact hash, raw hash
    other: dict[int, str] = {}  # pk -> cluster id for text-less posts
    origins: list[tuple[int, tuple[int, int]]] = []
    facts_of = memo.get
    for pk, m in batch:
        if m.kind != "message":
            continue
        norm, eh, raw = facts_of(m.text)  # most of a batch repeats a text byte for byte
        if norm:
            texts.append((pk, m, norm, eh, raw))
        elif m.media is not None and m.media.file_id:
            other[pk] = media_cluster_id(m.media.file_id)
        elif m.fwd_channel_id is not None and m.fwd_msg_id is not None:
            origins.append((pk, (m.fwd_channel_id, m.fwd_msg_id)))
    if origins:
        found = store.member_clusters([o for _, o in origins])
        other.update({pk: found[o] for pk, o in origins if o in found})

    # 1-2. exact, then placeholder text.
    node_of_exact = store.dup_exact_nodes(sorted({t[3] for t in texts}))
    new_exact: dict[str, str] = {}
    ph_of: dict[str, tuple[str, str]] = {}  # node hash -> (matching text, contacts) of its first text
    for _pk, _m, norm, eh, _raw in texts:
        if eh not in node_of_exact and eh not in new_exact:
            ph = placeholder_form(norm)
            nh = f"{hash64(ph):016x}"
            new_exact[eh] = nh
            if nh not in ph_of:
                ph_of[nh] = (ph, " ".join(f"{c:016x}" for c in sorted(contact_keys(norm))))
    known = store.dup_nodes(sorted(set(node_of_exact.values()) | set(ph_of)))
    new_nodes = [nh for nh in ph_of if nh not in known]  # first-appearance order (dicts keep it)

    # 3. verified LSH neighbours of the new nodes.
    cluster_of: dict[str, str] = {nh: c for nh, (_s, c) in known.items()}
    parent: dict[str, str] = {}
    founder: dict[str, int] = {}
    batch_rows = ClusterBatch(exact=list(new_exact.items()))
    if new_nodes:
        _link_new_nodes(
            store, new_nodes, ph_of, cluster_of, parent, founder, batch_rows, similarity, params, max_bucket
        )

    def find(c: str) -> str:
        while parent.get(c, c) != c:
            c = parent[c]
        return c

    fresh = set(new_nodes)
    existing = {c for nh, c in cluster_of.items() if nh not in fresh}
    batch_rows.merges = {c: find(c) for c in sorted(existing) if find(c) != c}
    batch_rows.nodes = [(nh, s, find(c), t, k) for nh, s, c, t, k in batch_rows.nodes]

    out: dict[int, tuple[str | None, str]] = {}
    members: list[Member] = []
    resolved: dict[str, str] = {}  # exact hash -> current cluster id, for this batch
    for pk, m, _norm, eh, raw in texts:
        cid = resolved.get(eh)
        if cid is None:
            cid = resolved[eh] = find(cluster_of[node_of_exact.get(eh) or new_exact[eh]])
        out[pk] = (eh, cid)
        members.append(_member(pk, m, cid, eh, raw))
    by_pk = dict(batch)
    for pk, cid in other.items():
        cid = find(cid)
        out[pk] = (None, cid)
        members.append(_member(pk, by_pk[pk], cid, None, None))
    batch_rows.members = members
    store.save_cluster_batch(batch_rows)
    return out


def _member(pk: int, m: Message, cid: str, eh: str | None, raw: str | None) -> Member:
    return Member(
        pk, cid, eh, m.channel_id, int(m.date.timestamp()), m.sender_key, m.fwd_channel_id is not None, raw
    )


def _link_new_nodes(
    store: ClusterStore,
    new_nodes: list[str],
    ph_of: dict[str, tuple[str, str]],
    cluster_of: dict[str, str],
    parent: dict[str, str],
    founder: dict[str, int],
    rows: ClusterBatch,
    similar: Similarity,
    params: MinHashParams,
    max_bucket: int,
) -> None:
    """Give each new node its band keys, verify its candidates and union clusters (in first-seen order)."""
    texts = [ph_of[nh][0] for nh in new_nodes]
    h, offs = shingle_hashes(texts, params.shingle)
    keys = band_keys(signatures(h, offs, params), params).tolist()
    sets = dict(zip(new_nodes, shingle_sets(h, offs), strict=True))
    contacts = {nh: _contact_set(ph_of[nh][1]) for nh in new_nodes}
    products = {nh: product_keys(ph_of[nh][0]) for nh in new_nodes}
    buckets = store.dup_band_members([k for ks in keys for k in ks])
    stored = sorted({nh for b in buckets.values() for _s, nh in b})
    if stored:
        info = store.dup_nodes(stored)
        cluster_of.update({nh: c for nh, (_s, c) in info.items()})
        stored_texts = store.dup_node_texts(stored)
        order = list(stored_texts)
        sets.update(zip(order, _sets_for([stored_texts[n][0] for n in order], params), strict=True))
        contacts.update({n: _contact_set(stored_texts[n][1]) for n in order})
        products.update({n: product_keys(stored_texts[n][0]) for n in order})
        founder.update(store.dup_founder_seqs(sorted({cluster_of[n] for n in stored})))
    seq = store.dup_next_seq()

    def find(c: str) -> str:
        while parent.get(c, c) != c:
            nxt = parent[c]
            parent[c] = parent.get(nxt, nxt)
            c = nxt
        return c

    for nh, node_keys in zip(new_nodes, keys, strict=True):
        cid = cluster_id_for(int(nh, 16))
        cluster_of[nh] = cid
        founder[cid] = seq
        rows.nodes.append((nh, seq, cid, *ph_of[nh]))
        candidates: dict[str, int] = {}
        for bk in node_keys:
            bucket = buckets.setdefault(bk, [])
            for _s, c in bucket:
                candidates[c] = candidates.get(c, 0) + 1
            if len(bucket) < max_bucket:
                bucket.append((seq, nh))
                rows.bands.append((bk, nh, seq))
        mine, my_contacts, my_products = sets[nh], contacts[nh], products[nh]
        for c in sorted(candidates, key=lambda c: (-candidates[c], c)):
            rc, rn = find(cluster_of[c]), find(cid)
            if rc != rn and similar(mine, sets[c], my_contacts, contacts[c], my_products, products[c]):
                lo, hi = (rc, rn) if founder[rc] < founder[rn] else (rn, rc)
                parent[hi] = lo
        seq += 1
