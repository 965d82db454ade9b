"""Hash lists in the store (SQLite and PostgreSQL), the persisted PDQ index and hash-and-match."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from tgintel.detect.hashindex import hex_to_array
from tgintel.detect.media import hash_image_bytes
from tgintel.jobs.media import (
    Matcher,
    hash_and_match,
    index_dir,
    match_message_media,
    sync_pdq_index,
)
from tgintel.model import Channel, Finding, Media, Message
from tgintel.store import open_store
from tgintel.store.interface import Analysis

from .conftest import PDQ_DATA, encode, expected_pdq

NEEDLES = (PDQ_DATA / "needles.txt").read_text().split()


@pytest.fixture(autouse=True)
def _index_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TGINTEL_HASHINDEX_DIR", str(tmp_path / "idx"))


def add_message(store, mid: int = 1) -> int:  # type: ignore[no-untyped-def]
    store.upsert_channels([Channel(id=100, title="zqx market")])
    date = datetime(2026, 1, 1, tzinfo=UTC)
    store.upsert_messages(
        [Message(channel_id=100, id=mid, date=date, text="photo", media=Media(kind="photo"))]
    )
    got = store.get_message(100, mid)
    assert got is not None
    return got[0]


def rows(values: list[str]) -> list[tuple[str, str | None]]:
    return [(v, None) for v in values]


def test_hash_lists_store_lifecycle(store) -> None:  # type: ignore[no-untyped-def]
    imp = store.import_hashes("a", "md5", rows(["0" * 32, "1" * 32, "0" * 32]), category="csam_indicator",
                              source="zqx", file="a.txt")  # fmt: skip
    assert (imp.created, imp.added, imp.duplicates) == (True, 2, 1)
    store.import_hashes("b", "pdq", rows(NEEDLES[:5]))
    lists = store.list_hashlists()
    assert [(x.name, x.type, x.count, x.category) for x in lists] == [
        ("a", "md5", 2, "csam_indicator"), ("b", "pdq", 5, None)
    ]  # fmt: skip
    assert [x.name for x in store.list_hashlists(type="pdq")] == ["b"]
    assert [m.list_name for m in store.lookup_exact("md5", ["1" * 32, "2" * 32])] == ["a"]
    assert store.lookup_exact("pdq", ["1" * 32]) == []
    with pytest.raises(ValueError, match="holds md5"):
        store.import_hashes("a", "pdq", rows(NEEDLES[:1]))
    v1 = store.hashlists_version()
    assert store.remove_hashlist("a") and not store.remove_hashlist("a")
    assert store.hashlists_version() != v1
    assert store.lookup_exact("md5", ["1" * 32]) == []
    # ids and row keys are never reused, so the index can tell new rows from removed ones
    store.import_hashes("a", "md5", rows(["1" * 32]))
    new = {x.name: x for x in store.list_hashlists()}["a"]
    assert new.id > imp.list_id and new.max_pk > max(x.max_pk for x in lists)


def test_hash_and_match_records_matches_and_findings(store) -> None:  # type: ignore[no-untyped-def]
    expected = expected_pdq()
    orig = expected["bridge-aaa-orig.jpg"]
    store.import_hashes("pdq-list", "pdq", rows([orig, *NEEDLES[:20]]), category="csam_indicator")
    edit = (PDQ_DATA / "bridge-sharpen-a-lot.jpg").read_bytes()
    store.import_hashes("md5-list", "md5", rows([hash_image_bytes(edit).md5]), category="stolen_data")
    pk = add_message(store)
    result = hash_and_match(store, edit, message_pk=pk)
    assert [(m.list_name, m.type, m.distance) for m in result.matches] == [
        ("md5-list", "md5", 0), ("pdq-list", "pdq", 12)
    ]  # fmt: skip
    assert result.matches[1].value == orig
    got = {f.category: f for f in store.findings_for([pk])[pk]}
    assert got["csam_indicator"].source == "hash"
    assert got["csam_indicator"].evidence == ["hash list pdq-list: pdq distance 12"]
    assert got["csam_indicator"].score == pytest.approx(1 - 12 / 64, abs=1e-3)
    assert got["stolen_data"].evidence == ["hash list md5-list: md5 exact match"]
    mh = store.media_hashes_for([pk])[pk]
    assert (mh.pdq, mh.quality) == (expected["bridge-sharpen-a-lot.jpg"], 100)
    # hashing again replaces, never duplicates; re-analysis keeps hash findings
    hash_and_match(store, edit, message_pk=pk)
    assert len(store.findings_for([pk])[pk]) == 2 and len(store.matches_for([pk])[pk]) == 2
    store.save_analysis([Analysis(pk=pk, findings=[Finding(category="drugs", score=0.9)])])
    assert sorted(f.category for f in store.findings_for([pk])[pk]) == [
        "csam_indicator",
        "drugs",
        "stolen_data",
    ]
    # an unrelated picture clears the earlier result of the same message
    hash_and_match(store, (PDQ_DATA / "labelme-q0122.jpg").read_bytes(), message_pk=pk)
    assert store.matches_for([pk]) == {}
    assert [f.category for f in store.findings_for([pk])[pk]] == ["drugs"]


def test_every_bridge_edit_matches_and_nothing_else_does(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    expected = expected_pdq()
    sqlite_store.import_hashes("l", "pdq", rows([expected["bridge-aaa-orig.jpg"]]), category="csam_indicator")
    matcher = Matcher(sqlite_store)
    for name in expected:
        if not name.startswith("bridge-"):
            continue
        result = hash_and_match(matcher, (PDQ_DATA / name).read_bytes())
        assert [m.list_name for m in result.matches] == ["l"], name
        assert result.matches[0].distance <= 31
    for path in [*PDQ_DATA.glob("labelme-*.jpg"), PDQ_DATA / "wee.jpg", PDQ_DATA / "small.jpg"]:
        assert hash_and_match(matcher, path.read_bytes()).matches == [], path.name


def test_low_quality_hashes_are_never_matched(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    grey = encode(Image.new("RGB", (256, 256), (120, 120, 120)), "PNG")
    h = hash_image_bytes(grey)
    sqlite_store.import_hashes("grey", "pdq", rows([h.pdq or ""]), category="csam_indicator")
    result = hash_and_match(sqlite_store, grey)
    assert result.matches == [] and result.skipped is not None and "quality" in result.skipped
    # the same list does match at a lower minimum quality: the filter, not the index, said no
    assert Matcher(sqlite_store, min_quality=0).match(h)[0][0].distance == 0


def test_index_is_persisted_and_updated_incrementally(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(1)
    a = [bytes(r).hex() for r in rng.integers(0, 256, (300, 32), dtype=np.uint8)]
    b = [bytes(r).hex() for r in rng.integers(0, 256, (200, 32), dtype=np.uint8)]
    queries = hex_to_array(a[:5] + b[:5])
    folder = index_dir(store)
    assert folder == tmp_path / "idx" / folder.name
    store.import_hashes("a", "pdq", rows(a))
    first = sync_pdq_index(store)
    assert len(first) == 300 and (folder / "meta.json").exists()
    store.import_hashes("b", "pdq", rows(b))
    store.import_hashes("a", "pdq", rows(b[:10]))  # grows an existing list
    second = sync_pdq_index(store)
    assert len(second) == 510 and len(second.delta_hashes) == 210  # added, not rebuilt
    hits = second.search(queries, 0)
    assert len(hits.id) == 15  # b[:5] sit in both lists
    store.remove_hashlist("a")
    third = sync_pdq_index(store)
    assert len(third) == 200
    assert sorted(third.search(queries, 0).query.tolist()) == [5, 6, 7, 8, 9]
    # what was saved is what a fresh build gives
    loaded = sync_pdq_index(store, save=False)
    fresh_dir = tmp_path / "fresh"
    fresh = sync_pdq_index(store, folder=fresh_dir)
    for x, y in zip(loaded.search(queries, 31), fresh.search(queries, 31), strict=True):
        assert np.array_equal(x, y)
    # unreadable files are rebuilt, not trusted
    (folder / "meta.json").write_text("{not json")
    assert len(sync_pdq_index(store)) == 200


def test_collected_media_hashes_meet_the_lists(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    expected = expected_pdq()
    sqlite_store.import_hashes("l", "pdq", rows([expected["bridge-aaa-orig.jpg"]]), category="csam_indicator")
    h = hash_image_bytes((PDQ_DATA / "bridge-blur-a-lot.jpg").read_bytes())
    hashes = {"md5": h.md5, "sha256": h.sha256, "pdq": h.pdq, "quality": h.quality}
    sqlite_store.upsert_channels([Channel(id=5, title="c")])
    date = datetime(2026, 1, 1, tzinfo=UTC)
    msgs = [
        Message(channel_id=5, id=1, date=date, media=Media(kind="photo", extra={"hashes": hashes})),
        Message(channel_id=5, id=2, date=date, media=Media(kind="photo")),
    ]
    sqlite_store.upsert_messages(msgs)
    assert match_message_media(sqlite_store, msgs) == 1
    pk = sqlite_store.get_message(5, 1)[0]
    assert [m.distance for m in sqlite_store.matches_for([pk])[pk]] == [4]


def test_cli_media_match(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "m.sqlite")
    store = open_store(db)
    store.import_hashes("l", "pdq", rows([expected_pdq()["bridge-aaa-orig.jpg"]]), category="csam_indicator")
    store.close()
    files = [str(PDQ_DATA / n) for n in ("bridge-shrink-a-lot.jpg", "labelme-q2821.jpg", "small.jpg")]
    got = json.loads(run_cli("media", "match", *files, "--db", db, "--json", check=True).stdout)
    assert [[m["distance"] for m in r["matches"]] for r in got] == [[16], [], []]
    assert got[0]["matches"][0]["list"] == "l" and got[0]["matches"][0]["category"] == "csam_indicator"
    assert got[2]["skipped"] == "PDQ quality 0 below 50: not matched"
    tight = json.loads(run_cli("media", "match", files[0], "--radius", "10", "--db", db, "--json").stdout)
    assert tight[0]["matches"] == []
    human = run_cli("media", "match", *files[:2], "--db", db, check=True).stdout
    assert "bridge-shrink-a-lot.jpg: MATCH" in human and "labelme-q2821.jpg: no match" in human
    missing = run_cli("media", "match", str(tmp_path / "nope.jpg"), "--db", db)
    assert missing.returncode == 2 and "nope.jpg: cannot read" in missing.stderr


def test_rematch_after_a_list_arrives(sqlite_store, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Media collected before a list was loaded are matched later from their stored hashes alone."""
    h = hash_image_bytes((PDQ_DATA / "bridge-high-contrast.jpg").read_bytes())
    hashes = {"md5": h.md5, "sha256": h.sha256, "pdq": h.pdq, "quality": h.quality}
    sqlite_store.upsert_channels([Channel(id=6, title="c")])
    date = datetime(2026, 1, 1, tzinfo=UTC)
    sqlite_store.upsert_messages(
        [
            Message(channel_id=6, id=i, date=date, media=Media(kind="photo", extra={"hashes": hashes}))
            for i in (1, 2)
        ]
    )
    db = sqlite_store.url.removeprefix("sqlite:///")
    assert json.loads(run_cli("media", "rematch", "--db", db, "--json", check=True).stdout) == {
        "media": 2, "matched": 0
    }  # fmt: skip
    sqlite_store.import_hashes(
        "l", "pdq", rows([expected_pdq()["bridge-aaa-orig.jpg"]]), category="csam_indicator"
    )
    sqlite_store.import_hashes("m", "md5", rows([h.md5]), category="stolen_data")
    out = run_cli("media", "rematch", "--db", db, check=True).stdout
    assert "2 hashed media checked, 2 match a hash list" in out
    pks = [sqlite_store.get_message(6, i)[0] for i in (1, 2)]
    got = sqlite_store.matches_for(pks)
    assert [[(m.list_name, m.distance) for m in got[pk]] for pk in pks] == [[("m", 0), ("l", 6)]] * 2
