"""The console in a real browser (the system's Chromium through Playwright) against a real
server: the flows a reviewer goes through, and the ways in that must stay shut."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contraband.ledger.store import CaseQuery
from tests.api.console.conftest import NOW, Console, held

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")


@pytest.fixture()
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        yield launched
        launched.close()


def sign_in(browser: Any, served: Console, role: str) -> Any:
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(f"{served.base}/console/queue")
    page.fill("#token", served.tokens[role])
    # The form's POST and the redirect after it are one navigation: wait for its page to
    # load (waiting for the POST's response alone could read the old page on a busy host).
    with page.expect_navigation():
        page.click("button:text('Sign in')")
    page.wait_for_load_state("networkidle")
    return page


def open_cases(served: Console) -> int:
    return served.ledger.cases(CaseQuery()).total


def test_a_reviewer_filters_opens_dismisses_and_confirms(browser: Any, served: Console) -> None:
    page = sign_in(browser, served, "reviewer")
    assert page.locator("h1").inner_text() == "Review queue"
    assert "4 open cases" in page.locator(".counts").inner_text()
    page.select_option("select[name=item]", "cocaine")
    page.click("text=Filter")
    page.wait_for_url("**item=cocaine**")
    assert "1 open case" in page.locator(".counts").inner_text()
    page.keyboard.press("j")  # the first row, by keyboard
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/cases/**")
    assert page.locator("mark").inner_text() == "c0caine"
    page.fill("#reason", "a chemistry set, not the drug")
    page.click("button[value=dismiss]")
    page.wait_for_selector("text=Case dismissed.")
    served.ledger.record([held("L1", "S1")], NOW)  # the same listing, screened again
    assert open_cases(served) == 3
    page.goto(f"{served.base}/console/suppressions")
    assert "a chemistry set" in page.locator("table").inner_text()

    page.goto(f"{served.base}/console/queue?item=heroin")
    page.click("tbody a >> nth=0")
    page.wait_for_url("**/console/cases/**")
    page.fill("#reason", "heroin, spelled to hide it")
    page.keyboard.press("Escape")
    page.keyboard.press("c")  # the confirm shortcut
    page.wait_for_selector("text=Case confirmed.")
    page.click("text=S2 >> nth=0")
    page.wait_for_url("**/console/sellers/S2")
    assert page.locator("#active-points").inner_text() == "48"
    assert page.locator("figure.chart svg").is_visible()
    page.close()


def test_an_overturned_appeal_restores_points_and_lifts_the_restriction(
    browser: Any, served: Console
) -> None:
    page = sign_in(browser, served, "reviewer")
    page.goto(f"{served.base}/console/sellers/S3")
    assert page.locator("#active-points").inner_text() == "12"
    assert "restriction" in page.locator("#sanctions-h + table").inner_text()
    page.goto(f"{served.base}/console/appeals")
    page.click("tbody a >> nth=0")
    page.wait_for_url("**/console/appeals/**")
    preview = page.locator("#preview").inner_text()
    assert "12 → 6" in preview and "restriction" in preview
    page.fill("#reason", "the listing was a book")
    page.click("button[value=overturn]")
    page.wait_for_selector("text=Appeal overturned.")
    page.goto(f"{served.base}/console/sellers/S3")
    assert page.locator("#active-points").inner_text() == "6"
    assert "lifted" in page.locator("#sanctions-h + table").inner_text()
    page.close()


def test_a_seller_cannot_sign_in(browser: Any, served: Console) -> None:
    page = sign_in(browser, served, "seller")
    assert "not a reviewer, operator or auditor token" in page.locator(".error").inner_text()
    page.goto(f"{served.base}/console/queue")
    assert page.url.split("?")[0].endswith("/console/sign-in")
    page.close()


def test_an_auditor_cannot_decide_and_a_form_needs_its_token(browser: Any, served: Console) -> None:
    auditor = sign_in(browser, served, "auditor")
    auditor.click("tbody a >> nth=0")
    auditor.wait_for_url("**/console/cases/**")
    assert auditor.locator("form.decide").count() == 0
    status = auditor.evaluate(
        """async () => {
            const csrf = document.querySelector("input[name=csrf]").value;
            const body = new URLSearchParams({decision: "dismiss", reason: "x", csrf});
            const answer = await fetch(location.pathname + "/decision", {method: "POST", body});
            return answer.status;
        }"""
    )
    assert status == 403
    auditor.close()

    reviewer = sign_in(browser, served, "reviewer")
    reviewer.click("tbody a >> nth=0")
    reviewer.wait_for_url("**/console/cases/**")
    reviewer.evaluate("document.querySelector('form.decide input[name=csrf]').remove()")
    reviewer.fill("#reason", "no token in this form")
    reviewer.click("button[value=dismiss]")
    reviewer.wait_for_selector("text=Not allowed")
    assert open_cases(served) == 4
    reviewer.close()


AXE = (
    Path(__file__).resolve().parents[3]
    / ".venv"
    / "axe"
    / "node_modules"
    / "axe-core"
    / "axe.min.js"
)


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (make test installs it)")
@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("reviewer", "/console/queue"),
        ("reviewer", "/console/appeals"),
        ("reviewer", "/console/sellers/S3"),
        ("reviewer", "/console/suppressions"),
        ("operator", "/console/measures"),
    ],
)
def test_pages_pass_an_accessibility_audit(
    browser: Any, served: Console, role: str, path: str
) -> None:
    """axe-core's WCAG 2 A and AA rules: no serious or critical violation on any page."""
    page = sign_in(browser, served, role)
    targets = [path]
    if path == "/console/queue":
        page.goto(f"{served.base}{path}")
        targets.append(page.locator("tbody a").first.get_attribute("href") or path)
    if path == "/console/appeals":
        page.goto(f"{served.base}{path}")
        targets.append(page.locator("tbody a").first.get_attribute("href") or path)
    for target in targets:
        page.goto(f"{served.base}{target}")
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            """async () => (await axe.run(document, {runOnly: ["wcag2a", "wcag2aa"]}))
                .violations.filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ")).join(", "))"""
        )
        assert violations == [], (target, violations)
    page.close()
