"""Reading ``truth.jsonl`` back: the study figures the ground truth implies, and an oracle analysis.

``truth_study`` computes, from the truth alone, every figure ``tgintel study --json`` reports, with the same
definitions (docs/study-and-report.md), so the two can be compared key by key. Its cluster figures use the
*gold clusters* (the ``cluster`` field: a message's campaign, or for chatter the template it was made from).

``apply_truth_analysis`` writes that same truth into a store as if it were the detect stages' output
(norm_hash, cluster, findings, entities, language, offer). It lets the study and the report be checked,
and demonstrated, independently of how well the detectors do.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

__all__ = ["apply_truth_analysis", "gold_cluster", "iter_truth", "truth_study"]


def iter_truth(path: str | Path) -> Iterator[dict[str, Any]]:
    with open(path, "rb") as f:
        for line in f:
            yield orjson.loads(line)


def gold_cluster(row: dict[str, Any]) -> str | None:
    """The gold near-duplicate cluster of a truth row (None for messages without text)."""
    if not row["text"]:
        return None
    return row.get("cluster") or row["campaign"] or f"v{row['variant']}"


def truth_study(path: str | Path) -> dict[str, Any]:
    channels: set[int] = set()
    first = last = None
    messages = text_messages = offers = 0
    texts: set[str] = set()
    cluster_channels: dict[str, set[int]] = defaultdict(set)
    actor_channels: dict[str, set[int]] = defaultdict(set)
    cat_msgs: dict[str, int] = defaultdict(int)
    cat_clusters: dict[str, set[str]] = defaultdict(set)
    onion_msgs = 0
    onions: set[str] = set()
    for r in iter_truth(path):
        messages += 1
        channels.add(r["channel_id"])
        ts = int(datetime.fromisoformat(r["date"]).timestamp())
        first = ts if first is None else min(first, ts)
        last = ts if last is None else max(last, ts)
        if r["kind"] == "message":
            actor_channels[r["actor"]].add(r["channel_id"])
        if not (r["kind"] == "message" and r["text"].strip()):
            continue
        text_messages += 1
        offers += r["offer"]
        texts.add(r["text"])
        g = gold_cluster(r)
        cluster_channels[g].add(r["channel_id"])
        for c in r["categories"]:
            cat_msgs[c] += 1
            cat_clusters[c].add(g)
        found = {e["value"] for e in r["entities"] if e["type"] == "onion"}
        onion_msgs += bool(found)
        onions |= found
    from tgintel.analyze.study import iso_ts

    return {
        "channels": len(channels),
        "first_date": iso_ts(first),
        "last_date": iso_ts(last),
        "messages": messages,
        "text_messages": text_messages,
        "exact_unique_texts": len(texts),
        "near_duplicate_clusters": len(cluster_channels),
        "cross_channel_clusters": sum(1 for s in cluster_channels.values() if len(s) >= 2),
        "actors": len(actor_channels),
        "cross_channel_actors": sum(1 for s in actor_channels.values() if len(s) >= 2),
        "offers": offers,
        "categories": {
            c: {"messages": cat_msgs[c], "clusters": len(cat_clusters[c])} for c in sorted(cat_msgs)
        },
        "dark_web_links": {"messages": onion_msgs, "distinct": len(onions)},
    }


def apply_truth_analysis(store: Any, path: str | Path, *, batch_size: int = 5000) -> int:
    """Store the truth as the analysis of every stored message that the truth describes; returns how many."""
    from tgintel.model import Entity, Finding
    from tgintel.store.interface import Analysis

    truth = {(r["channel_id"], r["id"]): r for r in iter_truth(path)}
    done = 0
    for batch in store.iter_messages(batch_size=batch_size):
        results = []
        for pk, m in batch:
            r = truth.get((m.channel_id, m.id))
            if r is None:
                continue
            has_text = r["kind"] == "message" and bool(r["text"].strip())
            results.append(
                Analysis(
                    pk=pk,
                    lang=r["lang"] if has_text else None,
                    offer=r["offer"] if has_text else None,
                    norm_hash=hashlib.blake2b(r["text"].encode(), digest_size=8).hexdigest()
                    if has_text
                    else None,
                    cluster_id=gold_cluster(r) if has_text else None,
                    findings=[
                        Finding(category=c, score=1.0, evidence=["ground truth"], source="rules")
                        for c in r["categories"]
                    ],
                    entities=[Entity(e["type"], e["value"], e["start"], e["end"]) for e in r["entities"]],
                )
            )
        store.save_analysis(results)
        done += len(results)
    return done
