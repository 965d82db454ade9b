"""The multi-index hashing index returns exactly what a brute-force scan returns, at every radius."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tgintel.detect.hashindex import (
    DEFAULT_LAYOUT,
    PdqIndex,
    _probe_radii,
    chunk_values,
    hex_to_array,
    search_flat,
)

LAYOUTS = [(8,) * 32, (16,) * 16, (13,) * 19 + (9,), (21,) * 6 + (19,) * 4 + (18,) * 3]


def perturb(rng: np.random.Generator, h: np.ndarray, k: int) -> np.ndarray:
    """A copy of hash ``h`` with exactly ``k`` bits flipped."""
    bits = np.unpackbits(h)
    bits[rng.choice(256, size=k, replace=False)] ^= 1
    return np.packbits(bits)


def make_case(seed: int, n: int, radius: int, q: int) -> tuple[np.ndarray, np.ndarray]:
    """Stored hashes with near copies clustered around the radius boundary, queries near stored ones."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, (max(1, n // 2), 32), dtype=np.uint8)
    near = [perturb(rng, base[rng.integers(len(base))], int(k))
            for k in rng.integers(max(0, radius - 3), radius + 4, n - len(base))]  # fmt: skip
    stored = np.concatenate([base, np.array(near, np.uint8).reshape(-1, 32)])
    queries = [perturb(rng, stored[rng.integers(len(stored))], int(k))
               for k in rng.integers(0, radius + 6, q)]  # fmt: skip
    queries.append(stored[-1].copy())  # an exact copy
    queries.append(rng.integers(0, 256, 32, dtype=np.uint8))  # an unrelated query
    return stored, np.array(queries, np.uint8)


def assert_same(hits, flat) -> None:  # type: ignore[no-untyped-def]
    qi, rows, d = flat
    assert np.array_equal(hits.query, qi)
    assert np.array_equal(hits.id, rows)
    assert np.array_equal(hits.distance, d)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 600),
    radius=st.sampled_from([0, 1, 2, 7, 15, 16, 31, 32, 47]),
    layout=st.sampled_from(LAYOUTS),
)
def test_mih_equals_brute_force(seed: int, n: int, radius: int, layout: tuple[int, ...]) -> None:
    stored, queries = make_case(seed, n, radius, 25)
    index = PdqIndex.build(stored, layout=layout, tables=True)
    flat = search_flat(stored, queries, radius)
    assert_same(index.search(queries, radius), flat)
    assert len(flat[0]) > 0  # the case really exercises matches


def test_default_layout_at_scale_equals_brute_force() -> None:
    stored, queries = make_case(7, 40_000, 31, 60)
    index = PdqIndex.build(stored, layout=DEFAULT_LAYOUT)
    assert index.tables  # above FLAT_MAX: the MIH path, not the flat one
    for r in (0, 10, 31):
        assert_same(index.search(queries, r), search_flat(stored, queries, r))


def test_probe_radii_follow_the_pigeonhole_rule() -> None:
    assert _probe_radii(12, 31) == [2] * 8 + [1] * 4
    assert _probe_radii(16, 31) == [1] * 16
    assert _probe_radii(11, 31) == [2] * 10 + [1]
    assert _probe_radii(12, 5) == [0] * 6 + [-1] * 6
    # for any distance <= r spread over the chunks, some chunk is within its probe radius
    rng = np.random.default_rng(3)
    for _ in range(2000):
        m, r = int(rng.integers(8, 33)), int(rng.integers(0, 64))
        radii = _probe_radii(m, r)
        per_chunk = rng.multinomial(r, np.ones(m) / m)
        assert any(per_chunk[j] <= radii[j] for j in range(m))


def test_chunk_values_read_big_endian_bit_ranges() -> None:
    h = hex_to_array(["80" + "00" * 30 + "01"])
    assert chunk_values(h, 0, 1)[0] == 1
    assert chunk_values(h, 0, 8)[0] == 0x80
    assert chunk_values(h, 255, 1)[0] == 1
    assert chunk_values(h, 236, 20)[0] == 1
    h = hex_to_array(["0123456789abcdef" * 4])
    assert chunk_values(h, 4, 24)[0] == 0x123456
    assert chunk_values(h, 12, 13)[0] == (0x3456 >> 3)


def test_delta_rows_and_removed_lists() -> None:
    stored, queries = make_case(11, 3000, 31, 40)
    lists = np.arange(len(stored), dtype=np.int32) % 3
    index = PdqIndex.build(stored[:2000], np.arange(2000), lists[:2000], layout=LAYOUTS[1], tables=True)
    index.add(stored[2000:], np.arange(2000, 3000), lists[2000:])
    assert_same(index.search(queries, 31), search_flat(stored, queries, 31))
    index.remove_lists([1])
    keep = lists != 1
    qi, rows, d = search_flat(stored[keep], queries, 31)
    want = (qi, np.flatnonzero(keep)[rows], d)
    hits = index.search(queries, 31)
    assert_same(hits, want)
    assert not (hits.list == 1).any()
    assert len(index) == int(keep.sum())
    compact = index.compacted()
    assert len(compact.hashes) == int(keep.sum()) and len(compact.delta_hashes) == 0
    assert_same(compact.search(queries, 31), want)
    assert np.array_equal(hits.hash, stored[hits.id])


def test_arrays_round_trip() -> None:
    stored, queries = make_case(5, 500, 20, 10)
    index = PdqIndex.build(stored, layout=LAYOUTS[0], tables=True)
    index.add(stored[:3], np.array([10_000, 10_001, 10_002]), np.array([4, 4, 4]))
    index.remove_lists([4])
    again = PdqIndex.from_arrays(index.arrays())
    a, b = index.search(queries, 20), again.search(queries, 20)
    for x, y in zip(a, b, strict=True):
        assert np.array_equal(x, y)


def test_empty_index_finds_nothing() -> None:
    index = PdqIndex.build(np.zeros((0, 32), np.uint8))
    hits = index.search(hex_to_array(["00" * 32]), 31)
    assert len(hits.id) == 0 and hits.hash.shape == (0, 32)


@pytest.mark.parametrize("bad", [(24,) * 10 + (17,), (26,) * 9 + (22,), (16,) * 15])
def test_bad_layouts_are_refused(bad: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="layout"):
        PdqIndex.build(np.zeros((1, 32), np.uint8), layout=bad, tables=True)
