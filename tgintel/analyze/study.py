"""The headline figures of a Telegram crime study, as published studies report them.

``compute_study`` returns the keys ARCHITECTURE.md promises for ``tgintel study --json`` (channels, period,
messages, text messages, unique texts, near-duplicate clusters and those seen in 2+ channels, actors and
those active in 2+ channels, messages and clusters per category) plus dark-web links, languages, offers and
the top channels and distributors. Every figure is an aggregate the store computes (see
``tgintel/store/study.py`` for the exact definitions); nothing is sampled or estimated.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tgintel.store.interface import Store
from tgintel.store.study import StudyScan

__all__ = ["THRESHOLD", "compute_study", "iso_day", "iso_ts"]

THRESHOLD = 0.5  # the detect stages' decision threshold for a category


def iso_ts(ts: int | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_day(day: int) -> str:
    return datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%d")


def _categories() -> tuple[str, ...]:
    from tgintel.detect.classify.taxonomy import CATEGORIES

    return CATEGORIES


def compute_study(
    store: Store, *, top: int = 10, threshold: float = THRESHOLD, scan: StudyScan | None = None
) -> dict[str, Any]:
    """The study of everything in ``store``; categories count findings with ``score >= threshold``.

    ``scan`` (from ``store.study_scan()``) is reused when given, so a caller that needs more figures from
    the same pass (the report) reads the messages once."""
    scan = scan or store.study_scan()
    c = store.study_counts(scan)
    found = store.study_categories(threshold)
    cats = {name: found.pop(name, {"messages": 0, "clusters": 0}) for name in _categories()}
    cats.update(found)  # categories outside the taxonomy (analyst labels, plugins) are shown too
    onions = store.study_entities(top=top, types=["onion"]).get("onion", {})
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
        "languages": store.study_languages(),
        "dark_web_links": {
            "messages": onions.get("messages", 0),
            "distinct": onions.get("distinct", 0),
            "top": onions.get("top", []),
        },
        "top_channels": [
            {**ch, "first_date": iso_ts(ch["first_date"]), "last_date": iso_ts(ch["last_date"])}
            for ch in store.study_channels(top)
        ],
        "top_distributors": store.study_distributors(top, scan=scan),
    }
