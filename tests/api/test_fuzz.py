"""Nothing a client can send makes the service answer 500: random bodies, ids, queries and
headers on every route, as every role."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import Api, make_api

ROUTES = [
    ("POST", "/v1/screen"),
    ("POST", "/v1/screen-and-record"),
    ("GET", "/v1/sellers/{id}"),
    ("POST", "/v1/appeals"),
    ("GET", "/v1/appeals"),
    ("POST", "/v1/appeals/{id}/decision"),
    ("POST", "/v1/certificates"),
    ("GET", "/v1/certificates"),
    ("POST", "/v1/certificates/{id}/decision"),
    ("GET", "/v1/review/cases"),
    ("GET", "/v1/review/cases/{id}"),
    ("POST", "/v1/review/cases/{id}/decision"),
    ("GET", "/v1/review/suppressions"),
    ("DELETE", "/v1/review/suppressions/{id}"),
    ("GET", "/v1/policy"),
    ("POST", "/v1/measures/preview"),
    ("GET", "/v1/audit"),
]

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "listing",
                    "listings",
                    "id",
                    "title",
                    "as_of",
                    "at",
                    "decision",
                    "reason",
                    "infringement_id",
                    "seller_id",
                    "item_id",
                    "countries",
                    "valid_until",
                    "x",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=25,
)
listings = st.fixed_dictionaries(
    {"id": st.text(max_size=5), "title": st.text(max_size=40)},
    optional={"countries": st.lists(st.text(max_size=3), max_size=3), "keywords": values},
)
bodies = (
    values
    | st.fixed_dictionaries({"listings": st.lists(listings, max_size=3)})
    | st.builds(
        lambda d, r: {"decision": d, "reason": r},
        st.sampled_from(["confirm", "dismiss", "uphold", "overturn", "?"]),
        st.text(max_size=10),
    )
)
ids = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#"),
    min_size=1,
    max_size=40,
)
queries = st.dictionaries(
    st.sampled_from(["status", "limit", "offset", "seller_id", "at", "as_of", "include_revoked"]),
    st.text(max_size=12),
    max_size=3,
)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "service.db"
    yield from make_api(f"sqlite:///{path}")


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    route=st.sampled_from(ROUTES),
    role=st.sampled_from(["platform", "seller", "reviewer", "operator", "auditor"]),
    body=bodies,
    raw=st.booleans(),
    junk=st.binary(max_size=60),
    ident=ids,
    query=queries,
    key=st.text(max_size=30),
)
def test_no_request_gets_a_500(
    api: Api,
    route: tuple[str, str],
    role: str,
    body: object,
    raw: bool,
    junk: bytes,
    ident: str,
    query: dict[str, str],
    key: str,
) -> None:
    method, template = route
    path = template.replace("{id}", quote(ident, safe=""))
    headers = {"Idempotency-Key": key} if key.isprintable() and key.isascii() else {}
    if method in ("GET", "DELETE"):
        response = api.call(role, method, path, params=query, headers=headers)
    elif raw:
        headers["Content-Type"] = "application/json"
        response = api.call(role, method, path, content=junk, headers=headers)
    else:
        response = api.call(
            role,
            method,
            path,
            content=json.dumps(body),
            headers={**headers, "Content-Type": "application/json"},
        )
    assert response.status_code < 500, (method, path, response.text[:500])
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
