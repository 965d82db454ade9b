"""Benchmark: the demo end to end at the study's scale, and the simulator's write speed against floors.

    .venv/bin/python bench/demo.py [--channels 106] [--days 90] [--seed 1] [--skip-demo] [--workdir DIR]

1. Simulator write speed: ``simulate()`` at the given scale, against two floors measured in the same run on
   the same output: the disk floor (writing the same number of bytes from memory) and a naive writer
   (one ``orjson.dumps`` per message dict, the obvious way to write the same JSON).
2. The demo (``scripts/demo.sh`` steps through the real CLI): simulate -> ingest -> analyze -> study ->
   report, each step timed. The issue's target is <= 3 minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
TG = str(ROOT / ".venv" / "bin" / "tgintel")


def _bytes_under(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _children_cpu() -> float:
    """User + system seconds of finished child processes (the machine is shared: wall time alone misleads)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def bench_simulator(work: Path, channels: int, days: int, seed: int) -> dict:
    from tgintel.sources.simulate import simulate

    out = work / "sim"
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    summary = simulate(out, channels=channels, days=days, seed=seed)
    sim_s = time.perf_counter() - t0
    size = _bytes_under(out)
    # Floor 1: the disk. Write the same number of bytes from memory in 8 MiB chunks.
    chunk = os.urandom(8 << 20)
    floor = work / "floor.bin"
    t0 = time.perf_counter()
    with open(floor, "wb") as f:
        left = size
        while left > 0:
            f.write(chunk[: min(left, len(chunk))])
            left -= len(chunk)
        f.flush()
        os.fsync(f.fileno())
    disk_s = time.perf_counter() - t0
    floor.unlink()
    # Floor 2: a naive writer. One orjson.dumps per message dict (dicts decoded beforehand, not timed).
    with open(out / "truth.jsonl", "rb") as f:
        rows = [orjson.loads(line) for line in f]
    t0 = time.perf_counter()
    with open(work / "naive.jsonl", "wb") as f:
        for r in rows:
            f.write(orjson.dumps(r) + b"\n")
    naive_truth_s = time.perf_counter() - t0
    truth_bytes = (out / "truth.jsonl").stat().st_size
    (work / "naive.jsonl").unlink()
    del rows
    return {
        "messages": summary["messages"],
        "unique_texts": summary["unique_texts"],
        "repetition": summary["repetition"],
        "bytes": size,
        "simulate_s": round(sim_s, 2),
        "messages_per_s": round(summary["messages"] / sim_s),
        "disk_floor_same_bytes_s": round(disk_s, 2),
        "naive_orjson_per_message_truth_only_s": round(naive_truth_s, 2),
        "naive_truth_share_of_output": round(truth_bytes / size, 3),
    }


def bench_demo(work: Path, channels: int, days: int, seed: int) -> dict:
    db = work / "demo" / "tg.sqlite"
    exports = work / "demo" / "exports"
    shutil.rmtree(work / "demo", ignore_errors=True)
    (work / "demo").mkdir(parents=True)
    steps = [
        ("simulate", [TG, "simulate", "--channels", str(channels), "--days", str(days), "--seed", str(seed),
                      "--out", str(exports)]),
        ("ingest", [TG, "ingest", "--db", str(db), str(exports)]),
        ("analyze", [TG, "analyze", "--db", str(db)]),
        ("study", [TG, "study", "--db", str(db), "--json"]),
        ("report", [TG, "report", "--db", str(db), "--out", str(work / "demo" / "report")]),
    ]  # fmt: skip
    times: dict[str, float] = {}
    cpu: dict[str, float] = {}  # user + system seconds of the step's processes (Chromium's PDF print too)
    study = None
    t_all = time.perf_counter()
    for name, cmd in steps:
        if (
            name == "analyze"
            and subprocess.run([TG, "analyze", "--help"], capture_output=True).returncode != 0
        ):
            times[name] = None  # type: ignore[assignment]
            continue
        t0, c0 = time.perf_counter(), _children_cpu()
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        times[name] = round(time.perf_counter() - t0, 1)
        cpu[name] = round(_children_cpu() - c0, 1)
        if proc.returncode != 0:
            raise SystemExit(f"{name} failed ({proc.returncode}): {proc.stderr[-2000:]}")
        if name == "study":
            study = json.loads(proc.stdout)
        print(f"  {name}: {times[name]} s wall, {cpu[name]} s CPU", file=sys.stderr, flush=True)
    total = round(time.perf_counter() - t_all, 1)
    from tgintel.sources.simulate.truth import truth_study

    truth = truth_study(exports / "truth.jsonl")
    # The study's unique texts are distinct *normalised* texts once analysed: apply the same normalisation to
    # the truth's texts so the two can be compared exactly.
    from tgintel.detect.duplicates import exact_hash
    from tgintel.detect.normalize import normalize
    from tgintel.sources.simulate.truth import iter_truth

    truth["normalised_unique_texts"] = len(
        {exact_hash(normalize(r["text"])) for r in iter_truth(exports / "truth.jsonl") if r["text"].strip()}
    )
    raw = (
        "channels",
        "first_date",
        "last_date",
        "messages",
        "text_messages",
        "actors",
        "cross_channel_actors",
    )
    return {
        "steps_s": times,
        "steps_cpu_s": cpu,
        "load_at_end": os.getloadavg(),
        "total_s": total,
        "target_s": 180,
        "study_equals_truth_raw_counts": {k: study[k] == truth[k] for k in raw} if study else None,
        "study": {k: study[k] for k in (*raw, "exact_unique_texts", "near_duplicate_clusters",
                                        "cross_channel_clusters")} if study else None,
        "truth": {k: truth[k] for k in (*raw, "exact_unique_texts", "normalised_unique_texts",
                                        "near_duplicate_clusters", "cross_channel_clusters")},
    }  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--channels", type=int, default=106)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-demo", action="store_true", help="only the simulator write speed")
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="tgintel-bench-demo-"))
    work.mkdir(parents=True, exist_ok=True)
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()}",
        "scale": {"channels": args.channels, "days": args.days, "seed": args.seed},
        "simulator": bench_simulator(work, args.channels, args.days, args.seed),
    }
    print(json.dumps(result["simulator"]), file=sys.stderr, flush=True)
    if not args.skip_demo:
        result["demo"] = bench_demo(work, args.channels, args.days, args.seed)
    print(json.dumps(result, indent=2))
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
