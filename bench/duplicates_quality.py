"""Near-duplicate quality against ground truth, and how the seller rule trades precision for recall.

    .venv/bin/python bench/duplicates_quality.py [--channels 30] [--days 20] [--seed 7]

1. Simulator campaigns (truth.jsonl): pairwise precision and recall over messages with a campaign, for the
   default :class:`tgintel.detect.minhash.Similarity` and a sweep of ``same_seller``.
2. Real Telegram spam (tests/data/tg-spam, umputun/tg-spam, MIT): how many of the by-eye verified variant
   pairs are found and whether the distinct pairs stay apart.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from duplicates import load_corpus, pair_scores  # noqa: E402

from tgintel.detect.duplicates import NearDuplicateIndex  # noqa: E402
from tgintel.detect.minhash import Similarity  # noqa: E402

SPAM = ROOT / "tests" / "data" / "tg-spam"


def cluster(texts: list[str], similarity: Similarity) -> list[str]:
    ix = NearDuplicateIndex(similarity=similarity)
    ix.add_many([(str(i), t) for i, t in enumerate(texts)])
    return [ix.cluster_of_text(t) or "" for t in texts]


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
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    texts, campaigns, summary = load_corpus(args.channels, args.days, args.seed)
    print(f"simulator: {args.channels} channels x {args.days} days, seed {args.seed}: {len(texts)} text "
          f"messages, {summary['campaigns']} campaigns")  # fmt: skip
    print(f"{'setting':<32}{'precision':>10}{'recall':>8}{'spam pairs':>12}{'distinct merged':>17}")
    for label, sim in [
        ("default", Similarity()),
        ("same_seller=0.7", Similarity(same_seller=0.7)),
        ("same_seller=0.75", Similarity(same_seller=0.75)),
        ("same_seller=0.8", Similarity(same_seller=0.8)),
        ("no seller rule (J>=0.5, C>=0.8)", Similarity(same_seller=0.5, other_seller=0.5)),
    ]:
        p, r = pair_scores(cluster(texts, sim), campaigns)
        found, total, wrong = spam_pairs(sim)
        print(f"{label:<32}{p:>10.4f}{r:>8.4f}{f'{found}/{total}':>12}{wrong:>17}")


if __name__ == "__main__":
    main()
