"""Near-duplicate quality against ground truth: pairwise precision/recall, cluster counts against the gold
groups, and what each verification rule contributes.

    .venv/bin/python bench/duplicates_quality.py [--channels 30] [--days 20] [--seeds 1 7 11] [--default-only]

1. Simulator campaigns (truth.jsonl), per seed: pairwise precision and recall over messages with a campaign
   (same cluster vs same campaign), for the default :class:`tgintel.detect.minhash.Similarity` and
   variants of it; and, for the default, the near-duplicate clusters and clusters in 2+ channels against
   the gold groups the study is compared with (``truth_study``: a message's campaign, or for chatter the
   template it was made from).
2. Real Telegram spam (tests/data/tg-spam, umputun/tg-spam, MIT): how many of the by-eye verified variant
   pairs are found and whether the distinct pairs stay apart.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from duplicates import pair_scores  # noqa: E402

from tgintel.detect.duplicates import NearDuplicateIndex  # noqa: E402
from tgintel.detect.minhash import Similarity  # noqa: E402

SPAM = ROOT / "tests" / "data" / "tg-spam"
SETTINGS = [
    ("default", Similarity()),
    ("same_seller=0.74 (previous default)", Similarity(same_seller=0.74)),
    ("no product check", Similarity(min_products=1 << 30)),
    ("no product check, same_seller=0.74", Similarity(min_products=1 << 30, same_seller=0.74)),
    ("no seller or product rule", Similarity(same_seller=0.5, other_seller=0.5, min_products=1 << 30)),
]


def cluster(texts: list[str], similarity: Similarity) -> list[str]:
    """Cluster ids per text, fed in order in batches of 5,000 distinct texts (as ``tgintel analyze`` does)."""
    ix = NearDuplicateIndex(similarity=similarity)
    distinct = list(dict.fromkeys(texts))
    for i in range(0, len(distinct), 5000):
        ix.add_many([(str(j), t) for j, t in enumerate(distinct[i : i + 5000], i)])
    label = {t: ix.cluster_of_text(t) or "" for t in distinct}
    return [label[t] for t in texts]


def load(channels: int, days: int, seed: int) -> tuple[list[dict], dict]:
    from tgintel.sources.simulate import simulate
    from tgintel.sources.simulate.truth import gold_cluster, iter_truth

    with tempfile.TemporaryDirectory() as tmp:
        summary = simulate(tmp, channels=channels, days=days, seed=seed)
        rows = [
            dict(text=r["text"], campaign=r["campaign"], gold=gold_cluster(r), channel=r["channel_id"],
                 date=r["date"], id=r["id"])
            for r in iter_truth(Path(tmp) / "truth.jsonl")
            if r["kind"] == "message" and r["text"].strip()
        ]  # fmt: skip
    rows.sort(key=lambda r: (r["date"], r["channel"], r["id"]))
    return rows, summary


def counts(rows: list[dict], labels: list[str]) -> dict[str, int]:
    found: dict[str, set[int]] = defaultdict(set)
    gold: dict[str, set[int]] = defaultdict(set)
    for r, lab in zip(rows, labels, strict=True):
        found[lab].add(r["channel"])
        gold[r["gold"]].add(r["channel"])
    return {
        "clusters": len(found),
        "gold": len(gold),
        "clusters_2plus": sum(len(s) >= 2 for s in found.values()),
        "gold_2plus": sum(len(s) >= 2 for s in gold.values()),
    }


def spam_pairs(similarity: Similarity) -> tuple[int, int, int]:
    lines = (SPAM / "spam-samples.txt").read_text(encoding="utf-8").split("\n")
    labels = cluster(lines, similarity)
    found = total = wrong = 0
    for row in (SPAM / "near-duplicate-pairs.tsv").read_text(encoding="utf-8").splitlines():
        if row.startswith("#"):
            continue
        a, b, kind, _ = row.split("\t", 3)
        same = labels[int(a) - 1] == labels[int(b) - 1]
        if kind == "variant":
            total += 1
            found += same
        else:
            wrong += same
    return found, total, wrong


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--channels", type=int, default=30)
    ap.add_argument("--days", type=int, default=20)
    ap.add_argument("--seeds", type=int, nargs="+", default=[7])
    ap.add_argument("--default-only", action="store_true", help="only the default rule set (large corpora)")
    args = ap.parse_args()
    settings = SETTINGS[:1] if args.default_only else SETTINGS
    print(f"{'setting':<40}{'tg-spam pairs':>14}{'distinct merged':>17}")
    for label, sim in settings:
        found, total, wrong = spam_pairs(sim)
        print(f"{label:<40}{f'{found}/{total}':>14}{wrong:>17}")
    for seed in args.seeds:
        rows, summary = load(args.channels, args.days, seed)
        texts = [r["text"] for r in rows]
        campaigns = [r["campaign"] for r in rows]
        print(f"\nsimulator {args.channels} channels x {args.days} days, seed {seed}: {len(texts)} text "
              f"messages, {summary['unique_texts']} unique, {summary['campaigns']} campaigns")  # fmt: skip
        head = ("setting", "precision", "recall", "clusters/gold", "2+ ch/gold", "cpu s")
        print("{:<40}{:>10}{:>8}{:>16}{:>14}{:>7}".format(*head))
        for label, sim in settings:
            t0 = time.process_time()
            labels = cluster(texts, sim)
            cpu = time.process_time() - t0
            p, r = pair_scores(labels, campaigns)
            c = counts(rows, labels)
            both = f"{c['clusters']}/{c['gold']}"
            spread = f"{c['clusters_2plus']}/{c['gold_2plus']}"
            print(f"{label:<40}{p:>10.4f}{r:>8.4f}{both:>16}{spread:>14}{cpu:>7.1f}")
            if label == "default":  # where the count differences are: campaign messages, or chatter
                for part, keep in (("  campaigns only", True), ("  chatter only", False)):
                    idx = [i for i, row in enumerate(rows) if bool(row["campaign"]) == keep]
                    c = counts([rows[i] for i in idx], [labels[i] for i in idx])
                    both = f"{c['clusters']}/{c['gold']}"
                    spread = f"{c['clusters_2plus']}/{c['gold_2plus']}"
                    print(f"{part:<40}{'':>10}{'':>8}{both:>16}{spread:>14}")


if __name__ == "__main__":
    main()
