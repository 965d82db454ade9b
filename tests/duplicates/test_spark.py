"""The Spark job names the same clusters as the in-process engine on the same input (local mode)."""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from duplicates.dupmarket import market
from tgintel.detect.duplicates import NearDuplicateIndex

pytestmark = [pytest.mark.spark, pytest.mark.slow]

DATA = Path(__file__).resolve().parent.parent / "data" / "tg-spam"


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    if shutil.which("java") is None:
        pytest.skip("Java is not installed (scripts/system-deps.sh installs it)")
    from tgintel.jobs.spark_dedupe import local_session

    session = local_session(2)
    yield session
    session.stop()


def test_spark_clusters_equal_in_process_clusters(spark: Any) -> None:
    _channels, messages, _truth = market(seed=9, per_advert=8)
    texts = [m.text for m in messages]
    texts += (DATA / "spam-samples.txt").read_text(encoding="utf-8").split("\n")
    texts += ["", "  🔥  "]
    rng = random.Random(4)
    texts += [rng.choice(texts) for _ in range(60)]  # exact repeats, as in real channels
    items = [(f"m{i}", t) for i, t in enumerate(texts)]

    from tgintel.jobs.spark_dedupe import cluster_texts

    got = cluster_texts(spark, items, partitions=2)
    ix = NearDuplicateIndex()
    ix.add_many(items)
    expect = {k: (ix.cluster_of_text(t) or "") for k, t in items}
    assert got == expect
    sizes: dict[str, int] = {}
    for c in expect.values():
        sizes[c] = sizes.get(c, 0) + 1
    assert sum(1 for n in sizes.values() if n > 1) >= 20  # the comparison covers many real clusters
