"""Real Telegram spam (umputun/tg-spam, MIT): the near-duplicate pairs we verified by eye are found, the
distinct adverts we checked stay apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from tgintel.detect.duplicates import NearDuplicateIndex

DATA = Path(__file__).resolve().parent.parent / "data" / "tg-spam"


def _pairs(kind: str) -> list[tuple[int, int]]:
    out = []
    for line in (DATA / "near-duplicate-pairs.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        a, b, judged, _note = line.split("\t", 3)
        if judged == kind:
            out.append((int(a) - 1, int(b) - 1))
    return out


@pytest.fixture(scope="module")
def clusters() -> list[str]:
    lines = (DATA / "spam-samples.txt").read_text(encoding="utf-8").split("\n")
    ix = NearDuplicateIndex()
    ids = ix.add_many([(str(i), text) for i, text in enumerate(lines)])
    return [ix.resolve(c) for c in ids]


def test_every_verified_variant_pair_is_found(clusters: list[str]) -> None:
    pairs = _pairs("variant")
    assert len(pairs) >= 25
    missed = [(a + 1, b + 1) for a, b in pairs if clusters[a] != clusters[b]]
    assert missed == []


def test_distinct_adverts_stay_apart(clusters: list[str]) -> None:
    pairs = _pairs("distinct")
    assert pairs
    assert [(a + 1, b + 1) for a, b in pairs if clusters[a] == clusters[b]] == []


def test_most_lines_are_not_merged(clusters: list[str]) -> None:
    # 182 messages: about two dozen small groups, no giant cluster from chaining.
    sizes: dict[str, int] = {}
    for c in clusters:
        sizes[c] = sizes.get(c, 0) + 1
    assert max(sizes.values()) <= 4
    assert len(sizes) >= 140
