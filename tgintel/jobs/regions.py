"""Channels' default phone regions: the use cases behind ``tgintel channels region``.

Sellers write phone numbers the way their buyers dial them: ``06 1234 5678`` in a Dutch channel,
``8 (999) 123-45-67`` in a Russian one. Without a country such a number is ambiguous (the same digits are a
valid number in several countries), so the extractor reads it only when the channel has a default region.

Decision: an analyst sets the region; nothing sets it silently. :func:`suggest_regions` proposes one per
channel from the country codes of the numbers its sellers already wrote in international form (``+31…``),
and shows the evidence, but a wrong guess would turn a channel's order numbers and ids into "phones" of
that country, so applying it stays an analyst's decision (``tgintel channels region CHANNEL NL``).
Setting or clearing a region queues the channel's messages for ``tgintel analyze`` again.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import phonenumbers

from tgintel.errors import UserError
from tgintel.store.interface import Store
from tgintel.store.network import NetworkStore

__all__ = [
    "channel_region_rows", "channel_regions", "normalize_region", "resolve_channel", "set_region",
    "suggest_regions",
]  # fmt: skip


def channel_regions(store: Store) -> dict[int, str]:
    """Channel id -> default phone region, for ``tgintel analyze`` (empty for a store that keeps none)."""
    return store.channel_regions() if isinstance(store, NetworkStore) else {}


def normalize_region(region: str) -> str:
    """``nl`` -> ``NL``; a code the phonenumbers library does not know is a clear error."""
    code = region.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise UserError(f"region {region!r}: not a country code the phone library knows (ISO 3166, e.g. NL)")
    return code


def resolve_channel(store: Store, ref: str) -> tuple[int, str]:
    """A channel by id, ``@username``, ``username`` or ``t.me/username``: ``(id, title)``."""
    ref = ref.strip()
    if ref.lstrip("-").isdigit():
        ch = store.get_channel(int(ref))
        if ch is not None:
            return ch.id, ch.title
    else:
        name = ref.rsplit("/", 1)[-1].lstrip("@").lower()
        for ch in store.list_channels():
            if ch.username and ch.username.lower() == name:
                return ch.id, ch.title
    raise UserError(f"channel {ref!r}: not in the store (give its id or @username; see tgintel study)")


def _regions(store: Store) -> NetworkStore:
    if not isinstance(store, NetworkStore):
        raise UserError("this store keeps no channel regions")
    return store


def set_region(store: Store, ref: str, region: str | None) -> dict[str, Any]:
    """Set (``None``: clear) a channel's region; returns the channel, the region and messages re-queued."""
    channel_id, title = resolve_channel(store, ref)
    code = normalize_region(region) if region is not None else None
    queued = _regions(store).set_channel_region(channel_id, code)
    return {"channel_id": channel_id, "title": title, "region": code, "queued": queued}


def channel_region_rows(store: Store) -> list[dict[str, Any]]:
    """Every channel with a region set."""
    regions = _regions(store).channel_regions()
    titles = {ch.id: ch.title for ch in store.list_channels()}
    return [{"channel_id": c, "title": titles.get(c, ""), "region": r} for c, r in sorted(regions.items())]


def suggest_regions(store: Store, *, min_numbers: int = 3, min_share: float = 0.8) -> list[dict[str, Any]]:
    """Per channel without a region: the country of most of its international-format phone numbers, when at
    least ``min_numbers`` distinct numbers agree at ``min_share``. Suggestions only (see the module doc)."""
    net = _regions(store)
    have = net.channel_regions()
    by_channel: dict[int, Counter[str]] = defaultdict(Counter)
    for channel_id, value in net.channel_phone_numbers():
        if channel_id in have:
            continue
        try:
            country = phonenumbers.region_code_for_number(phonenumbers.parse(value, None))
        except phonenumbers.NumberParseException:
            continue
        if country and country != "001":
            by_channel[channel_id][country] += 1
    titles = {ch.id: ch.title for ch in store.list_channels()}
    out = []
    for channel_id, counts in sorted(by_channel.items()):
        country, n = counts.most_common(1)[0]
        total = sum(counts.values())
        if n >= min_numbers and n / total >= min_share:
            out.append({"channel_id": channel_id, "title": titles.get(channel_id, ""), "suggested": country,
                        "numbers": n, "of": total})  # fmt: skip
    return out
