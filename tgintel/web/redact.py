"""Make hostile message text safe to look at: escaped, visibly marked controls, victims' data masked.

Message text is written by criminals and may target the analyst's browser (markup, ``javascript:`` links) or
eyes (right-to-left overrides that make ``gpj.exe`` read ``exe.jpg``, zero-width characters that hide words).
Everything goes through :func:`render_text`: HTML-escaped, never linkified, and every bidi/invisible control
character replaced by a visible ``⟨U+202E⟩`` marker, so what is on screen is what is in the data.

Redaction masks personal data of possible victims — phone numbers, e-mail addresses and ID-like numbers (long
digit runs: national ID, passport, card numbers) — until a permitted role reveals it (the reveal is logged).
Spans come from the stored entities (phone, email) and from patterns here, so text that was never analysed is
masked too. Sellers' handles, links and wallets are not personal data of victims and stay visible.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import Markup, escape

from tgintel.model import Entity

REDACTED_TYPES = ("phone", "email")

_CONTROL = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)
_PATTERNS = (
    ("email", re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")),
    ("phone", re.compile(r"(?<![\w+])\+?\d[\d ()./-]{7,18}\d(?!\w)")),
    ("id_number", re.compile(r"(?<!\w)[A-Z]{1,2}\d{6,9}(?!\w)")),
)


def _phone_like(s: str) -> bool:
    digits = sum(c.isdigit() for c in s)
    return 9 <= digits <= 15


def redaction_spans(text: str, entities: Iterable[Entity] = ()) -> list[tuple[int, int, str]]:
    """Non-overlapping ``(start, end, kind)`` spans to mask, in text order."""
    spans = [(e.start, e.end, e.type) for e in entities if e.type in REDACTED_TYPES and 0 <= e.start < e.end]
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if kind == "phone" and not _phone_like(m.group()):
                continue
            spans.append((m.start(), m.end(), kind))
    spans.sort()
    out: list[tuple[int, int, str]] = []
    for s, e, k in spans:
        if out and s < out[-1][1]:
            ps, pe, pk = out[-1]
            out[-1] = (ps, max(pe, e), pk)
        else:
            out.append((s, min(e, len(text)), k))
    return out


def _inert(segment: str) -> str:
    """Escape a segment and turn control characters into visible markers (returns HTML)."""
    html = str(escape(segment))
    return _CONTROL.sub(lambda m: f'<span class="ctl">⟨U+{ord(m.group()):04X}⟩</span>', html)


def inert(value: object) -> Markup:
    """Jinja filter for any short hostile string (titles, names, usernames)."""
    return Markup(_inert("" if value is None else str(value)))


def render_text(
    text: str, spans: list[tuple[int, int, str]], *, reveal: bool = False, limit: int | None = None
) -> Markup:
    """The message as safe HTML: masked spans become ``[phone]`` chips, or highlighted when revealed."""
    if limit is not None and len(text) > limit:
        text = text[:limit]
        spans = [(s, min(e, limit), k) for s, e, k in spans if s < limit]
        suffix = "…"
    else:
        suffix = ""
    parts: list[str] = []
    pos = 0
    for s, e, kind in spans:
        parts.append(_inert(text[pos:s]))
        if reveal:
            parts.append(f'<mark class="revealed" title="{kind}">{_inert(text[s:e])}</mark>')
        else:
            parts.append(f'<span class="redacted" title="redacted {kind}">[{kind}]</span>')
        pos = e
    parts.append(_inert(text[pos:]))
    return Markup("".join(parts) + suffix)


def plain_redacted(text: str, spans: list[tuple[int, int, str]]) -> str:
    """The text with masked spans replaced by ``[kind]``, for JSON twins and exports."""
    out, pos = [], 0
    for s, e, kind in spans:
        out.append(text[pos:s])
        out.append(f"[{kind}]")
        pos = e
    out.append(text[pos:])
    return "".join(out)


def mask_value(entity_type: str, value: str) -> str:
    """How a redacted entity value shows in lists: its type and last two characters."""
    return f"[{entity_type} …{value[-2:]}]" if len(value) > 4 else f"[{entity_type}]"
