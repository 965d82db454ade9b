"""Near-duplicate clustering as a Spark job, for corpora that no longer fit one machine.

It runs the *same* functions as the in-process engine (:func:`tgintel.detect.normalize.normalize`,
:func:`~tgintel.detect.normalize.placeholder_form`, :mod:`tgintel.detect.minhash` shingling, signatures, band
keys and :class:`~tgintel.detect.minhash.Similarity`) and the same rules, so on the same input in the same
order it names the same clusters with the same ids as :class:`tgintel.detect.duplicates.NearDuplicateIndex`
(tests/duplicates/test_spark.py checks this):

1. every message → normalised text → its *node* (distinct matching text); a node's order is the position of
   its first message, its contacts those of that message;
2. nodes → band keys (numpy, per partition);
3. per band key, the first ``max_bucket`` nodes in order are the bucket; each node is a candidate of the
   bucket members before it (the in-process index sees exactly these when it adds the node);
4. candidate pairs are verified with the exact similarity rule; verified pairs are the edges;
5. clusters are connected components of the edges, named after their oldest node. The edges are few (one per
   verified near-duplicate pair of distinct texts), so the components are computed on the driver.

Run: ``spark-submit -m tgintel.jobs.spark_dedupe IN.jsonl OUT.jsonl`` (or ``python -m …`` for local mode);
input lines ``{"id": …, "text": …}`` in order, output ``{"id": …, "cluster": …}``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

__all__ = ["cluster_texts", "local_session"]


def local_session(cores: int = 2) -> Any:
    """A local Spark session whose Python workers run this interpreter (so tgintel and numpy are there)."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("tgintel-dedupe")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", str(cores))
        .config("spark.default.parallelism", str(cores))
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )


def _node_of(item: tuple[int, Any, str]) -> tuple[str, tuple[int, Any, str, str]] | None:
    """(order, key, text) → (node hash, (order, key, matching text, contacts)) or None for empty text."""
    from tgintel.detect.duplicates import contact_keys, hash64
    from tgintel.detect.normalize import normalize, placeholder_form

    order, key, text = item
    norm = normalize(text or "")
    if not norm:
        return None
    ph = placeholder_form(norm)
    contacts = " ".join(f"{c:016x}" for c in sorted(contact_keys(norm)))
    return f"{hash64(ph):016x}", (order, key, ph, contacts)


def _first(a: tuple[int, Any, str, str], b: tuple[int, Any, str, str]) -> tuple[int, Any, str, str]:
    return a if a[0] <= b[0] else b


def _band_rows(params_dict: dict[str, int]) -> Any:
    def run(rows: Iterable[tuple[str, tuple[int, Any, str, str]]]) -> Iterator[tuple[int, tuple[int, str]]]:
        from tgintel.detect.minhash import MinHashParams, band_keys, shingle_hashes, signatures

        rows = list(rows)
        if not rows:
            return
        params = MinHashParams(**params_dict)
        h, offs = shingle_hashes([r[1][2] for r in rows], params.shingle)
        keys = band_keys(signatures(h, offs, params), params).tolist()
        for (nh, (order, _k, _t, _c)), node_keys in zip(rows, keys, strict=True):
            for bk in node_keys:
                yield bk, (order, nh)

    return run


def _candidate_pairs(max_bucket: int) -> Any:
    def run(item: tuple[int, Iterable[tuple[int, str]]]) -> Iterator[tuple[str, str]]:
        members = sorted(set(item[1]))
        stored = members[:max_bucket]
        for j, (oj, nj) in enumerate(members):
            for oi, ni in stored[: min(j, max_bucket)]:
                if oi < oj:
                    yield ni, nj

    return run


def _verify(sim_dict: dict[str, float]) -> Any:
    def run(rows: Iterable[tuple[tuple[str, str], tuple[Any, Any]]]) -> Iterator[tuple[str, str]]:
        from tgintel.detect.duplicates import product_keys
        from tgintel.detect.minhash import Similarity, shingle_hashes, shingle_sets

        similar = Similarity(**sim_dict)  # type: ignore[arg-type]
        for (a, b), ((ta, ca), (tb, cb)) in rows:
            h, offs = shingle_hashes([ta, tb])
            sa, sb = shingle_sets(h, offs)
            ka = frozenset(int(x, 16) for x in ca.split())
            kb = frozenset(int(x, 16) for x in cb.split())
            if similar(sa, sb, ka, kb, product_keys(ta), product_keys(tb)):
                yield a, b

    return run


def cluster_texts(
    spark: Any,
    texts: Sequence[tuple[Any, str]],
    *,
    similarity: Any = None,
    params: Any = None,
    max_bucket: int | None = None,
    partitions: int | None = None,
) -> dict[Any, str]:
    """Cluster ``(key, text)`` pairs (in arrival order) with Spark; key → cluster id ("" for empty text).

    ``texts`` may also be an RDD of ``(order, key, text)`` for inputs too large for the driver."""
    from tgintel.detect.duplicates import MAX_BUCKET, cluster_id_for
    from tgintel.detect.minhash import MinHashParams, Similarity

    similarity = similarity or Similarity()
    params = params or MinHashParams()
    cap = MAX_BUCKET if max_bucket is None else max_bucket
    sc = spark.sparkContext
    n = partitions or sc.defaultParallelism
    if isinstance(texts, Sequence):
        rdd = sc.parallelize([(i, k, t) for i, (k, t) in enumerate(texts)], n)
    else:
        rdd = texts
    items = rdd.map(_node_of).filter(lambda x: x is not None).cache()
    nodes = items.reduceByKey(_first, n).cache()  # node hash -> first (order, key, text, contacts)
    bands = nodes.mapPartitions(_band_rows(params.as_dict()))
    pairs = bands.groupByKey(n).flatMap(_candidate_pairs(cap)).distinct(n)
    payload = nodes.mapValues(lambda v: (v[2], v[3]))
    joined = (
        pairs.join(payload, n)  # (a, (b, pa))
        .map(lambda r: (r[1][0], (r[0], r[1][1])))
        .join(payload, n)  # (b, ((a, pa), pb))
        .map(lambda r: ((r[1][0][0], r[0]), (r[1][0][1], r[1][1])))
    )
    edges = joined.mapPartitions(_verify(similarity.as_dict())).collect()
    order = dict(nodes.mapValues(lambda v: v[0]).collect())

    parent = {n: n for n in order}

    def find(n: str) -> str:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            lo, hi = (ra, rb) if order[ra] < order[rb] else (rb, ra)
            parent[hi] = lo
    # Nodes are few next to messages (one per distinct matching text): broadcast their clusters and label the
    # messages where they are.
    cluster = sc.broadcast({n: cluster_id_for(int(find(n), 16)) for n in order})
    labelled = items.map(lambda r: (r[1][1], cluster.value[r[0]]))
    out = dict(labelled.collect())
    if isinstance(texts, Sequence):
        for key, _text in texts:
            out.setdefault(key, "")
    return out


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - thin command-line wrapper
    import orjson

    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 2:
        print("usage: python -m tgintel.jobs.spark_dedupe IN.jsonl OUT.jsonl", file=sys.stderr)
        sys.exit(2)
    with open(args[0], "rb") as f:
        rows = [orjson.loads(line) for line in f if line.strip()]
    spark = local_session()
    try:
        result = cluster_texts(spark, [(r["id"], r.get("text") or "") for r in rows])
    finally:
        spark.stop()
    with open(args[1], "wb") as out:
        for r in rows:
            out.write(orjson.dumps({"id": r["id"], "cluster": result[r["id"]]}) + b"\n")


if __name__ == "__main__":  # pragma: no cover
    main()
