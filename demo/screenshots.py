"""Screenshots of the reviewer console over the demo ledger, for `make demo`.

    python demo/screenshots.py --db sqlite:///out/demo.db --policy policies/default \
        --at 2022-04-20T18:00:00 --out out

Starts the service on a free port (its clock at `--at`, the demo's day), signs in with a
reviewer token made for the purpose, saves the queue, the oldest case and a seller page
as PNG files, and stops the server. Without Chromium it says so and does nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import socket
import sys
import threading
import time
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--policy", type=Path, required=True)
    parser.add_argument("--at", required=True, help="the service's clock (ISO date-time, UTC)")
    parser.add_argument("--out", type=Path, default=Path("out"))
    parser.add_argument(
        "--seller", default="", help="the seller page to show (default: most points)"
    )
    args = parser.parse_args()
    if CHROMIUM is None:
        print("console screenshots skipped: Chromium is not installed (make test installs it)")
        return
    at = dt.datetime.fromisoformat(args.at).replace(tzinfo=dt.UTC)
    server, base, secret = _serve(args.db, args.policy, at)
    try:
        shots = _shoot(base, secret, args.out, args.seller)
    finally:
        server.should_exit = True
    for shot in shots:
        print(f"console: {shot}")


def _serve(db: str, policy: Path, at: dt.datetime) -> tuple[object, str, str]:
    import uvicorn

    from contraband.api.app import create_app
    from contraband.api.tokens import Role, create_token
    from contraband.ledger.sql.store import SqlStore
    from contraband.settings import Settings

    store = SqlStore(db)
    secret = create_token(store, Role.REVIEWER, "demo screenshots", None, at)[1]
    app = create_app(Settings(database_url=db, policy_dir=policy), store, clock=lambda: at)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            sys.exit("the console did not start within 30 s")
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}", secret


def _shoot(base: str, secret: str, out: Path, seller: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    shots = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(f"{base}/console/sign-in")
        page.fill("#token", secret)
        with page.expect_response(lambda r: r.request.method == "POST"):
            page.click("button:text('Sign in')")
        page.wait_for_load_state("networkidle")
        shots.append(_save(page, out / "console-queue.png"))
        first = page.locator("tbody a").first
        if first.count():
            first.click()
            page.wait_for_url("**/console/cases/**")
            page.wait_for_load_state("networkidle")
            shots.append(_save(page, out / "console-case.png"))
            seller = seller or page.locator("a[href^='/console/sellers/']").first.inner_text()
        if seller:
            page.goto(f"{base}/console/sellers/{seller}")
            shots.append(_save(page, out / "console-seller.png"))
        browser.close()
    return shots


def _save(page: object, path: Path) -> Path:
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


if __name__ == "__main__":
    main()
