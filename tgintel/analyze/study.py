"""The headline figures of a Telegram crime study, as published studies report them.

``compute_study`` returns the keys ARCHITECTURE.md promises for ``tgintel study --json`` (channels, period,
messages, text messages, unique texts, near-duplicate clusters and those seen in 2+ channels, actors and
those active in 2+ channels, messages and clusters per category) plus dark-web links, languages, offers and
the top channels and distributors. Every figure is an aggregate the store computes (see
``tgintel/store/study.py`` for the exact definitions); nothing is sampled or estimated.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from tgintel.store.interface import Store
from tgintel.store.study import StudyScan

__all__ = ["THRESHOLD", "beside", "compute_study", "iso_day", "iso_ts"]

THRESHOLD = 0.5  # the detect stages' decision threshold for a category
T = TypeVar("T")


def iso_ts(ts: int | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_day(day: int) -> str:
    return datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%d")


def _categories() -> tuple[str, ...]:
    from tgintel.detect.classify.taxonomy import CATEGORIES

    return CATEGORIES


def beside(store: Store, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Callable[[], T]:
    """Start ``fn(*args, **kwargs)`` in a thread of its own and return a function that waits for its result
    (re-raising its error). The study's aggregate queries run inside SQLite, which lets go of Python's
    interpreter lock while it works, so on two cores they run while this thread aggregates the message
    scan. Inline where a second thread would not see the same database (in-memory SQLite)."""
    url = getattr(getattr(store, "engine", None), "url", None)
    if url is None or (url.get_backend_name() == "sqlite" and (url.database or ":memory:") == ":memory:"):
        value = fn(*args, **kwargs)
        return lambda: value
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn(*args, **kwargs)
        except BaseException as exc:  # handed to the caller by wait()
            box["error"] = exc

    thread = threading.Thread(target=run, name=f"study-{getattr(fn, '__name__', 'query')}", daemon=True)
    thread.start()

    def wait() -> T:
        thread.join()
        if "error" in box:
            raise box["error"]
        return box["value"]

    return wait


def compute_study(
    store: Store, *, top: int = 10, threshold: float = THRESHOLD, scan: StudyScan | None = None
) -> dict[str, Any]:
    """The study of everything in ``store``; categories count findings with ``score >= threshold``.

    ``scan`` (from ``store.study_scan()``) is reused when given, so a caller that needs more figures from
    the same pass (the report) reads the messages once. The finding and onion aggregates run beside the
    scan (:func:`beside`)."""
    onions_later = beside(store, store.study_entities, top=top, types=["onion"])
    if scan is None or threshold not in scan.findings:
        held = StudyScan()  # only its finding aggregates are filled: moved onto ``scan`` below
        found_later = beside(store, store.study_categories, threshold, scan=held)
        scan = scan or store.study_scan()
        found = found_later()
        scan.findings.update(held.findings)
    else:
        found = store.study_categories(threshold, scan=scan)
    c = store.study_counts(scan)
    cats = {name: found.pop(name, {"messages": 0, "clusters": 0}) for name in _categories()}
    cats.update(found)  # categories outside the taxonomy (analyst labels, plugins) are shown too
    onions = onions_later().get("onion", {})
    first, last = c["first_date"], c["last_date"]
    days = 0 if first is None else last // 86400 - first // 86400 + 1
    text_messages = c["text_messages"]
    return {
        "channels": c["channels"],
        "first_date": iso_ts(first),
        "last_date": iso_ts(last),
        "days": days,
        "messages": c["messages"],
        "text_messages": text_messages,
        "exact_unique_texts": c["exact_unique_texts"],
        "unique_basis": c["unique_basis"],
        "repetition": round(1 - c["exact_unique_texts"] / text_messages, 4) if text_messages else 0.0,
        "analysed_text_messages": c["analysed_text_messages"],
        "near_duplicate_clusters": c["near_duplicate_clusters"],
        "cross_channel_clusters": c["cross_channel_clusters"],
        "actors": c["actors"],
        "cross_channel_actors": c["cross_channel_actors"],
        "offers": c["offers"],
        "categories": cats,
        "languages": store.study_languages(scan=scan),
        "dark_web_links": {
            "messages": onions.get("messages", 0),
            "distinct": onions.get("distinct", 0),
            "top": onions.get("top", []),
        },
        "top_channels": [
            {**ch, "first_date": iso_ts(ch["first_date"]), "last_date": iso_ts(ch["last_date"])}
            for ch in store.study_channels(top, scan=scan)
        ],
        "top_distributors": store.study_distributors(top, scan=scan),
    }
