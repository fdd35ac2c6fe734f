"""Errors as RFC 9457 problem details (application/problem+json), mapped in one place."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from contraband.errors import ContrabandError, TransientError

MEDIA_TYPE = "application/problem+json"
_log = logging.getLogger("contraband.api")
_TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    428: "Precondition required",
    429: "Too many requests",
    503: "Service unavailable",
    500: "Internal server error",
}


def title(status: int) -> str:
    return _TITLES.get(status, "Error")


def problem(
    status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    body = {
        "type": "about:blank",
        "title": title(status),
        "status": status,
        "detail": detail,
        **extra,
    }
    return Response(orjson.dumps(body, default=str), status, headers=headers, media_type=MEDIA_TYPE)


class Problem(Exception):
    """Raised in a route to answer with a problem."""

    def __init__(
        self,
        status: int,
        detail: str,
        headers: dict[str, str] | None = None,
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers
        self.errors = errors


def respond(error: Exception, where: str = "") -> Response:
    """The one mapping from an error to its problem response: a client's mistake gets its
    4xx, a passing database fault 503 with Retry-After, anything else a 500 that says
    nothing of the internals (and is logged)."""
    if isinstance(error, Problem):
        extra = {"errors": error.errors} if error.errors is not None else {}
        return problem(error.status, error.detail, error.headers, **extra)
    if isinstance(error, TransientError):
        return problem(503, str(error), {"Retry-After": "1"}, code=error.code)
    if isinstance(error, ContrabandError):
        status = error.http_status if error.http_status < 500 else 400
        return problem(status, str(error), code=error.code)
    if isinstance(error, RequestValidationError):
        errors = [
            {"field": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
            for e in error.errors()
        ]
        return problem(422, "the request does not fit the API", errors=errors[:50])
    if isinstance(error, HTTPException):
        return problem(error.status_code, str(error.detail), getattr(error, "headers", None))
    _log.error("unexpected error on %s", where, exc_info=error)
    return problem(500, "an unexpected error; it has been logged")


def install(app: FastAPI) -> None:
    """Every error a client can cause becomes a problem with the right status; nothing else
    escapes (an unexpected error is a 500 problem with no internals in it)."""

    async def handle(request: Request, error: Exception) -> Response:
        return respond(error, f"{request.method} {request.url.path}")

    for kind in (Problem, ContrabandError, RequestValidationError, HTTPException, Exception):
        app.add_exception_handler(kind, handle)
