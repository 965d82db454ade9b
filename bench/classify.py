"""Classification speed on one core: rules alone, rules + linear model, the whole detect pipeline, against a
floor (normalise + tokenise only: what any classifier must do) and the usual peer (scikit-learn's
HashingVectorizer with char and word n-grams + a linear model).

Corpus: simulator messages (train templates, fixed seed), texts as they come (emoji, look-alikes, prices).
Usage: .venv/bin/python bench/classify.py [--messages 40000] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent


def corpus(n: int, seed: int, repetition: float) -> list[str]:
    from tgintel.sources.simulate import simulate

    with tempfile.TemporaryDirectory() as d:
        simulate(d, channels=40, days=10, seed=seed, repetition=repetition, per_day=15, templates="train")
        texts = [
            r["text"]
            for r in map(orjson.loads, (Path(d) / "truth.jsonl").read_bytes().splitlines())
            if r["kind"] == "message" and r["text"].strip()
        ]
    out: list[str] = []
    while len(out) < n:
        out.extend(texts)
    return out[:n]


def rate(fn, n: int, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    """Messages per second of CPU time (process_time), best of ``repeat``: the development machine is shared
    and loaded, so wall time mostly measures the neighbours."""
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return n / best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=40000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    from tgintel.detect.classify import Classifier
    from tgintel.detect.classify.model import LinearModel
    from tgintel.detect.classify.text import normalize, tokens
    from tgintel.detect.pipeline import Pipeline

    # Unique texts: every message is new to the classifier (no repost cache hits): the worst case.
    texts = list({normalize(t): t for t in corpus(args.messages * 2, args.seed, 0.0)}.values())[
        : args.messages
    ]
    n = len(texts)
    chars = sum(map(len, texts)) / n
    norms = [normalize(t) for t in texts]
    rules = Classifier.load(use_model=False)
    both = Classifier.load()
    assert both.model is not None, "no packaged model: run `tgintel train` first"
    batch = 2000

    def run(clf: Classifier, with_norm: bool, items: list[str], pre: list[str]) -> None:
        fresh = Classifier(clf.rules, clf.model)  # empty repost cache on every repetition
        fresh.forget_words()  # and nothing remembered per word: every repetition starts cold
        for i in range(0, len(items), batch):
            fresh.classify_batch(items[i : i + batch], None if with_norm else pre[i : i + batch])

    results: dict[str, float] = {}
    results["floor: normalise + tokenise"] = rate(lambda: [tokens(normalize(t)) for t in texts], n)
    results["floor: tokenise (normalised text)"] = rate(lambda: [tokens(x) for x in norms], n)
    results["unique texts: rules (normalised text)"] = rate(lambda: run(rules, False, texts, norms), n)
    results["unique texts: rules + model (normalised text)"] = rate(lambda: run(both, False, texts, norms), n)
    results["unique texts: rules + model incl. normalise"] = rate(lambda: run(both, True, texts, norms), n)
    # A market stream as the simulator makes it by default: 96 % of text messages repeat an earlier text.
    stream = corpus(args.messages, args.seed + 1, 0.96)
    stream_norms = [normalize(t) for t in stream]
    results["stream (96 % reposts): rules + model (normalised)"] = rate(
        lambda: run(both, False, stream, stream_norms), len(stream)
    )
    results["stream (96 % reposts): rules + model incl. normalise"] = rate(
        lambda: run(both, True, stream, stream_norms), len(stream)
    )
    pipe = Pipeline(Classifier(both.rules, both.model))
    results["stream: pipeline (normalise, lang, rules+model, entities)"] = rate(
        lambda: [pipe.run(stream[i : i + batch]) for i in range(0, len(stream), batch)], len(stream), repeat=1
    )

    # peer: HashingVectorizer (char 2-4 within words + word 1-2) and a linear model, as usually done
    import numpy as np
    from scipy import sparse
    from sklearn.feature_extraction.text import HashingVectorizer
    from sklearn.linear_model import SGDClassifier

    hv_c = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 4), n_features=2**20, alternate_sign=False)
    hv_w = HashingVectorizer(analyzer="word", ngram_range=(1, 2), n_features=2**20, alternate_sign=False)
    sample = norms[:2000]
    X = sparse.hstack([hv_c.transform(sample), hv_w.transform(sample)]).tocsr()
    y = np.arange(len(sample)) % 2
    peer = SGDClassifier(loss="log_loss", max_iter=5, tol=None).fit(X, y)

    def peer_run() -> None:
        for i in range(0, n, batch):
            part = norms[i : i + batch]
            peer.decision_function(sparse.hstack([hv_c.transform(part), hv_w.transform(part)]).tocsr())

    results["peer: sklearn HashingVectorizer + SGD (model only)"] = rate(peer_run, n, repeat=1)
    model: LinearModel = both.model
    from tgintel.detect.classify import rules as rules_module

    # which path ran: the compiled hot loops (_c_terms) or the pure-Python ones (not built, or
    # TGINTEL_PURE_PYTHON=1)
    path = "C accelerator" if rules_module._C is not None else "pure Python"
    print(
        f"# classify bench: {n} unique messages, mean {chars:.0f} characters; "
        f"model {len(model.vocab)} features x {len(model.outputs)} outputs; "
        f"python {platform.python_version()}; one core; {path}"
    )
    for k, v in results.items():
        print(f"{k:<55} {v:>10,.0f} msg/s")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
