"""Crime classification: taxonomy, rule packs, the linear model and their combination.

``Classifier.load()`` gives the shipped rules and model; ``classify_batch(texts)`` returns one
:class:`Verdict` per text (offer flag and score, category scores, findings with evidence).
"""

from tgintel.detect.classify.classifier import THRESHOLD, Classifier, Verdict
from tgintel.detect.classify.taxonomy import CATEGORIES, MISP_TAGS, OFFER, RULE_CATEGORIES

__all__ = ["CATEGORIES", "MISP_TAGS", "OFFER", "RULE_CATEGORIES", "THRESHOLD", "Classifier", "Verdict"]
