"""``tgintel report``: the HTML holds the right series, escapes hostile text, redacts, and prints to PDF."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tgintel.jobs.ingest import ingest_paths
from tgintel.model import Message
from tgintel.share.report.build import CHROMIUM_FLAGS, build_report
from tgintel.sources.simulate import simulate
from tgintel.sources.simulate.truth import apply_truth_analysis, iter_truth, truth_study
from tgintel.store import open_store
from tgintel.store.interface import Analysis

HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(2)> call +31 6 12345678 now, NL91ABNA0417164300"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[dict]]:
    """A simulated study, ingested with the truth as its analysis, plus one hostile campaign on top."""
    base = tmp_path_factory.mktemp("report")
    simulate(base / "sim", channels=8, days=10, seed=9)
    db = base / "r.sqlite"
    store = open_store(str(db))
    ingest_paths(store, [base / "sim"])
    apply_truth_analysis(store, base / "sim" / "truth.jsonl")
    truth = list(iter_truth(base / "sim" / "truth.jsonl"))
    channels = sorted({t["channel_id"] for t in truth})
    when = datetime(2025, 1, 3, tzinfo=UTC)
    store.upsert_messages(
        [Message(channel_id=c, id=10**6, date=when, text=HOSTILE, sender_key="user1") for c in channels]
    )
    pks = [store.get_message(c, 10**6)[0] for c in channels]
    store.save_analysis(
        [Analysis(pk=pk, norm_hash="h0stile", cluster_id="hostile", offer=True) for pk in pks]
    )
    store.close()
    return base, db, truth


def test_html_escapes_hostile_text_and_redacts(corpus) -> None:
    base, db, _ = corpus
    store = open_store(str(db))
    try:
        result = build_report(store, base / "plain", pdf=False)
        html = Path(result["html"]).read_text(encoding="utf-8")
        assert "<script" not in html and "onerror=alert" not in html.replace("onerror=alert(2)&gt;", "")
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "12345678" not in html and "NL91ABNA0417164300" not in html
        assert result["pdf"] is None and Path(result["json"]).exists()
        raw = build_report(store, base / "raw", pdf=False, redact=False)
        assert "12345678" in Path(raw["html"]).read_text(encoding="utf-8")
    finally:
        store.close()


@pytest.mark.browser
def test_charts_hold_the_right_series_and_pdf_prints(corpus) -> None:
    from playwright.sync_api import sync_playwright

    base, db, truth = corpus
    store = open_store(str(db))
    try:
        result = build_report(store, base / "full", pdf=True)
        top = [c["cluster_id"] for c in store.study_top_clusters(8)]
    finally:
        store.close()
    assert result["pdf"] and Path(result["pdf"]).read_bytes()[:5] == b"%PDF-"
    want = truth_study(base / "sim" / "truth.jsonl")
    per_channel = Counter(t["channel_id"] for t in truth)
    for c in per_channel:
        per_channel[c] += 1  # the hostile message in every channel
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.goto(Path(result["html"]).resolve().as_uri())
        series = page.eval_on_selector_all(
            "svg[data-chart=categories] path.series",
            "els => els.map(e => [e.dataset.series, Number(e.dataset.total)])",
        )
        assert dict(series) == {c: v["messages"] for c, v in want["categories"].items()}
        rep = dict(
            page.eval_on_selector_all(
                "svg[data-chart=repetition] path.series",
                "els => els.map(e => [e.dataset.series, Number(e.dataset.last)])",
            )
        )
        assert rep == {"messages": want["text_messages"] + 8, "unique": want["exact_unique_texts"] + 1}
        bars = page.eval_on_selector_all(
            "svg[data-chart=channels] g.bar",
            "els => els.map(e => [Number(e.dataset.key), Number(e.dataset.value)])",
        )
        assert dict(bars) == dict(per_channel) and [v for _, v in bars] == sorted(
            per_channel.values(), reverse=True
        )
        camps = page.eval_on_selector_all(
            "svg[data-chart=campaigns] path.series", "els => els.map(e => e.dataset.series)"
        )
        assert camps == top and "hostile" in camps
        assert page.locator("script").count() == 0
        assert page.evaluate("() => document.title").startswith("Telegram market study")
        browser.close()
    assert all(u.startswith("file://") for u in requests), requests


def test_empty_store_still_reports(sqlite_store, tmp_path: Path) -> None:
    result = build_report(sqlite_store, tmp_path / "empty", pdf=False)
    html = Path(result["html"]).read_text(encoding="utf-8")
    assert "No near-duplicate clusters yet" in html and 'data-chart="categories"' in html
