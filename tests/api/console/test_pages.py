"""The console's pages in process: who may sign in, see and decide; CSRF; what each page shows."""

from __future__ import annotations

import re

import pytest

from contraband.api.tokens import list_tokens, revoke
from contraband.ledger.store import CaseQuery
from tests.api.console.conftest import NOW, Console, held

PAGES = ["/console/queue", "/console/appeals", "/console/suppressions", "/console/sellers/S3"]


def csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def test_a_page_without_a_session_sends_to_sign_in(console: Console) -> None:
    page = console.client.get("/console/queue?item=cocaine")
    assert page.url.path == "/console/sign-in"
    assert "next=%2Fconsole%2Fqueue%3Fitem%3Dcocaine" in str(page.url)


@pytest.mark.parametrize("role", ["seller", "platform"])
def test_a_non_staff_token_cannot_sign_in(console: Console, role: str) -> None:
    answer = console.client.post("/console/sign-in", data={"token": console.tokens[role]})
    assert answer.status_code == 403
    assert "not a reviewer, operator or auditor token" in answer.text
    assert console.client.get("/console/queue").url.path == "/console/sign-in"


def test_the_session_cookie_is_http_only_and_strict(console: Console) -> None:
    answer = console.client.post(
        "/console/sign-in", data={"token": console.tokens["reviewer"]}, follow_redirects=False
    )
    cookie = answer.headers["set-cookie"].lower()
    assert answer.status_code == 303
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/console" in cookie


@pytest.mark.parametrize("role", ["reviewer", "operator", "auditor"])
@pytest.mark.parametrize("path", PAGES)
def test_staff_see_the_pages(console: Console, role: str, path: str) -> None:
    console.sign_in(role)
    page = console.client.get(path)
    assert page.status_code == 200, page.text[:500]
    assert "<h1>" in page.text


def test_the_measures_page_is_for_operators(console: Console) -> None:
    console.sign_in("reviewer")
    denied = console.client.get("/console/measures")
    assert denied.status_code == 403 and "A reviewer may not use measures" in denied.text
    console.sign_in("operator")
    page = console.client.get("/console/measures")
    assert page.status_code == 200
    assert "Vapes banned site-wide" in page.text and "announced" in page.text


def test_the_queue_filters_and_counts(console: Console) -> None:
    console.sign_in("reviewer")
    everything = console.client.get("/console/queue").text
    assert "<strong>4</strong> open cases" in everything
    by_item = console.client.get("/console/queue?item=heroin").text
    assert "<strong>1</strong> open case " in by_item and "L2" in by_item and "L1" not in by_item
    by_seller = console.client.get("/console/queue?seller=S1").text
    assert "<strong>2</strong> open cases" in by_seller
    old = console.client.get("/console/queue?age=1d").text  # opened more than a day ago
    assert "<strong>2</strong> open cases" in old
    germany = console.client.get("/console/queue?country=de").text  # site-wide cases only
    assert "<strong>3</strong> open cases" in germany and "L4" not in germany
    america = console.client.get("/console/queue?country=US").text  # and the US measure's
    assert "<strong>4</strong> open cases" in america and "L4" in america


def test_a_case_shows_its_evidence_and_cost(console: Console) -> None:
    console.sign_in("reviewer")
    case_id = _case_of(console, "L1")
    page = console.client.get(f"/console/cases/{case_id}").text
    assert "Pure<mark>c0caine</mark> 1 gram, &lt;b&gt;fast&lt;/b&gt; shipping" in page
    assert "Confirming costs <strong>48</strong> points" in page  # cocaine: grade A+
    assert "misspelling" in page


def test_an_auditor_cannot_decide(console: Console) -> None:
    console.sign_in("auditor")
    case_id = _case_of(console, "L1")
    token = csrf(console.client.get("/console/queue").text)
    answer = console.client.post(
        f"/console/cases/{case_id}/decision",
        data={"decision": "dismiss", "reason": "no", "csrf": token},
    )
    assert answer.status_code == 403 and "reviewers only" in answer.text


def test_a_form_without_its_csrf_token_is_refused(console: Console) -> None:
    console.sign_in("reviewer")
    case_id = _case_of(console, "L1")
    for sent in ({}, {"csrf": "0" * 32}):
        answer = console.client.post(
            f"/console/cases/{case_id}/decision",
            data={"decision": "dismiss", "reason": "fine", **sent},
        )
        assert answer.status_code == 403 and "without its token" in answer.text
    assert console.ledger.case(case_id).status == "open"


def test_a_dismissal_suppresses_and_a_rescan_opens_nothing(console: Console) -> None:
    console.sign_in("reviewer")
    case_id = _case_of(console, "L1")
    page = console.client.get(f"/console/cases/{case_id}").text
    done = console.client.post(
        f"/console/cases/{case_id}/decision",
        data={"decision": "dismiss", "reason": "a chemistry set", "csrf": csrf(page)},
    )
    assert done.status_code == 200 and "Case dismissed." in done.text
    assert "a chemistry set" in console.client.get("/console/suppressions").text
    console.ledger.record([held("L1", "S1")], NOW)
    assert "<strong>3</strong> open cases" in console.client.get("/console/queue").text


def test_an_overturn_shows_its_effect_first_and_then_does_it(console: Console) -> None:
    console.sign_in("reviewer")
    appeal_id = console.ledger.appeals("pending")[0].appeal_id
    page = console.client.get(f"/console/appeals/{appeal_id}").text
    assert "12 → 6" in page and "restriction (at 12 points)" in page
    done = console.client.post(
        f"/console/appeals/{appeal_id}/decision",
        data={"decision": "overturn", "reason": "a book", "csrf": csrf(page)},
    )
    assert "Appeal overturned." in done.text
    seller = console.client.get("/console/sellers/S3").text
    assert '<span id="active-points">6</span>' in seller and "lifted" in seller


def test_an_unknown_case_is_a_404_page(console: Console) -> None:
    console.sign_in("reviewer")
    answer = console.client.get("/console/cases/nope")
    assert answer.status_code == 404 and "Not found" in answer.text


def test_sign_out_ends_the_session(console: Console) -> None:
    console.sign_in("reviewer")
    token = csrf(console.client.get("/console/queue").text)
    console.client.post("/console/sign-out", data={"csrf": token})
    assert console.client.get("/console/queue").url.path == "/console/sign-in"


def test_a_revoked_token_ends_the_session(console: Console) -> None:
    console.sign_in("reviewer")
    assert console.client.get("/console/queue").status_code == 200
    store = console.ledger.store
    reviewer = next(t for t in list_tokens(store) if t.role == "reviewer")
    revoke(store, reviewer.token_id, NOW)
    assert console.client.get("/console/queue").url.path == "/console/sign-in"


def test_the_sign_in_never_redirects_off_the_console(console: Console) -> None:
    answer = console.client.post(
        "/console/sign-in",
        data={"token": console.tokens["reviewer"], "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/console/queue"


def _case_of(console: Console, listing: str) -> str:
    page = console.ledger.cases(CaseQuery())
    return next(c.case_id for c in page.cases if c.listing_id == listing)
