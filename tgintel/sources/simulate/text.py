"""Texts as pieces, so that every entity the simulator writes is annotated exactly.

A text is built as lines of pieces: plain strings, :class:`Bold` runs and :class:`Ent` pieces (an entity's
surface form with its type and normalised value). Rendering concatenates the pieces and computes the entity
offsets, and the Telegram Desktop ``text``/``text_entities`` arrays, from the same walk, so the truth cannot
drift from the text. Variation (look-alike letters, emoji, line breaks) is applied to plain pieces only and
never touches an entity.
"""

from __future__ import annotations

import random
from typing import NamedTuple

from tgintel.sources.simulate.market import CYRILLIC_TO_LATIN, LATIN_TO_CYRILLIC


class Ent(NamedTuple):
    surface: str
    type: str  # entity contract type (username, tme_link, price …)
    value: str  # normalised value
    tg: str = "plain"  # Telegram Desktop text_entities type: mention, link, phone, email, plain


class Bold(NamedTuple):
    text: str


Piece = str | Ent | Bold
Lines = list[list[Piece]]


class Rendered(NamedTuple):
    text: str
    entities: list[dict]  # [{"type","value","start","end"}]
    tg: list[dict]  # Desktop text_entities, plain runs included


def render(lines: Lines) -> Rendered:
    parts: list[str] = []
    entities: list[dict] = []
    tg: list[dict] = []
    pos = 0

    def add_tg(kind: str, s: str) -> None:
        if not s:
            return
        if kind == "plain" and tg and tg[-1]["type"] == "plain":
            tg[-1]["text"] += s
        else:
            tg.append({"type": kind, "text": s})

    for li, line in enumerate(lines):
        if li:
            parts.append("\n")
            add_tg("plain", "\n")
            pos += 1
        for p in line:
            if isinstance(p, Ent):
                entities.append({"type": p.type, "value": p.value, "start": pos, "end": pos + len(p.surface)})
                add_tg(p.tg, p.surface)
                s = p.surface
            elif isinstance(p, Bold):
                add_tg("bold", p.text)
                s = p.text
            else:
                add_tg("plain", p)
                s = p
            parts.append(s)
            pos += len(s)
    return Rendered("".join(parts), entities, tg)


def desktop_text(tg: list[dict]) -> str | list:
    """Telegram Desktop's ``text`` field: a plain string, or a list mixing strings and entity objects."""
    if all(t["type"] == "plain" for t in tg):
        return "".join(t["text"] for t in tg)
    return [t["text"] if t["type"] == "plain" else t for t in tg]


def lookalike(s: str, rng: random.Random, n: int, to_cyrillic: bool = True) -> str:
    """Swap up to ``n`` letters for their look-alikes in the other script (keyword-filter evasion)."""
    table = LATIN_TO_CYRILLIC if to_cyrillic else CYRILLIC_TO_LATIN
    idx = [i for i, c in enumerate(s) if c in table]
    if not idx:
        return s
    chars = list(s)
    for i in rng.sample(idx, min(n, len(idx))):
        chars[i] = table[chars[i]]
    return "".join(chars)
