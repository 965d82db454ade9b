"""The collector's policy, driven by a fake Telegram that speaks Telethon's types and errors."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from telegram_fakes import T0, FakeClock, FakeTelegram, channel, message
from telethon import errors
from telethon.tl import types

from tgintel.jobs.collect import AccountStopped, CollectOptions, TelegramUnreachable, collect


def run(store, tg, clock=None, **opts):  # type: ignore[no-untyped-def]
    clock = clock or FakeClock()
    return asyncio.run(collect(store, tg, CollectOptions(**opts), clock=clock))[0]


def posts(chan, ids):  # type: ignore[no-untyped-def]
    return [message(chan, i, f"post {i} of {chan.username}") for i in ids]


def stored_ids(store, channel_id):  # type: ignore[no-untyped-def]
    return [m.id for batch in store.iter_messages(channel_id=channel_id) for _, m in batch]


class Crash(Exception):
    pass


def test_resume_after_crash_loses_and_repeats_nothing(store) -> None:  # type: ignore[no-untyped-def]
    tg = FakeTelegram()
    a = channel(1001, "alpha_market", "Alpha")
    tg.add(a, posts(a, range(1, 26)))
    store.watch_add(["@alpha_market"])
    tg.fail_after[a.id] = (12, lambda: Crash("power cut"))
    with pytest.raises(Crash):
        run(store, tg, batch_size=5)
    # Two full batches (10 posts) were committed with their cursor; the two in hand were not.
    assert stored_ids(store, a.id) == list(range(1, 11))
    assert store.cursor_get(a.id) == 10
    report = run(store, tg, batch_size=5)
    assert stored_ids(store, a.id) == list(range(1, 26))
    assert report.messages.inserted == 15 and report.messages.unchanged == 0  # nothing fetched twice
    assert store.cursor_get(a.id) == 25
    tg.history[a.id] += posts(a, [26, 27])
    report = run(store, tg, batch_size=5)
    assert report.messages.inserted == 2 and report.messages.unchanged == 0
    assert store.count_messages(unanalyzed_only=True) == 27  # collected posts wait for `tgintel analyze`


def test_long_flood_wait_defers_one_channel_and_others_continue(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    store, tg, clock = sqlite_store, FakeTelegram(), FakeClock()
    chans = [channel(2000 + i, f"chan_{i}_x", f"C{i}") for i in range(3)]
    for c in chans:
        tg.add(c, posts(c, range(1, 6)))
    store.watch_add([f"@{c.username}" for c in chans])
    tg.fail_after[chans[0].id] = (2, lambda: errors.FloodWaitError(request=None, capture=3600))
    report = run(store, tg, clock, flood_threshold=60)
    assert stored_ids(store, chans[0].id) == [1, 2]  # what arrived before the wait is kept
    assert stored_ids(store, chans[1].id) == [1, 2, 3, 4, 5]
    assert stored_ids(store, chans[2].id) == [1, 2, 3, 4, 5]
    not_before = store.requeue_get()["@chan_0_x"][0]
    assert not_before >= clock.now() + 3600
    assert not [s for s in clock.sleeps if s >= 60]  # nobody slept through the long wait
    # Before the wait is over the channel is skipped without a request …
    calls = tg.calls[("history", chans[0].id)]
    report = run(store, tg, clock)
    assert "@chan_0_x" in report.deferred and tg.calls[("history", chans[0].id)] == calls
    # … afterwards it continues from its cursor.
    clock.t = not_before + 1
    run(store, tg, clock)
    assert stored_ids(store, chans[0].id) == [1, 2, 3, 4, 5]
    assert store.requeue_get() == {}


def test_short_flood_wait_is_slept_through(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    tg, clock = FakeTelegram(), FakeClock()
    a = channel(3001, "short_wait", "S")
    tg.add(a, posts(a, range(1, 8)))
    sqlite_store.watch_add(["@short_wait"])
    tg.fail_after[a.id] = (3, lambda: errors.FloodWaitError(request=None, capture=25))
    tg.fail[("get_channel", a.id)] = [errors.FloodWaitError(request=None, capture=7)]
    report = run(sqlite_store, tg, clock, flood_threshold=60)
    assert stored_ids(sqlite_store, a.id) == list(range(1, 8))
    assert 8 in clock.sleeps and 26 in clock.sleeps
    assert report.deferred == {}


def test_usernames_are_resolved_once_across_runs(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    tg = FakeTelegram()
    chans = [channel(4000 + i, f"resolve_{i}_x", f"R{i}") for i in range(4)]
    for c in chans:
        tg.add(c, posts(c, [1, 2]))
    sqlite_store.watch_add([f"@{c.username}" for c in chans])
    r1 = run(sqlite_store, tg)
    for c in chans:
        tg.history[c.id].append(message(c, 3, "new"))
    r2 = run(sqlite_store, tg)
    assert (r1.resolved, r2.resolved) == (4, 0)
    assert all(tg.calls[("resolve", c.username)] == 1 for c in chans)
    assert r2.messages.inserted == 4
    peer = sqlite_store.peer_get(username="RESOLVE_0_X")
    assert peer is not None and (peer.channel_id, peer.access_hash) == (chans[0].id, chans[0].access_hash)


def test_resolution_budget_paces_and_defers_instead_of_flooding(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    tg, clock = FakeTelegram(), FakeClock()
    chans = [channel(4500 + i, f"budget_{i}_x", f"B{i}") for i in range(5)]
    for c in chans:
        tg.add(c, posts(c, [1]))
    sqlite_store.watch_add([f"@{c.username}" for c in chans])
    # 2 resolutions per hour: the third would need a 30-minute wait, far above the 60 s threshold.
    report = run(sqlite_store, tg, clock, budgets={"resolve": (2, 3600.0)})
    assert report.resolved == 2 and len(report.deferred) == 3
    assert sum(n for (method, _), n in tg.calls.items() if method == "resolve") == 2


def test_gone_channels_are_marked_and_not_retried(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    tg = FakeTelegram()
    ok = channel(5001, "still_here", "OK")
    private = channel(5002, "went_private", "P")
    tg.add(ok, posts(ok, [1]))
    tg.add(private, posts(private, [1]))
    tg.add(types.User(id=77, first_name="Bob", username="just_a_user", access_hash=1))
    tg.fail[("get_channel", private.id)] = [errors.ChannelPrivateError(request=None)]
    sqlite_store.watch_add(["@still_here", "@went_private", "@no_such_chan", "@just_a_user", "424242"])
    report = run(sqlite_store, tg)
    status = {e.target: e.status for e in sqlite_store.watch_list()}
    assert status == {
        "@still_here": "active",
        "@went_private": "private",
        "@no_such_chan": "deleted",
        "@just_a_user": "invalid",
        "424242": "invalid",
    }
    assert report.marked == {k: v for k, v in status.items() if v != "active"}
    before = sum(tg.calls.values())
    report = run(sqlite_store, tg)
    # Only the live channel costs requests now (refresh + history); the gone ones are skipped.
    assert sum(tg.calls.values()) - before == 2 and report.marked == {}
    sqlite_store.watch_add(["@went_private"])  # re-adding asks for another try
    assert {e.target: e.status for e in sqlite_store.watch_list()}["@went_private"] == "active"


def test_renamed_channel_is_marked_and_still_collected_by_id(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    tg = FakeTelegram()
    old = channel(6001, "old_name_x", "Shop")
    tg.add(old, posts(old, [1, 2]))
    sqlite_store.watch_add(["@old_name_x"])
    run(sqlite_store, tg)
    renamed = channel(6001, "new_name_x", "Shop")
    del tg.by_username["old_name_x"]  # the old name is free now
    tg.add(renamed, tg.history[6001] + [message(renamed, 3, "after rename")])
    report = run(sqlite_store, tg)
    (entry,) = sqlite_store.watch_list()
    assert (entry.status, entry.note, entry.channel_id) == ("renamed", "now @new_name_x", 6001)
    assert report.messages.inserted == 1
    tg.history[6001].append(message(renamed, 4, "later"))
    report = run(sqlite_store, tg)  # "renamed" stays collectable, by id: nothing is resolved again
    assert report.messages.inserted == 1 and report.marked == {}
    assert stored_ids(sqlite_store, 6001) == [1, 2, 3, 4]
    assert tg.calls[("resolve", "old_name_x")] == 1 and tg.calls[("resolve", "new_name_x")] == 0
    tg.add(old, tg.history[6001])  # renamed back
    run(sqlite_store, tg)
    assert sqlite_store.watch_list()[0].status == "active"


@pytest.mark.parametrize(
    "exc",
    [errors.PeerFloodError(request=None), errors.UserDeactivatedBanError(request=None),
     errors.AuthKeyUnregisteredError(request=None)],
)  # fmt: skip
def test_account_errors_stop_cleanly_keeping_what_was_stored(sqlite_store, exc) -> None:  # type: ignore[no-untyped-def]
    tg = FakeTelegram()
    a, b = channel(7001, "first_one", "A"), channel(7002, "second_one", "B")
    tg.add(a, posts(a, [1, 2, 3]))
    tg.add(b, posts(b, [1, 2, 3]))
    sqlite_store.watch_add(["@first_one", "@second_one"])
    tg.fail_after[b.id] = (1, lambda: exc)
    with pytest.raises(AccountStopped) as info:
        run(sqlite_store, tg)
    assert info.value.exit_code != 0 and "\n" not in str(info.value) and "stopped:" in str(info.value)
    assert stored_ids(sqlite_store, a.id) == [1, 2, 3] and stored_ids(sqlite_store, b.id) == [1]
    assert {e.status for e in sqlite_store.watch_list()} == {"active"}  # the channels are not to blame


def test_network_errors_back_off_exponentially_and_give_up(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    tg, clock = FakeTelegram(), FakeClock()
    a = channel(8001, "flaky_net", "N")
    tg.add(a, posts(a, [1, 2]))
    sqlite_store.watch_add(["@flaky_net"])
    tg.fail[("history", a.id)] = [ConnectionError("reset")] * 3
    run(sqlite_store, tg, clock, backoff_base=2, backoff_max=300)
    assert clock.sleeps == [4, 8, 16] and stored_ids(sqlite_store, a.id) == [1, 2]
    tg.fail[("history", a.id)] = [OSError("down")] * 50
    with pytest.raises(TelegramUnreachable, match="network") as info:
        run(sqlite_store, tg, clock, network_retries=4, backoff_base=100, backoff_max=300)
    assert info.value.exit_code == 75  # temporary: a service manager may restart it
    assert max(clock.sleeps) == 300  # bounded


def test_since_bounds_history_and_refresh_picks_up_edits(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    tg = FakeTelegram()
    a = channel(9001, "history_x", "H")
    tg.add(a, [message(a, i, f"p{i}", date=T0 + timedelta(days=i)) for i in range(1, 11)])
    sqlite_store.watch_add(["@history_x"])
    run(sqlite_store, tg, since=T0 + timedelta(days=6))
    assert stored_ids(sqlite_store, a.id) == [6, 7, 8, 9, 10]
    edited = message(
        a, 9, "p9 (price changed)", date=T0 + timedelta(days=9), edit_date=T0 + timedelta(days=12)
    )
    tg.history[a.id] = [m for m in tg.history[a.id] if m.id != 9] + [edited]
    assert run(sqlite_store, tg).messages.updated == 0  # cursor only: the edit is not seen
    report = run(sqlite_store, tg, refresh=3)
    assert report.messages.updated == 1 and report.messages.unchanged == 2
    _, m = sqlite_store.get_message(a.id, 9)
    assert m.text == "p9 (price changed)" and m.edited == T0 + timedelta(days=12)
    assert sqlite_store.cursor_get(a.id) == 10


def test_follow_keeps_polling(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    tg, clock = FakeTelegram(), FakeClock()
    a = channel(9101, "follow_x", "F")
    tg.add(a, posts(a, [1]))
    sqlite_store.watch_add(["@follow_x"])

    def more(report) -> None:  # type: ignore[no-untyped-def]
        tg.history[a.id].append(message(a, len(tg.history[a.id]) + 1, "fresh"))

    reports = asyncio.run(collect(sqlite_store, tg, CollectOptions(), follow=True, interval=120, clock=clock,
                                  after_round=more, max_rounds=3))  # fmt: skip
    assert [r.messages.inserted for r in reports] == [1, 1, 1] and clock.sleeps == [120, 120]
    assert tg.calls[("get_channel", a.id)] == 1  # the channel is refreshed once per run, not per round


def test_collected_posts_flow_through_the_detect_stages(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    from tgintel.commands.collect import _run_analyze  # what `collect --analyze` runs after each round

    tg = FakeTelegram()
    a = channel(9201, "detect_me", "D")
    tg.add(a, [message(a, 1, "Selling accounts, contact @seller_bob or t.me/bobshop, 40 EUR via PayPal")])
    sqlite_store.watch_add(["@detect_me"])
    run(sqlite_store, tg)
    assert sqlite_store.count_messages(unanalyzed_only=True) == 1
    _run_analyze(sqlite_store)
    assert sqlite_store.count_messages(unanalyzed_only=True) == 0
    pk, _ = sqlite_store.get_message(a.id, 1)
    found = {(e.type, e.value) for e in sqlite_store.entities_for([pk])[pk]}
    assert {("username", "@seller_bob"), ("tme_link", "t.me/bobshop"), ("price", "40 EUR")} <= found
