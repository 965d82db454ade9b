"""Train the linear model from data the project can hold, and record analysts' labels: the use cases behind
``tgintel train`` and ``tgintel label``.

Training data, merged in this order (later sources win for the same text):

1. the simulator's ``truth.jsonl`` files given with ``--sim`` (``--templates train`` corpora only: the
   held-out templates are for evaluation);
2. the bundled real samples (``tgintel/detect/classify/data/real``), *training split only*: each set is split
   deterministically by a hash of the normalised text, 70 % train / 30 % test, so the test part reported in
   docs/benchmarks.md is never seen;
3. extra labelled JSONL (``--data``);
4. analysts' labels from the store: per message and category the newest verdict wins; a confirmed category
   is added, a rejected one removed; a label on ``offer`` sets the offer flag.

Records whose ``categories`` are ``null`` (the real spam sets label offers but not categories) train only the
offer output. With several ``--sim`` files each real example counts once per file (``real_weight``), so a few
thousand real texts keep the share they have next to one simulator corpus. The model is one L2-regularised
logistic regression per output over :func:`~tgintel.detect.classify.model.extract_features` (how it is
combined with the rules: see :mod:`tgintel.detect.classify.classifier`).
"""

from __future__ import annotations

import csv
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from tgintel.detect.classify.model import MODEL_DIR, LinearModel, extract_features
from tgintel.detect.classify.taxonomy import MODEL_OUTPUTS, OFFER
from tgintel.detect.classify.text import normalize, tokens
from tgintel.errors import UserError
from tgintel.store.interface import Store

__all__ = ["REAL_DIR", "add_label", "real_records", "split_of", "train_model"]

REAL_DIR = MODEL_DIR / "real"
REAL_SOURCES = ("tg-spam", "smishing")
TEST_SHARE = 0.3


# -- labels --------------------------------------------------------------------------------------------------
def add_label(
    store: Store,
    message: str,
    category: str,
    verdict: str,
    user: str,
    *,
    note: str | None = None,
    relabel: str | None = None,
) -> list[str]:
    """Label ``CHANNEL_ID:MSG_ID``; with ``relabel`` the old category is rejected and the new one confirmed.
    Returns one line per label stored."""
    from tgintel.detect.classify.taxonomy import CATEGORIES

    valid = (*CATEGORIES, OFFER)
    for c in filter(None, (category, relabel)):
        if c not in valid:
            raise UserError(f"unknown category {c!r} (expected one of {', '.join(valid)})")
    try:
        channel_s, msg_s = message.split(":", 1)
        channel_id, msg_id = int(channel_s), int(msg_s)
    except ValueError:
        raise UserError(f"message {message!r}: expected CHANNEL_ID:MSG_ID, e.g. 1234567:42") from None
    found = store.get_message(channel_id, msg_id)
    if found is None:
        raise UserError(f"message {message}: not in the store")
    pk = found[0]
    done = []
    if relabel:
        store.add_label(pk, relabel, "reject", user, note)
        done.append(f"{message}: {relabel} rejected")
    store.add_label(pk, category, verdict, user, note)
    done.append(f"{message}: {category} {'confirmed' if verdict == 'confirm' else 'rejected'}")
    return done


# -- data ----------------------------------------------------------------------------------------------------
def split_of(text: str) -> str:
    """``train`` or ``test``, fixed by a hash of the normalised text (so copies land on the same side)."""
    h = int.from_bytes(hashlib.blake2b(normalize(text).encode(), digest_size=4).digest(), "big")
    return "test" if (h % 1000) < TEST_SHARE * 1000 else "train"


def real_records(split: str | None = None) -> Iterator[dict[str, Any]]:
    """The bundled real samples as labelled records (see ``data/real/SOURCES.txt``)."""
    for name in ("spam-samples.txt", "ham-samples.txt"):
        path = REAL_DIR / "tg-spam" / name
        spam = name.startswith("spam")
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and (split is None or split_of(line) == split):
                # tg-spam labels spam, not crime categories: the spam lines train and test offers only.
                yield {"text": line, "categories": None if spam else [], "offer": spam, "source": "tg-spam"}
    with (REAL_DIR / "smishing" / "Dataset_5971.csv").open(
        encoding="utf-8", errors="replace", newline=""
    ) as f:
        for row in csv.DictReader(f):
            text = (row.get("TEXT") or "").strip()
            label = (row.get("label") or "").strip().lower()
            if not text or (split is not None and split_of(text) != split):
                continue
            if label == "smishing":
                yield {"text": text, "categories": ["financial_fraud"], "offer": False, "source": "smishing"}
            elif label == "spam":  # advertising: an offer; its categories are not labelled
                yield {"text": text, "categories": None, "offer": True, "source": "smishing"}
            else:
                yield {"text": text, "categories": [], "offer": False, "source": "smishing"}


def write_real_eval(out_dir: Path) -> list[Path]:
    """Write the held-out (test) split of each real set as labelled JSONL for ``tgintel eval``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for source in ("tg-spam", "smishing"):
        p = out_dir / f"{source}-test.jsonl"
        with p.open("wb") as f:
            for r in real_records("test"):
                if r["source"] == source:
                    f.write(orjson.dumps(r) + b"\n")
        paths.append(p)
    return paths


def _jsonl_records(path: Path, *, sim: bool) -> Iterator[dict[str, Any]]:
    from tgintel.jobs.evaluate import load_labelled

    for r in load_labelled(path):
        r["source"] = "sim" if sim else path.name
        yield r


def _label_records(db: str) -> Iterator[dict[str, Any]]:
    from tgintel.store import open_store

    store = open_store(db)
    try:
        latest: dict[tuple[int, str], tuple[str, str]] = {}
        texts: dict[int, str] = {}
        for batch in store.iter_labels():
            for lab in batch:
                latest[(lab.message_pk, lab.category)] = (lab.verdict, lab.text or "")
                texts[lab.message_pk] = lab.text or ""
        if not latest:
            return
        current = store.findings_for(list(texts))
    finally:
        store.close()
    for pk, text in texts.items():
        if not text.strip():
            continue
        cats = {f.category for f in current.get(pk, []) if f.source != "analyst"}
        offer: bool | None = None
        for (lpk, cat), (verdict, _t) in latest.items():
            if lpk != pk:
                continue
            if cat == OFFER:
                offer = verdict == "confirm"
            elif verdict == "confirm":
                cats.add(cat)
            else:
                cats.discard(cat)
        yield {"text": text, "categories": sorted(cats), "offer": offer, "source": "labels"}


# -- training ------------------------------------------------------------------------------------------------
def _fit_outputs(
    X: Any, Y: np.ndarray, mask: np.ndarray, alpha: float, seed: int, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """One logistic regression per output (scikit-learn's SGD solver: 30x faster than liblinear here for the
    same training accuracy); ``weights`` per example."""
    from sklearn.linear_model import SGDClassifier

    W = np.zeros((X.shape[1], Y.shape[1]), dtype=np.float32)
    b = np.full(Y.shape[1], -8.0, dtype=np.float32)
    for k in range(Y.shape[1]):
        rows = mask[:, k]
        y = Y[rows, k]
        if y.min() == y.max():  # an output with one class only: leave it firmly negative
            continue
        clf = SGDClassifier(loss="log_loss", alpha=alpha, max_iter=15, tol=None,
                            random_state=seed)  # fmt: skip
        clf.fit(X[rows], y, sample_weight=None if weights is None else weights[rows])
        W[:, k] = clf.coef_[0]
        b[k] = clf.intercept_[0]
    return W, b


def train_model(
    *,
    out: Path | None = None,
    sim: Iterable[Path] = (),
    use_real: bool = True,
    extra: Iterable[Path] = (),
    db: str | None = None,
    seed: int = 13,
    alpha: float = 1e-4,
    min_df: int = 2,
    max_features: int = 120_000,
    real_weight: float | None = None,
    log: Callable[[str], Any] = lambda _m: None,
) -> dict[str, Any]:
    """Train and save a model; returns ``examples``, ``features``, ``out`` and per-source counts."""
    from scipy import sparse

    started = time.perf_counter()
    sim = list(sim)
    by_text: dict[str, dict[str, Any]] = {}
    sources: dict[str, int] = {}

    def take(records: Iterable[dict[str, Any]]) -> None:
        for r in records:
            by_text[r["text"]] = r
            sources[r["source"]] = sources.get(r["source"], 0) + 1

    for p in sim:
        take(_jsonl_records(Path(p), sim=True))
    if use_real:
        take(real_records("train"))
    for p in extra:
        take(_jsonl_records(Path(p), sim=False))
    if db:
        take(_label_records(db))
    records = list(by_text.values())
    if len(records) < 20:
        raise UserError(f"only {len(records)} labelled texts to train on; give --sim truth.jsonl or --data")
    log(f"training on {len(records)} texts from {sources}")

    norms = [normalize(r["text"]) for r in records]
    toks = [tokens(n) for n in norms]
    # vocabulary: features seen in at least min_df texts, most frequent first, capped
    df: dict[str, int] = {}
    feats_per = []
    for t in toks:
        fs = set(extract_features(t))
        feats_per.append(fs)
        for f in fs:
            df[f] = df.get(f, 0) + 1
    vocab = [f for f, n in sorted(df.items(), key=lambda kv: (-kv[1], kv[0])) if n >= min_df][:max_features]
    index = {f: i for i, f in enumerate(vocab)}
    rows = [sorted(index[f] for f in fs if f in index) for fs in feats_per]
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in rows], out=indptr[1:])
    indices = np.fromiter((i for r in rows for i in r), dtype=np.int32, count=int(indptr[-1]))
    X = sparse.csr_matrix(
        (np.ones(len(indices), dtype=np.float32), indices, indptr), shape=(len(rows), len(vocab))
    )

    outputs = list(MODEL_OUTPUTS)
    Y = np.zeros((len(records), len(outputs)), dtype=np.int8)
    mask = np.ones_like(Y, dtype=bool)
    for i, r in enumerate(records):
        cats = r["categories"]
        for k, o in enumerate(outputs):
            if o == OFFER:
                if r["offer"] is None:
                    mask[i, k] = False
                else:
                    Y[i, k] = int(bool(r["offer"]))
            elif cats is None:
                mask[i, k] = False
            else:
                Y[i, k] = int(o in cats)

    # Several simulator corpora would drown the real samples (a few thousand texts): each real example
    # counts once per simulator file, so the real share stays what it is with one file.
    if real_weight is None:
        real_weight = float(max(1, len(sim)))
    weights = np.array(
        [real_weight if r["source"] in REAL_SOURCES else 1.0 for r in records], dtype=np.float64
    )
    W, b = _fit_outputs(X, Y, mask, alpha, seed, weights)

    # prune features that carry (almost) no weight in any output
    keep = np.flatnonzero(np.abs(W).max(axis=1) >= 0.02)
    vocab = [vocab[i] for i in keep]
    W = W[keep]

    meta = {
        "trained": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "examples": len(records),
        "sources": sources,
        "sim_files": [Path(p).name for p in sim],
        "seed": seed,
        "alpha": alpha,
        "min_df": min_df,
        "real_weight": real_weight,
        "positives": {o: int(Y[mask[:, k], k].sum()) for k, o in enumerate(outputs)},
    }
    model = LinearModel(outputs=outputs, vocab=vocab, W=W, b=b, meta=meta)
    target = out or MODEL_DIR
    model.save(target)
    log(
        f"saved {len(vocab)} features x {len(outputs)} outputs to {target} "
        f"in {time.perf_counter() - started:.0f} s"
    )
    return {"examples": len(records), "features": len(vocab), "out": str(target), "sources": sources}
