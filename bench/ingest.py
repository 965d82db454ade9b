"""Benchmark: ``tgintel ingest`` of a large Telegram Desktop export against the parse-only floor.

Writes a single-channel ``result.json`` of N messages (default 1,000,000) in the shapes Desktop writes —
plain text with ``text_entities``, the list form with links and mentions, photos and files behind the
"File not included" placeholder, forwards, replies, edits, reactions, service messages — streaming, so the
writer's memory stays flat too. Then, in one run:

- floor: the time ijson (yajl2_c, the reader tgintel uses) takes only to build every message dict, and,
  when the file fits comfortably in memory, orjson's time to parse the whole file at once;
- ``tgintel ingest`` into a fresh SQLite file as a child process: wall time, CPU time and peak RSS of that
  very child (``os.wait4``), so nothing the benchmark itself holds is counted;
- a second ingest of the same file (everything unchanged: the idempotence path).

Targets (issue 2): ≥ 50,000 messages/s into SQLite on one core, ≤ 4× the parse-only time, peak RSS ≤ 300 MB
whatever the export size. ``--markdown`` prints a section for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
TGINTEL = ROOT / ".venv" / "bin" / "tgintel"
NOT_INCLUDED = "(File not included. Change data exporting settings to download.)"
CID = 1987654321
T0 = 1_767_225_600  # 2026-01-01

WORDS = (
    "fresh stock today price list delivery worldwide escrow accepted contact manager order now discount",
    "новое поступление пишите менеджеру доставка оплата гарант",
    "nieuw voorraad bestellen betalen vandaag levering",
)
WORDS = tuple(w for line in WORDS for w in line.split())


def text_of(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def record(i: int, rng: random.Random) -> dict:
    ts = T0 + i * 7
    local = datetime.fromtimestamp(ts + 3600, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    m: dict = {"id": i, "type": "message", "date": local, "date_unixtime": str(ts)}
    r = rng.random()
    if r < 0.03:
        m.update(type="service", actor="Market", actor_id=f"channel{CID}", action="pin_message",
                 message_id=i - 1, text="", text_entities=[])  # fmt: skip
        return m
    m["from"] = "Market Board" if r < 0.8 else f"Seller {i % 97}"
    m["from_id"] = f"channel{CID}" if r < 0.8 else f"user{1000 + i % 97}"
    body = text_of(rng, rng.randint(6, 40))
    if r < 0.6:
        m["text"] = body
        m["text_entities"] = [{"type": "plain", "text": body}]
    else:
        link = f"https://t.me/sample_{i % 50}"
        mention = {"type": "mention", "text": "@sample_mgr"}
        parts = [body + " ", {"type": "link", "text": link}, " or ", mention]
        m["text"] = parts
        m["text_entities"] = [{"type": "plain", "text": p} if isinstance(p, str) else p for p in parts]
    if 0.60 <= r < 0.72:
        m.update(photo=NOT_INCLUDED, photo_file_size=rng.randint(20_000, 200_000), width=1280, height=960)
    elif 0.72 <= r < 0.75:
        m.update(file=NOT_INCLUDED, thumbnail=NOT_INCLUDED, media_type="video_file", mime_type="video/mp4",
                 duration_seconds=rng.randint(3, 90), width=720, height=1280,
                 file_size=rng.randint(1, 9) * 10**6)  # fmt: skip
    if 0.75 <= r < 0.82:
        m.update(forwarded_from="Partner Shop", forwarded_from_id="channel1234567")
    if rng.random() < 0.05:
        m["reply_to_message_id"] = max(1, i - rng.randint(1, 50))
    if rng.random() < 0.04:
        m.update(edited=local, edited_unixtime=str(ts + 60))
    if rng.random() < 0.1:
        m["reactions"] = [{"type": "emoji", "count": rng.randint(1, 40), "emoji": "👍"}]
    return m


def write_export(path: Path, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("wb") as f:
        f.write(b'{\n "name": "Market Board",\n "type": "public_channel",\n "id": %d,\n' % CID)
        f.write(b' "messages": [\n')
        for i in range(1, n + 1):
            f.write((b",\n" if i > 1 else b"") + orjson.dumps(record(i, rng), option=orjson.OPT_INDENT_2))
        f.write(b"\n ]\n}\n")


# The floors run as child processes like the ingest, so all three are measured the same way (wall, CPU and
# peak RSS of that child) and this process stays small: a forked child's peak RSS includes its parent's
# pages until exec.
FLOOR_IJSON = (
    "import ijson, sys\n"
    "with open(sys.argv[1], 'rb') as f:\n"
    "    n = sum(1 for _ in ijson.items(f, 'messages.item', use_float=True, buf_size=256 * 1024))\n"
    "assert n == int(sys.argv[2])"
)
# tgintel's own reader of pretty-printed message arrays (orjson over blocks of whole messages), parse only:
# not the floor the target is measured against, shown for where an ingest's time goes. With the cyclic GC
# paused, as ingest_paths runs it (a block's ~1,000 live dicts otherwise trigger collections).
BLOCKS = (
    "import gc, sys\n"
    "gc.disable()\n"
    "from pathlib import Path\n"
    "from tgintel.sources.desktop_export import _open, scan\n"
    "from tgintel.sources.export_blocks import Where, message_blocks\n"
    "p = Path(sys.argv[1])\n"
    "f, skip = _open(p)\n"
    "n = sum(len(b) for b in message_blocks(f, skip, scan(p)[0].fields, Where()))\n"
    "assert n == int(sys.argv[2])"
)
FLOOR_ORJSON = (
    "import orjson, sys\n"
    "with open(sys.argv[1], 'rb') as f:\n"
    "    assert len(orjson.loads(f.read())['messages']) == int(sys.argv[2])"
)


def run_child(args: list[str]) -> tuple[float, float, int]:
    """Wall s, CPU s, peak RSS (bytes) of exactly this child."""
    t = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench: {' '.join(args)} failed:\n{err}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--dir", type=Path, default=None, help="work folder (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the export and database")
    ap.add_argument("--markdown", action="store_true", help="print a section for docs/benchmarks.md")
    a = ap.parse_args()

    work = a.dir or Path(tempfile.mkdtemp(prefix="tgintel-bench-ingest-"))
    work.mkdir(parents=True, exist_ok=True)
    export, db = work / "result.json", work / "bench.sqlite"
    n = a.messages
    try:
        t = time.perf_counter()
        write_export(export, n)
        size = export.stat().st_size
        took = time.perf_counter() - t
        print(f"wrote {n:,} messages, {size / 1e6:,.0f} MB in {took:.1f} s", file=sys.stderr)

        py = sys.executable
        # bytecode compiled, as an installed tgintel has it (pip compiles a regular install; an editable one
        # under PYTHONDONTWRITEBYTECODE would compile every module again in each child, ~0.2 s)
        subprocess.run([py, "-m", "compileall", "-q", str(ROOT / "tgintel")], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        floor = run_child([py, "-c", FLOOR_IJSON, str(export), str(n)])
        blocks = run_child([py, "-c", BLOCKS, str(export), str(n)])
        # orjson needs the whole file and its objects in memory: only where that is a small fraction of RAM
        whole = run_child([py, "-c", FLOOR_ORJSON, str(export), str(n)]) if size < 1_500_000_000 else None
        for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            p.unlink(missing_ok=True)
        ingest = [str(TGINTEL), "ingest", "--db", str(db), str(export)]
        first = run_child(ingest)
        again = run_child(ingest)
    finally:
        if not a.keep and a.dir is None:
            shutil.rmtree(work, ignore_errors=True)

    rows = [
        ("floor: ijson items (yajl2_c), parse only", floor),
        *([("floor: orjson.loads, whole file in memory", whole)] if whole else []),
        ("tgintel's block reader (orjson per ~128 KB of messages), parse only", blocks),
        ("tgintel ingest, new database", first),
        ("tgintel ingest again (all unchanged)", again),
    ]
    load = os.getloadavg()
    ratio_wall, ratio_cpu = first[0] / floor[0], first[1] / floor[1]
    # which row maker the ingest child ran (it inherits this environment): the C one or the pure Python one
    probe = ("from tgintel.sources import desktop_export as d; import sqlite3; "
             "print(d._C is not None); print('SQLite', sqlite3.sqlite_version)")  # fmt: skip
    c_rows, sqlite = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                                    check=True).stdout.strip().split("\n")  # fmt: skip
    rows_by = ("the C row maker (tgintel/sources/_c_export.c)" if c_rows == "True"
               else "pure Python (C row maker not built, or TGINTEL_PURE_PYTHON=1)")  # fmt: skip
    if a.markdown:
        print(f"\n## Ingest (bench/ingest.py)\n\n{datetime.now(UTC):%Y-%m-%d}, "
              f"{platform.python_implementation()} {platform.python_version()}, shared 2-core machine (load "
              f"average {load[0]:.1f} at the end of the run); "
              f"`.venv/bin/python bench/ingest.py --messages {n} --markdown`. One single-channel export "
              f"of {n:,} messages ({size / 1e6:,.0f} MB) in Desktop's "
              "shapes, into a fresh SQLite file. Each row is a separate process; CPU is user + system time "
              f"of that process, the fair figure on a loaded machine. Rows made by {rows_by}; the store on "
              f"{sqlite}.\n")  # fmt: skip
        print("| step | wall s | messages/s (wall) | CPU s | messages/s (CPU) | peak RSS MB |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, (w, c, r) in rows:
            print(f"| {name} | {w:.2f} | {n / w:,.0f} | {c:.2f} | {n / c:,.0f} | {r / 1e6:,.0f} |")
        print(f"\ningest / parse-only floor: {ratio_wall:.2f}× wall, {ratio_cpu:.2f}× CPU.")
    else:
        for name, (w, c, r) in rows:
            print(f"{name}: wall {w:.2f} s ({n / w:,.0f}/s), CPU {c:.2f} s ({n / c:,.0f}/s), "
                  f"peak RSS {r / 1e6:,.0f} MB")  # fmt: skip
        print(f"ingest / parse-only: {ratio_wall:.2f}x wall, {ratio_cpu:.2f}x CPU; load {load[0]:.1f}; "
              f"rows made by {rows_by}; the store on {sqlite}")  # fmt: skip

if __name__ == "__main__":
    main()
