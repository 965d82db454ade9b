"""Template-level cross-validation of the classifier inside the simulator's *train* templates.

Why: a classifier evaluated on corpora made from the templates it was trained on only shows fit (macro-F1
0.98); the issue asks for generalisation to wording never seen. The held-out template set is for the final
figure only, so during development we hold out templates *inside* the train set: every category's headers and
item lines (and the chatter, scam and moderation lines) of each language are dealt into ``--folds`` folds; for
each fold a model is trained on a corpus written from the other folds' templates and evaluated on a corpus
written from this fold's templates only (different seed). Vendors, languages, prices, contacts and layout
stay the simulator's; only the wording of the products is new to the model.

Caveat: the rule packs were written with the whole train vocabulary in view, so the rules half is in-sample
here. ``--ablate`` removes it: for each fold, every pack term that fires on a line of the fold's templates but
on no line of the other folds' templates is taken out of the packs before that fold is evaluated (as if no
analyst had seen those lines). Terms both halves share stay: they are the market's common words.

    .venv/bin/python bench/classify_cv.py --folds 2 [--ablate] [--alpha 1e-4] [--keep DIR]
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import tgintel.sources.simulate as simulate_mod
from tgintel.detect.classify.classifier import Classifier
from tgintel.detect.classify.model import LinearModel
from tgintel.jobs.evaluate import evaluate_files
from tgintel.jobs.train import train_model
from tgintel.sources.simulate.vocab_train import VOCAB

FOLDED_LISTS = ("chat_body", "scam", "warn", "mod", "ask")
# The neutral placeholder tokens the simulator writes for csam_indicator, loaded as a user would load a list.
PLACEHOLDERS = [("placeholders", "csam_indicator", n, f"zqxplaceholder{n}") for n in range(1, 10)]


def _deal(items: list, fold: int, folds: int, keep: bool) -> list:
    """Items of one fold (``keep``) or of all the others; never empty (a list of one stays whole)."""
    if len(items) < 2:
        return list(items)
    picked = [x for i, x in enumerate(items) if (i % folds == fold) == keep]
    return picked or list(items)


def fold_vocab(fold: int, folds: int, *, held: bool) -> dict:
    """The train vocabulary restricted to fold ``fold`` (``held``) or to the other folds."""
    v = copy.deepcopy(VOCAB)
    for lang in v.values():
        for cat, (headers, items) in lang["cats"].items():
            lang["cats"][cat] = (_deal(headers, fold, folds, held), _deal(items, fold, folds, held))
        for key in FOLDED_LISTS:
            if key in lang:
                lang[key] = _deal(lang[key], fold, folds, held)
    return v


def _lines(vocab: dict) -> list[str]:
    out = []
    for lang in vocab.values():
        for headers, items in lang["cats"].values():
            out += headers + items
        for key in FOLDED_LISTS:
            out += [x.replace("{h}", "@someone") for x in lang.get(key, [])]
    return out


def ablated_packs(held: dict, rest: dict, out: Path) -> tuple[list[Path], int]:
    """Copies of the shipped packs without the terms that fire only on the held fold's template lines."""
    import yaml

    from tgintel.detect.classify.rules import RuleSet, default_pack_paths, load_packs
    from tgintel.detect.classify.text import normalize

    rs = RuleSet(load_packs())

    def fired(lines: list[str]) -> set[str]:
        got: set[str] = set()
        for line in lines:
            for h in rs.match(normalize(line)).values():
                got.update(e[5:] for e in h.evidence if e.startswith("rule:"))
        return got

    drop = fired(_lines(held)) - fired(_lines(rest))
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for p in default_pack_paths():
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
        for section in ("terms",):
            for lang, terms in (doc.get(section) or {}).items():
                doc[section][lang] = {t: w for t, w in terms.items() if str(t) not in drop}
        doc.pop("tests", None)
        q = out / p.name
        q.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
        paths.append(q)
    return paths, len(drop)


def write_corpus(out: Path, vocab: dict, seed: int, channels: int, days: int) -> Path:
    orig = simulate_mod._vocab
    simulate_mod._vocab = lambda _t: vocab  # type: ignore[assignment]
    try:
        simulate_mod.simulate(out, channels=channels, days=days, seed=seed, repetition=0.3, per_day=20)
    finally:
        simulate_mod._vocab = orig  # type: ignore[assignment]
    return out / "truth.jsonl"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--folds", type=int, default=2)
    ap.add_argument("--channels", type=int, default=40)
    ap.add_argument("--days", type=int, default=20)
    ap.add_argument("--alpha", type=float, default=1e-4)
    ap.add_argument("--seed", type=int, default=700, help="first simulator seed (each corpus gets its own)")
    ap.add_argument("--keep", type=Path, help="keep corpora and models here (default: a temporary folder)")
    ap.add_argument("--ablate", action="store_true", help="drop pack terms only the held fold's lines fire")
    ap.add_argument("--reuse", action="store_true", help="with --keep: reuse corpora and models found there")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="tgintel-cv-"))
    started = time.process_time()
    rows = []
    for k in range(args.folds):
        d = root / f"fold{k}"
        test = d / "test" / "truth.jsonl"
        if not (args.reuse and (d / "model" / "model.json").exists()):
            train = write_corpus(d / "train", fold_vocab(k, args.folds, held=False), args.seed + 2 * k,
                                 args.channels, args.days)  # fmt: skip
            write_corpus(d / "test", fold_vocab(k, args.folds, held=True), args.seed + 2 * k + 1,
                         args.channels, args.days)  # fmt: skip
            train_model(out=d / "model", sim=[train], alpha=args.alpha)
        model = LinearModel.load(d / "model")
        packs = None
        if args.ablate:
            held, rest = fold_vocab(k, args.folds, held=True), fold_vocab(k, args.folds, held=False)
            packs, dropped = ablated_packs(held, rest, d / "rules")
            print(f"fold {k}: {dropped} pack terms fire only on this fold's lines: left out", file=sys.stderr)
        both = evaluate_files([test], Classifier.load(rule_paths=packs, model=model, indicators=PLACEHOLDERS))
        rules = evaluate_files(
            [test], Classifier.load(rule_paths=packs, use_model=False, indicators=PLACEHOLDERS)
        )
        rows.append((k, both, rules))
        print(f"fold {k}: macro-F1 {both['macro_f1']:.3f} (rules only {rules['macro_f1']:.3f}), "
              f"offer F1 {both['offer']['f1']:.3f}, chatter false alarms "
              f"{both['chatter_false_alarm_rate']:.2%}", file=sys.stderr)  # fmt: skip
    cats = sorted({c for _k, b, _r in rows for c in b["macro_over"]})
    summary = {
        "folds": args.folds,
        "alpha": args.alpha,
        "macro_f1": round(statistics.mean(b["macro_f1"] for _k, b, _r in rows), 4),
        "macro_f1_rules_only": round(statistics.mean(r["macro_f1"] for _k, _b, r in rows), 4),
        "offer_f1": round(statistics.mean(b["offer"]["f1"] for _k, b, _r in rows), 4),
        "chatter_false_alarms": round(
            statistics.mean(b["chatter_false_alarm_rate"] for _k, b, _r in rows), 4
        ),
        "per_category_f1": {
            c: round(
                statistics.mean(b["categories"][c]["f1"] for _k, b, _r in rows if c in b["macro_over"]), 4
            )
            for c in cats
        },
        "ablated": args.ablate,
        "cpu_s": round(time.process_time() - started, 1),
        "caveat": "rule packs were written from the whole train vocabulary: the rules half is in-sample",
    }
    if args.json:
        print(json.dumps(summary, indent=1))
    else:
        print(f"template-level CV, {args.folds} folds: macro-F1 {summary['macro_f1']:.3f} "
              f"(rules only {summary['macro_f1_rules_only']:.3f}), offer F1 {summary['offer_f1']:.3f}, "
              f"chatter false alarms {summary['chatter_false_alarms']:.2%}")  # fmt: skip
        for c, f in summary["per_category_f1"].items():
            print(f"  {c:<24} F1 {f:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
