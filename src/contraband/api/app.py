"""The service application: one screener and one ledger per process, routes with roles.

`create_app()` builds it from the settings (the same ones every command reads); `serve` runs
it under uvicorn with N worker processes, each building its screener once from the index
cache. Every `/v1` route authenticates its bearer token (401) and checks its role (403,
audited); a seller's token sees only its own seller (another seller's data answers 404).
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI

from contraband.api import problems
from contraband.api.metrics import Metrics
from contraband.api.tokens import verify
from contraband.ledger import Ledger
from contraband.ledger.certificates import CachedCertificates
from contraband.ledger.model import ApiToken
from contraband.ledger.store import CaseQuery, LedgerStore
from contraband.policy import load_pack
from contraband.screening import Screener, build_index, load_models
from contraband.settings import Settings, settings

#: Largest request body; larger ones answer 413 before they are read whole.
MAX_BODY_BYTES = 16 * 1024 * 1024

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class Service:
    """What the routes share: pack, screener, ledger, metrics, rate limits and the clock."""

    def __init__(
        self,
        config: Settings,
        store: LedgerStore | None = None,
        *,
        rate_per_second: float | None = None,
        clock: Clock = utc_now,
        cache_ttl: float = 5.0,
    ) -> None:
        from contraband.ledger.sql.store import SqlStore

        self.config = config
        self.pack = load_pack(config.policy_dir)
        self.ledger = Ledger(store or SqlStore(config.database_url), self.pack)
        self.index = build_index(self.pack)  # once per process, from the index cache
        self.certificates = CachedCertificates(self.ledger.store, ttl=cache_ttl)
        self.category_model, self.item_model = load_models(config.category_model, config.item_model)
        self._local = threading.local()
        self.metrics = Metrics(self.queue_depth)
        self.limits = RateLimits(rate_per_second or config.api_rate_per_second)
        self.clock = clock
        self.cache_ttl = cache_ttl
        # The pack and index live as long as the process: moved out of the collector's way,
        # a full collection no longer walks their millions of objects (a pause of tens of
        # milliseconds in the middle of a request).
        gc.collect()
        gc.freeze()
        self._tokens: dict[str, tuple[ApiToken, float]] = {}

    @property
    def screener(self) -> Screener:
        """This thread's screener: routes run in a thread pool, and a matcher's scratch space
        (Hyperscan's) serves one scan at a time. All share the one compiled index."""
        screener: Screener | None = getattr(self._local, "screener", None)
        if screener is None:
            screener = Screener(
                self.pack,
                self.index,
                certificates=self.certificates,
                category_model=self.category_model,
                item_model=self.item_model,
            )
            self._local.screener = screener
        return screener

    def cached_token(self, secret: str) -> ApiToken | None:
        """A token verified in the last `cache_ttl` seconds (a revocation made elsewhere
        reaches this process within that time)."""
        found = self._tokens.get(secret)
        if found is not None and time.monotonic() < found[1]:
            return found[0]
        return None

    def token(self, secret: str) -> ApiToken | None:
        """The live token with this secret, from the database; remembered for `cache_ttl`."""
        token = verify(self.ledger.store, secret)
        if token is not None and self.cache_ttl > 0:
            if len(self._tokens) > 10_000:
                self._tokens.clear()
            self._tokens[secret] = (token, time.monotonic() + self.cache_ttl)
        return token

    def queue_depth(self) -> int:
        with self.ledger.store.session() as session:
            return session.count_cases(CaseQuery(status="open"))

    def close(self) -> None:
        self.ledger.close()


class RateLimits:
    """A token bucket per API token: `rate` requests a second, bursts of twice that."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.burst = max(1.0, 2 * rate)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 if a request may pass now, else the seconds until one may."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate


def create_app(
    config: Settings | None = None,
    store: LedgerStore | None = None,
    *,
    rate_per_second: float | None = None,
    clock: Clock = utc_now,
    cache_ttl: float = 5.0,
) -> FastAPI:
    """The application, over the settings' pack and database (or the `store` given)."""
    from contraband.api.console import pages as console
    from contraband.api.routes import router, unauthenticated
    from contraband.api.screening import PATH, ScreenEndpoint

    service = Service(
        config or settings(),
        store,
        rate_per_second=rate_per_second,
        clock=clock,
        cache_ttl=cache_ttl,
    )
    app = FastAPI(
        title="contraband",
        version="1",
        summary="Product-compliance screening, penalty ledger and review, with roles.",
        docs_url="/docs",
        openapi_url="/openapi.json",
        # Our own Prometheus metrics; FastAPI's OpenTelemetry hook would otherwise look up
        # the global providers on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.service = service
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    problems.install(app)
    app.include_router(unauthenticated)
    app.include_router(router, prefix="/v1")
    app.include_router(console.router)
    app.mount("/console/static", console.STATIC, name="console-static")
    app.add_middleware(Guard, service=service, direct={PATH: ScreenEndpoint(service)})
    app.router.on_shutdown.append(service.close)
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema, with the components of the contract's structs (msgspec writes their
    JSON Schema; the routes refer to them by name) and the screening route it does not see."""
    if app.openapi_schema is None:
        import msgspec
        from fastapi.openapi.utils import get_openapi

        from contraband.api.routes import SCHEMA_TYPES
        from contraband.api.screening import openapi_paths

        schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
        _, components = msgspec.json.schema_components(
            SCHEMA_TYPES, ref_template="#/components/schemas/{name}"
        )
        schema.setdefault("components", {}).setdefault("schemas", {}).update(components)
        schema["paths"] = {**openapi_paths(), **schema["paths"]}
        app.openapi_schema = schema
    return app.openapi_schema


def app_from_environment() -> FastAPI:
    """The factory uvicorn's workers call (`contraband serve`): settings from the environment."""
    return create_app()


ASGIApp = Callable[[MutableMapping[str, Any], Any, Any], Awaitable[None]]


class Guard:
    """Outermost layer: bodies over the limit answer 413 (from Content-Length, or while they
    stream in), and every request is counted and timed for /metrics.

    The paths in `direct` go straight to their own ASGI endpoint, past the framework: the
    publish-time screening route, whose cost is dominated by the framework's otherwise (see
    `api.screening`)."""

    def __init__(self, app: ASGIApp, service: Service, direct: dict[str, ASGIApp]) -> None:
        self.app = app
        self.service = service
        self.direct = direct

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"0")
        if not length.isdigit() or int(length) > MAX_BODY_BYTES:
            await _too_large(send)
            self._count(scope, 413, started)
            return
        seen = 0

        async def limited_receive() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > MAX_BODY_BYTES:
                    raise BodyTooLarge
            return message

        async def counting_send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        # A declared length is held by the HTTP server (it reads that many bytes and no more);
        # only a body without one (chunked) is counted as it streams in.
        checked_receive = receive if b"content-length" in headers else limited_receive
        endpoint = self.direct.get(scope["path"])
        try:
            await (endpoint or self.app)(scope, checked_receive, counting_send)
        except BodyTooLarge:
            await _too_large(send)
            status["code"] = 413
        self._count(scope, status["code"], started, scope["path"] if endpoint else None)

    def _count(
        self, scope: MutableMapping[str, Any], status: int, started: float, name: str | None = None
    ) -> None:
        self.service.metrics.request(
            name or _route_template(scope),
            scope.get("method", ""),
            status,
            time.perf_counter() - started,
        )


def _route_template(scope: MutableMapping[str, Any]) -> str:
    """The matched route's template with its router's prefix ("/v1/review/cases/{case_id}"),
    so metrics have one series per route, not per id."""
    template: str | None = getattr(scope.get("route"), "path", None)
    if not template:
        return "unmatched"
    path: str = scope.get("path", "")
    prefix_segments = path.count("/") - template.count("/")
    prefix = "/".join(path.split("/")[: prefix_segments + 1]) if prefix_segments > 0 else ""
    return prefix + template


class BodyTooLarge(Exception):
    """The body grew past MAX_BODY_BYTES while it streamed in."""


async def _too_large(send: Any) -> None:
    response = problems.problem(413, f"the request body is over {MAX_BODY_BYTES:,} bytes")
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", problems.MEDIA_TYPE.encode())],
        }
    )
    await send({"type": "http.response.body", "body": response.body})
