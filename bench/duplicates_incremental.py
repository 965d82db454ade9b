"""Incremental clustering in the store: does a batch cost the same late in a corpus as early on?

    .venv/bin/python bench/duplicates_incremental.py [--channels 106] [--days 30] [--batch 5000] [--db PATH]

Loads the simulated corpus into a fresh SQLite store (ingest is not timed), then runs
:func:`tgintel.jobs.cluster.assign_clusters` + ``save_analysis`` batch by batch in arrival order, as
``tgintel analyze`` does, and prints the throughput of the first and the last batches. Lookups are by primary
key and band key only, so the per-batch cost should not grow with the number of messages already stored.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from tgintel.jobs.cluster import assign_clusters
    from tgintel.model import Channel, Message
    from tgintel.sources.simulate import simulate
    from tgintel.store import Analysis, open_store

    ap = argparse.ArgumentParser()
    ap.add_argument("--channels", type=int, default=106)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch", type=int, default=5000)
    ap.add_argument("--db", default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        simulate(tmp, channels=args.channels, days=args.days, seed=args.seed)
        with open(Path(tmp) / "truth.jsonl", "rb") as f:
            rows = [orjson.loads(line) for line in f]
        store = open_store(args.db or str(Path(tmp) / "bench.sqlite"))
        store.upsert_channels([Channel(id=c, title=str(c)) for c in {r["channel_id"] for r in rows}])
        msgs = [
            Message(channel_id=r["channel_id"], id=r["id"], date=datetime.fromisoformat(r["date"]),
                    kind=r["kind"], text=r["text"] or "", sender_key=r["actor"])
            for r in rows
        ]  # fmt: skip
        for i in range(0, len(msgs), 20000):
            store.upsert_messages(msgs[i : i + 20000])
        stored = sorted(
            (x for b in store.iter_messages(batch_size=20000) for x in b), key=lambda pm: pm[1].date
        )
        rates = []
        for i in range(0, len(stored), args.batch):
            batch = stored[i : i + args.batch]
            t0 = time.perf_counter()
            res = assign_clusters(store, batch)
            store.save_analysis([Analysis(pk=pk, norm_hash=h, cluster_id=c) for pk, (h, c) in res.items()])
            rates.append((i + len(batch), len(batch) / (time.perf_counter() - t0)))
        store.close()
    total = sum(n for n in [args.batch] * len(rates))
    print(f"{len(stored)} messages, batches of {args.batch} ({total} slots)")
    for done, rate in rates[:3] + rates[-3:]:
        print(f"  after {done:>8} messages stored: {rate:>8,.0f} msg/s (assign_clusters + save_analysis)")
    first = sum(r for _, r in rates[:5]) / min(5, len(rates))
    last = sum(r for _, r in rates[-5:]) / min(5, len(rates))
    print(f"mean of first 5 batches {first:,.0f} msg/s, last 5 batches {last:,.0f} msg/s")


if __name__ == "__main__":
    main()
