"""Rules and model combined into one decision per category, with the evidence for it.

Why both: rule packs carry what analysts know (names of drugs and guns in five languages, the words of a
phishing kit) and explain themselves; the linear model generalises to spellings and phrasings nobody wrote
down. Each category's score is the noisy-OR of the two, ``1 - (1 - rules) * (1 - model)`` with
``rules = 1 - 2**-strength`` (a total rule weight of 1 is the 0.5 threshold) and ``model = sigmoid(logit)``:
either half can carry a decision and neither can veto the other. Without a model the rules decide alone.

Why not a fitted stacker: we tried fitting ``sigmoid(a * logit + b * strength + c)`` on out-of-fold scores.
The folds share the simulator's templates, so the model looked perfect there, the stacker learned to ignore
the rules, and on held-out templates recall collapsed (drugs 0.92 -> 0.00). The noisy-OR keeps what the rules
know whatever the model learned.

Indicator lists loaded by the user decide on their own (score 1.0, source ``indicator``): that is the only way
``csam_indicator`` is ever produced from text.
"""

from __future__ import annotations

import gc
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from tgintel.detect.classify.model import LinearModel
from tgintel.detect.classify.rules import INDICATOR_PREFIX, CategoryHits, RuleSet, load_packs, rule_score
from tgintel.detect.classify.taxonomy import OFFER, RULE_CATEGORIES
from tgintel.detect.classify.text import normalize, tokens
from tgintel.model import Finding

__all__ = ["THRESHOLD", "Classifier", "Verdict", "indicator_findings"]

THRESHOLD = 0.5
_CHUNK = 256  # messages per sparse product in classify_batch
_OUTPUTS = (*RULE_CATEGORIES, OFFER)
# per model: itself, score picks, category -> column, columns of rule categories (see Classifier._plan)
_Plan = tuple[LinearModel, list[int] | None, dict[str, int], np.ndarray]


@dataclass(slots=True)
class Verdict:
    """The classifier's answer for one message: offer or not, and every category with its score."""

    offer: bool
    offer_score: float
    scores: dict[str, float]
    findings: list[Finding] = field(default_factory=list)


def indicator_findings(hits: dict[str, CategoryHits]) -> list[Finding]:
    """One ``indicator`` finding per category whose user-loaded list matched."""
    return [
        Finding(category=cat[len(INDICATOR_PREFIX) :], score=1.0, evidence=h.evidence, source="indicator")
        for cat, h in hits.items()
        if cat.startswith(INDICATOR_PREFIX)
    ]


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


class Classifier:
    """Rules (+ indicator lists) and an optional linear model. Stateless after construction: safe to share."""

    def __init__(
        self, rules: RuleSet, model: LinearModel | None = None, *, use_model: bool = True, cache: int = 50_000
    ) -> None:
        self.rules = rules
        self.model = model if use_model else None
        # Verdicts by normalised text. Markets repost the same advert endlessly (the study finds most posts
        # are exact repeats after normalisation), so a repeat costs one dict lookup instead of a full run.
        self._cache: dict[str, Verdict] = {}
        self._cache_max = cache
        self._plans: dict[int, _Plan] = {}

    @classmethod
    def load(
        cls,
        *,
        rule_paths: Sequence[str] | None = None,
        indicators: Iterable[tuple[str, str, int, str]] = (),
        model: LinearModel | None = None,
        use_model: bool = True,
    ) -> Classifier:
        """Shipped (or ``$TGINTEL_RULES``) packs, the given indicator entries and the shipped model."""
        ruleset = RuleSet(load_packs(rule_paths), indicators)
        if model is None and use_model:
            model = LinearModel.default()
        return cls(ruleset, model, use_model=use_model)

    def forget_words(self) -> None:
        """Drop what the rules and the model remember per word (benchmarks: a cold start)."""
        self.rules.forget_words()
        if self.model is not None:
            self.model.forget_words()

    def classify(self, text: str) -> Verdict:
        return self.classify_batch([text])[0]

    def classify_batch(self, texts: Sequence[str], norms: Sequence[str] | None = None) -> list[Verdict]:
        """Verdicts for raw texts (``norms``: their normalised forms, when the caller has them already)."""
        if norms is None:
            norms = [normalize(t) for t in texts]
        cache = self._cache
        todo = list({n: None for n in norms if n not in cache})
        if not todo:
            return [cache[n] for n in norms]
        # The cyclic garbage collector is paused for the batch: classifying allocates hundreds of thousands of
        # short-lived lists, tuples, dicts and findings, none in reference cycles, and every 700 of them start
        # a collector pass that frees nothing (reference counting frees them all, so memory stays flat).
        # Measured with bench/classify.py's shape (15,000 never-seen texts, batches of 2000, CPU time, best
        # of 5, one process): collector off 20,673 msg/s, on 18,718; callgrind: 2.9 % fewer instructions per
        # message. ``gc.freeze()`` after loading gave 20,084 but is process-global (it would hold every
        # object alive at that point, in tests and the web server too), so the pause, local to this call as
        # in tgintel/jobs/ingest.py, is what we do.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            local = dict(zip(todo, self._classify_new(todo), strict=True))
        finally:
            if was_enabled:
                gc.enable()
        out = [local[n] if n in local else cache[n] for n in norms]
        if len(cache) + len(local) > self._cache_max:
            cache.clear()
        cache.update(local)
        return out

    def _classify_new(self, norms: Sequence[str]) -> list[Verdict]:
        match = self.rules.match
        model = self.model
        if model is None:
            return [self._rules_only(match(n, tokens(n))) for n in norms]
        plan = self._plans.get(id(model))
        if plan is None or plan[0] is not model:
            plan = self._plan(model)
        combined = self._combined
        exp = math.exp
        out: list[Verdict] = []
        # In chunks: one sparse product per chunk (rows are independent, so the sums are the same as for the
        # whole batch), and only a chunk's words, hits and feature ids alive at a time: fewer live objects
        # for the garbage collector to walk, which cost ~15 % of the time with all of a 2000-message batch
        # kept until the product.
        for start in range(0, len(norms), _CHUNK):
            part = norms[start : start + _CHUNK]
            toks_list = list(map(tokens, part))
            hits_list = list(map(match, part, toks_list))
            indptr, indices = model.ids_flat(toks_list)
            z = model.logits_flat(indptr, indices).astype(np.float64)
            # The sigmoid of _sigmoid for the whole chunk, bit for bit: exp(-|z|) from math.exp (the same libm
            # call _sigmoid makes; numpy's own exp may differ in the last bit), then the same IEEE divisions
            # and subtractions in numpy (correctly rounded either way).
            e = np.array(list(map(exp, np.negative(np.abs(z)).ravel().tolist())), dtype=np.float64)
            e = e.reshape(z.shape)
            probs = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
            # a category without a rule hit: rules score 0, so its noisy-OR is 1 - (1 - 0) * (1 - p) =
            # 1 - (1 - p) (multiplying by 1.0 is exact)
            bare = 1.0 - (1.0 - probs)
            # The model's evidence wherever it voted for a category, for the whole chunk at once (a superset
            # of what _combined names: it names features only where the model voted).
            rows, cols = np.nonzero(probs[:, plan[3]] >= THRESHOLD)
            cols = plan[3][cols]
            named = model.top_features_batch(indptr, indices, rows, cols)
            tops: list[dict[int, list[str]] | None] = [None] * len(part)
            ids_list: Iterable[list[int] | None] = itertools.repeat(None)
            if named is None:  # a model that names features one message at a time
                flat = indices.tolist()
                ids_list = [flat[a:b] for a, b in itertools.pairwise(indptr.tolist())]
            else:
                for r, c, features in zip(rows.tolist(), cols.tolist(), named, strict=True):
                    top = tops[r]
                    if top is None:
                        top = tops[r] = {}
                    top[c] = features
            rows_of = probs.tolist(), bare.tolist()
            out += map(combined, hits_list, *rows_of, ids_list, tops, itertools.repeat(plan))
        return out

    # -- decisions ---------------------------------------------------------------------------------------
    def _rules_only(self, hits: dict[str, CategoryHits]) -> Verdict:
        scores: dict[str, float] = {}
        findings = indicator_findings(hits)
        for cat in (*RULE_CATEGORIES, OFFER):
            h = hits.get(cat)
            s = rule_score(h.strength) if h else 0.0
            scores[cat] = s
            if cat != OFFER and s >= THRESHOLD and h is not None:
                findings.append(Finding(category=cat, score=round(s, 4), evidence=h.evidence, source="rules"))
        off = scores.pop(OFFER)
        return Verdict(offer=off >= THRESHOLD, offer_score=round(off, 4), scores=scores, findings=findings)

    def _combined(
        self,
        hits: dict[str, CategoryHits],
        probs: list[float],
        bare: list[float],
        ids: list[int] | None,
        tops: dict[int, list[str]] | None,
        plan: _Plan,
    ) -> Verdict:
        """One message's verdict from its rule hits, the model's probability per output (``probs``), the
        score each category has without a rule hit (``bare``, see ``_classify_new``) and the top features per
        output column where the model voted (``tops``; else the model is asked, with the ``ids``)."""
        model, picks, col_of, _voted = plan
        if picks is None:  # the model's outputs are _OUTPUTS, in that order
            scores = dict(zip(_OUTPUTS, bare, strict=True))
        else:
            # a category the model lacks reads the 0.0 appended here: 1 - (1 - 0) = 0.0
            bare.append(0.0)
            scores = dict(zip(_OUTPUTS, [bare[i] for i in picks], strict=True))
        rule_scores: dict[str, float] = {}
        pow_ = math.pow
        for cat, h in hits.items():
            if cat in scores:
                strength = h.pos - h.neg  # rule_score(h.strength), inline
                rules = rule_scores[cat] = 0.0 if strength <= 0 else 1.0 - pow_(2.0, -strength)
                col = col_of.get(cat)
                # noisy-OR: either half can carry a decision, neither can veto the other
                scores[cat] = rules if col is None else 1.0 - (1.0 - rules) * (1.0 - probs[col])
        findings = indicator_findings(hits) if self.rules.has_indicators else []
        for cat in [c for c, s in scores.items() if s >= THRESHOLD and c != OFFER]:
            h = hits.get(cat)
            rules = rule_scores.get(cat, 0.0)
            evidence = list(h.evidence) if h is not None else []
            col = col_of.get(cat)
            if col is not None:
                p = probs[col]
                evidence.append(f"model:{p:.2f}")
                if p >= THRESHOLD:  # name the features only when the model itself voted for the category
                    named = tops.get(col) if tops is not None else None
                    if named is None:  # not worked out for the chunk: then ``ids`` are given
                        named = model.top_features(ids or [], cat)
                    evidence += [f'feature:"{f}"' for f in named]
            source = "rules" if rules >= THRESHOLD else "model"
            score = round(scores[cat], 4)
            findings.append(Finding(category=cat, score=score, evidence=evidence, source=source))
        off = scores.pop(OFFER)
        return Verdict(offer=off >= THRESHOLD, offer_score=round(off, 4), scores=scores, findings=findings)

    def _plan(self, model: LinearModel) -> _Plan:
        """Per model, worked out once: for each output category the index of its score (or of the 0.0
        entry appended after them; ``None`` when the model's outputs are exactly ``_OUTPUTS``), the
        category -> column map, and the columns of the categories findings can name features for."""
        n = len(model.outputs)
        picks = [model.col.get(cat, n) for cat in _OUTPUTS]
        voted = np.array([c for c, o in enumerate(model.outputs) if o in RULE_CATEGORIES], dtype=np.intp)
        plan = (model, None if tuple(model.outputs) == _OUTPUTS else picks, model.col, voted)
        self._plans[id(model)] = plan
        return plan
