"""Screenshots of every workspace page, for docs/screenshots/ (and for a human to look at after UI changes).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--db /tmp/tgintel-shots.sqlite]

Builds a demo store the way a user would (simulator → ingest → analyze), adds one hostile message to show
how escaping and redaction look, starts the workspace on a free loopback port and drives headless Chromium.
"""

from __future__ import annotations

import argparse
import socket
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HOSTILE = ("<script>alert('xss')</script> Fresh KYC packages: ID scan + selfie, 25 EUR. "
           '<img src=x onerror="alert(2)"> invoice\u202egpj.exe — victim Jan +31 6 12345678, '
           "jan.jansen@example.nl. Order @kyc_depot")  # fmt: skip


def build(db: Path) -> None:
    from tgintel.jobs.analyze import analyze
    from tgintel.jobs.ingest import ingest_paths
    from tgintel.model import Message
    from tgintel.sources.simulate import simulate
    from tgintel.store import open_store
    from tgintel.web.auth import hash_password

    export = db.parent / "shots-export"
    if not (export / "truth.jsonl").exists():
        simulate(export, channels=12, days=20, seed=3)
    store = open_store(str(db))
    ingest_paths(store, [export])
    first = store.list_channels()[0]
    last_id = max(m.id for batch in store.iter_messages(channel_id=first.id) for _, m in batch)
    when = datetime(2025, 1, 20, 12, tzinfo=UTC)
    store.upsert_messages([Message(channel_id=first.id, id=last_id + 1, date=when, text=HOSTILE,
                                   sender_key="user4242", sender_name="KYC depot")])  # fmt: skip
    analyze(store)
    for name, role in (("ana", "analyst"), ("vic", "viewer"), ("ada", "admin")):
        if store.get_user(name) is None:
            store.add_user(name, role, hash_password(f"{name}-demo-password"))
    store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    ap.add_argument("--db", default="/tmp/tgintel-shots/demo.sqlite")
    args = ap.parse_args()
    db, out = Path(args.db), Path(args.out)
    db.parent.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    if not db.exists():
        build(db)

    import uvicorn
    from playwright.sync_api import sync_playwright

    from tgintel.store import open_store
    from tgintel.web.app import create_app

    store = open_store(str(db))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"

    hostile = store.search(__import__("tgintel.store.search", fromlist=["SearchQuery"]).SearchQuery(
        q='"Fresh KYC packages"'), facets=False).hits[0]  # fmt: skip
    channel = store.channel_stats()[0].id
    with store.connect() as conn:
        from sqlalchemy import text

        cluster = conn.execute(text("SELECT cluster_id FROM messages WHERE cluster_id IS NOT NULL "
                                    "GROUP BY cluster_id "
                                    "ORDER BY count(DISTINCT channel_id) DESC, count(*) DESC "
                                    "LIMIT 1")).scalar_one()  # fmt: skip
        actor = conn.execute(
            text(
                "SELECT sender_key FROM messages WHERE sender_key LIKE 'user%' "
                "GROUP BY sender_key ORDER BY count(DISTINCT channel_id) DESC LIMIT 1"
            )
        ).scalar()
        entity = conn.execute(text("SELECT value FROM entities WHERE type = 'username' GROUP BY value "
                                   "ORDER BY count(*) DESC LIMIT 1")).scalar_one()  # fmt: skip
    pages = [
        ("overview", "/"),
        ("search", "/search?q=logs"),
        ("message", f"/message/{hostile.channel_id}/{hostile.id}"),
        ("channel", f"/channel/{channel}"),
        ("actor", f"/actor/{actor}" if actor else "/channels"),
        ("campaign", f"/campaign/{cluster}"),
        ("entity", f"/entity?type=username&value={entity.replace('@', '%40')}"),
        ("graph", "/graph"),
        ("triage", "/triage"),
    ]
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])  # fmt: skip
        page = browser.new_page(viewport={"width": 1320, "height": 900})
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(base + "/login")
        page.screenshot(path=str(out / "login.png"))
        page.fill("input[name=username]", "ana")
        page.fill("input[name=password]", "ana-demo-password")
        page.click("button[type=submit]")
        page.wait_for_url(base + "/")
        for name, path in pages:
            page.goto(base + path)
            if name == "campaign":  # a large campaign's breakdown is computed in the background first
                for _ in range(60):
                    if "being computed" not in page.inner_text("main"):
                        break
                    page.wait_for_timeout(1000)
                    page.goto(base + path)
            if name == "graph":
                page.wait_for_selector("#graphinfo:has-text('nodes')", timeout=120_000)
                page.wait_for_timeout(500)
            page.screenshot(path=str(out / f"{name}.png"))
            print(f"{name}: {out / (name + '.png')}")
        page.goto(base + pages[2][1])
        page.click("#reveal")
        page.wait_for_selector("#msgtext mark.revealed")
        page.screenshot(path=str(out / "message-revealed.png"))
        browser.close()
    server.should_exit = True
    store.close()
    if problems:
        print("browser console errors:", *problems, sep="\n  ")
        sys.exit(1)


if __name__ == "__main__":
    main()
