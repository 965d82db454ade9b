"""A Telegram crime-market corpus with ground truth, written as Telegram Desktop exports.

``simulate()`` reproduces the shape of published studies (106 channels × 90 days ≈ 668k messages of which
≈4% unique) so that every part of tgintel can be measured against known answers: categories, offers,
near-duplicate campaigns, actors, languages and entities with offsets (``truth.jsonl``; format in
docs/simulator.md). Deterministic for a seed and parameters.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from tgintel.errors import UserError

__all__ = ["TEMPLATE_SETS", "simulate"]

TEMPLATE_SETS = ("train", "heldout")


def _vocab(templates: str) -> dict:
    if templates == "train":
        from tgintel.sources.simulate.vocab_train import VOCAB
    elif templates == "heldout":
        from tgintel.sources.simulate.vocab_heldout import VOCAB
    else:
        raise UserError(f"--templates: unknown template set {templates!r} (use train or heldout)")
    return VOCAB


def simulate(
    out: str | Path,
    *,
    channels: int = 106,
    days: int = 90,
    seed: int = 1,
    full_account: bool = False,
    repetition: float = 0.96,
    templates: str = "train",
    per_day: float = 70.0,
    start: date = date(2025, 1, 1),
) -> dict[str, Any]:
    """Write the corpus to ``out`` and return a summary (files, messages, unique texts, seconds)."""
    from tgintel.sources.simulate.stream import plan
    from tgintel.sources.simulate.world import SERVICE, World
    from tgintel.sources.simulate.writer import write_all

    if channels < 1 or days < 1:
        raise UserError("simulate: --channels and --days must be at least 1")
    if not 0.0 <= repetition < 1.0:
        raise UserError(f"simulate: --repetition must be in [0, 1), got {repetition}")
    if per_day <= 0:
        raise UserError("simulate: messages per channel per day must be positive")
    t0 = time.perf_counter()
    world = World(
        channels=channels,
        days=days,
        seed=seed,
        repetition=repetition,
        vocab=_vocab(templates),
        per_day=per_day,
        template_set=templates,
    )
    world.build()
    streams = plan(world)
    start_ts = int(datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp())
    result = write_all(world, streams, Path(out), start_ts, full_account)
    import numpy as np

    used = np.unique(np.concatenate([s.ref[(s.ref >= 0) & (s.kind != SERVICE)] for s in streams]))
    unique = len(used)
    text_msgs = sum(int(((s.ref >= 0) & (s.kind != SERVICE)).sum()) for s in streams)
    result.update(
        channels=channels,
        days=days,
        seed=seed,
        templates=templates,
        text_messages=text_msgs,
        unique_texts=unique,
        repetition=round(1 - unique / max(1, text_msgs), 4),
        campaigns=sum(1 for c in world.campaigns if c.n_variants),
        seconds=round(time.perf_counter() - t0, 2),
        truth=str(Path(out) / "truth.jsonl"),
    )
    return result
