"""A/B equivalence of the entity extractor: a past revision's answers against the working tree's.

Speed work on ``tgintel.detect.entities`` must not change a single answer. This check materialises the
package as it was at ``--rev`` (``git show``, into a temporary folder, imports renamed) and compares
``(type, value, start, end)`` of both extractors, case by case, on:

- the distinct texts of simulated markets (several seeds, both template sets), each with no region and with
  several default regions;
- the real sets under tests/data (tg-spam, smishing);
- every string literal in tests/entities (the hand-written valid, invalid and lookalike vectors);
- random mutations of all of the above: slices, joins across line breaks, obfuscated dots and schemes,
  re-cased and homoglyph-swapped letters, digits and signs sprinkled in.

The new extractor runs twice: once from cold, once in shuffled order with its memos warm (a memo keyed too
loosely would show there). Exit status 1 and the first differences when any case differs.

    .venv/bin/python bench/entities_equivalence.py [--rev b2a8402] [--seeds 7,11] [--mutations 30000]
"""

from __future__ import annotations

import argparse
import ast
import csv
import importlib
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402

from tgintel.detect import entities as new_entities  # noqa: E402
from tgintel.sources.simulate import simulate  # noqa: E402

PKG = "tgintel/detect/entities"
REGIONS = (None, "NL", "DE", "RU", "SE", "NO", "US", "GB", "FI", "UA")


def load_old(rev: str, into: Path) -> Any:
    """The entities package as it was at ``rev``, importable as ``ent_old``."""
    names = subprocess.run(
        ["git", "-C", str(ROOT), "ls-tree", "--name-only", f"{rev}:{PKG}"],
        check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    pkg = into / "ent_old"
    pkg.mkdir()
    for name in names:
        if not name.endswith(".py"):
            continue
        src = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{rev}:{PKG}/{name}"],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        src = src.replace("tgintel.detect.entities", "ent_old")
        (pkg / name).write_text(src, "utf-8")
    sys.path.insert(0, str(into))
    return importlib.import_module("ent_old")


def clear_caches(pkg: Any) -> None:
    for mod in (pkg, *(getattr(pkg, n) for n in ("checksums", "contacts", "money") if hasattr(pkg, n))):
        for name in dir(mod):
            fn = getattr(mod, name)
            if callable(fn) and hasattr(fn, "cache_clear"):
                fn.cache_clear()
    if hasattr(pkg, "clear_memos"):
        pkg.clear_memos()


def literals_in_tests() -> list[str]:
    out = []
    for path in sorted((ROOT / "tests/entities").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip():
                out.append(node.value)
    return out


def real_texts() -> list[str]:
    spam = (ROOT / "tests/data/tg-spam/spam-samples.txt").read_text("utf-8").splitlines()
    with (ROOT / "tests/data/smishing/subset.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    sms = [cell for row in rows[1:] for cell in row if len(cell) > 20]
    return [t for t in spam + sms if t]


_SWAPS = [
    (".", "[.]"), (".", " . "), (".", " dot "), (".", "(.)"), ("http", "hxxp"), ("://", "[:]//"),
    ("://", "//"), ("@", " [at] "), ("@", "(at)"), (" ", "\n"), ("\n", " "), ("\n", "\n\n"), ("a", "а"),
    ("o", "о"), ("e", "е"),
    ("i", "İ"), ("€", " EUR"), ("$", "₽"), ("+", ""), ("+", "00"), ("0", "O"), (" ", "\u00a0"), ("-", "—"),
    ("t.me", "telegram.me"), ("t.me", "t.dog"), ("onion", "ONION"), ("https://", ""), ("\n", "\n🔥 "),
]  # fmt: skip
_SPRINKLE = ["7", "0", "+", "€", "$", ".", "/", "@", "\n", " ", "-", "k", "İ", "ς", "🔥", ",", "'", "#"]


def mutate(rng: random.Random, texts: list[str]) -> str:
    s = rng.choice(texts)
    for _ in range(rng.randint(1, 3)):
        op = rng.random()
        if op < 0.25 and len(s) > 4:
            a = rng.randrange(len(s))
            b = rng.randrange(a, len(s) + 1)
            s = s[a:b] or s
        elif op < 0.45:
            s = s + rng.choice(["\n", " ", "", "\n▪️ ", ". "]) + rng.choice(texts)
        elif op < 0.7:
            old, new = rng.choice(_SWAPS)
            s = s.replace(old, new, rng.choice([1, 2, -1]))
        elif op < 0.8:
            s = s.upper() if rng.random() < 0.5 else s.lower()
        else:
            i = rng.randrange(len(s) + 1)
            s = s[:i] + rng.choice(_SPRINKLE) + s[i:]
    return s


def answers(pkg: Any, cases: list[tuple[str, str | None]]) -> list[tuple]:
    return [tuple((e.type, e.value, e.start, e.end) for e in pkg.extract_entities(t, default_region=r))
            for t, r in cases]  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rev", default="b2a8402")
    ap.add_argument("--seeds", default="7,11")
    ap.add_argument("--channels", type=int, default=30)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--mutations", type=int, default=30000)
    ap.add_argument("--sim-dir", help="reuse simulated corpora under this folder (one sub-folder per seed)")
    args = ap.parse_args()
    rng = random.Random(20261123)
    with tempfile.TemporaryDirectory() as tmp:
        old = load_old(args.rev, Path(tmp))
        sim: list[str] = []
        for i, seed in enumerate(int(s) for s in args.seeds.split(",")):
            base = Path(args.sim_dir) if args.sim_dir else Path(tmp)
            out = base / f"sim{seed}"
            if not (out / "truth.jsonl").exists():
                simulate(out, channels=args.channels, days=args.days, seed=seed,
                         templates="train" if i % 2 == 0 else "heldout")  # fmt: skip
            for line in (out / "truth.jsonl").read_bytes().splitlines():
                row = orjson.loads(line)
                if row["kind"] == "message" and row["text"]:
                    sim.append(row["text"])
        sim = list(dict.fromkeys(sim))
        base_texts = sim + real_texts() + literals_in_tests()
        texts = list(dict.fromkeys(base_texts + [mutate(rng, base_texts) for _ in range(args.mutations)]))
        cases = [(t, r) for t in texts for r in (None, rng.choice(REGIONS[1:]))]
        clear_caches(old)
        clear_caches(new_entities)
        want = answers(old, cases)
        got_cold = answers(new_entities, cases)
        order = list(range(len(cases)))
        rng.shuffle(order)
        got_warm = dict(zip(order, answers(new_entities, [cases[i] for i in order]), strict=True))
        diffs = []
        for i, case in enumerate(cases):
            if want[i] != got_cold[i] or want[i] != got_warm[i]:
                diffs.append((case, want[i], got_cold[i], got_warm[i]))
        print(f"cases {len(cases):,} (texts {len(texts):,}: simulated {len(sim):,}, real and test literals "
              f"{len(base_texts) - len(sim):,}, mutations); entities {sum(map(len, want)):,}; "
              f"differences {len(diffs)}")  # fmt: skip
        for case, w, c, g in diffs[:10]:
            print("CASE", repr(case), "\n  old ", w, "\n  cold", c, "\n  warm", g)
        sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
