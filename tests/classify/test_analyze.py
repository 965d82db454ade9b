"""`tgintel analyze` over stored messages: findings stored, incremental, edits re-analysed; analysts' labels
never change earlier evidence."""

from __future__ import annotations

from tgintel.jobs.analyze import analyze
from tgintel.model import Channel

from .conftest import TEXTS, make_messages


def _by_id(store, channel_id: int = 100) -> dict[int, int]:  # type: ignore[no-untyped-def]
    return {m.id: pk for batch in store.iter_messages(channel_id=channel_id) for pk, m in batch}


def test_analyze_stores_findings_and_is_incremental(filled) -> None:  # type: ignore[no-untyped-def]
    first = analyze(filled)
    assert first["messages"] == len(TEXTS)
    pks = _by_id(filled)
    findings = filled.findings_for(list(pks.values()))
    assert {f.category for f in findings[pks[1]]} == {"drugs"}
    assert {f.category for f in findings[pks[3]]} == {"weapons"}
    assert pks[2] not in findings
    assert all(f.evidence for fs in findings.values() for f in fs)
    ents = filled.entities_for([pks[1]])[pks[1]]
    assert any(e.type == "username" and e.value == "@zqxdealer" for e in ents)
    assert filled.count_messages(unanalyzed_only=True) == 0
    # second run: nothing to do
    assert analyze(filled)["messages"] == 0
    # an edited message is analysed again, and only it
    edited = make_messages(texts={2: "Selling AK47 with 300 rounds, 7.62, DM me"})
    filled.upsert_messages(edited)
    again = analyze(filled)
    assert again["messages"] == 1
    assert {f.category for f in filled.findings_for([pks[2]])[pks[2]]} == {"weapons"}


def test_near_duplicates_share_cluster(filled) -> None:  # type: ignore[no-untyped-def]
    analyze(filled)
    from sqlalchemy import text

    with filled.connect() as conn:
        rows = dict(conn.execute(text("SELECT id, cluster_id FROM messages WHERE channel_id = 100")).all())
        langs = dict(conn.execute(text("SELECT id, lang FROM messages WHERE channel_id = 100")).all())
        offers = dict(conn.execute(text("SELECT id, offer FROM messages WHERE channel_id = 100")).all())
    assert rows[1] == rows[4] and rows[1] != rows[3]
    assert langs[1] == "en"
    assert bool(offers[3]) is True and bool(offers[2]) is False


def test_labels_never_change_existing_findings(filled) -> None:  # type: ignore[no-untyped-def]
    analyze(filled)
    pks = _by_id(filled)
    before = filled.findings_for([pks[1]])[pks[1]]
    filled.add_label(pks[1], "drugs", "reject", "alice", "test")
    filled.add_label(pks[1], "weapons", "confirm", "bob")
    after = filled.findings_for([pks[1]])[pks[1]]
    auto = [f for f in after if f.source != "analyst"]
    assert [(f.category, f.score, f.evidence, f.source) for f in auto] == [
        (f.category, f.score, f.evidence, f.source) for f in before
    ]
    analyst = [f for f in after if f.source == "analyst"]
    assert [(f.category, f.score) for f in analyst] == [("weapons", 1.0)]
    labels = [lab for batch in filled.iter_labels() for lab in batch]
    assert [(lab.category, lab.verdict, lab.user) for lab in labels] == [
        ("drugs", "reject", "alice"), ("weapons", "confirm", "bob"),
    ]  # fmt: skip
    assert labels[0].text == TEXTS[1]
    # re-analysis (after an edit) replaces automated findings but keeps the analyst's one
    filled.upsert_messages(make_messages(texts={1: TEXTS[1] + " !!"}))
    analyze(filled)
    kept = filled.findings_for([pks[1]])[pks[1]]
    assert ("weapons", "analyst") in {(f.category, f.source) for f in kept}
    assert len(filled.labels_for([pks[1]])[pks[1]]) == 2


def test_indicator_list_marks_stored_and_new_messages(filled, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tgintel.jobs.analyze import load_indicator_file

    analyze(filled)
    pks = _by_id(filled)
    stored = filled.findings_for(list(pks.values()))
    assert not any(f.category == "csam_indicator" for fs in stored.values() for f in fs)  # nothing built in
    lst = tmp_path / "list.txt"
    lst.write_text(
        "# neutral placeholder tokens\nzqxplaceholder1\n\nzqxplaceholder2 archive\n", encoding="utf-8"
    )
    result = load_indicator_file(filled, lst, category="csam_indicator", name="test-list")
    assert result == {"name": "test-list", "category": "csam_indicator", "entries": 2, "matched": 1}
    (f,) = [f for f in filled.findings_for([pks[5]])[pks[5]] if f.category == "csam_indicator"]
    assert f.source == "indicator" and f.score == 1.0
    assert f.evidence == ["indicator:test-list:2"]  # list and line, never the term itself
    # a message stored later gets the finding from analyze
    filled.upsert_channels([Channel(id=200, title="other")])
    filled.upsert_messages(make_messages(200, {7: "zqxplaceholder2 ARCHIVE here"}))
    analyze(filled)
    pk7 = _by_id(filled, 200)[7]
    assert [(f.category, f.evidence) for f in filled.findings_for([pk7])[pk7]] == [
        ("csam_indicator", ["indicator:test-list:4"])
    ]
    # loading the list again replaces it: no duplicate findings
    load_indicator_file(filled, lst, category="csam_indicator", name="test-list")
    assert len([f for f in filled.findings_for([pks[5]])[pks[5]] if f.category == "csam_indicator"]) == 1
    assert [x.name for x in filled.list_indicator_lists()] == ["test-list"]
