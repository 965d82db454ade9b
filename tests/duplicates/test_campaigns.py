"""Campaign queries and their CLI: aggregates, lead channel, actors, timeline, variants with what changed."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from duplicates.dupmarket import T0
from tgintel.analyze.campaigns import diff_variants, get_campaign, list_campaigns
from tgintel.jobs.cluster import assign_clusters
from tgintel.model import Channel, Message
from tgintel.store import Analysis, SQLStore, open_store

AD = "Fresh cocaine 90% pure, 1g = 80 EUR, discreet delivery in Amsterdam and Rotterdam. Write @dealer_nl"


def _campaign_store(store: SQLStore) -> None:
    store.upsert_channels([Channel(id=c, title=f"Channel {c}", username=f"ch{c}") for c in (11, 12, 13)])
    posts = [
        (12, 1, 0, AD, "user1"),  # lead: first in channel 12
        (11, 1, 1, AD, "user1"),
        (11, 2, 26, AD.replace("80 EUR", "70 EUR"), "user1"),  # price changed, next day
        (13, 1, 50, "🔥🔥 " + AD + " 🔥", "user2"),  # emoji only: same normalised text
        (13, 2, 51, AD + " Ask for the menu!", "user2"),  # words added
        (12, 2, 52, "[bold red]Unrelated[/] chat about football and the weather this weekend", "user3"),
    ]
    store.upsert_messages(
        [
            Message(channel_id=c, id=i, date=T0 + timedelta(hours=h), text=t, sender_key=s)
            for c, i, h, t, s in posts
        ]
    )
    rows = [x for b in store.iter_messages() for x in b]
    rows.sort(key=lambda pm: pm[1].date)
    res = assign_clusters(store, rows)
    store.save_analysis([Analysis(pk=pk, norm_hash=h, cluster_id=c) for pk, (h, c) in res.items()])


def test_list_and_get_campaign(store: SQLStore) -> None:
    _campaign_store(store)
    listed = list_campaigns(store)
    assert len(listed) == 1  # the chatter is a single post, below min_size
    c = listed[0]
    assert (c["size"], c["channels"], c["actors"]) == (5, 3, 2)
    assert c["first_seen"] == "2026-03-01T08:00:00Z"
    assert c["last_seen"] == (T0 + timedelta(hours=51)).isoformat().replace("+00:00", "Z")
    assert c["lead_channel"] == {"id": 12, "title": "Channel 12"}
    assert "fresh cocaine" in c["preview"].lower()
    assert list_campaigns(store, min_channels=4) == []
    assert [x["size"] for x in list_campaigns(store, min_size=1, sort="first_seen")] == [1, 5]  # newest first

    full = get_campaign(store, c["id"])
    assert full is not None
    assert [ch["id"] for ch in full["channels"]] == [12, 11, 13]
    assert full["lead_channel"]["id"] == 12
    assert {a["key"]: a["posts"] for a in full["actors"]} == {"user1": 3, "user2": 2}
    assert [(d["date"], d["total"]) for d in full["timeline"]] == [("2026-03-01", 2), ("2026-03-02", 1),
                                                                    ("2026-03-03", 2)]  # fmt: skip
    # Three distinct normalised texts (the emoji copy is the same text as the first).
    assert full["variants_count"] == 3
    v = full["variants"]
    assert v[0]["posts"] == 3 and v[0]["changes"] == []
    assert any("80 EUR → 70 EUR" in ch for ch in v[1]["changes"])
    assert any(ch.startswith("words added") and "menu" in ch for ch in v[2]["changes"])
    assert get_campaign(store, "c0000000000000000") is None


def test_diff_names_contact_changes() -> None:
    changes = diff_variants("Order via @old_shop, 40 EUR", "Order via @new_shop, 40 EUR")
    assert changes[0] == "contact changed: @old_shop → @new_shop"
    assert diff_variants("same text", "same text") == []


def test_cli_lists_and_shows_campaigns(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "c.sqlite")
    s = open_store(db)
    try:
        _campaign_store(s)
    finally:
        s.close()
    out = run_cli("campaigns", "--db", db, "--json", check=True)
    rows = json.loads(out.stdout)
    assert len(rows) == 1 and rows[0]["size"] == 5
    cid = rows[0]["id"]
    table = run_cli("campaigns", "--db", db, "--min-size", "1", check=True).stdout
    assert cid in table and "[bold red]Unrelated[/]" in table  # hostile text printed literally, not as markup
    shown = run_cli("campaign", cid, "--db", db, check=True).stdout
    assert (
        "Variants" in shown and "Timeline" in shown and "Channel 12" in shown and "80 EUR → 70 EUR" in shown
    )
    missing = run_cli("campaign", "c123", "--db", db)
    assert missing.returncode == 2
    assert missing.stderr.strip() == "tgintel: error: campaign c123: not found (see `tgintel campaigns`)"
    bad = run_cli("campaigns", "--db", db, "--sort", "nonsense")
    assert bad.returncode == 2 and "nonsense" in bad.stderr and "Traceback" not in bad.stderr


def test_huge_campaigns_are_cut_to_the_first_variants(store: SQLStore) -> None:
    """The variant list is bounded (huge clusters); the count says how many there are, and the list is a
    prefix of the full one, so the first variant stays the original the diffs compare against."""
    _campaign_store(store)
    cid = list_campaigns(store)[0]["id"]
    full = get_campaign(store, cid)
    cut = get_campaign(store, cid, max_variants=1)
    assert full is not None and cut is not None
    assert cut["variants_count"] == full["variants_count"] == 3
    assert [v["posts"] for v in cut["variants"]] == [full["variants"][0]["posts"]]
    assert cut["timeline"] == full["timeline"] and cut["actors"] == full["actors"]
