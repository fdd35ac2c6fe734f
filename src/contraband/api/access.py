"""Who is calling: the bearer token (401), its rate limit (429) and its role (403, audited).

Shared by the framework's routes (`routes.allow`) and the lean screening path, so that both
answer a caller the same way."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool

from contraband.api.app import Service
from contraband.api.problems import Problem
from contraband.api.tokens import Role
from contraband.ledger.model import ApiToken, AuditEvent


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling (a live token of an allowed role) and the service they call."""

    token: ApiToken
    svc: Service


async def authorise(
    svc: Service, authorization: str, roles: Collection[str], method: str, path: str
) -> Caller:
    """The caller behind an `Authorization` header, if its role is one of `roles`.

    Async, and from the process's token cache when it can: the common path costs no thread
    hop and no database round trip (see `Service.token`)."""
    token = await _principal(svc, authorization)
    if token.role not in roles:
        await run_in_threadpool(_audit_denial, svc, token, method, path)
        raise Problem(403, f"a {token.role} token may not do this")
    return Caller(token, svc)


async def _principal(svc: Service, authorization: str) -> ApiToken:
    scheme, _, secret = authorization.partition(" ")
    secret = secret.strip()
    challenge = {"WWW-Authenticate": "Bearer"}
    if scheme.lower() != "bearer" or not secret:
        raise Problem(401, "send `Authorization: Bearer <token>`", challenge)
    token = svc.cached_token(secret)
    if token is None:
        token = await run_in_threadpool(svc.token, secret)
    if token is None:
        raise Problem(401, "the token is unknown, malformed or revoked", challenge)
    wait = svc.limits.take(token.token_id)
    if wait > 0:
        raise Problem(429, "rate limit reached", {"Retry-After": str(max(1, round(wait + 0.5)))})
    return token


def _audit_denial(svc: Service, token: ApiToken, method: str, path: str) -> None:
    at = svc.clock()
    with svc.ledger.store.session() as session:
        session.add_audit(
            [
                AuditEvent(
                    f"denied:{token.token_id}:{method}:{path}:{at.isoformat()}"[:200],
                    at,
                    f"token:{token.token_id}",
                    "access_denied",
                    path[:1000],
                    {"role": token.role, "method": method},
                )
            ]
        )


def own_seller(token: ApiToken, seller_id: str) -> None:
    """A seller token sees only its own seller: another seller's data does not exist (404)."""
    if token.role == Role.SELLER and token.seller_id != seller_id:
        raise Problem(404, f"no seller {seller_id!r}")
