"""Shingling, MinHash signatures and LSH band keys, vectorised over whole batches with numpy.

These are pure functions of the text and the parameters, shared by the in-process index
(:mod:`tgintel.detect.duplicates`), the store-backed incremental clustering (:mod:`tgintel.jobs.cluster`) and
the Spark job (:mod:`tgintel.jobs.spark_dedupe`), so all three agree on every band key.

Why our own instead of ``datasketch.MinHash``: datasketch hashes every shingle with SHA-1 in a Python loop
and then runs the permutations per message. Here a batch of messages becomes one array of code points, the
character 5-grams of all of them are hashed at once with a polynomial rolling hash plus a 64-bit finaliser,
and the permutations are multiply-shift hashes ``((a*x + b) mod 2^64) >> 32`` over a ``(num_perm, shingles)``
matrix reduced per message with ``np.minimum.reduceat``. bench/duplicates.py measures the difference on the
same corpus (figures in docs/benchmarks.md, "Duplicates"); band keys are 64-bit integers, not byte strings,
so buckets are plain ``dict[int, …]`` entries and fit an indexed BIGINT column in the store.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "MinHashParams",
    "Similarity",
    "band_keys",
    "jaccard",
    "shingle_hashes",
    "shingle_sets",
    "signatures",
]

_U64 = np.uint64
_POLY = _U64(0x100000001B3)  # FNV-64 prime: an odd multiplier for the rolling polynomial
_MIX1 = _U64(0xBF58476D1CE4E5B9)  # splitmix64 finaliser constants
_MIX2 = _U64(0x94D049BB133111EB)


class MinHashParams:
    """Shingle size, permutations and banding; fixed per index (band keys depend on all of them)."""

    __slots__ = ("a", "b", "bands", "num_perm", "row_mult", "rows", "salt", "seed", "shingle")

    def __init__(self, *, shingle: int = 5, num_perm: int = 96, bands: int = 32, seed: int = 1) -> None:
        if num_perm % bands:
            raise ValueError(f"num_perm ({num_perm}) must be a multiple of bands ({bands})")
        self.shingle = shingle
        self.num_perm = num_perm
        self.bands = bands
        self.rows = num_perm // bands
        self.seed = seed
        rng = np.random.default_rng(seed)
        self.a = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) * _U64(2) + _U64(1)  # odd
        self.b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64) * _U64(2)
        self.row_mult = rng.integers(1, 2**63, size=self.rows, dtype=np.uint64) * _U64(2) + _U64(1)
        self.salt = rng.integers(0, 2**63, size=bands, dtype=np.uint64)

    def as_dict(self) -> dict[str, int]:
        return {"shingle": self.shingle, "num_perm": self.num_perm, "bands": self.bands, "seed": self.seed}


def _mix(h: np.ndarray) -> np.ndarray:
    h ^= h >> _U64(30)
    h *= _MIX1
    h ^= h >> _U64(27)
    h *= _MIX2
    h ^= h >> _U64(31)
    return h


def shingle_hashes(texts: Sequence[str], k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """32-bit hashes (in a uint64 array) of every character k-gram of every text, and the offsets
    (``len(texts) + 1``) where each text's hashes start. A text shorter than k is one shingle (padded).

    All texts are joined with k-1 NUL separators (normalised text has no NUL) into one array of code points,
    so the whole batch costs a few numpy passes instead of a Python loop per shingle."""
    n = len(texts)
    if n == 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(1, dtype=np.int64)
    sep = "\0" * (k - 1)
    cps = np.frombuffer((sep.join(texts) + sep).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lens = np.fromiter((len(t) for t in texts), dtype=np.int64, count=n)
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(lens[:-1] + (k - 1), out=starts[1:])
    m = cps.size - k + 1
    h = cps[:m].copy()
    for j in range(1, k):
        h *= _POLY
        h += cps[j : j + m]
    h = _mix(h) >> _U64(32)
    counts = np.maximum(lens - k + 1, 1)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    idx = np.arange(offsets[-1], dtype=np.int64) + np.repeat(starts - offsets[:-1], counts)
    return h[idx], offsets


def signatures(
    hashes: np.ndarray, offsets: np.ndarray, params: MinHashParams, *, chunk: int = 1 << 22
) -> np.ndarray:
    """MinHash signatures, shape ``(texts, num_perm)`` uint32, from :func:`shingle_hashes` output.

    Works in chunks of texts so the ``(num_perm, shingles)`` matrix stays within ~``chunk`` elements."""
    n = offsets.size - 1
    out = np.empty((n, params.num_perm), dtype=np.uint32)
    a = params.a[:, None]
    b = params.b[:, None]
    per = max(1, chunk // params.num_perm)
    i = 0
    while i < n:
        j = int(np.searchsorted(offsets, offsets[i] + per, side="right")) - 1
        j = min(max(j, i + 1), n)
        lo, hi = offsets[i], offsets[j]
        m = a * hashes[lo:hi][None, :]
        m += b
        m >>= _U64(32)
        out[i:j] = np.minimum.reduceat(m, offsets[i:j] - lo, axis=1).T
        i = j
    return out


def band_keys(sigs: np.ndarray, params: MinHashParams) -> np.ndarray:
    """One signed 64-bit key per (text, band), shape ``(texts, bands)`` int64.

    The key mixes the band's rows and the band number, so equal keys mean equal rows in the same band
    (up to a 2^-64 accident, which verification would catch anyway)."""
    n = sigs.shape[0]
    rows = sigs.reshape(n, params.bands, params.rows).astype(np.uint64)
    k = (rows * params.row_mult).sum(axis=2, dtype=np.uint64) + params.salt
    return _mix(k).view(np.int64)


def shingle_sets(hashes: np.ndarray, offsets: np.ndarray) -> list[np.ndarray]:
    """Each text's distinct shingle hashes, sorted (uint32): what :func:`jaccard` compares."""
    n = offsets.size - 1
    if n == 0:
        return []
    owner = np.repeat(np.arange(n, dtype=np.uint64), np.diff(offsets))
    combined = np.sort((owner << _U64(32)) | hashes)  # np.sort + mask: ~15x faster than np.unique here
    keep = np.empty(combined.size, dtype=bool)
    keep[0] = True
    np.not_equal(combined[1:], combined[:-1], out=keep[1:])
    combined = combined[keep]
    bounds = np.searchsorted(combined >> _U64(32), np.arange(n + 1, dtype=np.uint64))
    values = (combined & _U64(0xFFFFFFFF)).astype(np.uint32)
    return [values[bounds[i] : bounds[i + 1]] for i in range(n)]


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two sorted distinct shingle-hash arrays (the verification step)."""
    if a.size == 0 or b.size == 0:
        return 0.0
    inter = np.intersect1d(a, b, assume_unique=True).size
    return inter / (a.size + b.size - inter)


class Similarity:
    """The verification rule, on exact shingle sets (never the MinHash estimate: LSH only proposes).

    Which similarity makes two texts one advert depends on who they name as contact:

    - **no contact on one side**: Jaccard ``>= threshold``, or the shorter text (``min_shingles`` or more,
      ~45 characters) lies ``containment`` or more inside the longer one: a re-post with a header,
      testimonial or contact block added, or an advert split over two messages;
    - **a shared contact** (same seller): Jaccard ``>= same_seller``. A seller's different offers share the
      whole frame (header, contact block, payment line), which inflates their similarity; only the items
      differ, so more similarity is required and containment does not count;
    - **contacts on both sides, none shared** (two sellers filling one template): Jaccard ``>= other_seller``
      (nearly identical: e.g. a vendor who only swapped a banned handle for a new one).

    docs/duplicates.md has the measurements behind the defaults (simulator campaigns and real tg-spam)."""

    __slots__ = (
        "containment",
        "min_products",
        "min_shingles",
        "other_seller",
        "same_products",
        "same_seller",
        "threshold",
    )

    def __init__(
        self,
        threshold: float = 0.5,
        containment: float = 0.8,
        same_seller: float = 0.6,
        other_seller: float = 0.95,
        min_shingles: int = 40,
        same_products: float = 0.85,
        min_products: int = 2,
    ) -> None:
        self.threshold = threshold
        self.containment = containment
        self.same_seller = same_seller
        self.other_seller = other_seller
        self.min_shingles = min_shingles
        self.same_products = same_products
        self.min_products = min_products

    def __call__(
        self,
        a: np.ndarray,
        b: np.ndarray,
        ca: frozenset[int] = frozenset(),
        cb: frozenset[int] = frozenset(),
        pa: frozenset[int] = frozenset(),
        pb: frozenset[int] = frozenset(),
    ) -> bool:
        if a.size == 0 or b.size == 0:
            return False
        inter = np.intersect1d(a, b, assume_unique=True).size
        union = a.size + b.size - inter
        if len(pa) >= self.min_products and len(pb) >= self.min_products:
            shared = len(pa & pb)
            if shared < self.same_products * (len(pa) + len(pb) - shared):
                return False  # other products: another offer, however much of the frame they share
            if ca and cb and ca.isdisjoint(cb):
                return inter >= self.other_seller * union
        elif ca and cb:
            return inter >= (self.other_seller if ca.isdisjoint(cb) else self.same_seller) * union
        if inter >= self.threshold * union:
            return True
        small = min(a.size, b.size)
        return small >= self.min_shingles and inter >= self.containment * small

    def as_dict(self) -> dict[str, float]:
        return {
            "threshold": self.threshold,
            "containment": self.containment,
            "same_seller": self.same_seller,
            "other_seller": self.other_seller,
            "min_shingles": self.min_shingles,
            "same_products": self.same_products,
            "min_products": self.min_products,
        }
