"""Real messages: Telegram group spam (umputun/tg-spam) and SMS phishing (Mishra & Soni 2022), both copied
into tests/data with their licences."""

from __future__ import annotations

import csv
from pathlib import Path

from tgintel.detect.entities import extract_entities

DATA = Path(__file__).resolve().parent.parent / "data"


def _spam() -> list[str]:
    return [line for line in (DATA / "tg-spam" / "spam-samples.txt").read_text("utf-8").splitlines() if line]


def test_tg_spam_links_handles_and_invites_are_found() -> None:
    lines = _spam()
    got: dict[str, set[str]] = {}
    for line in lines:
        for e in extract_entities(line):
            got.setdefault(e.type, set()).add(e.value)
    # Every line that spells out a t.me link must yield it.
    for line in lines:
        if "t.me/" in line:
            assert any(e.type == "tme_link" for e in extract_entities(line)), line[:120]
    assert "t.me/+dGA3mE_zk-EwZThk" in got["tme_link"]  # an invite link, hash case kept
    assert "https://tinyurl.com/yrd86r5b" in got["url"]
    assert len(got["username"]) >= 10
    assert all(v == v.lower() and v.startswith("@") for v in got["username"])


def test_tg_spam_handles_are_where_the_text_has_them() -> None:
    for line in _spam():
        for e in extract_entities(line):
            if e.type == "username":
                surface = line[e.start : e.end]
                assert surface.lower() == e.value
                assert e.start == 0 or not (line[e.start - 1].isalnum() or line[e.start - 1] in "@._")


def _smishing() -> list[dict[str, str]]:
    with open(DATA / "smishing" / "subset.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_smishing_url_email_phone_recall_against_the_dataset_flags() -> None:
    rows = _smishing()

    def recall(flag: str, types: set[str], select=lambda r: True) -> float:
        yes = [r for r in rows if r[flag] == "Yes" and select(r)]
        hit = sum(
            1 for r in yes if any(e.type in types for e in extract_entities(r["TEXT"], default_region="GB"))
        )
        return hit / len(yes)

    # The flags also mark texts whose "URL" has no scheme and no known TLD ("http://itdo/…", "www.x.com1win")
    # and short codes ("txt WIN to 87077") that are no phone numbers; the thresholds leave room for those.
    assert recall("URL", {"url", "tme_link", "onion"}) >= 0.85
    assert recall("EMAIL", {"email"}) >= 0.85

    def uk_number(r: dict[str, str]) -> bool:
        digits = "".join(c if c.isdigit() else " " for c in r["TEXT"]).split()
        return any(len(d) == 11 and d.startswith(("07", "08", "09", "01", "02")) for d in digits)

    assert recall("PHONE", {"phone"}, uk_number) >= 0.95


def test_smishing_unflagged_texts_yield_few_contacts() -> None:
    plain = [r for r in _smishing() if (r["URL"], r["EMAIL"], r["PHONE"]) == ("No", "No", "No")]
    noisy = [
        r["TEXT"]
        for r in plain
        if any(e.type in ("url", "email", "phone") for e in extract_entities(r["TEXT"], default_region="GB"))
    ]
    assert len(noisy) <= 0.03 * len(plain), noisy[:5]
