"""classify_batch pauses the cyclic garbage collector for speed; the caller's setting must survive it."""

from __future__ import annotations

import gc

import pytest

from tgintel.detect.classify import Classifier
from tgintel.detect.classify.rules import RuleSet, load_packs


@pytest.fixture(scope="module")
def rules_only() -> Classifier:
    return Classifier(RuleSet(load_packs()))


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_setting_is_restored(rules_only: Classifier, enabled: bool) -> None:
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        verdicts = rules_only.classify_batch(["selling cocaine 1g 80 eur", "hello how are you"])
        assert gc.isenabled() is enabled
        assert "drugs" in {f.category for f in verdicts[0].findings}
    finally:
        gc.enable() if was else gc.disable()


def test_the_collector_is_back_on_after_a_failing_batch(rules_only: Classifier) -> None:
    assert gc.isenabled()

    class Boom(RuleSet):
        def match(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            raise RuntimeError("boom")

    broken = Classifier(Boom(load_packs()))
    with pytest.raises(RuntimeError):
        broken.classify_batch(["anything at all"])
    assert gc.isenabled()
