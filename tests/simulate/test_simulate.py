"""The simulator: deterministic, faithful to Telegram Desktop's format, and its truth exact."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import orjson
import pytest

from tgintel.detect.classify.taxonomy import CATEGORIES
from tgintel.errors import UserError
from tgintel.sources.simulate import simulate
from tgintel.sources.simulate.market import PAYMENT_SURFACES
from tgintel.sources.simulate.truth import iter_truth

from . import validators as v

LANGS = {"en", "nl", "de", "ru", "fi"}
SYMBOL_CODE = {"$": "USD", "£": "GBP", "€": "EUR", "₽": "RUB", "руб": "RUB"}


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("sim")
    return out, simulate(out, channels=24, days=12, seed=7)


@pytest.fixture(scope="module")
def truth(sim: tuple[Path, dict]) -> list[dict]:
    return list(iter_truth(sim[0] / "truth.jsonl"))


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*.json*")):
        h.update(str(p.relative_to(folder)).encode() + p.read_bytes())
    return h.hexdigest()


def test_same_seed_same_bytes_other_seed_other_corpus(tmp_path: Path) -> None:
    a = simulate(tmp_path / "a", channels=6, days=4, seed=3)
    # the second run in another process with another string-hash seed: no set or dict order may leak in
    code = (
        "import sys; from tgintel.sources.simulate import simulate; "
        "simulate(sys.argv[1], channels=6, days=4, seed=3)"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "b")], check=True, env=env)
    b = {"messages": sum(1 for _ in iter_truth(tmp_path / "b" / "truth.jsonl"))}
    simulate(tmp_path / "c", channels=6, days=4, seed=4)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert a["messages"] == b["messages"]
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_exports_are_desktop_format_and_match_truth(sim: tuple[Path, dict], truth: list[dict]) -> None:
    out, summary = sim
    files = sorted(out.glob("*/result.json"))
    assert len(files) == 24 == summary["channels"]
    by_key = {(t["channel_id"], t["id"]): t for t in truth}
    seen = 0
    for f in files:
        chat = json.loads(f.read_text(encoding="utf-8"))
        assert chat["type"] in ("public_channel", "public_supergroup") and isinstance(chat["id"], int)
        ids = [m["id"] for m in chat["messages"]]
        assert ids == list(range(1, len(ids) + 1))
        dates = [int(m["date_unixtime"]) for m in chat["messages"]]
        assert dates == sorted(dates)
        for m in chat["messages"]:
            t = by_key[(chat["id"], m["id"])]
            seen += 1
            assert m["type"] == t["kind"]
            joined = "".join(e["text"] for e in m["text_entities"])
            flat = (
                m["text"]
                if isinstance(m["text"], str)
                else "".join(p if isinstance(p, str) else p["text"] for p in m["text"])
            )
            assert joined == flat == t["text"]
            if m["type"] == "service":
                assert m["actor_id"] == t["actor"] and m["action"] and not m["text"]
            else:
                assert m["from_id"] == t["actor"]
                assert ("forwarded_from" in m) == t["forwarded"]
                assert not any(k in m for k in ("bytes", "data")), "media must be metadata only"
                if t["media"] == "photo":
                    assert m["photo"].startswith("(File not included") and m["width"] > 0
            assert m["date"] + "+00:00" == t["date"]
    assert seen == len(truth) == summary["messages"]


def test_full_account_export_holds_the_same_chats(tmp_path: Path) -> None:
    simulate(tmp_path / "one", channels=5, days=3, seed=11)
    simulate(tmp_path / "full", channels=5, days=3, seed=11, full_account=True)
    full = json.loads((tmp_path / "full" / "result.json").read_text(encoding="utf-8"))
    chats = {c["id"]: c for c in full["chats"]["list"]}
    singles = {
        c["id"]: c for c in (json.loads(p.read_text()) for p in (tmp_path / "one").glob("*/result.json"))
    }
    assert chats == singles
    assert (tmp_path / "full" / "truth.jsonl").read_bytes() == (tmp_path / "one" / "truth.jsonl").read_bytes()


def _price_ok(surface: str, value: str) -> bool:
    amount, code = value.split(" ")
    if not re.fullmatch(r"\d+(\.\d*[1-9])?", amount) or amount not in surface.replace(",", "."):
        return False
    rest = surface.replace(amount, "").strip()
    return SYMBOL_CODE.get(rest, rest) == code


CHECKS = {
    "btc": lambda s, val: v.btc_ok(s) and val == (s.lower() if s.lower().startswith("bc1") else s),
    "tron": lambda s, val: v.tron_ok(s) and val == s,
    "eth": lambda s, val: v.eth_ok(s) and val == s.lower(),
    "xmr": lambda s, val: v.xmr_ok(s) and val == s,
    "onion": lambda s, val: v.onion_ok(val) and s.lower().endswith(val),
    "iban": lambda s, val: v.iban_ok(val) and s.replace(" ", "").upper() == val,
    "phone": v.phone_ok,
    "username": lambda s, val: (
        re.fullmatch(r"@[A-Za-z][A-Za-z0-9_]{4,31}", s) is not None and val == s.lower()
    ),
    "tme_link": lambda s, val: (
        val == "t.me/" + s.split("t.me/", 1)[1].replace("joinchat/", "+")
        if "/+" in s or "joinchat" in s
        else val == "t.me/" + s.split("t.me/", 1)[1].lower()
    ),
    "url": lambda s, val: re.fullmatch(r"https://[a-z0-9.-]+/[a-z]+", s) is not None and val == s,
    "email": lambda s, val: "@" in s and val == s.lower(),
    "price": _price_ok,
    "payment_method": lambda s, val: (s, val) in {p for ps in PAYMENT_SURFACES.values() for p in ps},
}


def test_every_truth_entity_points_at_a_valid_surface(truth: list[dict]) -> None:
    counts: Counter[str] = Counter()
    for t in truth:
        last_end = 0
        for e in t["entities"]:
            surface = t["text"][e["start"] : e["end"]]
            assert e["start"] >= last_end, "entities are sorted and do not overlap"
            last_end = e["end"]
            assert CHECKS[e["type"]](surface, e["value"]), (e, surface)
            counts[e["type"]] += 1
    assert set(counts) == set(CHECKS), f"every entity type occurs: {counts}"


def test_no_unannotated_entity_lookalikes_outside_entities(truth: list[dict]) -> None:
    """Outside annotated spans: no @handle, t.me link, onion, URL, long digit run or currency price."""
    pattern = re.compile(
        r"@\w|t\.me/|\.onion|https?://|\d{7,}|\d\s?(€|\$|£|₽|EUR|USD|RUB|USDT|BTC|XMR)\b|[€$£]\s?\d"
    )
    for t in {t["variant"]: t for t in truth if t["text"]}.values():
        text = list(t["text"])
        for e in t["entities"]:
            text[e["start"] : e["end"]] = [" "] * (e["end"] - e["start"])
        rest = "".join(text)
        assert not pattern.search(rest), (rest, t["text"])


def test_repetition_near_target_and_tunable(
    sim: tuple[Path, dict], truth: list[dict], tmp_path: Path
) -> None:
    texts = [t["text"] for t in truth if t["kind"] == "message" and t["text"]]
    assert len(texts) == sim[1]["text_messages"]
    assert len(set(texts)) == sim[1]["unique_texts"]
    assert abs(1 - len(set(texts)) / len(texts) - 0.96) < 0.01
    low = simulate(tmp_path / "low", channels=10, days=6, seed=2, repetition=0.7)
    assert abs(low["repetition"] - 0.7) < 0.02


def test_languages_categories_and_kinds_all_present(truth: list[dict]) -> None:
    assert {t["lang"] for t in truth} >= LANGS
    cats = Counter(c for t in truth for c in t["categories"])
    assert set(cats) == set(CATEGORIES)
    contents = Counter(t["content"] for t in truth)
    assert {"offer", "scam", "chatter", "moderation", "service", "album_part", "media"} <= set(contents)
    assert any(t["forwarded"] for t in truth)
    assert all(t["kind"] == "service" and not t["text"] for t in truth if t["content"] == "service")
    for t in truth:
        if "csam_indicator" in t["categories"]:
            assert "zqxplaceholder" in t["text"]


def test_campaigns_repost_varied_copies_across_channels_and_weeks(tmp_path: Path) -> None:
    simulate(tmp_path, channels=20, days=30, seed=5)
    rows = [t for t in iter_truth(tmp_path / "truth.jsonl") if t["campaign"] and t["content"] == "offer"]
    by_campaign: dict[str, list[dict]] = defaultdict(list)
    for t in rows:
        by_campaign[t["campaign"]].append(t)
    spread = [c for c in by_campaign.values() if len({t["channel_id"] for t in c}) >= 3]
    assert spread, "some campaigns reach several channels"
    assert any(len({t["text"] for t in c}) >= 3 for c in spread), "re-posts vary"
    assert max(len({t["date"][:10] for t in c}) for c in spread) >= 14, "campaigns last weeks"

    def grams(s: str) -> set[str]:
        return {s[i : i + 5] for i in range(len(s) - 4)}

    for c in spread:
        variants = list(dict.fromkeys(t["text"] for t in sorted(c, key=lambda t: t["date"])))
        for a, b in itertools.pairwise(variants):
            ga, gb = grams(a), grams(b)
            assert len(ga & gb) / len(ga | gb) > 0.3, "a variant stays a near duplicate of the one before"
    variants = [len({t["text"] for t in c}) for c in by_campaign.values()]
    sizes = sorted((len(c) for c in by_campaign.values()), reverse=True)
    assert sizes[0] > 10 * sizes[len(sizes) // 2], "vendor activity is heavy-tailed"
    assert max(variants) > 1


def test_simulator_categories_are_the_taxonomy() -> None:
    from tgintel.sources.simulate import vocab_heldout, vocab_train, world

    assert world.CATEGORIES == CATEGORIES
    for vocab in (vocab_train.VOCAB, vocab_heldout.VOCAB):
        assert all(set(vocab[lang]["cats"]) == set(CATEGORIES) for lang in LANGS)


def test_heldout_wording_is_disjoint_from_training() -> None:
    from tgintel.sources.simulate.vocab_heldout import VOCAB as HELD
    from tgintel.sources.simulate.vocab_train import VOCAB as TRAIN

    for lang in LANGS:
        for cat in CATEGORIES:
            th, ti = TRAIN[lang]["cats"][cat]
            hh, hi = HELD[lang]["cats"][cat]
            assert not (set(th) | set(ti)) & (set(hh) | set(hi)), (lang, cat)
        for key in ("tags", "scam", "mod", "chat_body"):
            assert not set(TRAIN[lang][key]) & set(HELD[lang][key]), (lang, key)


def test_vocabulary_holds_no_payment_words_or_real_abuse_terms() -> None:
    from tgintel.sources.simulate import vocab_heldout, vocab_train

    surfaces = [s.lower() for ps in PAYMENT_SURFACES.values() for s, _ in ps]

    def strings(o: object):
        if isinstance(o, str):
            yield o
        elif isinstance(o, dict):
            for x in o.values():
                yield from strings(x)
        elif isinstance(o, list | tuple):
            for x in o:
                yield from strings(x)

    for mod in (vocab_train, vocab_heldout):
        for s in strings(mod.VOCAB):
            low = s.lower()
            assert not [p for p in surfaces if re.search(r"(?<!\w)" + re.escape(p) + r"(?!\w)", low)], s
        for lang in LANGS:
            for s in strings(mod.VOCAB[lang]["cats"]["csam_indicator"]):
                words = re.findall(r"\w+", s)
                assert any(w.startswith("zqxplaceholder") for w in words)


def test_cli_writes_and_reports_bad_options(run_cli, tmp_path: Path) -> None:
    ok = run_cli(
        "simulate", "--channels", "3", "--days", "2", "--seed", "1", "--out", "o", "--json", check=True
    )
    summary = orjson.loads(ok.stdout)
    assert summary["channels"] == 3 and (tmp_path / "o" / "truth.jsonl").exists()
    bad = run_cli("simulate", "--out", "x", "--templates", "nope")
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
    assert bad.stderr.strip().count("\n") == 0 and "templates" in bad.stderr
    with pytest.raises(UserError, match="repetition"):
        simulate(tmp_path / "y", repetition=1.5)
    with pytest.raises(UserError, match="channels"):
        simulate(tmp_path / "y", channels=0)


def test_a_vendors_campaigns_are_offers_an_analyst_can_tell_apart() -> None:
    """No vendor runs two campaigns with the same item list, nor two scam campaigns with the same pitch:
    those would differ only by the changes a re-post makes, so the truth could not be scored against."""
    from tgintel.sources.simulate import _vocab
    from tgintel.sources.simulate.world import World

    w = World(channels=106, days=90, seed=3, repetition=0.96, vocab=_vocab("train"), per_day=70.0,
              template_set="train")  # fmt: skip
    w.build()  # structure only: vendors and campaigns (no texts, no stream)
    seen: dict[int, set] = defaultdict(set)
    per_vendor = Counter(c.vendor for c in w.campaigns)
    for c in w.campaigns:
        key = c.spec.header if c.scam else frozenset(it for it, _eur in c.spec.items)
        assert key not in seen[c.vendor], f"campaign {c.idx}: vendor {c.vendor} already ran this offer"
        seen[c.vendor].add(key)
        if c.scam:
            assert c.spec.shop  # the scammer's brand line
    assert max(per_vendor.values()) > 3  # vendors with several campaigns exist, so the check bites
