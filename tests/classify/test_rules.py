"""Rule packs: the shipped packs pass their own tests in three or more languages per category, bad packs are
refused with file and line, and matching survives look-alike letters, digits for letters and news context."""

from __future__ import annotations

from pathlib import Path

import pytest

from tgintel.detect.classify import Classifier
from tgintel.detect.classify.rules import (
    PACK_DIR,
    RuleError,
    RuleSet,
    categories_with_tests,
    check_packs,
    load_pack,
    load_packs,
)
from tgintel.detect.classify.taxonomy import RULE_CATEGORIES


@pytest.fixture(scope="module")
def rules_only() -> Classifier:
    return Classifier.load(use_model=False)


def test_shipped_packs_pass_their_embedded_tests() -> None:
    assert check_packs() == []


def test_every_category_has_pack_tests_in_three_languages() -> None:
    cover = categories_with_tests(load_packs())
    for category in RULE_CATEGORIES:
        langs = cover.get(category, set()) - {"und"}
        assert len(langs) >= 3, f"{category}: tests only in {sorted(langs)}"


def test_no_pack_ships_csam_terms() -> None:
    assert all(p.category != "csam_indicator" for p in load_packs())
    assert not any(t.category == "csam_indicator" for p in load_packs() for t in p.terms)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Fresh cocaine, DM", "drugs"),
        ("Fresh сосаіnе, DM", "drugs"),  # Cyrillic look-alikes
        ("Fresh c0ca1ne, DM", "drugs"),  # digits for letters
        ("F\u200bresh co\u200bcaine", "drugs"),  # zero-width joiners
        ("𝐆𝐋𝐎𝐂𝐊 19 for sale", "weapons"),  # mathematical bold
        ("ОБНАЛ, дропы, пишите", "financial_fraud"),
    ],
)
def test_obfuscated_terms_still_match(rules_only: Classifier, text: str, category: str) -> None:
    cats = {f.category for f in rules_only.classify(text).findings}
    assert category in cats


def test_news_context_suppresses_categories(rules_only: Classifier) -> None:
    ad = "Cocaine and MDMA for sale, stealth shipping"
    news = "Police warn: cocaine and MDMA sold on Telegram, police seized 3 kg"
    assert {f.category for f in rules_only.classify(ad).findings} == {"drugs"}
    assert rules_only.classify(news).findings == []


def test_evidence_names_terms_and_patterns(rules_only: Classifier) -> None:
    (finding,) = rules_only.classify("Glock 19, 9mm ammo").findings
    assert finding.category == "weapons"
    assert "rule:glock*" in finding.evidence and "rule:ammo" in finding.evidence
    assert finding.source == "rules" and 0.5 <= finding.score <= 1.0


def _write(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "pack.yaml"
    p.write_text(body, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("category: drugs\nterms:\n  en:\n    weed: lots\n", 4, "not a number"),
        ("category: drugs\nterms:\n  en:\n    weed: 0\n", 4, "greater than 0"),
        ("category: drugz\n", 1, "unknown category"),
        ("category: drugs\nterms:\n  english:\n    weed: 1\n", 3, "two-letter"),
        ("category: drugs\npatterns:\n  - {id: x, regex: 'a(b', weight: 1}\n", 3, "bad regex"),
        ("category: drugs\npatterns:\n  - {id: x, regex: 'a*', weight: 1}\n", 3, "empty string"),
        ("category: drugs\nterms:\n  en:\n    weed: 1\n    weed: 2\n", 5, "repeats"),
        ("category: drugs\nterms: [\n", 3, "not valid YAML"),
        ("category: drugs\nsurprise: 1\n", 2, "unknown section"),
        ("category: csam_indicator\n", 1, "indicator list"),
        ("category: drugs\ntests:\n  maybe: [x]\n", 3, "unknown key"),
    ],
)
def test_bad_pack_error_names_file_and_line(tmp_path: Path, body: str, line: int, message: str) -> None:
    p = _write(tmp_path, body)
    with pytest.raises(RuleError) as exc:
        load_pack(p)
    assert str(exc.value).startswith(f"{p}:{line}:"), str(exc.value)
    assert message in str(exc.value)


def test_failing_pack_test_is_reported_with_line(tmp_path: Path) -> None:
    p = tmp_path / "drugs.yaml"  # replaces the shipped drugs pack for this check
    p.write_text(
        "category: drugs\nterms:\n  en:\n    zqxweed: 1.2\ntests:\n  match:\n    - zqxweed here\n"
        "    - nothing to see\n",
        encoding="utf-8",
    )
    failures = check_packs([p])
    assert len(failures) == 1
    assert failures[0].startswith(f"{p}:8:") and "expected drugs to match" in failures[0]


def test_rules_check_cli(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    ok = run_cli("rules", "check")
    assert ok.returncode == 0, ok.stderr
    assert f"{len(list(PACK_DIR.glob('*.yaml')))} pack(s) OK" in ok.stdout
    bad = _write(tmp_path, "category: weapons\nterms:\n  en:\n    gun: -1\n")
    res = run_cli("rules", "check", str(bad))
    assert res.returncode != 0
    assert f"{bad}:4:" in res.stderr and "Traceback" not in res.stderr


def test_prefix_terms_and_phrases() -> None:
    pack_text = "category: drugs\nterms:\n  ru:\n    закладк*: 1.0\n  en:\n    dead drop: 1.0\n"
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "x.yaml"
        p.write_text(pack_text, encoding="utf-8")
        rs = RuleSet([load_pack(p)])
    assert "drugs" in rs.match("делаю закладками по городу")
    assert "drugs" in rs.match("a dead drop in the park")
    assert "drugs" not in rs.match("dead tired, drop it")
