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

import decimal
import functools
import gc
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from tgintel.detect.classify.model import LinearModel
from tgintel.detect.classify.packing import packed_array
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


_NEAR_TIE = 1e-6


def _round(values: np.ndarray, digits: int, template: str | None = None) -> list:  # type: ignore[type-arg]
    """``round(v, digits)`` (or ``template.format(v)`` for a ``{:.Nf}`` template) of each score in [0, 1],
    the same floats and strings Python gives, without Python's decimal conversion per value (~2,800
    instructions a call).

    Why it is exact: both round the exact binary value to the nearest multiple of ``10**-digits``, ties to
    even, and ``round`` returns the double nearest to that decimal, which is the correctly rounded division
    ``k / 10**digits``. ``v * 10**digits`` in floating point is within 1e-12 of the exact product, so its
    nearest integer ``k`` is the exact product's unless the fraction lies within ``_NEAR_TIE`` of one half:
    those values (and any outside [0, 1]) are left to Python."""
    scale = 10.0**digits
    y = values * scale
    k = np.floor(y + 0.5)
    odd = (np.abs((y - np.floor(y)) - 0.5) < _NEAR_TIE) | ~((values >= 0.0) & (values <= 1.0))
    if template is None:
        out = (k / scale).tolist()
        for i in np.flatnonzero(odd).tolist():
            out[i] = round(float(values[i]), digits)
        return out
    strings = _decimals(template, digits)
    out = [strings[i] for i in np.where(odd, 0, k).astype(np.intp).tolist()]
    for i in np.flatnonzero(odd).tolist():
        out[i] = template.format(float(values[i]))
    return out


@functools.cache
def _decimals(template: str, digits: int) -> tuple[str, ...]:
    """``template`` filled with every multiple of ``10**-digits`` from 0 to 1, as Python formats it."""
    scale = 10**digits
    return tuple(template.format(decimal.Decimal(k) / scale) for k in range(scale + 1))


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
        self._feature_evidence: dict[str, str] = {}  # feature -> its evidence string, built once

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
        out: list[Verdict] = []
        if plan[1] is None and model.finite:
            # the usual case: the model's outputs are _OUTPUTS, its weights finite (see _chunk_verdicts)
            for start in range(0, len(norms), _CHUNK):
                out += self._chunk_verdicts(norms[start : start + _CHUNK], plan)
            return out
        # In chunks: one sparse product per chunk (rows are independent, so the sums are the same as for the
        # whole batch), and only a chunk's words, hits and feature ids alive at a time: fewer live objects
        # for the garbage collector to walk, which cost ~15 % of the time with all of a 2000-message batch
        # kept until the product.
        for start in range(0, len(norms), _CHUNK):
            part = norms[start : start + _CHUNK]
            toks_list = list(map(tokens, part))
            hits_list = list(map(match, part, toks_list))
            indptr, indices, probs = self._probabilities(model, toks_list)
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

    def _probabilities(self, model: LinearModel, toks_list: list[list[str]]) -> tuple[np.ndarray, ...]:
        """The model's ids (``ids_flat``) and probability per output for a chunk: the sigmoid of _sigmoid,
        bit for bit: exp(-|z|) from math.exp (the same libm call _sigmoid makes; numpy's own exp may differ
        in the last bit), then the same IEEE divisions and subtractions in numpy (correctly rounded)."""
        indptr, indices = model.ids_flat(toks_list)
        z = model.logits_flat(indptr, indices).astype(np.float64)
        e = packed_array(list(map(math.exp, np.negative(np.abs(z)).ravel().tolist())), "d").reshape(z.shape)
        return indptr, indices, np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    def _chunk_verdicts(self, part: Sequence[str], plan: _Plan) -> list[Verdict]:
        """Verdicts for a chunk when the model's outputs are exactly _OUTPUTS: the same floats and findings
        as ``_combined`` over ``RuleSet.match``, computed for the whole chunk with numpy.

        Why: per message, ``match`` + ``_combined`` built a dict, a ``CategoryHits`` and an evidence list for
        every category with a hit, then a scores dict, rule scores and a finding per decision. Here the rule
        strengths come as arrays (``RuleSet.match_chunk``), the noisy-OR is elementwise IEEE arithmetic
        (``1 - (1 - 0) * (1 - p)`` is exactly ``1 - (1 - p)``, so one formula serves categories with and
        without rule hits), ``2 ** -strength`` is ``math.pow`` as in ``rule_score`` and only the one or two
        categories that reach a decision get their evidence built."""
        model, _picks, _col_of, voted = plan
        rules = self.rules
        toks_list = list(map(tokens, part))
        hits = rules.match_chunk(part, toks_list)
        indptr, indices, probs = self._probabilities(model, toks_list)
        n_out = len(_OUTPUTS)
        strength = hits.pos[:, :n_out] - hits.neg[:, :n_out]
        rule = np.zeros_like(strength)
        sr, sc = np.nonzero(strength > 0)
        if len(sr):
            powers = list(map(math.pow, itertools.repeat(2.0), np.negative(strength[sr, sc]).tolist()))
            rule[sr, sc] = 1.0 - np.array(powers, dtype=np.float64)
        scores = 1.0 - (1.0 - rule) * (1.0 - probs)
        offer = scores[:, n_out - 1]
        # by C-level maps, positional arguments (a row ends with the offer score: zip stops at the categories)
        verdicts = list(
            map(
                Verdict,
                (offer >= THRESHOLD).tolist(),
                _round(offer, 4),
                map(dict, map(zip, itertools.repeat(RULE_CATEGORIES), scores.tolist())),
            )
        )
        if rules.has_indicators:
            for r, found in hits.indicators(n_out + 1).items():
                verdicts[r].findings += [
                    Finding(category=cat[len(INDICATOR_PREFIX) :], score=1.0, evidence=ev, source="indicator")
                    for cat, ev in found
                ]
        fr, fc = np.nonzero(scores[:, : n_out - 1] >= THRESHOLD)
        if not len(fr):
            return verdicts
        # the model's evidence wherever it voted for a category (a superset of the findings that name it)
        vr, vc = np.nonzero(probs[:, voted] >= THRESHOLD)
        vc = voted[vc]
        named_top = model.top_features_batch(indptr, indices, vr, vc) or []
        tops = dict(zip(zip(vr.tolist(), vc.tolist(), strict=True), named_top, strict=True))
        cells = list(zip(fr.tolist(), fc.tolist(), strict=True))
        p = probs[fr, fc]
        named = self._feature_evidence
        for (r, c), evidence, s4, p2, voted_too, by_rules in zip(
            cells,
            hits.evidence(cells),
            _round(scores[fr, fc], 4),
            _round(p, 2, "model:{:.2f}"),
            (p >= THRESHOLD).tolist(),
            (rule[fr, fc] >= THRESHOLD).tolist(),
            strict=True,
        ):
            evidence.append(p2)
            if voted_too:  # name the features only when the model itself voted for the category
                evidence += [named.get(f) or named.setdefault(f, f'feature:"{f}"') for f in tops[(r, c)]]
            source = "rules" if by_rules else "model"
            finding = Finding(category=_OUTPUTS[c], score=s4, evidence=evidence, source=source)
            verdicts[r].findings.append(finding)
        return verdicts

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
