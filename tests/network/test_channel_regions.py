"""A channel's default phone region, end to end: stored with the channel (SQLite and PostgreSQL), read by
``tgintel analyze`` and ``tgintel detect --region``, set with ``tgintel channels region``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tgintel.errors import UserError
from tgintel.jobs.analyze import analyze
from tgintel.jobs.regions import channel_region_rows, set_region, suggest_regions
from tgintel.model import Channel, Message

T0 = datetime(2025, 3, 1, 12, tzinfo=UTC)
NL, DE = 501, 502
LOCAL = "📞 Bel of app: 06 1234 5678"  # a Dutch mobile number as Dutch sellers write it
INTERNATIONAL = "📞 +31 6 8765 4321"


def _fill(store) -> None:  # type: ignore[no-untyped-def]
    store.upsert_channels([
        Channel(id=NL, title="Markt Den Haag", username="markt_dh", kind="supergroup"),
        Channel(id=DE, title="Markt Berlin", kind="supergroup"),
    ])  # fmt: skip
    msgs = [
        Message(channel_id=NL, id=1, date=T0, text="🔥 Wiet 5g - 50€\n" + LOCAL, sender_key="user1"),
        Message(channel_id=NL, id=2, date=T0 + timedelta(minutes=1), text=INTERNATIONAL, sender_key="user1"),
        Message(channel_id=DE, id=1, date=T0, text="🔥 Gras 5g - 50€\n" + LOCAL, sender_key="user2"),
    ]
    store.upsert_messages(msgs)


def _phones(store, channel_id: int) -> set[str]:  # type: ignore[no-untyped-def]
    pks = [pk for batch in store.iter_messages() for pk, m in batch if m.channel_id == channel_id]
    return {e.value for ents in store.entities_for(pks).values() for e in ents if e.type == "phone"}


def test_a_national_number_becomes_e164_only_in_a_channel_with_a_region(store) -> None:  # type: ignore[no-untyped-def]
    _fill(store)
    analyze(store)
    # Without a region the local number is ambiguous: no entity; the international one is read anyway.
    assert _phones(store, NL) == {"+31687654321"}
    assert _phones(store, DE) == set()

    done = set_region(store, "@markt_dh", "nl")
    assert (done["channel_id"], done["region"], done["queued"]) == (NL, "NL", 2)
    assert store.count_messages(unanalyzed_only=True) == 2  # only that channel's messages are queued
    assert channel_region_rows(store) == [{"channel_id": NL, "title": "Markt Den Haag", "region": "NL"}]
    analyze(store)
    assert _phones(store, NL) == {"+31612345678", "+31687654321"}
    assert _phones(store, DE) == set()  # the same text in a channel without a region stays as it was

    # Setting the same region again queues nothing; clearing it takes the local number away again.
    assert set_region(store, str(NL), "NL")["queued"] == 0
    assert set_region(store, str(NL), None)["queued"] == 2
    analyze(store)
    assert _phones(store, NL) == {"+31687654321"}
    assert channel_region_rows(store) == []


def test_regions_are_validated_and_channels_resolved(store) -> None:  # type: ignore[no-untyped-def]
    _fill(store)
    with pytest.raises(UserError, match="region 'XX'"):
        set_region(store, str(NL), "XX")
    with pytest.raises(UserError, match="channel '@nobody'"):
        set_region(store, "@nobody", "NL")
    assert set_region(store, "t.me/markt_dh", "DE")["channel_id"] == NL


def test_suggestion_comes_from_the_channels_international_numbers(store) -> None:  # type: ignore[no-untyped-def]
    _fill(store)
    numbers = ["+31 6 1111 2222", "+31 6 3333 4444", "+31 20 555 1234", "+49 30 1234567"]
    store.upsert_messages([
        Message(channel_id=NL, id=10 + i, date=T0 + timedelta(hours=i), text="bel " + n, sender_key="user1")
        for i, n in enumerate(numbers)
    ])  # fmt: skip
    analyze(store)
    got = {r["channel_id"]: r for r in suggest_regions(store)}
    assert got[NL]["suggested"] == "NL" and (got[NL]["numbers"], got[NL]["of"]) == (4, 5)
    assert DE not in got  # no international numbers there
    assert suggest_regions(store, min_share=0.9) == []  # 4 of 5 is not enough then
    set_region(store, str(NL), "NL")
    assert suggest_regions(store) == []  # a channel with a region gets no suggestion


def test_cli_sets_lists_and_rejects_bad_input(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tgintel.store import open_store

    db = str(tmp_path / "r.sqlite")
    st = open_store(db)
    _fill(st)
    st.close()
    ok = run_cli("channels", "region", "@markt_dh", "nl", "--db", db, "--json", check=True)
    assert json.loads(ok.stdout)["channels"][0] | {"title": ""} == {
        "channel_id": NL, "title": "", "region": "NL", "queued": 0,
    }  # fmt: skip
    listed = json.loads(run_cli("channels", "region", "--db", db, "--json", check=True).stdout)
    assert listed == {"channels": [{"channel_id": NL, "title": "Markt Den Haag", "region": "NL"}]}
    bad = run_cli("channels", "region", "@markt_dh", "Netherlands", "--db", db)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
    assert bad.stderr.strip().splitlines() == ["tgintel: error: region 'Netherlands': not a country code the "
                                               "phone library knows (ISO 3166, e.g. NL)"]  # fmt: skip


def test_detect_reads_local_numbers_with_region_option(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": 1, "text": LOCAL}) + "\n", "utf-8")

    # (Without --region the same line has no phone: tests/entities and the store test above show that.)
    out = run_cli("detect", str(src), "--no-model", "--region", "nl", check=True).stdout
    assert [(e["type"], e["value"]) for e in json.loads(out)["entities"]] == [("phone", "+31612345678")]
    bad = run_cli("detect", str(src), "--no-model", "--region", "ZZ")
    assert bad.returncode != 0 and "region 'ZZ'" in bad.stderr and "Traceback" not in bad.stderr
