"""Live collection throughput without a network: how much of a collector round is tgintel's own cost.

N channel posts (text with an emoji and a hidden link, every 5th with a photo, every 7th a forward) exist as
real ``telethon.tl.types.Message`` objects in an in-memory source that hands them out like
``client.iter_messages(reverse=True)``. Measured in one run, on fresh SQLite files:

- **collect**: ``Collector`` over the source into SQLite (conversion + batches + cursor in one transaction);
- **convert only**: ``message_from_telethon`` over the same objects (no store);
- **floor, store only**: ``upsert_messages`` of the already converted records in the same batch size: the
  cost the collector cannot go below with this store;
- **peer, import**: ``tgintel ingest``'s ``ingest_paths`` over a Telegram Desktop export of the same posts.

Real collection is bounded by Telegram (about 100 posts per history request, paced): these figures say
whether tgintel adds anything noticeable on top.

    .venv/bin/python bench/collect.py --messages 100000 [--markdown]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telethon.tl import types  # noqa: E402

from tgintel.jobs.collect import CollectOptions, Collector  # noqa: E402
from tgintel.jobs.ingest import ingest_paths  # noqa: E402
from tgintel.sources.telethon_live import channel_from_telethon, message_from_telethon  # noqa: E402
from tgintel.store import open_store  # noqa: E402

T0 = datetime(2026, 1, 1, tzinfo=UTC)
CHANNEL = types.Channel(id=1001, title="Bench Market", photo=types.ChatPhotoEmpty(), date=T0, access_hash=7,
                        username="bench_market", broadcast=True)  # fmt: skip
PREFIX = "🔥 Fresh stock #"


def make_posts(n: int) -> tuple[list[Any], list[dict[str, Any]]]:
    live, export = [], []
    for i in range(1, n + 1):
        date = T0 + timedelta(minutes=i)
        body = f"{PREFIX}{i} order here, 40 EUR, contact @seller_{i % 97}"
        link_at = body.index("here")
        u16 = len(body[:link_at].encode("utf-16-le")) // 2
        kw: dict[str, Any] = {}
        rec: dict[str, Any] = {"id": i, "type": "message", "date": date.strftime("%Y-%m-%dT%H:%M:%S"),
                               "date_unixtime": str(int(date.timestamp())), "from": "Bench Market",
                               "from_id": "channel1001"}  # fmt: skip
        if i % 5 == 0:
            photo = types.Photo(id=i, access_hash=1, file_reference=b"", date=date, dc_id=2,
                                sizes=[types.PhotoSize("y", 1280, 960, 150_000)])  # fmt: skip
            kw["media"] = types.MessageMediaPhoto(photo=photo)
            rec.update(photo=f"photos/photo_{i}.jpg", photo_file_size=150_000, width=1280, height=960)
        if i % 7 == 0:
            kw["fwd_from"] = types.MessageFwdHeader(date=date, from_id=types.PeerChannel(555), channel_post=i)
            rec.update(forwarded_from="Origin", forwarded_from_id="channel555")
        live.append(types.Message(id=i, peer_id=types.PeerChannel(1001), date=date, message=body, post=True,
                                  views=100 + i, entities=[types.MessageEntityTextUrl(u16, 4, "https://x.invalid")],
                                  **kw))  # fmt: skip
        rec["text_entities"] = [{"type": "plain", "text": body[:link_at]},
                                {"type": "text_link", "text": "here", "href": "https://x.invalid"},
                                {"type": "plain", "text": body[link_at + 4:]}]  # fmt: skip
        rec["text"] = [body[:link_at], {"type": "text_link", "text": "here", "href": "https://x.invalid"},
                       body[link_at + 4:]]  # fmt: skip
        export.append(rec)
    return live, export


class Source:
    def __init__(self, posts: list[Any]) -> None:
        self.posts = posts

    async def resolve_username(self, username: str) -> Any:
        return CHANNEL

    async def get_channel(self, channel_id: int, access_hash: int) -> Any:
        return CHANNEL

    async def iter_messages(
        self, channel_id: int, access_hash: int, *, min_id: int = 0, offset_date: Any = None
    ):  # type: ignore[no-untyped-def]
        for m in self.posts:
            if m.id > min_id:
                yield m

    async def download_media(self, message: Any, *, max_bytes: int) -> bytes:
        raise AssertionError("bench collects metadata only")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    live, export = make_posts(args.messages)
    n = args.messages
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"{tmp}/collect.sqlite")
        store.watch_add(["@bench_market"])
        t = time.perf_counter()
        collector = Collector(store, Source(live), CollectOptions(batch_size=args.batch))
        report = asyncio.run(collector.run_round())
        out["collect"] = time.perf_counter() - t
        assert report.messages.inserted == n, report
        store.close()

        chan = channel_from_telethon(CHANNEL)
        t = time.perf_counter()
        converted = [message_from_telethon(m, chan) for m in live]
        out["convert only"] = time.perf_counter() - t

        store = open_store(f"{tmp}/floor.sqlite")
        store.upsert_channels([chan])
        t = time.perf_counter()
        for i in range(0, n, args.batch):
            store.upsert_messages(converted[i : i + args.batch])
        out["floor: store only"] = time.perf_counter() - t
        store.close()

        folder = Path(tmp) / "export"
        folder.mkdir()
        (folder / "result.json").write_text(json.dumps(
            {"name": "Bench Market", "type": "public_channel", "id": 1001, "messages": export},
            ensure_ascii=False), encoding="utf-8")  # fmt: skip
        store = open_store(f"{tmp}/import.sqlite")
        t = time.perf_counter()
        counts = ingest_paths(store, [folder])
        out["peer: Desktop import"] = time.perf_counter() - t
        assert counts["inserted"] == n
        store.close()
    rows = [(k, v, n / v) for k, v in out.items()]
    if args.markdown:
        print(f"| {n:,} posts | seconds | posts/s |\n|---|---:|---:|")
        for k, v, r in rows:
            print(f"| {k} | {v:.2f} | {r:,.0f} |")
    else:
        for k, v, r in rows:
            print(f"{k:24s} {v:8.2f} s {r:12,.0f} posts/s")


if __name__ == "__main__":
    main()
