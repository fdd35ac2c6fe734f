"""The console's pages: sign-in, the review queue, a case, appeals, a seller, measures.

Pages are rendered on the server from the ledger's read models (the same ones the API
returns), so a decision shows at once everywhere. Forms work without script; htmx (vendored)
only spares a full reload. Every list paginates. A role that may not see a page gets a 403
page that says so; a decision needs the reviewer role and the form's CSRF token.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.staticfiles import StaticFiles

from contraband.api.app import Service
from contraband.api.console.access import (
    COOKIE,
    COOKIE_PATH,
    SESSION_SECONDS,
    STAFF,
    Staff,
    csrf_ok,
    signed_in,
    staff_token,
)
from contraband.api.console.chart import Threshold, points_chart, points_per_day
from contraband.api.tokens import Role
from contraband.errors import ContrabandError, NotFoundError
from contraband.ledger.store import CaseQuery
from contraband.ledger.views import SellerView
from contraband.report.evidence import highlight, reveal
from contraband.verdict import Finding, FindingKind

PAGE = 25  # rows per page
AGES = {"": None, "1d": 1, "7d": 7, "30d": 30}  # "older than" filter, in days
READERS = (Role.REVIEWER, Role.OPERATOR, Role.AUDITOR)

router = APIRouter(prefix="/console", include_in_schema=False)
STATIC = StaticFiles(directory=Path(__file__).parent / "static")

_templates = Environment(
    loader=PackageLoader("contraband.api.console", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _evidence(finding: Finding | None) -> Markup:
    """The finding in the words around it, its disguises made visible (the report's
    rendering); a finding recorded before verdicts kept those words shows its text alone."""
    if finding is None or finding.text is None:
        return Markup("")
    before, after = finding.before or "", finding.after or ""
    span = (len(before), len(before) + len(finding.text))
    return Markup(highlight(before + finding.text + after, span))


def _reveal(text: str | None) -> Markup:
    return Markup(reveal(text or ""))


_templates.globals.update(evidence=_evidence, reveal=_reveal)


def _render(name: str, request: Request, status: int = 200, **context: Any) -> HTMLResponse:
    html = _templates.get_template(name).render(request=request, **context)
    return HTMLResponse(html, status_code=status)


def _svc(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


async def _staff(request: Request) -> Staff | None:
    return await run_in_threadpool(signed_in, _svc(request), request)


def _to_sign_in(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{COOKIE_PATH}/sign-in?{urlencode({'next': target})}", 303)


def _denied(request: Request, staff: Staff, what: str) -> HTMLResponse:
    return _render("denied.html", request, 403, staff=staff, what=what)


async def _page(
    request: Request, roles: tuple[str, ...], what: str, build: Callable[[Staff], HTMLResponse]
) -> Response:
    """Sign-in, then role, then the page (built in a thread: it reads the database)."""
    staff = await _staff(request)
    if staff is None:
        return _to_sign_in(request)
    if not staff.may(*roles):
        return _denied(request, staff, what)
    try:
        return await run_in_threadpool(build, staff)
    except NotFoundError as error:
        return _render("denied.html", request, 404, staff=staff, what=str(error), missing=True)


# --- signing in and out ------------------------------------------------------------------


@router.get("/sign-in")
def sign_in_form(request: Request, next: str = "") -> HTMLResponse:
    return _render("sign_in.html", request, next=_safe_next(next), error=None)


@router.post("/sign-in")
async def sign_in(
    request: Request, token: Annotated[str, Form()] = "", next: Annotated[str, Form()] = ""
) -> Response:
    found = await run_in_threadpool(staff_token, _svc(request), token.strip())
    if found is None:
        message = "That token is unknown, revoked, or not a reviewer, operator or auditor token."
        return _render("sign_in.html", request, 403, next=_safe_next(next), error=message)
    response = RedirectResponse(_safe_next(next) or f"{COOKIE_PATH}/queue", 303)
    response.set_cookie(
        COOKIE,
        token.strip(),
        max_age=SESSION_SECONDS,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/sign-out")
async def sign_out(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    staff = await _staff(request)
    if staff is not None and not csrf_ok(staff, csrf):
        return _render("denied.html", request, 403, staff=staff, what="a form without its token")
    response = RedirectResponse(f"{COOKIE_PATH}/sign-in", 303)
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


def _safe_next(target: str) -> str:
    """Only a console path: never a redirect to another site."""
    ok = target.startswith(COOKIE_PATH + "/") and "//" not in target and "\\" not in target
    return target if ok else ""


@router.get("")
@router.get("/")
def home() -> Response:
    return RedirectResponse(f"{COOKIE_PATH}/queue", 303)


# --- the queue and its cases -----------------------------------------------------------


@router.get("/queue")
async def queue(
    request: Request,
    item: str = "",
    kind: str = "",
    seller: str = "",
    country: str = "",
    age: str = "",
    page: int = 1,
) -> Response:
    def build(staff: Staff) -> HTMLResponse:
        service = _svc(request)
        days = AGES.get(age)
        now = service.clock()
        code = country.strip().upper()
        query = CaseQuery(
            status="open",
            seller_id=seller.strip() or None,
            item_id=item or None,
            kind=kind or None,
            opened_before=now - dt.timedelta(days=days) if days else None,
            country=code if len(code) == 2 and code.isalpha() and code.isascii() else None,
            limit=PAGE,
            offset=(max(page, 1) - 1) * PAGE,
        )
        found = service.ledger.cases(query)
        filters = {"item": item, "kind": kind, "seller": seller, "country": code, "age": age}
        return _render(
            "queue.html",
            request,
            staff=staff,
            cases=found.cases,
            total=found.total,
            all_open=service.queue_depth(),
            filters=filters,
            items=sorted(service.pack.items_by_id),
            kinds=[k.value for k in FindingKind],
            ages=list(AGES),
            pages=_pages(found.total, page, filters),
            now=now,
        )

    return await _page(request, READERS, "the review queue", build)


@router.get("/cases/{case_id}")
async def case(request: Request, case_id: str, done: str = "") -> Response:
    def build(staff: Staff) -> HTMLResponse:
        service = _svc(request)
        view = service.ledger.case(case_id)
        seller = _seller_or_none(service, view.seller_id)
        return _render(
            "case.html",
            request,
            staff=staff,
            case=view,
            seller=seller,
            recent=sorted(seller.entries, key=lambda e: e.at, reverse=True)[:5] if seller else [],
            done=done,
        )

    return await _page(request, READERS, "review cases", build)


@router.post("/cases/{case_id}/decision")
async def decide_case(
    request: Request,
    case_id: str,
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    def act(service: Service, staff: Staff, confirm: bool) -> None:
        service.ledger.decide_case(case_id, confirm, reason, staff.name, service.clock())

    choices = ("confirm", "dismiss")
    return await _decision(request, csrf, decision, choices, act, f"/cases/{case_id}")


# --- appeals -----------------------------------------------------------------------------


@router.get("/appeals")
async def appeals(request: Request, page: int = 1) -> Response:
    def build(staff: Staff) -> HTMLResponse:
        service = _svc(request)
        total = service.ledger.count_appeals("pending")
        rows = service.ledger.appeals("pending", PAGE, (max(page, 1) - 1) * PAGE)
        evidence = {
            a.appeal_id: service.ledger.infringement_evidence(a.infringement_id) for a in rows
        }
        return _render(
            "appeals.html",
            request,
            staff=staff,
            appeals=rows,
            evidence=evidence,
            total=total,
            pages=_pages(total, page, {}),
        )

    return await _page(request, READERS, "appeals", build)


@router.get("/appeals/{appeal_id}")
async def appeal(request: Request, appeal_id: str, done: str = "") -> Response:
    def build(staff: Staff) -> HTMLResponse:
        service = _svc(request)
        view = service.ledger.appeal_view(appeal_id)
        preview = (
            service.ledger.overturn_preview(appeal_id, service.clock())
            if view.status == "pending"
            else None
        )
        return _render(
            "appeal.html",
            request,
            staff=staff,
            appeal=view,
            finding=service.ledger.infringement_evidence(view.infringement_id),
            preview=preview,
            seller_id=service.ledger.appeal_owner(appeal_id),
            done=done,
        )

    return await _page(request, READERS, "appeals", build)


@router.post("/appeals/{appeal_id}/decision")
async def decide_appeal(
    request: Request,
    appeal_id: str,
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    def act(service: Service, staff: Staff, overturn: bool) -> None:
        service.ledger.decide_appeal(appeal_id, overturn, reason, staff.name, service.clock())

    choices = ("overturn", "uphold")
    return await _decision(request, csrf, decision, choices, act, f"/appeals/{appeal_id}")


async def _decision(
    request: Request,
    csrf: str,
    decision: str,
    choices: tuple[str, str],
    act: Callable[[Service, Staff, bool], None],
    page: str,
) -> Response:
    """A reviewer's decision posted from a form: its CSRF token, one of the two `choices`
    (the first is `act`'s True), then back to the decided `page` saying what was done."""

    def build(staff: Staff) -> HTMLResponse:
        if not csrf_ok(staff, csrf):
            return _denied(request, staff, "a form without its token")
        if decision not in choices:
            return _problem(request, staff, f"choose {choices[0]} or {choices[1]}")
        try:
            act(_svc(request), staff, decision == choices[0])
        except ContrabandError as error:
            return _problem(request, staff, str(error))
        return _redirect(f"{COOKIE_PATH}{page}?done={decision}")

    return await _page(request, (Role.REVIEWER,), "decisions (reviewers only)", build)


# --- sellers, suppressions, measures ----------------------------------------------------


@router.get("/sellers/{seller_id}")
async def seller(request: Request, seller_id: str, page: int = 1) -> Response:
    def build(staff: Staff) -> HTMLResponse:
        service = _svc(request)
        view = service.ledger.seller(seller_id, service.clock())
        rules = service.pack.rules
        series = points_per_day(view.entries, view.at, rules.record_days)
        thresholds = [Threshold(s.points, s.sanction.replace("_", " ")) for s in rules.ladder]
        entries = sorted(view.entries, key=lambda e: e.at, reverse=True)
        start = (max(page, 1) - 1) * PAGE
        return _render(
            "seller.html",
            request,
            staff=staff,
            seller=view,
            chart=Markup(points_chart(series, thresholds, f"Seller {seller_id}")),
            entries=entries[start : start + PAGE],
            pages=_pages(len(entries), page, {}),
            certificates=service.ledger.certificate_list(seller_id),
        )

    return await _page(request, READERS, "sellers", build)


@router.get("/suppressions")
async def suppressions(request: Request, page: int = 1) -> Response:
    def build(staff: Staff) -> HTMLResponse:
        rows = _svc(request).ledger.suppressions(active_only=True)
        start = (max(page, 1) - 1) * PAGE
        return _render(
            "suppressions.html",
            request,
            staff=staff,
            rows=rows[start : start + PAGE],
            total=len(rows),
            pages=_pages(len(rows), page, {}),
        )

    return await _page(request, READERS, "suppressions", build)


@router.get("/measures")
async def measures(request: Request, page: int = 1) -> Response:
    def build(staff: Staff) -> HTMLResponse:
        service = _svc(request)
        today = service.clock().date()
        hits = {h.measure_id: h for h in service.ledger.measure_hits()}
        ordered = sorted(service.pack.measures, key=lambda m: (m.effective, m.id))
        start = (max(page, 1) - 1) * PAGE
        rows = [
            (m, m.state_on(today).value.replace("_", " "), hits.get(m.id))
            for m in ordered[start : start + PAGE]
        ]
        return _render(
            "measures.html",
            request,
            staff=staff,
            rows=rows,
            today=today,
            pages=_pages(len(ordered), page, {}),
        )

    return await _page(request, (Role.OPERATOR, Role.AUDITOR), "measures (operators)", build)


# --- helpers -----------------------------------------------------------------------------


def _seller_or_none(service: Service, seller_id: str) -> SellerView | None:
    try:
        return service.ledger.seller(seller_id, service.clock())
    except NotFoundError:
        return None


def _problem(request: Request, staff: Staff, message: str) -> HTMLResponse:
    return _render("problem.html", request, 409, staff=staff, message=message)


def _redirect(target: str) -> HTMLResponse:
    """A 303 (the browser follows it to a GET), as an HTMLResponse for `_page`."""
    return HTMLResponse("", status_code=303, headers={"Location": target})


def _pages(total: int, page: int, filters: dict[str, str]) -> dict[str, Any]:
    """Page numbers and the query strings of the previous and next pages."""
    last = max(1, -(-total // PAGE))
    page = min(max(page, 1), last)
    kept = {k: v for k, v in filters.items() if v}

    def link(n: int) -> str:
        return "?" + urlencode({**kept, "page": n})

    return {
        "page": page,
        "last": last,
        "previous": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if page < last else None,
    }


__all__ = ["STAFF", "STATIC", "router"]
