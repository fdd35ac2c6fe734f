"""The service in process over a real database: a token per role, a fixed clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from contraband.api.app import create_app
from contraband.api.tokens import Role, create_token
from contraband.ledger.sql.store import SqlStore
from contraband.settings import Settings
from tests.conftest import MINI_PACK

NOW = dt.datetime(2020, 3, 1, 12, 0, tzinfo=dt.UTC)


@dataclass
class Api:
    client: TestClient
    store: SqlStore
    tokens: dict[str, str]  # role (and "seller2") -> secret
    url: str

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def call(self, who: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A request as `who`; `headers` given are added to the token's."""
        headers = {**self.headers(who), **kwargs.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kwargs)


def make_api(url: str, rate: float = 10_000.0, cache_ttl: float = 0.0) -> Iterator[Api]:
    store = SqlStore(url)
    tokens = {}
    for role in Role:
        seller = "S1" if role == Role.SELLER else None
        tokens[role.value] = create_token(store, role, f"test {role}", seller, NOW)[1]
    tokens["seller2"] = create_token(store, Role.SELLER, "other seller", "S2", NOW)[1]
    config = Settings(database_url=url, policy_dir=MINI_PACK, cache_dir=None)
    app = create_app(config, store, rate_per_second=rate, clock=lambda: NOW, cache_ttl=cache_ttl)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client, store, tokens, url)
    store.close()


@pytest.fixture()
def api(tmp_path: Path) -> Iterator[Api]:
    yield from make_api(f"sqlite:///{tmp_path / 'service.db'}")
