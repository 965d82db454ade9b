"""Exact and near-duplicate detection: which messages are copies or variants of one advert.

How a message finds its cluster (the same rules in this in-memory index, in the store-backed incremental
job :mod:`tgintel.jobs.cluster` and in the Spark job :mod:`tgintel.jobs.spark_dedupe`):

1. **Exact**: hash of :func:`~tgintel.detect.normalize.normalize` text. In crime-market channels most posts
   are exact repeats after normalisation, so a dict hit ends the work for most messages.
2. **Same text up to prices and contacts**: hash of the placeholder form (numbers → ``<num>``, links, handles
   and phones → ``<contact>``). Each distinct placeholder text is one *node*.
3. **Near duplicate**: a new node gets a MinHash signature over character 5-grams of its placeholder text;
   LSH bands find candidate nodes, and each candidate is *verified* by the exact Jaccard similarity of the
   two shingle sets. Only verified pairs (``>= threshold``) link nodes, so a chance band collision never
   merges two adverts.
4. Clusters are the connected components of verified links. A new node that links two existing clusters
   merges them; the surviving id is the older cluster's (its founder node was seen first), so ids are stable
   and every engine names a cluster the same way: ``c`` + the founder's placeholder hash.

Media-only posts are grouped by Telegram file id (``m`` + hash of the id) in :mod:`tgintel.jobs.cluster`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import msgspec
import numpy as np

from tgintel.detect.minhash import (
    MinHashParams,
    Similarity,
    band_keys,
    shingle_hashes,
    shingle_sets,
    signatures,
)
from tgintel.detect.normalize import contacts, normalize, placeholder_form, products

__all__ = [
    "DEFAULT_CONTAINMENT",
    "DEFAULT_THRESHOLD",
    "MAX_BUCKET",
    "NearDuplicateIndex",
    "cluster_id_for",
    "contact_keys",
    "exact_hash",
    "hash64",
    "media_cluster_id",
    "product_keys",
]

#: Jaccard similarity of character 5-gram sets (placeholder form) at or above which two texts are variants.
#: 0.5 keeps re-worded adverts of one campaign together while two different adverts built from the same
#: phrases stay apart; see docs/duplicates.md for the measurements behind it.
DEFAULT_THRESHOLD = 0.5
#: ... or when the shorter text lies at least this much inside the longer (header or contact block added).
DEFAULT_CONTAINMENT = 0.8
#: A band bucket remembers at most this many nodes (the first ones seen). Huge buckets only come from
#: boilerplate shared by thousands of variants, whose first members already connect any newcomer.
MAX_BUCKET = 32


def hash64(text: str) -> int:
    """blake2b-64 of the UTF-8 text as an unsigned int (stable across processes, unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest())


def exact_hash(normalised: str) -> str:
    """16 hex characters naming a normalised text: equal hashes mean exact duplicates."""
    return f"{hash64(normalised):016x}"


def contact_keys(normalised: str) -> frozenset[int]:
    """Hashes of the contacts a normalised text names (for the seller veto in verification)."""
    return frozenset(hash64(c) for c in contacts(normalised))


def product_keys(matching: str) -> frozenset[int]:
    """Hashes of the priced products a matching-form text names (for the offer check in verification)."""
    return frozenset(hash64(p) for p in products(matching))


def cluster_id_for(node_hash: int) -> str:
    return f"c{node_hash:016x}"


def media_cluster_id(file_id: str) -> str:
    """Cluster of a text-less post whose attachment has this Telegram file id."""
    return f"m{hash64(file_id):016x}"


class _State(msgspec.Struct):
    """What :meth:`NearDuplicateIndex.save` writes (msgpack; numpy arrays as raw bytes, no pickle)."""

    version: int
    params: dict[str, int]
    similarity: dict[str, float]
    max_bucket: int
    exact_keys: bytes
    exact_nodes: bytes
    node_hash: bytes
    parent: bytes
    count: bytes
    shingles: bytes
    shingle_offsets: bytes
    band_keys: bytes
    band_nodes: bytes
    band_offsets: bytes
    rep_keys: list[str]
    contacts: list[list[int]]
    products: list[list[int]] = []  # absent in version 1 files: those nodes skip the product check


class NearDuplicateIndex:
    """An in-memory near-duplicate index: ``add(key, text)`` returns the text's cluster id.

    The state is explicit and can be saved and loaded (:meth:`save`, :meth:`load`), so the DB-less
    ``tgintel detect`` can keep it between runs. A cluster id returned earlier can be superseded when a later
    text bridges two clusters; :meth:`resolve` maps any id ever returned to the current one.
    """

    def __init__(
        self,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        containment: float = DEFAULT_CONTAINMENT,
        similarity: Similarity | None = None,
        params: MinHashParams | None = None,
        max_bucket: int = MAX_BUCKET,
    ) -> None:
        self.similar = similarity or Similarity(threshold, containment)
        self.params = params or MinHashParams()
        self.max_bucket = max_bucket
        self._exact: dict[int, int] = {}  # exact hash -> node (placeholder-form hashes live here too, tagged)
        self._node_hash: list[int] = []  # node -> placeholder-form hash
        self._parent: list[int] = []  # union-find over nodes; a root is the cluster's founder (oldest node)
        self._count: list[int] = []  # texts added per node
        self._shingles: list[np.ndarray] = []
        self._bands: dict[int, int | list[int]] = {}
        self._rep_key: list[str] = []  # first key added per node
        self._contacts: list[frozenset[int]] = []  # contacts named by the node's first text
        self._products: list[frozenset[int]] = []  # priced products of the node's matching text
        # Raw text -> node, keyed by Python's (per-process) string hash: most posts are byte-identical
        # repeats, and skipping normalisation for them is most of the speed. A cache, never saved.
        self._raw: dict[int, int] = {}

    # -- public API ----------------------------------------------------------------------------------
    def __len__(self) -> int:
        return sum(self._count)

    @property
    def nodes(self) -> int:
        """Distinct placeholder-form texts seen."""
        return len(self._node_hash)

    def add(self, key: str, text: str) -> str:
        """Add one text; its cluster id, or ``""`` when the text is empty after normalisation."""
        return self.add_many([(key, text)])[0]

    def add_many(self, items: Iterable[tuple[str, str]]) -> list[str]:
        """Add texts in order (the same result as calling :meth:`add` for each); their cluster ids after the
        whole batch. MinHash work is done once per new distinct text, vectorised over the batch."""
        items = list(items)
        raw = self._raw
        nodes = [raw.get(hash(text), -2) for _key, text in items]  # -2: text not seen yet
        todo: dict[int, int] = {}  # raw hash -> position in fresh (its first copy in this batch)
        fresh: list[tuple[str, str]] = []
        for (key, text), n in zip(items, nodes, strict=True):
            if n == -2 and hash(text) not in todo:
                todo[hash(text)] = len(fresh)
                fresh.append((key, normalize(text)))
        done = self.add_normalised(fresh) if fresh else []  # counts each fresh text once
        count = self._count
        counted: set[int] = set()
        for i, (_key, text) in enumerate(items):
            n = nodes[i]
            if n == -2:
                pos = todo[hash(text)]
                n = nodes[i] = done[pos]
                if pos not in counted:
                    counted.add(pos)
                    continue
            if n >= 0:
                count[n] += 1
        for h, pos in todo.items():
            raw[h] = done[pos]
        return [self.cluster_of_node(n) if n >= 0 else "" for n in nodes]

    def add_normalised(self, items: Sequence[tuple[str, str]]) -> list[int]:
        """Like :meth:`add_many` for already normalised texts; returns node numbers (-1 for empty text)."""
        out: list[int] = []
        pending: dict[int, int] = {}  # placeholder hash -> index in new_texts
        new_texts: list[str] = []
        new_hashes: list[int] = []
        new_keys: list[str] = []
        new_contacts: list[frozenset[int]] = []
        exact = self._exact
        base = len(self._node_hash)
        for key, norm in items:
            if not norm:
                out.append(-1)
                continue
            eh = hash64(norm)
            node = exact.get(eh)
            if node is None:
                ph = placeholder_form(norm)
                phh = hash64(ph)
                node = exact.get(phh ^ _PH_TAG)
                if node is None:
                    idx = pending.get(phh)
                    if idx is None:
                        idx = pending[phh] = len(new_texts)
                        new_texts.append(ph)
                        new_hashes.append(phh)
                        new_keys.append(key)
                        new_contacts.append(contact_keys(norm))
                    node = base + idx
                    exact[phh ^ _PH_TAG] = node
                exact[eh] = node
            out.append(node)
        if new_texts:
            self._insert_nodes(new_texts, new_hashes, new_keys, new_contacts)
        count = self._count
        for node in out:
            if node >= 0:
                count[node] += 1
        return out

    def cluster_of_node(self, node: int) -> str:
        return cluster_id_for(self._node_hash[self._find(node)])

    def cluster_of_text(self, text: str) -> str | None:
        """The cluster of a text already added (exact match after normalisation), else None."""
        node = self._exact.get(hash64(normalize(text)))
        return None if node is None else self.cluster_of_node(node)

    def resolve(self, cluster_id: str) -> str:
        """The current id of a cluster id returned earlier (clusters merge when a text bridges them)."""
        if not cluster_id.startswith("c"):
            return cluster_id
        node = self._exact.get(int(cluster_id[1:], 16) ^ _PH_TAG)
        return cluster_id if node is None else self.cluster_of_node(node)

    def clusters(self) -> dict[str, list[int]]:
        """Current clusters: id → node numbers (for tests, the Spark comparison and the bench)."""
        out: dict[str, list[int]] = {}
        for n in range(len(self._node_hash)):
            out.setdefault(self.cluster_of_node(n), []).append(n)
        return out

    def representative(self, cluster_id: str) -> str | None:
        """The first key added to the cluster's founding text."""
        node = self._exact.get(int(cluster_id[1:], 16) ^ _PH_TAG) if cluster_id.startswith("c") else None
        return None if node is None else self._rep_key[self._find(node)]

    # -- engine ----------------------------------------------------------------------------------------
    def _find(self, n: int) -> int:
        parent = self._parent
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    def _insert_nodes(
        self, texts: list[str], hashes: list[int], keys: list[str], node_contacts: list[frozenset[int]]
    ) -> None:
        h, offs = shingle_hashes(texts, self.params.shingle)
        keys_by_node = band_keys(signatures(h, offs, self.params), self.params).tolist()
        sets = shingle_sets(h, offs)
        bands = self._bands
        cap = self.max_bucket
        for i, node_keys in enumerate(keys_by_node):
            node = len(self._node_hash)
            self._node_hash.append(hashes[i])
            self._parent.append(node)
            self._count.append(0)
            self._shingles.append(sets[i])
            self._rep_key.append(keys[i])
            self._contacts.append(node_contacts[i])
            self._products.append(product_keys(texts[i]))
            candidates: dict[int, int] = {}
            for bk in node_keys:
                bucket = bands.get(bk)
                if bucket is None:
                    bands[bk] = node
                    continue
                if isinstance(bucket, int):
                    candidates[bucket] = candidates.get(bucket, 0) + 1
                    bands[bk] = [bucket, node]
                    continue
                for c in bucket:
                    candidates[c] = candidates.get(c, 0) + 1
                if len(bucket) < cap:
                    bucket.append(node)
            if candidates:
                self._link(node, candidates)

    def _link(self, node: int, candidates: dict[int, int]) -> None:
        """Verify candidates (most shared bands first) and merge the clusters of those that pass."""
        mine, my_contacts, my_products = self._shingles[node], self._contacts[node], self._products[node]
        for c in sorted(candidates, key=lambda c: (-candidates[c], c)):
            rc, rn = self._find(c), self._find(node)
            if rc == rn:
                continue  # already connected: this edge would change nothing
            if self.similar(
                mine, self._shingles[c], my_contacts, self._contacts[c], my_products, self._products[c]
            ):
                lo, hi = (rc, rn) if rc < rn else (rn, rc)
                self._parent[hi] = lo

    # -- persistence -----------------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """The whole state as msgpack (no pickle: reading it back never runs code). Bytes, not a file: detect/
        does no I/O; the caller decides where they live."""
        ek = np.fromiter(self._exact.keys(), dtype=np.uint64, count=len(self._exact))
        en = np.fromiter(self._exact.values(), dtype=np.int64, count=len(self._exact))
        sizes = np.fromiter((s.size for s in self._shingles), dtype=np.int64, count=len(self._shingles))
        soffs = np.zeros(sizes.size + 1, dtype=np.int64)
        np.cumsum(sizes, out=soffs[1:])
        bkeys = np.fromiter(self._bands.keys(), dtype=np.int64, count=len(self._bands))
        members = [[v] if isinstance(v, int) else v for v in self._bands.values()]
        blens = np.fromiter((len(m) for m in members), dtype=np.int64, count=len(members))
        boffs = np.zeros(blens.size + 1, dtype=np.int64)
        np.cumsum(blens, out=boffs[1:])
        state = _State(
            version=2,
            params=self.params.as_dict(),
            similarity=self.similar.as_dict(),
            max_bucket=self.max_bucket,
            exact_keys=ek.tobytes(),
            exact_nodes=en.tobytes(),
            node_hash=np.array(self._node_hash, dtype=np.uint64).tobytes(),
            parent=np.array([self._find(n) for n in range(len(self._parent))], dtype=np.int64).tobytes(),
            count=np.array(self._count, dtype=np.int64).tobytes(),
            shingles=(np.concatenate(self._shingles) if self._shingles else np.zeros(0, np.uint32)).tobytes(),
            shingle_offsets=soffs.tobytes(),
            band_keys=bkeys.tobytes(),
            band_nodes=np.fromiter((n for m in members for n in m), dtype=np.int64).tobytes(),
            band_offsets=boffs.tobytes(),
            rep_keys=self._rep_key,
            contacts=[sorted(c) for c in self._contacts],
            products=[sorted(p) for p in self._products],
        )
        return msgspec.msgpack.encode(state)

    @classmethod
    def from_bytes(cls, data: bytes, *, source: str = "bytes") -> NearDuplicateIndex:
        """An index from :meth:`to_bytes`'s output; ``source`` names where the bytes came from, for errors."""
        from tgintel.errors import UserError

        try:
            state = msgspec.msgpack.decode(data, type=_State)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise UserError(f"duplicate index {source}: cannot be read ({exc})") from exc
        self = cls(params=MinHashParams(**state.params), max_bucket=state.max_bucket)
        self.similar = Similarity(**state.similarity)  # type: ignore[arg-type]
        keys = np.frombuffer(state.exact_keys, dtype=np.uint64).tolist()
        self._exact = dict(zip(keys, np.frombuffer(state.exact_nodes, dtype=np.int64).tolist(), strict=True))
        self._node_hash = np.frombuffer(state.node_hash, dtype=np.uint64).tolist()
        self._parent = np.frombuffer(state.parent, dtype=np.int64).tolist()
        self._count = np.frombuffer(state.count, dtype=np.int64).tolist()
        flat = np.frombuffer(state.shingles, dtype=np.uint32)
        so = np.frombuffer(state.shingle_offsets, dtype=np.int64)
        self._shingles = [flat[so[i] : so[i + 1]] for i in range(so.size - 1)]
        bk = np.frombuffer(state.band_keys, dtype=np.int64).tolist()
        bn = np.frombuffer(state.band_nodes, dtype=np.int64).tolist()
        bo = np.frombuffer(state.band_offsets, dtype=np.int64).tolist()
        self._bands = {
            k: bn[bo[i]] if bo[i + 1] - bo[i] == 1 else bn[bo[i] : bo[i + 1]] for i, k in enumerate(bk)
        }
        self._rep_key = state.rep_keys
        self._contacts = [frozenset(c) for c in state.contacts]
        self._products = [frozenset(p) for p in state.products] or [frozenset()] * len(self._contacts)
        return self


# Placeholder-form hashes share the exact dict with exact hashes; a fixed tag keeps the two key spaces apart.
_PH_TAG = 0x5D3A_9C1E_77B2_40F1
