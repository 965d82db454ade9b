"""Exact Hamming-radius search over millions of 256-bit PDQ hashes: multi-index hashing (MIH).

Why our own index: faiss offers only a flat scan for exact binary range search (``IndexBinaryFlat``), which
reads all N hashes for every query (about 11 ms per query at 10M on 2 threads, measured). MIH (Norouzi,
Punjani & Fleet, "Fast exact search in Hamming space with multi-index hashing", 2014) cuts each hash into m
chunks; if two
hashes are within r bits, then writing r = s·m + a (0 ≤ a < m), one of the first a+1 chunks differs by at most
s bits or one of the remaining chunks by at most s-1 (otherwise the distance would be at least r+1). So a
query only probes, in each chunk's table, the buckets within that small radius, and verifies the few
candidates with a full 256-bit popcount. Results are exactly those of a flat scan (tested against brute
force; benchmarked against faiss in bench/hashmatch.py).

Layout, chosen by measurement for r = 31 (docs/media.md, :func:`choose_layout`): smaller indexes use more,
smaller chunks; from 300k to 3M rows 12 chunks (8 of 22 bits probed at radius 2, 4 of 20 bits at radius 1);
above, 11 chunks (3 of 24 bits and 8 of 23, ten probed at radius 2, one at radius 1), whose buckets stay
small at 10M. Each chunk table is a direct-address CSR
array (``offsets`` with one slot per possible chunk value, ``perm`` listing row numbers in chunk-value order),
so a probe is two array reads, no hashing or binary search; query batches run on a thread pool (numpy
releases the GIL in the gathers that dominate). Memory at 10M rows: 320 MB hashes + 440 MB perm
+ 470 MB offsets + 120 MB ids/list ids ≈ 1.35 GB.

Incremental: rows added after a build go to a small unsorted ``delta`` scanned flat; rows of removed lists
are masked out. :meth:`PdqIndex.needs_compaction` tells the caller when a rebuild pays. The index holds no
I/O: :meth:`PdqIndex.arrays` / :meth:`PdqIndex.from_arrays` let the caller persist it (tgintel.jobs.media
memory-maps the arrays from files next to the database).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from itertools import combinations
from typing import NamedTuple

import numpy as np

__all__ = ["DEFAULT_LAYOUT", "Hits", "PdqIndex", "choose_layout", "hex_to_array", "search_flat"]

HASH_BYTES = 32
#: (bits) per chunk, in probe order; sums to 256. Larger chunks first: they take the larger probe radius.
DEFAULT_LAYOUT: tuple[int, ...] = (22,) * 8 + (20,) * 4
TINY_LAYOUT: tuple[int, ...] = (16,) * 16
SMALL_LAYOUT: tuple[int, ...] = (21,) * 6 + (19,) * 4 + (18,) * 3
LARGE_LAYOUT: tuple[int, ...] = (24,) * 3 + (23,) * 8
#: Below this many rows a flat numpy scan is as fast as MIH and needs no tables.
FLAT_MAX = 20_000
#: Queries verified together: bounds the candidate arrays to a few tens of MB.
QUERY_BATCH = 256


class Hits(NamedTuple):
    """Search results as parallel arrays, sorted by query, then id."""

    query: np.ndarray  # int64 query index
    id: np.ndarray  # int64 row id (the hash's row key in the store)
    list: np.ndarray  # int32 list id of that row
    distance: np.ndarray  # int32 Hamming distance
    hash: np.ndarray  # (k, 32) uint8: the stored hash that matched


def choose_layout(n: int) -> tuple[int, ...]:
    """Chunk layout for ``n`` rows: buckets of a few rows at radius 31 (measured: bench/hashmatch.py)."""
    if n < 100_000:
        return TINY_LAYOUT
    if n < 300_000:
        return SMALL_LAYOUT
    if n < 3_000_000:
        return DEFAULT_LAYOUT
    return LARGE_LAYOUT


def hex_to_array(values: list[str] | tuple[str, ...]) -> np.ndarray:
    """(n, 32) uint8 array of 64-hex PDQ hashes (big-endian bit order, as written)."""
    if not values:
        return np.zeros((0, HASH_BYTES), np.uint8)
    return np.frombuffer(bytes.fromhex("".join(values)), np.uint8).reshape(-1, HASH_BYTES).copy()


def _as64(h: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(h).view(np.uint64).reshape(-1, 4)


def _popcount_rows(x: np.ndarray) -> np.ndarray:
    """Hamming weight of each row of an (n, 4) uint64 array."""
    return np.bitwise_count(x).sum(axis=1, dtype=np.int32)


def search_flat(
    base: np.ndarray, queries: np.ndarray, radius: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Brute force: (query index, row, distance) of every pair within ``radius``, sorted by query then row."""
    b64, q64 = _as64(base), _as64(queries)
    qs, rs, ds = [], [], []
    step = max(1, 2_000_000 // max(1, len(b64)))
    for i in range(0, len(q64), step):
        block = q64[i : i + step]
        d = np.bitwise_count(block[:, None, :] ^ b64[None, :, :]).sum(axis=2, dtype=np.int32)
        qi, ri = np.nonzero(d <= radius)
        qs.append(qi + i)
        rs.append(ri)
        ds.append(d[qi, ri])
    if not qs:
        return _empty()
    return np.concatenate(qs), np.concatenate(rs).astype(np.int64), np.concatenate(ds)


def _empty() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int32)


def _chunk_starts(layout: tuple[int, ...]) -> list[int]:
    starts, s = [], 0
    for b in layout:
        starts.append(s)
        s += b
    if s != HASH_BYTES * 8 or max(layout) > 25:
        raise ValueError(f"chunk layout must cover 256 bits with chunks of at most 25 bits: {layout}")
    return starts


def chunk_values(h: np.ndarray, start: int, bits: int) -> np.ndarray:
    """The integer value of bits [start, start+bits) of each row (bit 0 = most significant bit of byte 0)."""
    b0, b1 = start // 8, (start + bits - 1) // 8
    v = np.zeros(len(h), np.uint32)
    for b in range(b0, b1 + 1):
        v = (v << np.uint32(8)) | h[:, b].astype(np.uint32)
    v >>= np.uint32(8 * (b1 + 1) - (start + bits))
    return v & np.uint32((1 << bits) - 1)


@cache
def _flip_masks(bits: int, radius: int) -> np.ndarray:
    """All ``bits``-bit values with at most ``radius`` bits set: XOR them in to enumerate a ball."""
    out = [0]
    for k in range(1, radius + 1):
        out.extend(sum(1 << i for i in c) for c in combinations(range(bits), k))
    return np.array(out, np.uint32)


def _probe_radii(m: int, radius: int) -> list[int]:
    """Per-chunk probe radius from the pigeonhole rule (-1: the chunk need not be probed)."""
    s, a = divmod(radius, m)
    return [s if j <= a else s - 1 for j in range(m)]


class PdqIndex:
    """Exact radius search over PDQ hashes, each row carrying an ``id`` (hash row key) and a ``list`` id.

    Build with :meth:`build`; add rows with :meth:`add`; drop lists with :meth:`remove_lists`; query with
    :meth:`search`. Not thread-safe for writes; searches may run concurrently.
    """

    def __init__(
        self,
        hashes: np.ndarray,
        ids: np.ndarray,
        lists: np.ndarray,
        *,
        layout: tuple[int, ...] = DEFAULT_LAYOUT,
        tables: list[tuple[np.ndarray, np.ndarray]] | None = None,
        delta: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
        deleted: np.ndarray | None = None,
    ) -> None:
        self.layout = tuple(layout)
        self.starts = _chunk_starts(self.layout)
        self.hashes = hashes
        self.ids = ids
        self.lists = lists
        self.tables = tables or []
        if delta is None:
            delta = (np.zeros((0, HASH_BYTES), np.uint8), np.zeros(0, np.int64), np.zeros(0, np.int32))
        self.delta_hashes, self.delta_ids, self.delta_lists = delta
        self.deleted = deleted if deleted is not None else np.zeros(0, np.int32)  # removed list ids

    # -- building -----------------------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        hashes: np.ndarray,
        ids: np.ndarray | None = None,
        lists: np.ndarray | None = None,
        *,
        layout: tuple[int, ...] | None = None,
        tables: bool | None = None,
    ) -> PdqIndex:
        """Index (n, 32) uint8 ``hashes``; ``ids`` default to row numbers, ``lists`` to 0. ``tables`` forces
        (True) or forbids (False) the MIH tables; by default they are built above :data:`FLAT_MAX` rows."""
        hashes = np.ascontiguousarray(hashes, dtype=np.uint8).reshape(-1, HASH_BYTES)
        n = len(hashes)
        layout = layout or choose_layout(n)
        ids = np.arange(n, dtype=np.int64) if ids is None else np.asarray(ids, np.int64)
        lists = np.zeros(n, np.int32) if lists is None else np.asarray(lists, np.int32)
        chunk_tables: list[tuple[np.ndarray, np.ndarray]] = []
        if (n > FLAT_MAX) if tables is None else tables:
            idx_dtype = np.uint32 if n < 2**32 else np.uint64
            for start, bits in zip(_chunk_starts(layout), layout, strict=True):
                v = chunk_values(hashes, start, bits)
                perm = np.argsort(v, kind="stable").astype(idx_dtype)
                counts = np.bincount(v, minlength=1 << bits)
                offsets = np.zeros((1 << bits) + 1, idx_dtype)
                np.cumsum(counts, out=offsets[1:])
                chunk_tables.append((offsets, perm))
                del v, counts
        return cls(hashes, ids, lists, layout=layout, tables=chunk_tables)

    def add(self, hashes: np.ndarray, ids: np.ndarray, lists: np.ndarray) -> None:
        """Append rows to the flat delta (searched exactly, without tables)."""
        self.delta_hashes = np.concatenate([self.delta_hashes, np.asarray(hashes, np.uint8).reshape(-1, 32)])
        self.delta_ids = np.concatenate([self.delta_ids, np.asarray(ids, np.int64)])
        self.delta_lists = np.concatenate([self.delta_lists, np.asarray(lists, np.int32)])

    def remove_lists(self, list_ids: list[int]) -> None:
        """Hide every row of these lists from results (rows go for good at the next compaction)."""
        self.deleted = np.union1d(self.deleted, np.asarray(list_ids, np.int32)).astype(np.int32)

    def needs_compaction(self) -> bool:
        """True when the delta or removed rows are big enough that a rebuild is cheaper than carrying them."""
        base = len(self.hashes)
        if len(self.delta_hashes) > max(FLAT_MAX, base // 100):  # the flat delta costs ~4 ns/row/query
            return True
        if base > FLAT_MAX and len(self.hashes) and not self.tables:
            return True
        return bool(len(self.deleted)) and bool(np.isin(self.lists, self.deleted).mean() > 0.1)

    def compacted(self) -> PdqIndex:
        """A freshly built index holding exactly the live rows."""
        h = np.concatenate([self.hashes, self.delta_hashes])
        ids = np.concatenate([self.ids, self.delta_ids])
        lists = np.concatenate([self.lists, self.delta_lists])
        if len(self.deleted):
            keep = ~np.isin(lists, self.deleted)
            h, ids, lists = h[keep], ids[keep], lists[keep]
        return PdqIndex.build(h, ids, lists)

    def __len__(self) -> int:
        n = len(self.hashes) + len(self.delta_hashes)
        if len(self.deleted):
            n -= int(np.isin(self.lists, self.deleted).sum() + np.isin(self.delta_lists, self.deleted).sum())
        return n

    # -- persistence (the caller does the I/O) ------------------------------------------------------
    def arrays(self) -> dict[str, np.ndarray]:
        out = {
            "hashes": self.hashes, "ids": self.ids, "lists": self.lists,
            "delta_hashes": self.delta_hashes, "delta_ids": self.delta_ids, "delta_lists": self.delta_lists,
            "deleted": self.deleted, "layout": np.asarray(self.layout, np.int32),
        }  # fmt: skip
        for j, (offsets, perm) in enumerate(self.tables):
            out[f"offsets{j}"] = offsets
            out[f"perm{j}"] = perm
        return out

    @classmethod
    def from_arrays(cls, a: dict[str, np.ndarray]) -> PdqIndex:
        layout = tuple(int(x) for x in a["layout"])
        tables = [(a[f"offsets{j}"], a[f"perm{j}"]) for j in range(len(layout)) if f"offsets{j}" in a]
        return cls(
            a["hashes"], a["ids"], a["lists"], layout=layout, tables=tables,
            delta=(a["delta_hashes"], a["delta_ids"], a["delta_lists"]), deleted=a["deleted"],
        )  # fmt: skip

    # -- searching ----------------------------------------------------------------------------------
    def search(self, queries: np.ndarray, radius: int, *, threads: int | None = None) -> Hits:
        """Every (query, row) pair with distance ≤ ``radius``, sorted by query, then row id.

        ``queries`` is (q, 32) uint8. Exact for every radius; fast when radius is small against 256 bits.
        Batches of queries run on up to ``threads`` threads (default: one per CPU).
        """
        queries = np.ascontiguousarray(queries, dtype=np.uint8).reshape(-1, HASH_BYTES)
        parts: list[Hits] = []
        if len(self.hashes):
            if self.tables:
                starts = range(0, len(queries), QUERY_BATCH)
                batches = [queries[i : i + QUERY_BATCH] for i in starts]
                workers = min(threads or os.cpu_count() or 1, len(batches))
                if workers > 1:  # numpy releases the GIL in the gathers that dominate: batches overlap
                    with ThreadPoolExecutor(workers) as pool:
                        found = list(pool.map(lambda b: self._search_tables(b, radius), batches))
                else:
                    found = [self._search_tables(b, radius) for b in batches]
                for i, (qi, rows, d) in zip(starts, found, strict=True):
                    parts.append(Hits(qi + i, self.ids[rows], self.lists[rows], d, self.hashes[rows]))
            else:
                qi, rows, d = search_flat(self.hashes, queries, radius)
                parts.append(Hits(qi, self.ids[rows], self.lists[rows], d, self.hashes[rows]))
        if len(self.delta_hashes):
            qi, rows, d = search_flat(self.delta_hashes, queries, radius)
            parts.append(Hits(qi, self.delta_ids[rows], self.delta_lists[rows], d, self.delta_hashes[rows]))
        if not parts:
            e = _empty()
            return Hits(e[0], e[1], np.zeros(0, np.int32), e[2], np.zeros((0, HASH_BYTES), np.uint8))
        hits = Hits(*(np.concatenate([p[k] for p in parts]) for k in range(5)))
        keep = np.ones(len(hits.id), bool)
        if len(self.deleted):
            keep &= ~np.isin(hits.list, self.deleted)
        order = np.lexsort((hits.id, hits.query))
        order = order[keep[order]]
        return Hits(hits.query[order].astype(np.int64), hits.id[order], hits.list[order].astype(np.int32),
                    hits.distance[order].astype(np.int32), hits.hash[order])  # fmt: skip

    def _search_tables(self, queries: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """MIH over the base rows: probe each chunk's ball, verify candidates, drop duplicates."""
        q = len(queries)
        radii = _probe_radii(len(self.layout), radius)
        cand_q: list[np.ndarray] = []
        cand_r: list[np.ndarray] = []
        for (offsets, perm), start, bits, rho in zip(
            self.tables, self.starts, self.layout, radii, strict=True
        ):
            if rho < 0:
                continue
            masks = _flip_masks(bits, min(rho, bits))
            keys = chunk_values(queries, start, bits)[:, None] ^ masks[None, :]  # (q, k) bucket numbers
            lo = offsets[keys].astype(np.int64)
            lens = offsets[keys + np.uint32(1)].astype(np.int64) - lo
            lens_flat = lens.ravel()
            total = int(lens_flat.sum())
            if total == 0:
                continue
            # positions lo..lo+len-1 of every probed bucket, as one flat array (no Python loop)
            ends = np.cumsum(lens_flat)
            pos = np.arange(total, dtype=np.int64) + np.repeat(lo.ravel() - (ends - lens_flat), lens_flat)
            cand_r.append(perm[pos])
            cand_q.append(np.repeat(np.arange(q, dtype=np.int64), lens.sum(axis=1)))
        if not cand_r:
            return _empty()
        cq = np.concatenate(cand_q)
        cr = np.concatenate(cand_r).astype(np.int64)
        h64 = _as64(self.hashes)
        d = _popcount_rows(h64[cr] ^ _as64(queries)[cq])
        ok = d <= radius
        cq, cr, d = cq[ok], cr[ok], d[ok]
        # a hash close in several chunks was found several times: keep one
        key = cq * (len(self.hashes) + 1) + cr
        _, first = np.unique(key, return_index=True)
        return cq[first], cr[first], d[first]
