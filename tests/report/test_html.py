"""The HTML report, opened in a real browser (the system's Chromium, driven by Playwright)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from contraband.report.evidence import highlight, reveal
from tests.conftest import scan_mini

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_evidence_reveals_disguises_and_escapes_html() -> None:
    assert reveal("v\u200bape") == 'v<span class="inv" title="ZERO WIDTH SPACE">⟨U+200B⟩</span>ape'
    assert 'class="glyph"' in reveal("vаpe") and "CYRILLIC SMALL LETTER A" in reveal("vаpe")
    assert 'class="styled"' in reveal("ｖape")
    assert highlight("<b>x</b> vape", (9, 13)) == "&lt;b&gt;x&lt;/b&gt; <mark>vape</mark>"


@pytest.fixture()
def report(tmp_path: Path) -> Path:
    listings = tmp_path / "l.jsonl"
    rows = [
        {
            "id": "A",
            "seller_id": "S1",
            "title": "Best v\u200b4pe kit <script>",
            "countries": ["US"],
        },
        {"id": "B", "seller_id": "S2", "title": "Cotton shirt"},
        {"id": "C", "seller_id": "S2", "title": "Pure cоcaine"},
    ]  # Cyrillic о
    listings.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    target = tmp_path / "report.html"
    result = scan_mini(listings, tmp_path / "v.jsonl", "--report", str(target))
    assert result.exit_code == 0, result.output
    return target


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (make test installs it)")
def test_report_in_a_real_browser(report: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        page = browser.new_page()
        page.goto(report.as_uri())
        assert "Compliance scan report" in page.title() or page.locator("h1").inner_text()
        rows = page.locator("tbody tr")
        assert rows.count() == 2  # the two flagged listings, not the clean one
        first = rows.nth(0)
        assert first.locator(".act").first.inner_text() == "remove"
        invisible = page.locator("mark .inv").first
        assert invisible.is_visible() and invisible.inner_text() == "⟨U+200B⟩"
        assert page.locator("mark .glyph").first.get_attribute("title").startswith("CYRILLIC")
        assert page.locator("script").count() == 0  # listing text is escaped, never run
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        browser.close()
    assert (tmp_path / "report.png").stat().st_size > 10_000
