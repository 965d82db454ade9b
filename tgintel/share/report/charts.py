"""Inline SVG charts drawn in Python, so a report is one self-contained file with no JavaScript.

Each series is a ``<g>`` or ``<path>`` carrying ``data-series`` (and points carry ``data-x``/``data-y``), so a
browser test can check that a chart holds exactly the series the data has. Every label goes through
``html.escape``: channel titles and message text are hostile input.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape

PALETTE = {
    "drugs": "#2e7d32",
    "weapons": "#b71c1c",
    "stolen_data": "#1565c0",
    "financial_fraud": "#f9a825",
    "counterfeit_documents": "#6a1b9a",
    "counterfeit_goods": "#8d6e63",
    "cybercrime_tools": "#00838f",
    "sexual_exploitation": "#d81b60",
    "csam_indicator": "#000000",
    "violent_content": "#e65100",
    "sanctions_evasion": "#546e7a",
}
EXTRA = [
    "#1b5e20",
    "#0d47a1",
    "#4a148c",
    "#bf360c",
    "#33691e",
    "#006064",
    "#3e2723",
    "#263238",
    "#880e4f",
    "#827717",
]
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'


def color(name: str, i: int = 0) -> str:
    return PALETTE.get(name, EXTRA[i % len(EXTRA)])


def nice_ticks(vmax: float, n: int = 4) -> list[float]:
    """Round tick values from 0 to at least ``vmax``."""
    if vmax <= 0:
        return [0, 1]
    raw = vmax / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    return [step * i for i in range(math.ceil(vmax / step) + 1)]


def fmt_num(v: float) -> str:
    if v >= 1_000_000:
        return f"{v / 1_000_000:.1f}".rstrip("0").rstrip(".") + "M"
    if v >= 10_000:
        return f"{v / 1000:.1f}".rstrip("0").rstrip(".") + "k"
    return f"{v:,.0f}" if v == int(v) else f"{v:g}"


def day_label(day: int) -> str:
    return datetime.fromtimestamp(day * 86400, UTC).strftime("%d %b")


def _frame(width: int, height: int, title: str, body: list[str], chart: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="{escape(chart)}" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" {FONT} font-size="11">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _axes(
    x0: int,
    y0: int,
    x1: int,
    y1: int,
    ticks: list[float],
    scale_y,
    days: Sequence[int] | None,
    scale_x=None,
) -> list[str]:
    out = []
    for t in ticks:
        y = scale_y(t)
        out.append(
            f'<line x1="{x0}" y1="{y:.1f}" x2="{x1}" y2="{y:.1f}" stroke="#e3e3e3"/>'
            f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{fmt_num(t)}</text>'
        )
    out.append(f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y0}" stroke="#999"/>')
    if days and scale_x:
        span = days[-1] - days[0]
        step = max(1, round(span / 6)) if span else 1
        for d in range(days[0], days[-1] + 1, step):
            x = scale_x(d)
            out.append(
                f'<line x1="{x:.1f}" y1="{y0}" x2="{x:.1f}" y2="{y0 + 4}" stroke="#999"/>'
                f'<text x="{x:.1f}" y="{y0 + 16}" text-anchor="middle" fill="#555">{day_label(d)}</text>'
            )
    return out


def _legend(
    names: list[str], colors: list[str], x: int, y: int, width: int, labels: list[str] | None = None
) -> tuple[list[str], int]:
    out, cx, cy = [], x, y
    for i, (name, col) in enumerate(zip(names, colors, strict=True)):
        label = (labels or names)[i]
        w = 18 + 6.3 * len(label) + 14
        if cx + w > x + width:
            cx, cy = x, cy + 16
        out.append(
            f'<g class="legend" data-legend="{escape(name)}"><rect x="{cx:.0f}" y="{cy - 9}" width="10" '
            f'height="10" fill="{col}"/><text x="{cx + 14:.0f}" y="{cy}" fill="#333">'
            f"{escape(label)}</text></g>"
        )
        cx += w
    return out, cy + 10


class _Plot:
    """The frame both day charts share: legend on top, value axis, day axis, and the two scales."""

    def __init__(self, days: list[int], names: list[str], cols: list[str], labels: list[str], vmax: float,
                 width: int, height: int) -> None:  # fmt: skip
        self.legend, ly = _legend(names, cols, 60, 14, width - 80, labels)
        x0, y0, x1, y1 = 60, height - 28, width - 16, ly + 8
        ticks = nice_ticks(vmax)
        top = ticks[-1] or 1
        span = max(1, days[-1] - days[0]) if days else 1
        self.sx = lambda d: x0 + (d - days[0]) / span * (x1 - x0)
        self.sy = lambda v: y0 - v / top * (y0 - y1)
        self.body = _axes(x0, y0, x1, y1, ticks, self.sy, days, self.sx) if days else []


def stacked_area(
    days: list[int],
    series: dict[str, list[float]],
    *,
    title: str,
    chart: str,
    width: int = 900,
    height: int = 320,
) -> str:
    """Series stacked over days (e.g. messages per day per category)."""
    if not days:
        return _frame(width, height, title, ['<text x="20" y="40">No data</text>'], chart)
    names = [n for n in series if any(series[n])]
    cols = [color(n, i) for i, n in enumerate(names)]
    totals = [sum(series[n][i] for n in names) for i in range(len(days))]
    plot = _Plot(
        days, names, cols, [n.replace("_", " ") for n in names], max(totals, default=1), width, height
    )
    legend, body, sx, sy = plot.legend, plot.body, plot.sx, plot.sy
    base = [0.0] * len(days)
    for n, col in zip(names, cols, strict=True):
        upper = [b + v for b, v in zip(base, series[n], strict=True)]
        pts = [f"{sx(d):.1f},{sy(u):.1f}" for d, u in zip(days, upper, strict=True)]
        pts += [f"{sx(d):.1f},{sy(b):.1f}" for d, b in reversed(list(zip(days, base, strict=True)))]
        data = " ".join(f"{d}:{v:g}" for d, v in zip(days, series[n], strict=True))
        body.append(
            f'<path class="series" data-series="{escape(n)}" data-total="{sum(series[n]):g}" '
            f'data-points="{data}" d="M{" L".join(pts)} Z" fill="{col}" fill-opacity="0.85" '
            f'stroke="{col}" stroke-width="0.5"><title>{escape(n)}: {fmt_num(sum(series[n]))}</title></path>'
        )
        base = upper
    return _frame(width, height, title, legend + body, chart)


def line_chart(
    days: list[int],
    series: dict[str, list[float]],
    *,
    title: str,
    chart: str,
    width: int = 900,
    height: int = 300,
    step: bool = False,
    labels: dict[str, str] | None = None,
) -> str:
    """One line per series over days; ``step`` draws a staircase (reach that grows in jumps)."""
    if not days:
        return _frame(width, height, title, ['<text x="20" y="40">No data</text>'], chart)
    names = list(series)
    cols = [color(n, i) if n in PALETTE else EXTRA[i % len(EXTRA)] for i, n in enumerate(names)]
    vmax = max((max(v) for v in series.values() if v), default=1)
    plot = _Plot(days, names, cols, [(labels or {}).get(n, n) for n in names], vmax, width, height)
    legend, body, sx, sy = plot.legend, plot.body, plot.sx, plot.sy
    for n, col in zip(names, cols, strict=True):
        pts: list[str] = []
        prev = None
        for d, v in zip(days, series[n], strict=True):
            if step and prev is not None:
                pts.append(f"{sx(d):.1f},{sy(prev):.1f}")
            pts.append(f"{sx(d):.1f},{sy(v):.1f}")
            prev = v
        data = " ".join(f"{d}:{v:g}" for d, v in zip(days, series[n], strict=True))
        body.append(
            f'<path class="series" data-series="{escape(n)}" data-last="{series[n][-1]:g}" '
            f'data-points="{data}" d="M{" L".join(pts)}" fill="none" stroke="{col}" stroke-width="2">'
            f"<title>{escape((labels or {}).get(n, n))}</title></path>"
        )
    return _frame(width, height, title, legend + body, chart)


def hbars(
    labels: list[str],
    values: list[float],
    *,
    title: str,
    chart: str,
    series: str = "messages",
    width: int = 900,
    bar: int = 18,
    fill: str = "#37474f",
    keys: list[str] | None = None,
    note: list[str] | None = None,
) -> str:
    """Horizontal bars, largest first, labels on the left (truncated) and values at the bar's end."""
    height = 20 + bar * len(labels) + 10
    x0, x1 = 260, width - (150 if note else 70)
    vmax = max(values, default=1) or 1
    body = [f'<g class="series" data-series="{escape(series)}">']
    for i, (lab, v) in enumerate(zip(labels, values, strict=True)):
        y = 14 + i * bar
        w = v / vmax * (x1 - x0)
        short = lab if len(lab) <= 38 else lab[:37] + "…"
        key = escape((keys or labels)[i])
        extra = f" · {escape(note[i])}" if note else ""
        body.append(
            f'<g class="bar" data-key="{key}" data-value="{v:g}"><text x="{x0 - 8}" y="{y + bar * 0.65:.1f}" '
            f'text-anchor="end" fill="#333">{escape(short)}</text>'
            f'<rect x="{x0}" y="{y}" width="{max(w, 1):.1f}" '
            f'height="{bar - 5}" fill="{fill}" rx="2"/><text x="{x0 + w + 5:.1f}" y="{y + bar * 0.65:.1f}" '
            f'fill="#333">{fmt_num(v)}{extra}</text></g>'
        )
    body.append("</g>")
    return _frame(width, height, title, body, chart)
