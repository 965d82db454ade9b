"""Channels: the list, and one channel's profile, activity, category mix, campaigns, actors and links."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from tgintel.web import charts
from tgintel.web.app import render
from tgintel.web.routes.messages import permalink

router = APIRouter()


def _stats(request: Request) -> list:
    store = request.app.state.store
    return request.app.state.cache.get("channel_stats", store.channel_stats) or []


@router.get("/channels")
def channels_page(request: Request) -> Response:
    stats = _stats(request)
    return render(request, "channels.html", {"channels": stats}, data={"channels": stats})


@router.get("/channel/{channel_id}")
def channel_page(request: Request, channel_id: int) -> Response:
    store = request.app.state.store
    channel = store.get_channel(channel_id)
    if channel is None:
        raise HTTPException(404, f"no channel {channel_id}")
    stats = next((s for s in _stats(request) if s.id == channel_id), None)
    aggregates = request.app.state.cache.get(
        ("channel", channel_id),
        lambda: (
            store.channel_activity(channel_id),
            store.channel_category_mix(channel_id),
            store.channel_top_clusters(channel_id),
            store.channel_top_actors(channel_id),
            store.channel_links(channel_id),
        ),
        ttl_s=300,
        wait_s=30.0,  # a channel's own aggregates: under a second even on 100k posts, so wait for them
    )
    if aggregates is None:
        raise HTTPException(
            503, f"the profile of channel {channel_id} is still being computed; reload shortly"
        )
    activity, mix, clusters, actors, links = aggregates
    profile = {"id": channel.id, "title": channel.title, "username": channel.username, "kind": channel.kind,
               "source": channel.source, "link": permalink(channel.username, 1)}  # fmt: skip
    if profile["link"]:
        profile["link"] = profile["link"].rsplit("/", 1)[0]
    data = {"channel": profile, "stats": stats, "activity": activity, "categories": mix,
            "campaigns": clusters, "actors": actors, "links": links}  # fmt: skip
    context = {
        **data,
        "activity_chart": charts.stacked_days(activity, key="", label="messages per day"),
        "mix_chart": charts.hbars([(r["category"], r["n"]) for r in mix]),
    }
    return render(request, "channel.html", context, data=data)
