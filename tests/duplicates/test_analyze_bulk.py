"""The bulk paths of `tgintel analyze`: results memoised by text, the lean queue reader, and re-analysis of
a long run of edited messages (range deletes) replacing, never duplicating, earlier results."""

from __future__ import annotations

from datetime import UTC, datetime

from tgintel.detect.pipeline import Pipeline
from tgintel.jobs.analyze import analyze
from tgintel.model import Channel, Media, Message

BASE = datetime(2025, 3, 1, tzinfo=UTC)


def _messages(texts: dict[int, str], channel_id: int = 300) -> list[Message]:
    return [
        Message(channel_id=channel_id, id=i, date=BASE.replace(minute=i % 60, hour=i // 60), text=t,
                sender_key=f"user{i % 3}")
        for i, t in texts.items()
    ]  # fmt: skip


def _advert(i: int, handle: str) -> str:
    return f"Fresh cocaine 1g 80 EUR, MDMA pills, weed. Order {i} via {handle} or t.me/{handle[1:]}"


def test_pipeline_memo_gives_each_text_its_own_answer() -> None:
    pipe = Pipeline()
    texts = [_advert(1, "@zqxseller"), "", "hello all, nice weather today", _advert(1, "@zqxseller"), "  "]
    batch = pipe.run(texts)
    fresh = [Pipeline(pipe.classifier).run([t])[0] for t in texts]
    assert [(d.lang, d.offer, d.findings, d.entities) for d in batch] == [
        (d.lang, d.offer, d.findings, d.entities) for d in fresh
    ]
    assert batch[0] is not batch[3]  # one Detection per input, even for repeats
    assert batch[0].findings and batch[0].entities
    assert batch[1].lang == "und" and not batch[1].findings and batch[4].lang == "und"
    again = pipe.run(texts[:1])[0]  # from the memo on a later call
    assert (again.findings, again.entities) == (batch[0].findings, batch[0].entities)


def test_queue_reader_carries_what_clustering_reads(store) -> None:  # type: ignore[no-untyped-def]
    store.upsert_channels([Channel(id=300, title="zqx bulk")])
    msgs = _messages({1: "one", 2: ""})
    msgs[1] = Message(channel_id=300, id=2, date=BASE, media=Media(kind="photo", file_id="zqxfile"),
                      fwd_channel_id=9, fwd_msg_id=4, sender_key="user9")  # fmt: skip
    store.upsert_messages(msgs)
    full = [m for b in store.iter_messages(unanalyzed_only=True) for m in b]
    lean = [m for b in store.iter_lean_messages(batch_size=1) for m in b]
    assert [pk for pk, _ in lean] == [pk for pk, _ in full]
    fields = ["channel_id", "id", "date", "kind", "text", "sender_key", "media"]
    fields += ["fwd_channel_id", "fwd_msg_id"]
    for (_, a), (_, b) in zip(lean, full, strict=True):
        assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields]
    analyze(store)
    assert list(store.iter_lean_messages()) == []


def test_edited_run_is_reanalysed_without_duplicates(store) -> None:  # type: ignore[no-untyped-def]
    store.upsert_channels([Channel(id=300, title="zqx bulk")])
    n = 50
    store.upsert_messages(_messages({i: _advert(i, "@zqxseller") for i in range(1, n + 1)}))
    assert analyze(store, batch_size=64)["messages"] == n
    pks = {m.id: pk for b in store.iter_messages(channel_id=300) for pk, m in b}
    first_findings = store.findings_for(list(pks.values()))
    assert all(first_findings.get(pk) for pk in pks.values())
    # 40 consecutive messages edited (one range delete), message 45 onwards untouched
    store.upsert_messages(_messages({i: _advert(i, "@zqxother") for i in range(5, 45)}))
    assert analyze(store, batch_size=64)["messages"] == 40
    ents = store.entities_for(list(pks.values()))
    for i, pk in pks.items():
        handles = {e.value for e in ents[pk] if e.type == "username"}
        assert handles == ({"@zqxother"} if 5 <= i < 45 else {"@zqxseller"}), i
        assert len(ents[pk]) == len(set((e.type, e.start) for e in ents[pk]))  # nothing twice
    findings = store.findings_for(list(pks.values()))
    for pk in pks.values():
        assert sorted(f.category for f in findings[pk]) == sorted(f.category for f in first_findings[pk])
    assert analyze(store)["messages"] == 0
