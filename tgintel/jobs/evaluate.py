"""Measure the classifier on labelled JSONL: what ``tgintel eval`` prints.

Input lines carry ``text``, ``categories`` (list) and ``offer`` (bool), e.g. the simulator's ``truth.jsonl``
or the bundled real sets; ``kind: service`` lines and empty texts are skipped. When a line has ``lang`` the
language identifier is scored too.

Definitions (multi-label):
- per category: precision, recall, F1 from true/false positives and false negatives at the threshold;
- macro-F1: the mean F1 over categories that occur in the gold labels (a category the set never contains
  cannot be measured and is listed with ``support`` 0 but left out of the mean);
- offer: precision/recall/F1 of the ``offer`` flag;
- confusion: for every message, each gold category (or ``none``) is counted against each predicted category
  (or ``none``), so the diagonal is agreement and ``none`` rows/columns are misses and false alarms;
- chatter false alarms: among messages with no gold category, the share given any category.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import orjson

from tgintel.detect.classify.classifier import Classifier
from tgintel.detect.classify.taxonomy import CATEGORIES
from tgintel.errors import UserError

__all__ = ["evaluate", "evaluate_files", "format_report", "load_labelled", "metrics"]

NONE = "none"


def load_labelled(path: Path) -> Iterable[dict[str, Any]]:
    """Labelled records from a JSONL file, validated; service messages and empty texts are skipped."""
    try:
        f = path.open("rb")
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise UserError(f"{path}: line {n}: not valid JSON: {exc}") from None
            if not isinstance(obj, dict):
                raise UserError(f"{path}: line {n}: expected a JSON object")
            if obj.get("kind", "message") != "message":
                continue
            text = obj.get("text")
            cats = obj.get("categories", [])
            if not isinstance(text, str) or not (cats is None or isinstance(cats, list)):
                raise UserError(f'{path}: line {n}: needs "text" (string) and "categories" (list or null)')
            unknown = [c for c in cats or [] if c not in CATEGORIES]
            if unknown:
                raise UserError(f"{path}: line {n}: unknown categories {unknown}")
            if not text.strip():
                continue
            yield {"text": text, "categories": cats, "offer": bool(obj.get("offer", False)),
                   "lang": obj.get("lang")}  # fmt: skip


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": tp + fn,
            "predicted": tp + fp, "tp": tp, "fp": fp, "fn": fn}  # fmt: skip


def metrics(
    gold: Sequence[tuple[set[str] | None, bool]], pred: Sequence[tuple[set[str], bool]]
) -> dict[str, Any]:
    """The report for paired gold and predicted ``(categories, offer)`` per message; gold categories ``None``
    means "not labelled": such a message counts for offer only."""
    if len(gold) != len(pred):
        raise ValueError("gold and predictions differ in length")
    counts = {c: [0, 0, 0] for c in CATEGORIES}
    offer = [0, 0, 0]
    confusion: dict[str, dict[str, int]] = {}
    chatter = chatter_alarms = chatter_offer_alarms = 0
    exact = labelled = 0
    for (g, go), (p, po) in zip(gold, pred, strict=True):
        if po and go:
            offer[0] += 1
        elif po:
            offer[1] += 1
        elif go:
            offer[2] += 1
        if g is None:
            continue
        labelled += 1
        for c in CATEGORIES:
            if c in p and c in g:
                counts[c][0] += 1
            elif c in p:
                counts[c][1] += 1
            elif c in g:
                counts[c][2] += 1
        for gc in sorted(g) or [NONE]:
            row = confusion.setdefault(gc, {})
            for pc in sorted(p) or [NONE]:
                row[pc] = row.get(pc, 0) + 1
        if not g:
            chatter += 1
            chatter_alarms += bool(p)
            chatter_offer_alarms += po and not go
        exact += g == p
    per_cat = {c: _prf(*v) for c, v in counts.items()}
    measured = [c for c, m in per_cat.items() if m["support"]]
    macro = sum(per_cat[c]["f1"] for c in measured) / len(measured) if measured else 0.0
    return {
        "messages": len(gold),
        "category_labelled": labelled,
        "categories": per_cat,
        "macro_f1": round(macro, 4),
        "macro_over": measured,
        "offer": _prf(*offer),
        "exact_match": round(exact / labelled, 4) if labelled else 0.0,
        "chatter_messages": chatter,
        "chatter_false_alarm_rate": round(chatter_alarms / chatter, 4) if chatter else 0.0,
        "chatter_offer_false_alarm_rate": round(chatter_offer_alarms / chatter, 4) if chatter else 0.0,
        "confusion": confusion,
    }


def evaluate(
    records: Iterable[dict[str, Any]], classifier: Classifier, *, threshold: float = 0.5, batch: int = 2000
) -> dict[str, Any]:
    from tgintel.detect.lang import detect_language

    gold: list[tuple[set[str], bool]] = []
    pred: list[tuple[set[str], bool]] = []
    lang_total = lang_ok = lang_und = 0
    buf: list[dict[str, Any]] = []

    def flush() -> None:
        nonlocal lang_total, lang_ok, lang_und
        verdicts = classifier.classify_batch([r["text"] for r in buf])
        for r, v in zip(buf, verdicts, strict=True):
            gold.append((None if r["categories"] is None else set(r["categories"]), r["offer"]))
            cats = {c for c, s in v.scores.items() if s >= threshold}
            cats |= {f.category for f in v.findings if f.score >= threshold}
            pred.append((cats, v.offer_score >= threshold))
            if r.get("lang"):
                lang_total += 1
                got = detect_language(r["text"])
                lang_ok += got == r["lang"]
                lang_und += got == "und"
        buf.clear()

    for r in records:
        buf.append(r)
        if len(buf) >= batch:
            flush()
    if buf:
        flush()
    report = metrics(gold, pred)
    report["threshold"] = threshold
    report["model"] = bool(classifier.model)
    if lang_total:
        report["language"] = {"messages": lang_total, "accuracy": round(lang_ok / lang_total, 4),
                              "und_rate": round(lang_und / lang_total, 4)}  # fmt: skip
    return report


def evaluate_files(
    paths: Sequence[Path], classifier: Classifier, *, threshold: float = 0.5
) -> dict[str, Any]:
    def records() -> Iterable[dict[str, Any]]:
        for p in paths:
            yield from load_labelled(p)

    report = evaluate(records(), classifier, threshold=threshold)
    report["files"] = [str(p) for p in paths]
    return report


def format_report(r: dict[str, Any]) -> str:
    lines = [
        f"messages {r['messages']}   threshold {r['threshold']}   model {'on' if r['model'] else 'off'}",
        "",
    ]
    lines.append(f"{'category':<24}{'P':>7}{'R':>7}{'F1':>7}{'support':>9}{'pred':>7}")
    for c, m in r["categories"].items():
        lines.append(f"{c:<24}{m['precision']:>7.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}{m['support']:>9}"
                     f"{m['predicted']:>7}")  # fmt: skip
    o = r["offer"]
    lines += [
        "",
        f"macro-F1 {r['macro_f1']:.3f} (over {len(r['macro_over'])} categories present)",
        f"offer    P {o['precision']:.3f}  R {o['recall']:.3f}  F1 {o['f1']:.3f}  (support {o['support']})",
        f"chatter false alarms {r['chatter_false_alarm_rate']:.2%} of {r['chatter_messages']} messages "
        f"with no category",
    ]
    if "language" in r:
        lg = r["language"]
        lines.append(f"language accuracy {lg['accuracy']:.2%} (und {lg['und_rate']:.2%}) of {lg['messages']}")
    cols = sorted({pc for row in r["confusion"].values() for pc in row})
    short = {c: c[:7] for c in cols}
    lines += [
        "",
        "confusion (rows gold, columns predicted)",
        " " * 24 + "".join(f"{short[c]:>8}" for c in cols),
    ]
    for gc in sorted(r["confusion"]):
        row = r["confusion"][gc]
        lines.append(f"{gc:<24}" + "".join(f"{row.get(c, 0):>8}" for c in cols))
    return "\n".join(lines)
