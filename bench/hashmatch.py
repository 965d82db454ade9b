"""Exact PDQ radius search: tgintel's multi-index hashing (MIH) against faiss ``IndexBinaryFlat``.

Stored hashes: the 1,350 real PDQ hashes of bench/data/pdq/haystack.txt plus uniformly random ones up to N.
Queries (1,000): 700 copies of real haystack hashes with 0–40 bits flipped (so about three quarters lie within
the radius) and 300 random hashes. Both engines must return exactly the same (query, row, distance) triples;
the run fails otherwise.

MIH is measured the way tgintel serves it: the index is built, saved as .npy files, and a fresh process
memory-maps them and answers the queries (its peak RSS is the serving memory). faiss runs in the main process
on all queries with its default OpenMP threads (2 on the reference machine); MIH runs its query batches on
the same number of threads (its default: one per CPU).

    .venv/bin/python bench/hashmatch.py --sizes 1000000 10000000 [--radius 31] [--markdown]
    .venv/bin/python bench/hashmatch.py --sizes 1000000 10000000 --compare-layouts
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tgintel.detect.hashindex import PdqIndex, hex_to_array  # noqa: E402

HAYSTACK = ROOT / "bench" / "data" / "pdq" / "haystack.txt"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_data(n: int, n_queries: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    real = hex_to_array(HAYSTACK.read_text().split())
    stored = np.empty((n, 32), np.uint8)
    stored[: len(real)] = real
    stored[len(real) :] = rng.integers(0, 256, (n - len(real), 32), dtype=np.uint8)
    n_near = n_queries * 7 // 10
    queries = np.empty((n_queries, 32), np.uint8)
    for i in range(n_near):
        bits = np.unpackbits(real[rng.integers(len(real))])
        bits[rng.choice(256, size=int(rng.integers(0, 41)), replace=False)] ^= 1
        queries[i] = np.packbits(bits)
    queries[n_near:] = rng.integers(0, 256, (n_queries - n_near, 32), dtype=np.uint8)
    return stored, queries


def serve(folder: Path, radius: int) -> None:
    """Child process: memory-map the saved index, answer the queries, report time and memory."""
    arrays = {p.stem: np.load(p, mmap_mode="r") for p in folder.glob("*.npy") if p.stem != "queries"}
    queries = np.load(folder / "queries.npy")
    t = time.perf_counter()
    index = PdqIndex.from_arrays(arrays)
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    index.search(queries, radius)  # cold: pages of the mapped files are touched for the first time
    cold_s = time.perf_counter() - t
    t = time.perf_counter()
    hits = index.search(queries, radius)  # warm: what a long-running matcher (the collector) sees
    search_s = time.perf_counter() - t
    np.savez(folder / "result.npz", q=hits.query, i=hits.id, d=hits.distance)
    print(json.dumps({"load_s": load_s, "cold_s": cold_s, "search_s": search_s, "rss_mb": rss_mb()}))


def faiss_search(stored: np.ndarray, queries: np.ndarray, radius: int) -> tuple[dict, tuple]:
    import faiss

    t = time.perf_counter()
    index = faiss.IndexBinaryFlat(256)
    index.add(stored)
    add_s = time.perf_counter() - t
    t = time.perf_counter()
    lims, dist, ids = index.range_search(queries, radius + 1)  # faiss keeps distances < radius
    search_s = time.perf_counter() - t
    q = np.repeat(np.arange(len(queries), dtype=np.int64), np.diff(lims.astype(np.int64)))
    order = np.lexsort((ids, q))
    stats = {"add_s": add_s, "search_s": search_s, "threads": faiss.omp_get_max_threads()}
    return stats, (q[order], ids[order].astype(np.int64), dist[order].astype(np.int32))


def run_size(n: int, n_queries: int, radius: int, seed: int) -> dict:
    t = time.perf_counter()
    stored, queries = make_data(n, n_queries, seed)
    gen_s = time.perf_counter() - t
    with tempfile.TemporaryDirectory(prefix="hashmatch-") as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        index = PdqIndex.build(stored)
        build_s = time.perf_counter() - t
        arrays = index.arrays()
        index_mb = sum(a.nbytes for a in arrays.values()) / 2**20
        for k, a in arrays.items():
            np.save(folder / f"{k}.npy", a)
        np.save(folder / "queries.npy", queries)
        layout = index.layout
        del index, arrays
        child = subprocess.run(
            [sys.executable, __file__, "--serve", str(folder), "--radius", str(radius)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        mih = json.loads(child.stdout.strip().splitlines()[-1])
        with np.load(folder / "result.npz") as r:
            mine = (r["q"], r["i"], r["d"])
    flat, theirs = faiss_search(stored, queries, radius)
    identical = all(np.array_equal(a, b) for a, b in zip(mine, theirs, strict=True))
    if not identical:
        raise SystemExit(f"MISMATCH at n={n}: MIH {len(mine[0])} results, faiss {len(theirs[0])}")
    return {
        "n": n, "queries": n_queries, "radius": radius, "results": len(mine[0]),
        "queries_within_radius": len(np.unique(mine[0])), "layout": list(layout),
        "gen_s": gen_s, "mih_build_s": build_s, "mih_index_mb": index_mb, "mih_load_s": mih["load_s"],
        "mih_qps": n_queries / mih["search_s"], "mih_cold_qps": n_queries / mih["cold_s"],
        "mih_serve_rss_mb": mih["rss_mb"],
        "faiss_add_s": flat["add_s"], "faiss_qps": n_queries / flat["search_s"],
        "faiss_threads": flat["threads"],
        "speedup": flat["search_s"] / mih["search_s"], "identical": identical,
        "build_process_peak_rss_mb": rss_mb(),
    }  # fmt: skip


LAYOUTS = {
    "16x16": (16,) * 16,
    "13 (6x21,4x19,3x18)": (21,) * 6 + (19,) * 4 + (18,) * 3,
    "12 (8x22,4x20)": (22,) * 8 + (20,) * 4,
    "11 (3x24,8x23)": (24,) * 3 + (23,) * 8,
}


def compare_layouts(n: int, n_queries: int, radius: int, seed: int) -> None:
    """How the chunk layout trades probes against candidates (in-process, single thread, warm)."""
    stored, queries = make_data(n, n_queries, seed)
    reference = None
    for name, layout in LAYOUTS.items():
        t = time.perf_counter()
        index = PdqIndex.build(stored, layout=layout, tables=True)
        build_s = time.perf_counter() - t
        index.search(queries, radius, threads=1)
        t = time.perf_counter()
        hits = index.search(queries, radius, threads=1)
        qps = n_queries / (time.perf_counter() - t)
        got = (hits.query, hits.id, hits.distance)
        reference = reference or got
        same = all(np.array_equal(a, b) for a, b in zip(got, reference, strict=True))
        mb = sum(a.nbytes for a in index.arrays().values()) / 2**20
        print(json.dumps({"n": n, "layout": name, "qps": round(qps), "build_s": round(build_s, 1),
                          "index_mb": round(mb), "same_results": same}), flush=True)  # fmt: skip
        del index


def markdown(rows: list[dict]) -> str:
    out = [
        "| stored | MIH q/s (first pass, cold pages) | faiss flat q/s | speedup | identical results "
        "| MIH index | MIH serving RSS | MIH build | results |",
        "|---:|---:|---:|---:|:---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        out.append(
            f"| {r['n']:,} | {r['mih_qps']:,.0f} ({r['mih_cold_qps']:,.0f}) | "
            f"{r['faiss_qps']:,.0f} ({r['faiss_threads']} threads) | "
            f"{r['speedup']:.1f}× | {'yes' if r['identical'] else 'NO'} | {r['mih_index_mb']:,.0f} MiB | "
            f"{r['mih_serve_rss_mb']:,.0f} MiB | {r['mih_build_s']:.1f} s | {r['results']:,} |"
        )
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--radius", type=int, default=31)
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--markdown", action="store_true", help="Print a Markdown table at the end.")
    ap.add_argument("--compare-layouts", action="store_true", help="Compare MIH chunk layouts instead.")
    ap.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.serve, args.radius)
        return
    if args.compare_layouts:
        for n in args.sizes:
            compare_layouts(n, args.queries, args.radius, args.seed)
        return
    rows = []
    for n in args.sizes:
        row = run_size(n, args.queries, args.radius, args.seed)
        print(json.dumps(row), flush=True)
        rows.append(row)
    if args.markdown:
        print(markdown(rows))


if __name__ == "__main__":
    main()
