"""The routes: one per job of PRODUCT.md's users, each with the roles that may call it.

Responses carry the contract's own JSON (verdicts exactly as `contraband scan` writes them,
the ledger's typed read models); request bodies are validated with field paths (422).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

import msgspec
import orjson
from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from contraband.api.access import Caller, authorise, own_seller
from contraband.api.app import Service
from contraband.api.problems import Problem
from contraband.api.screening import RecordRequest, ScreenRequest, decode, screen, verdicts_json
from contraband.api.tokens import Role
from contraband.ledger.model import IdempotentAnswer
from contraband.ledger.store import CaseQuery
from contraband.ledger.views import (
    AppealView,
    CasePage,
    CaseView,
    CertificateView,
    SellerView,
    SuppressionView,
    appeal_view,
)
from contraband.policy import Measure, with_measures
from contraband.screening import Screener
from contraband.verdict import Verdict

JSON = "application/json"
Id = Annotated[str, Field(min_length=1, max_length=1000)]

router = APIRouter()
unauthenticated = APIRouter()


class Verdicts(msgspec.Struct):
    """The answer to a screening: one verdict per listing, in order (the contract's JSON)."""

    verdicts: list[Verdict]


#: The bodies documented in the OpenAPI schema, from the contract's own structs.
SCHEMA_TYPES: tuple[type, ...] = (
    ScreenRequest,
    RecordRequest,
    Verdicts,
    SellerView,
    AppealView,
    CertificateView,
    CasePage,
    CaseView,
    SuppressionView,
)


def returns(name: str, status: int = 200, many: bool = False) -> dict[int | str, Any]:
    """OpenAPI `responses` naming one of RESPONSE_TYPES (a list of it, when `many`)."""
    schema: dict[str, Any] = {"$ref": f"#/components/schemas/{name}"}
    if many:
        schema = {"type": "array", "items": schema}
    return {status: {"description": name, "content": {JSON: {"schema": schema}}}}


def _json(value: Any, status: int = 200) -> Response:
    return Response(msgspec.json.encode(value), status, media_type=JSON)


# --- authentication and roles ----------------------------------------------------------------


def allow(*roles: Role) -> Callable[..., Awaitable[Caller]]:
    """The one dependency of a route: the caller, if its role is one of `roles`; else 403
    (and audited). One dependency with one parameter: FastAPI resolves it cheaply."""
    names = frozenset(r.value for r in roles)

    async def check(request: Request) -> Caller:
        svc: Service = request.app.state.service
        authorization = request.headers.get("authorization", "")
        return await authorise(svc, authorization, names, request.method, request.url.path)

    return check


# --- health ----------------------------------------------------------------------------------


@unauthenticated.get("/healthz", tags=["health"])
def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@unauthenticated.get("/readyz", tags=["health"])
def readyz(request: Request) -> Response:
    """The pack is loaded and the database answers."""
    svc: Service = request.app.state.service
    try:
        depth = svc.queue_depth()
    except Exception as error:
        return _json({"status": "unavailable", "database": str(error)[:200]}, 503)
    return _json({"status": "ready", "policy_version": svc.pack.version, "review_queue": depth})


@unauthenticated.get("/metrics", tags=["health"])
def metrics(request: Request) -> Response:
    """Prometheus text: requests, latency, verdicts by action, review queue depth."""
    svc: Service = request.app.state.service
    return Response(svc.metrics.render(), media_type="text/plain; version=0.0.4")


# --- screening (`POST /v1/screen` itself is served by `api.screening`) ---------------------


@router.post(
    "/screen-and-record",
    tags=["screening"],
    responses=returns("Verdicts"),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {JSON: {"schema": {"$ref": "#/components/schemas/RecordRequest"}}},
        }
    },
)
async def screen_and_record(
    request: Request,
    caller: Annotated[Caller, Depends(allow(Role.PLATFORM))],
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    """Screen listings and record the verdicts in the ledger (points, sanctions, review
    cases). Needs an `Idempotency-Key`: a retry with the same key records nothing twice and
    returns the first answer."""
    if not idempotency_key:
        raise Problem(400, "send an Idempotency-Key header (1-200 characters)")
    body = decode(await request.body(), RecordRequest)
    return await run_in_threadpool(_screen_and_record, caller, body, idempotency_key)


def _screen_and_record(caller: Caller, body: RecordRequest, idempotency_key: str) -> Response:
    svc, token = caller.svc, caller.token
    request_hash = hashlib.sha256(msgspec.json.encode(body)).hexdigest()
    store = svc.ledger.store
    with store.session() as session:
        first = session.idempotent_answer(token.token_id, idempotency_key)
    if first is not None:
        return _replay(first, request_hash)
    verdicts = screen(svc, body, token)
    at = body.at or svc.clock()
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    summary = svc.ledger.record(verdicts, at, actor=f"token:{token.token_id}")
    recorded = {
        "verdicts": summary.verdicts,
        "new_infringements": summary.infringements_new,
        "point_entries": summary.entries,
        "sanction_changes": summary.sanctions,
        "cases_opened": summary.cases_opened,
    }
    content = verdicts_json(verdicts, b',"recorded":' + orjson.dumps(recorded))
    answer = IdempotentAnswer(token.token_id, idempotency_key, request_hash, 200, content, at)
    with store.session() as session:
        session.add_idempotent_answer(answer)
        stored = session.idempotent_answer(token.token_id, idempotency_key)
    return _replay(stored or answer, request_hash, replayed=stored is not None and stored != answer)


def _replay(answer: IdempotentAnswer, request_hash: str, replayed: bool = True) -> Response:
    if answer.request_hash != request_hash:
        raise Problem(422, "this Idempotency-Key was used with a different request")
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    return Response(bytes(answer.body), answer.status, headers=headers, media_type=JSON)


# --- sellers, appeals, certificates ----------------------------------------------------------


def _moment(at: dt.datetime | None, svc: Service) -> dt.datetime:
    if at is None:
        return svc.clock()
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


@router.get("/sellers/{seller_id}", tags=["sellers"], responses=returns("SellerView"))
def seller(
    seller_id: str,
    caller: Annotated[Caller, Depends(allow(Role.PLATFORM, Role.SELLER, Role.REVIEWER))],
    at: dt.datetime | None = None,
) -> Response:
    """Points, entries with expiry and evidence, sanctions, appeals and notices, as of `at`."""
    svc, token = caller.svc, caller.token
    own_seller(token, seller_id)
    return _json(svc.ledger.seller(seller_id, _moment(at, svc)))


class AppealRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    infringement_id: Id
    reason: Annotated[str, Field(min_length=1, max_length=10_000)]


@router.post("/appeals", tags=["appeals"], status_code=201, responses=returns("AppealView", 201))
def file_appeal(
    body: AppealRequest,
    caller: Annotated[Caller, Depends(allow(Role.SELLER, Role.PLATFORM))],
) -> Response:
    """A seller appeals one of its infringements, within the pack's window."""
    svc, token = caller.svc, caller.token
    owner = svc.ledger.infringement_owner(body.infringement_id)
    if owner is None or (token.role == Role.SELLER and owner != token.seller_id):
        raise Problem(404, f"no infringement {body.infringement_id!r}")
    appeal = svc.ledger.file_appeal(
        body.infringement_id, body.reason, svc.clock(), actor=f"token:{token.token_id}"
    )
    return _json(appeal_view(appeal), 201)


@router.get("/appeals", tags=["appeals"], responses=returns("AppealView", many=True))
def appeals(
    caller: Annotated[Caller, Depends(allow(Role.REVIEWER))],
    status: Literal["pending", "upheld", "overturned"] = "pending",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """Appeals by status, oldest first."""
    svc = caller.svc
    return _json(svc.ledger.appeals(status, limit, offset))


class AppealDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["uphold", "overturn"]
    reason: Annotated[str, Field(min_length=1, max_length=10_000)]


@router.post("/appeals/{appeal_id}/decision", tags=["appeals"], responses=returns("AppealView"))
def decide_appeal(
    appeal_id: str,
    body: AppealDecision,
    caller: Annotated[Caller, Depends(allow(Role.REVIEWER))],
) -> Response:
    """Uphold, or overturn (the points and every sanction they caused are reversed)."""
    svc, token = caller.svc, caller.token
    appeal = svc.ledger.decide_appeal(
        appeal_id, body.decision == "overturn", body.reason, f"token:{token.token_id}", svc.clock()
    )
    return _json(appeal_view(appeal))


class CertificateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seller_id: Annotated[str | None, Field(min_length=1, max_length=200)] = None
    item_id: Annotated[str, Field(min_length=1, max_length=80)]
    countries: list[Annotated[str, Field(pattern=r"^[A-Z]{2}$")]] = Field(
        default=[], max_length=300
    )
    valid_until: dt.date
    document: Annotated[str | None, Field(max_length=2000)] = None  # where the file is


@router.post("/certificates", tags=["certificates"], status_code=201)
def add_certificate(
    body: CertificateRequest,
    caller: Annotated[Caller, Depends(allow(Role.REVIEWER, Role.SELLER))],
) -> Response:
    """A seller uploads a certificate for its own items (pending until a reviewer verifies
    it; the document is a reference, e.g. a URL to the platform's file store); a reviewer
    puts a verified certificate on file."""
    svc, token = caller.svc, caller.token
    seller_id = body.seller_id
    if token.role == Role.SELLER:
        if seller_id not in (None, token.seller_id):
            raise Problem(422, "seller_id: not your seller id")
        seller_id = token.seller_id
    if seller_id is None:
        raise Problem(422, "seller_id: required")
    certificate_id = svc.ledger.add_certificate(
        seller_id,
        body.item_id,
        tuple(body.countries),
        body.valid_until,
        svc.clock(),
        actor=f"token:{token.token_id}",
        pending=token.role == Role.SELLER,
        document=body.document,
    )
    status = "pending" if token.role == Role.SELLER else "verified"
    return _json({"certificate_id": certificate_id, "status": status}, 201)


@router.get("/certificates", tags=["certificates"], responses=returns("CertificateView", many=True))
def certificates(
    caller: Annotated[Caller, Depends(allow(Role.REVIEWER, Role.SELLER, Role.PLATFORM))],
    seller_id: Annotated[str | None, Query(max_length=200)] = None,
    status: Literal["pending", "verified", "rejected"] | None = None,
) -> Response:
    """Certificates with their status; a seller sees its own."""
    svc, token = caller.svc, caller.token
    if token.role == Role.SELLER:
        if seller_id not in (None, token.seller_id):
            raise Problem(404, f"no seller {seller_id!r}")
        seller_id = token.seller_id
    found = svc.ledger.certificate_list(seller_id)
    return _json([c for c in found if status is None or c.status == status])


class CertificateDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["verify", "reject"]


@router.post(
    "/certificates/{certificate_id}/decision",
    tags=["certificates"],
    responses=returns("CertificateView"),
)
def decide_certificate(
    certificate_id: str,
    body: CertificateDecision,
    caller: Annotated[Caller, Depends(allow(Role.REVIEWER))],
) -> Response:
    """A reviewer verifies (it counts from now on) or rejects a seller's upload."""
    svc, token = caller.svc, caller.token
    decided = svc.ledger.decide_certificate(
        certificate_id, body.decision == "verify", f"token:{token.token_id}", svc.clock()
    )
    return _json(decided)


# --- review ----------------------------------------------------------------------------------


@router.get("/review/cases", tags=["review"], responses=returns("CasePage"))
def cases(
    caller: Annotated[Caller, Depends(allow(Role.REVIEWER))],
    status: Literal["open", "confirmed", "dismissed"] = "open",
    seller_id: Annotated[str | None, Query(max_length=200)] = None,
    item_id: Annotated[str | None, Query(max_length=80)] = None,
    kind: Annotated[str | None, Query(max_length=40)] = None,
    country: Annotated[str | None, Query(pattern="^[A-Z]{2}$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """The review queue, oldest first, filtered, one page with the total."""
    svc = caller.svc
    query = CaseQuery(status, seller_id, item_id, kind, country=country, limit=limit, offset=offset)
    return _json(svc.ledger.cases(query))


@router.get("/review/cases/{case_id}", tags=["review"], responses=returns("CaseView"))
def case(
    case_id: str,
    caller: Annotated[Caller, Depends(allow(Role.REVIEWER))],
) -> Response:
    svc = caller.svc
    return _json(svc.ledger.case(case_id))


class CaseDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["confirm", "dismiss"]
    reason: Annotated[str, Field(min_length=1, max_length=10_000)]


@router.post("/review/cases/{case_id}/decision", tags=["review"], responses=returns("CaseView"))
def decide_case(
    case_id: str,
    body: CaseDecision,
    caller: Annotated[Caller, Depends(allow(Role.REVIEWER))],
) -> Response:
    """Confirm (the rule's points are recorded) or dismiss (a suppression is made). Two
    reviewers at once: one wins, the other gets 409."""
    svc, token = caller.svc, caller.token
    decided = svc.ledger.decide_case(
        case_id, body.decision == "confirm", body.reason, f"token:{token.token_id}", svc.clock()
    )
    return _json(decided)


@router.get(
    "/review/suppressions", tags=["review"], responses=returns("SuppressionView", many=True)
)
def suppressions(
    caller: Annotated[Caller, Depends(allow(Role.REVIEWER))],
    include_revoked: bool = False,
) -> Response:
    svc = caller.svc
    return _json(svc.ledger.suppressions(active_only=not include_revoked))


@router.delete("/review/suppressions/{suppression_id}", tags=["review"], status_code=204)
def revoke_suppression(
    suppression_id: str,
    caller: Annotated[Caller, Depends(allow(Role.REVIEWER))],
) -> Response:
    svc, token = caller.svc, caller.token
    svc.ledger.revoke_suppression(suppression_id, f"token:{token.token_id}", svc.clock())
    return Response(status_code=204)


# --- operators and auditors ------------------------------------------------------------------


@router.get("/policy", tags=["policy"])
def policy(
    caller: Annotated[Caller, Depends(allow(Role.OPERATOR))],
    as_of: dt.date | None = None,
) -> Response:
    """The active pack and each measure's state on `as_of` (default today)."""
    svc = caller.svc
    day = as_of or svc.clock().date()
    pack = svc.pack
    return _json(
        {
            "name": pack.name,
            "version": pack.version,
            "items": len(pack.items),
            "terms": sum(len(item.term_entries()) for item in pack.items),
            "as_of": day.isoformat(),
            "measures": [
                {
                    "id": m.id,
                    "title": m.title,
                    "state": m.state_on(day).value,
                    "kind": m.kind.value,
                    "items": list(m.items),
                    "countries": list(m.countries),
                    "publicized": m.publicized.isoformat(),
                    "effective": m.effective.isoformat(),
                    "expires": m.expires.isoformat() if m.expires else None,
                }
                for m in pack.measures
            ],
        }
    )


#: Listings one preview request may carry (a sample of the catalog, not the catalog).
PREVIEW_LISTINGS = 10_000


class MeasurePreviewRequest(BaseModel):
    """Measures to add to the active pack (or to replace, by id), and the listings to try
    them on; answered with what they would change (`contraband measure preview --json`)."""

    model_config = ConfigDict(extra="forbid")

    measures: Annotated[list[Measure], Field(min_length=1, max_length=100)]
    listings: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=PREVIEW_LISTINGS)]
    as_of: dt.date | None = None  # the day to judge (default: today)
    examples: Annotated[int, Field(ge=0, le=100)] = 10


@router.post("/measures/preview", tags=["policy"])
def preview_measures(
    body: MeasurePreviewRequest,
    caller: Annotated[Caller, Depends(allow(Role.OPERATOR))],
) -> Response:
    """Before a measure is published: screen a sample of listings under the active pack and
    under the pack with the proposed measures, and say what would change (listings newly
    hidden per country, removed, held; sellers affected; points and the sanctions they
    reach), with example listings and their evidence. Nothing is recorded."""
    from contraband.batch.preview import Impact, compare

    svc = caller.svc
    proposed = with_measures(svc.pack, body.measures, f"{svc.pack.version}+preview")
    day = body.as_of or svc.clock().date()
    trial = Screener(proposed, svc.index, certificates=svc.certificates)
    records = [(row, f"listings.{i}") for i, row in enumerate(body.listings)]
    impact = compare(svc.screener, trial, records, day, Impact(examples_wanted=body.examples))
    data = impact.to_json(trial, svc.pack.version, proposed.version)
    data["as_of"] = day.isoformat()
    return _json(data)


@router.get("/audit", tags=["audit"])
def audit(
    caller: Annotated[Caller, Depends(allow(Role.AUDITOR))],
) -> Response:
    """Every change the ledger made, oldest first, as JSON lines."""
    svc = caller.svc
    lines = [
        orjson.dumps(
            {
                "event_id": e.event_id,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "subject": e.subject,
                "detail": e.detail,
            }
        )
        for e in svc.ledger.audit()
    ]
    return Response(
        b"\n".join(lines) + (b"\n" if lines else b""), media_type="application/x-ndjson"
    )
