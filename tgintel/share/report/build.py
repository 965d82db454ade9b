"""``tgintel report``: the study as a self-contained HTML file (inline CSS and SVG) and a PDF of it.

Everything is computed here in Python and rendered with Jinja2's autoescaping, so the file opens offline,
runs no script, and cannot be made to run one by a message text. The PDF is Chromium's own print of that
HTML, so the two never disagree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from tgintel.analyze.study import THRESHOLD, beside, compute_study, iso_day, iso_ts
from tgintel.share.report import charts
from tgintel.share.report.redact import redact_text, redact_value
from tgintel.store.interface import Store
from tgintel.store.study import StudyScan

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TOP_CAMPAIGNS = 8


def report_data(store: Store, *, redact: bool = True) -> dict[str, Any]:
    """Everything the report shows, as plain data (also what ``report.json`` holds)."""
    # The entity summary (the slowest query, all inside SQLite) and the finding aggregates run in threads
    # beside the message scan (see ``beside``); compute_study then reuses all three.
    entities_later = beside(store, store.study_entities, top=5)
    held = StudyScan()
    found_later = beside(store, store.study_categories, THRESHOLD, scan=held)
    scan = store.study_scan()
    found_later()
    scan.findings.update(held.findings)
    study = compute_study(store, top=15, scan=scan)
    daily = store.study_daily(scan=scan)
    totals = daily["totals"]
    days = list(range(totals[0]["day"], totals[-1]["day"] + 1)) if totals else []
    pos = {d: i for i, d in enumerate(days)}
    cat_names = list(study["categories"])
    per_cat = {c: [0] * len(days) for c in cat_names}
    for row in daily["categories"]:
        per_cat.setdefault(row["category"], [0] * len(days))[pos[row["day"]]] = row["messages"]
    msgs, texts, new_unique = [0] * len(days), [0] * len(days), [0] * len(days)
    for row in totals:
        i = pos[row["day"]]
        msgs[i], texts[i], new_unique[i] = row["messages"], row["text_messages"], row["new_unique"]
    cum_text, cum_unique, a, b = [], [], 0, 0
    for t, u in zip(texts, new_unique, strict=True):
        a, b = a + t, b + u
        cum_text.append(a)
        cum_unique.append(b)
    clusters = store.study_top_clusters(TOP_CAMPAIGNS, scan=scan)
    for c in clusters:
        c["text"] = redact_text(c["text"]) if redact else c["text"]
        c["first"], c["last"] = iso_ts(c["first_date"]), iso_ts(c["last_date"])
    entities = entities_later()
    if redact:
        for etype, e in entities.items():
            for v in e["top"]:
                v["value"] = redact_value(etype, v["value"])
    channels = store.study_channels(scan=scan)
    return {
        "study": study,
        "days": days,
        "per_category": per_cat,
        "messages_per_day": msgs,
        "text_per_day": texts,
        "cumulative_text": cum_text,
        "cumulative_unique": cum_unique,
        "channels": channels,
        "campaigns": clusters,
        "distributors": study["top_distributors"],
        "entities": entities,
        "redacted": redact,
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _charts(d: dict[str, Any]) -> dict[str, str]:
    days = d["days"]
    out = {
        "categories": charts.stacked_area(
            days,
            {k: v for k, v in d["per_category"].items()},
            title="Messages per day per category",
            chart="categories",
        ),
        "repetition": charts.line_chart(
            days,
            {"messages": d["cumulative_text"], "unique": d["cumulative_unique"]},
            title="Text messages and unique texts, cumulative",
            chart="repetition",
            labels={"messages": "text messages", "unique": "unique texts"},
        ),
    }
    top_ch = d["channels"][:20]
    out["channels"] = charts.hbars(
        [c["title"] or str(c["id"]) for c in top_ch],
        [c["messages"] for c in top_ch],
        title="Messages per channel (top 20)",
        chart="channels",
        series="messages",
        keys=[str(c["id"]) for c in top_ch],
    )
    camps = d["campaigns"]
    if camps and days:
        series, labels = {}, {}
        for i, c in enumerate(camps, 1):
            reach = dict(c["reach"])
            level, line = 0, []
            for day in days:
                level = reach.get(day, level)
                line.append(level)
            series[c["cluster_id"]] = line
            labels[c["cluster_id"]] = f"#{i}"
        out["campaigns"] = charts.line_chart(
            days,
            series,
            title="Channels reached over time by the top campaigns",
            chart="campaigns",
            step=True,
            labels=labels,
        )
    dist = d["distributors"]
    out["distributors"] = charts.hbars(
        [x["name"] or x["key"] for x in dist],
        [x["channels"] for x in dist],
        title="Top distributors: channels",
        chart="distributors",
        series="channels",
        fill="#6a1b9a",
        keys=[x["key"] for x in dist],
        note=[f"{x['messages']:,} msgs" for x in dist],
    )
    return out


def clip_lines(text: str, lines: int = 8, chars: int = 600) -> str:
    """The first lines of a post, whole lines only, with a marker when something was left out."""
    kept = text.splitlines()[:lines]
    out = "\n".join(kept)[:chars]
    return out if out == text else out.rstrip() + "\n…"


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = lambda v: f"{v:,}" if isinstance(v, int) else v
    env.filters["pct"] = lambda v: f"{v:.1%}"
    env.filters["day"] = iso_day
    env.filters["label"] = lambda s: str(s).replace("_", " ")
    env.filters["clip_lines"] = clip_lines
    return env


def render_html(d: dict[str, Any]) -> str:
    from markupsafe import Markup

    svgs = {k: Markup(v) for k, v in _charts(d).items()}  # built by charts.py, every label escaped there
    return (
        _env().get_template("report.html.j2").render(d=d, s=d["study"], charts=svgs, palette=charts.PALETTE)
    )


def print_pdf(html_path: Path, pdf_path: Path, *, chromium: str = CHROMIUM, timeout: int = 180) -> str | None:
    """Print the HTML with headless Chromium; returns None on success or one line saying why not."""
    if not (os.path.exists(chromium) or shutil.which(chromium)):
        return f"no PDF: {chromium} not found (install Chromium, see scripts/system-deps.sh)"
    with tempfile.TemporaryDirectory(prefix="tgintel-chromium-") as profile:
        cmd = [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf_path}",
            html_path.resolve().as_uri(),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return f"no PDF: Chromium did not finish within {timeout} s"
    if proc.returncode != 0 or not pdf_path.exists() or pdf_path.stat().st_size == 0:
        tail = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        return f"no PDF: Chromium exited {proc.returncode}: {tail[0][:200]}"
    return None


def build_report(store: Store, out: str | Path, *, pdf: bool = True, redact: bool = True) -> dict[str, Any]:
    """Write ``report.html`` (and ``report.pdf``, ``report.json``) into ``out``; returns paths and notes."""
    import orjson

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    data = report_data(store, redact=redact)
    html_path = out / "report.html"
    html_path.write_text(render_html(data), encoding="utf-8")
    (out / "report.json").write_bytes(
        orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS)
    )
    result: dict[str, Any] = {
        "html": str(html_path),
        "json": str(out / "report.json"),
        "pdf": None,
        "notes": [],
    }
    if pdf:
        pdf_path = out / "report.pdf"
        problem = print_pdf(html_path, pdf_path)
        if problem:
            result["notes"].append(problem)
        else:
            result["pdf"] = str(pdf_path)
    return result
