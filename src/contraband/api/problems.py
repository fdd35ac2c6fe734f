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


def problem(
    status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    body = {
        "type": "about:blank",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **extra,
    }
    return Response(orjson.dumps(body, default=str), status, headers=headers, media_type=MEDIA_TYPE)


class Problem(Exception):
    """Raised in a route to answer with a problem."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers


def install(app: FastAPI) -> None:
    """Every error a client can cause becomes a problem with the right status; nothing else
    escapes (an unexpected error is a 500 problem with no internals in it)."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, error: Problem) -> Response:
        return problem(error.status, error.detail, error.headers)

    @app.exception_handler(ContrabandError)
    async def _domain(request: Request, error: ContrabandError) -> Response:
        if isinstance(error, TransientError):
            return problem(503, str(error), {"Retry-After": "1"}, code=error.code)
        status = error.http_status if error.http_status < 500 else 400
        return problem(status, str(error), code=error.code)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        errors = [
            {"field": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
            for e in error.errors()
        ]
        return problem(422, "the request does not fit the API", errors=errors[:50])

    @app.exception_handler(HTTPException)
    async def _http(request: Request, error: HTTPException) -> Response:
        return problem(error.status_code, str(error.detail), getattr(error, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> Response:
        _log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
        return problem(500, "an unexpected error; it has been logged")
