"""Screening over HTTP: the request bodies, and `POST /v1/screen` served without the framework.

Publish-time screening is the service's hot path: the listing pipeline calls it once per
listing. Through FastAPI (routing, dependency solving, pydantic validation of a free-form
listing) a request cost about three times the screening itself; served here as a bare ASGI
endpoint, with its body decoded by msgspec into the typed struct below, it costs a fraction of
that. It shares authentication (`access`), the error mapping (`problems.respond`) and the
metrics with every other route, and its body type is the one `screen-and-record` reads.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import MutableMapping
from typing import Annotated, Any, TypeVar

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from contraband.api import problems
from contraband.api.access import authorise
from contraband.api.app import BodyTooLarge, Service
from contraband.api.problems import Problem
from contraband.api.tokens import Role
from contraband.ledger.model import ApiToken
from contraband.verdict import Verdict, to_json

JSON = "application/json"
PATH = "/v1/screen"
MAX_BATCH = 1000
INLINE_LISTINGS = 8  # at most this many listings are screened in the event loop itself
SCREENING_ROLES = frozenset({Role.PLATFORM.value, Role.SELLER.value})


class ScreenRequest(msgspec.Struct, forbid_unknown_fields=True):
    """One listing or a batch of up to 1,000, in the listing contract's fields."""

    listing: dict[str, Any] | None = None
    listings: (
        Annotated[list[dict[str, Any]], msgspec.Meta(min_length=1, max_length=MAX_BATCH)] | None
    ) = None
    as_of: dt.date | None = None  # the day the measures are judged on (default: today)

    def rows(self) -> list[dict[str, Any]]:
        return [self.listing] if self.listing is not None else list(self.listings or [])


class RecordRequest(ScreenRequest, forbid_unknown_fields=True):
    """A screening whose verdicts are recorded in the ledger."""

    at: dt.datetime | None = None  # the time of recording (default: now)


Body = TypeVar("Body", bound=ScreenRequest)
_DECODERS: dict[type, msgspec.json.Decoder[Any]] = {}
_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_UNKNOWN = re.compile(r"unknown field `(?P<name>[^`]*)`")


def decode(body: bytes, kind: type[Body]) -> Body:
    """The request body as `kind`, or a 422 whose errors name the field (`body.listings.3`)."""
    decoder = _DECODERS.get(kind)
    if decoder is None:
        decoder = _DECODERS[kind] = msgspec.json.Decoder(kind)
    try:
        request: Body = decoder.decode(body)
    except msgspec.ValidationError as error:
        raise _unfit(_field(str(error)), _AT.sub("", str(error))) from None
    except msgspec.DecodeError as error:
        raise _unfit("body", f"the body is not valid JSON ({error})") from None
    if (request.listing is None) == (request.listings is None):
        raise _unfit("body", "give exactly one of `listing` or `listings`")
    return request


def _field(message: str) -> str:
    """msgspec's `$.listings[3].title` as the API's `body.listings.3.title`."""
    match = _AT.search(message)
    path = match["path"] if match else ""
    field = "body" + re.sub(r"\[(\d+)\]", r".\1", path)
    unknown = _UNKNOWN.search(message)
    return f"{field}.{unknown['name']}" if unknown else field


def _unfit(field: str, message: str) -> Problem:
    errors = [{"field": field, "message": message}]
    return Problem(422, "the request does not fit the API", errors=errors)


def screen(svc: Service, request: ScreenRequest, token: ApiToken) -> list[Verdict]:
    """The verdicts for a request's listings; a seller screens only its own (its id is the
    default, another seller's id is refused)."""
    rows = request.rows()
    if token.role == Role.SELLER:
        for index, row in enumerate(rows):
            seller = row.setdefault("seller_id", token.seller_id)
            if seller != token.seller_id:
                raise Problem(422, f"listings[{index}].seller_id: not your seller id")
    as_of = request.as_of or svc.clock().date()
    screened = svc.screener.screen_records(
        [(row, f"listings[{i}]") for i, row in enumerate(rows)], as_of
    )
    verdicts = [verdict for _, verdict in screened]
    for verdict in verdicts:
        svc.metrics.verdict(verdict.action.value)
    return verdicts


def verdicts_json(verdicts: list[Verdict], extra: bytes = b"") -> bytes:
    """`{"verdicts": [...]}`, each verdict exactly as `contraband scan` writes it."""
    return b'{"verdicts":[' + b",".join(to_json(v) for v in verdicts) + b"]" + extra + b"}"


class ScreenEndpoint:
    """`POST /v1/screen` as a bare ASGI app: screen listings, record nothing. A seller checks
    its own drafts before publishing. The verdicts are exactly what `contraband scan` writes.

    A few listings are screened in the event loop (about a tenth of a millisecond each,
    cheaper than a thread hop); a larger batch goes to the thread pool, so that it does not
    hold up the requests behind it."""

    def __init__(self, svc: Service) -> None:
        self.svc = svc

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        try:
            response = await self._answer(scope, receive)
        except BodyTooLarge:
            raise  # answered by the guard that raised it
        except Exception as error:
            response = problems.respond(error, f"{scope.get('method')} {PATH}")
        await response(scope, receive, send)

    async def _answer(self, scope: MutableMapping[str, Any], receive: Any) -> Response:
        if scope["method"] != "POST":
            raise Problem(405, "use POST", {"Allow": "POST"})
        headers = dict(scope["headers"])
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        caller = await authorise(self.svc, authorization, SCREENING_ROLES, "POST", PATH)
        media = headers.get(b"content-type", b"application/json").split(b";")[0].strip()
        if media.lower() not in (b"application/json", b""):
            raise Problem(415, "send the body as application/json")
        request = decode(await _body(receive), ScreenRequest)
        if len(request.rows()) <= INLINE_LISTINGS:
            verdicts = screen(self.svc, request, caller.token)
        else:
            verdicts = await run_in_threadpool(screen, self.svc, request, caller.token)
        return Response(verdicts_json(verdicts), media_type=JSON)


async def _body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Problem(400, "the client went away before the body arrived")
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def openapi_paths() -> dict[str, Any]:
    """The OpenAPI description of `POST /v1/screen` (the framework does not see this route)."""
    return {
        PATH: {
            "post": {
                "tags": ["screening"],
                "summary": "Screen",
                "description": ScreenEndpoint.__doc__,
                "operationId": "screen_v1_screen_post",
                "requestBody": {
                    "required": True,
                    "content": {JSON: {"schema": {"$ref": "#/components/schemas/ScreenRequest"}}},
                },
                "responses": {
                    "200": {
                        "description": "Verdicts",
                        "content": {JSON: {"schema": {"$ref": "#/components/schemas/Verdicts"}}},
                    },
                    **{
                        str(status): {"description": problems.title(status)}
                        for status in (401, 403, 413, 415, 422, 429)
                    },
                },
            }
        }
    }
