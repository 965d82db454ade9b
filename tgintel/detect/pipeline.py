"""The detect stages in one place: normalise, language, categories and offer, entities (and, for loose
messages, the near-duplicate cluster).

Pure: no database, file or network access. ``tgintel detect`` (loose JSONL, with an in-memory
:class:`~tgintel.detect.duplicates.NearDuplicateIndex`), ``tgintel analyze`` (stored messages, clusters from
:func:`tgintel.jobs.cluster.assign_clusters`), the web's scan endpoint and a distributed job all call
:meth:`Pipeline.run`, so a message gets the same answer wherever it is looked at.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tgintel.detect.classify import Classifier
from tgintel.detect.entities import extract_entities
from tgintel.detect.lang import detect_language_normalized
from tgintel.detect.normalize import normalize
from tgintel.model import Entity, Finding

__all__ = ["Detection", "Pipeline", "detection_record"]


@dataclass(slots=True)
class Detection:
    """Everything the stages say about one text (cluster excepted: that needs state)."""

    lang: str
    offer: bool
    offer_score: float
    findings: list[Finding] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)


_EMPTY = Detection(lang="und", offer=False, offer_score=0.0)


class Pipeline:
    """Stateless after construction (the classifier holds compiled rules and the model): share it freely.

    Every stage is a pure function of the text (and region), so results are memoised by raw text: crime
    markets repeat ~96% of their posts byte for byte, and a repeat costs one dict lookup instead of a
    normalisation, a language guess and a classification (``tgintel analyze`` on the 106-channel demo went
    from ~620 to over 10k messages/s with this and the store-side changes; docs/benchmarks.md). Each caller
    still gets its own :class:`Detection` per text; the lists inside are shared between repeats and must be
    treated as read-only."""

    #: distinct raw texts remembered between calls (about 2 kB each with their results: ~200 MB at most)
    MEMO_SIZE = 100_000

    def __init__(self, classifier: Classifier | None = None, *, entities: bool = True) -> None:
        self.classifier = classifier or Classifier.load()
        self.entities = entities
        self._lang: dict[str, str] = {}  # language by normalised text: reposts are the common case
        self._memo: dict[tuple[str, str | None], Detection] = {}

    def run(
        self,
        texts: Sequence[str],
        *,
        regions: Sequence[str | None] | None = None,
        normalizer: Callable[[str], str] | None = None,
    ) -> list[Detection]:
        """One :class:`Detection` per text, in order; empty texts get ``und`` and nothing else.
        ``normalizer``: :func:`~tgintel.detect.normalize.normalize` or a memo of it (``tgintel analyze``
        shares the one its clustering filled)."""
        memo = self._memo
        keys = list(zip(texts, regions, strict=True)) if regions else [(t, None) for t in texts]
        todo = [k for k in dict.fromkeys(keys) if k not in memo and k[0] and k[0].strip()]
        if todo:
            if len(memo) + len(todo) > self.MEMO_SIZE:
                memo.clear()
            memo.update(zip(todo, self._detect(todo, normalizer or normalize), strict=True))
        out: list[Detection] = []
        for k in keys:
            d = memo.get(k)
            if d is None:  # empty or blank text
                out.append(Detection(lang=_EMPTY.lang, offer=False, offer_score=0.0))
            else:
                out.append(Detection(d.lang, d.offer, d.offer_score, d.findings, d.entities, d.scores))
        return out

    def _detect(
        self, keys: Sequence[tuple[str, str | None]], normalizer: Callable[[str], str]
    ) -> list[Detection]:
        """The stages for distinct non-blank texts."""
        raw = [t for t, _r in keys]
        norms = [normalizer(t) for t in raw]
        verdicts = self.classifier.classify_batch(raw, norms)
        out: list[Detection] = []
        for (text, region), norm, verdict in zip(keys, norms, verdicts, strict=True):
            lang = self._lang.get(norm)
            if lang is None:
                if len(self._lang) > 50_000:
                    self._lang.clear()
                lang = self._lang[norm] = detect_language_normalized(norm)
            out.append(
                Detection(
                    lang=lang,
                    offer=verdict.offer,
                    offer_score=verdict.offer_score,
                    findings=sorted(verdict.findings, key=lambda f: (-f.score, f.category)),
                    entities=extract_entities(text, default_region=region) if self.entities else [],
                    scores=verdict.scores,
                )
            )
        return out


def detection_record(key: Any, d: Detection, cluster: str) -> dict[str, Any]:
    """The ``tgintel detect`` output line (ARCHITECTURE.md contract) for one message."""
    return {
        "id": key,
        "lang": d.lang,
        "offer": d.offer,
        "categories": [
            {"category": f.category, "score": round(f.score, 4), "evidence": list(f.evidence)}
            for f in d.findings
        ],
        "entities": [{"type": e.type, "value": e.value, "start": e.start, "end": e.end} for e in d.entities],
        "cluster": cluster,
    }
