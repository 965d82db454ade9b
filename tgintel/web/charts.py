"""Small server-side SVG charts: no JavaScript, no chart library, nothing for the CSP to allow.

A page shows a handful of series over a few hundred days; drawing them as SVG rects on the server costs well
under a millisecond and renders the same in a report or a screenshot. Labels pass through ``escape`` because
category and channel names come from data. Colours are SVG presentation attributes (``fill=``), which a
``style-src 'self'`` policy permits, unlike inline ``style`` attributes.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime

from markupsafe import Markup, escape

# Calm, colour-blind-friendly palette (Okabe–Ito, without yellow on white), one per taxonomy category.
PALETTE = {
    "drugs": "#0072B2",
    "weapons": "#D55E00",
    "stolen_data": "#009E73",
    "financial_fraud": "#CC79A7",
    "counterfeit_documents": "#56B4E9",
    "counterfeit_goods": "#E69F00",
    "cybercrime_tools": "#6A3D9A",
    "sexual_exploitation": "#B15928",
    "csam_indicator": "#000000",
    "violent_content": "#8C2D04",
    "sanctions_evasion": "#33A02C",
    None: "#C9CED6",
}
ACCENT = "#2357A5"
_DEFAULT = "#7F8C9B"


_SERIES = (
    "#2357A5",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#E69F00",
    "#6A3D9A",
    "#8C6D31",
    "#33A02C",
    "#B15928",
    "#1F78B4",
    "#7F8C9B",
)


def colour(category: str | None) -> str:
    """Taxonomy categories keep their colour everywhere; other series (channels) get a stable one by name."""
    if category in PALETTE:
        return PALETTE[category]
    return _SERIES[zlib.crc32(str(category).encode()) % len(_SERIES)]


def _day(ts: int) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d")


def stacked_days(
    rows: list[dict],
    *,
    width: int = 760,
    height: int = 180,
    key: str = "category",
    label: str = "messages per day",
) -> Markup:
    """Stacked bars per day from ``{day, <key>, n}`` rows (``key`` None for a single series)."""
    if not rows:
        return Markup('<p class="empty">No messages in this period.</p>')
    days = sorted({r["day"] for r in rows})
    first, last = days[0], days[-1]
    span = max(1, (last - first) // 86400 + 1)
    stacks: dict[int, list[tuple[str | None, int]]] = {}
    for r in rows:
        stacks.setdefault(r["day"], []).append((r.get(key) if key else None, int(r["n"])))
    top = max(sum(n for _, n in s) for s in stacks.values()) or 1
    left, bottom, pad_top = 44, 22, 8
    plot_w, plot_h = width - left - 8, height - bottom - pad_top
    bar_w = plot_w / span
    out = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{left}" y1="{pad_top + plot_h}" x2="{width - 8}" y2="{pad_top + plot_h}" '
        'stroke="#C9CED6"/>',
        f'<text x="{left - 6}" y="{pad_top + 8}" text-anchor="end" class="axis">{top}</text>',
        f'<text x="{left - 6}" y="{pad_top + plot_h}" text-anchor="end" class="axis">0</text>',
    ]
    # A campaign across 100 channels for months is ~10k rects: colours, labels and the fixed part of each
    # rect are worked out once per series and per day, not per rect.
    fills: dict[str | None, str] = {}
    width_attr = f'" width="{max(bar_w - 1, 1):.1f}" height="'
    for d, parts in stacks.items():
        x = f'<rect x="{left + (d - first) // 86400 * bar_w:.1f}" y="'
        y = pad_top + plot_h
        day_label = _day(d) + " · "
        for cat, n in sorted(parts, key=lambda p: (p[0] is None, str(p[0]))):
            h = plot_h * n / top
            y -= h
            fill = fills.get(cat)
            if fill is None:
                fill = fills[cat] = f'" fill="{colour(cat) if key else ACCENT}"><title>'
            tip = escape(f"{day_label}{cat or 'total'}: {n}")
            out.append(f"{x}{y:.1f}{width_attr}{h:.1f}{fill}{tip}</title></rect>")
    out.append(f'<text x="{left}" y="{height - 6}" class="axis">{_day(first)}</text>')
    out.append(f'<text x="{width - 8}" y="{height - 6}" text-anchor="end" class="axis">{_day(last)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def hbars(rows: list[tuple[str, int]], *, width: int = 420, coloured: bool = True) -> Markup:
    """Horizontal bars, one per ``(label, n)``: category mixes and top lists."""
    if not rows:
        return Markup('<p class="empty">Nothing yet.</p>')
    top = max(n for _, n in rows) or 1
    row_h, label_w = 22, 170
    height = row_h * len(rows)
    out = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (name, n) in enumerate(rows):
        y = i * row_h
        w = (width - label_w - 50) * n / top
        out.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" class="lbl">'
            f"{escape(str(name).replace('_', ' '))}</text>"
        )
        out.append(f'<rect x="{label_w}" y="{y + 4}" width="{max(w, 1):.1f}" height="{row_h - 8}" rx="2" '
                   f'fill="{colour(name) if coloured else ACCENT}"/>')  # fmt: skip
        out.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 15}" class="axis">{n}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def legend(categories: list[str]) -> Markup:
    """Colour keys for a stacked chart, as SVG swatches next to escaped names."""
    items = []
    for c in categories:
        items.append(
            f'<span class="key"><svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" '
            f'rx="2" fill="{colour(c)}"/></svg> {escape((c or "no finding").replace("_", " "))}</span>'
        )
    return Markup('<div class="legend">' + "".join(items) + "</div>")
