"""The service's routes, in process: every route x every role from one table, the jobs of
each user end to end, and errors a client can cause."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import Api
from tests.conftest import scan_mini

COCAINE = {"id": "L1", "seller_id": "S1", "title": "C0caine 1g"}
TYPO = {"id": "L2", "seller_id": "S1", "title": "cocane powder"}
JSON = "application/json"
SHIRT = {"id": "L3", "seller_id": "S1", "title": "Cotton shirt"}
DRONE_BAN = {
    "id": "DE-DRONES",
    "title": "Drones hidden from buyers in Germany",
    "items": ["drones"],
    "countries": ["DE"],
    "publicized": "2020-01-01",
    "effective": "2020-02-01",
}
PREVIEW = {"measures": [DRONE_BAN], "listings": [SHIRT], "as_of": "2020-03-01"}

ROLES = ["platform", "seller", "reviewer", "operator", "auditor"]
# (method, path, body) -> the roles that may call it; every other role gets 403.
ROUTES: list[tuple[str, str, Any, set[str]]] = [
    ("POST", "/v1/screen", {"listing": SHIRT}, {"platform", "seller"}),
    ("GET", "/v1/sellers/S1", None, {"platform", "seller", "reviewer"}),
    ("GET", "/v1/appeals", None, {"reviewer"}),
    ("GET", "/v1/review/cases", None, {"reviewer"}),
    ("GET", "/v1/review/suppressions", None, {"reviewer"}),
    ("GET", "/v1/policy", None, {"operator"}),
    ("POST", "/v1/measures/preview", PREVIEW, {"operator"}),
    ("GET", "/v1/audit", None, {"auditor"}),
]


def _seed(api: Api) -> None:
    """S1 exists in the ledger: one recorded verdict."""
    response = api.call(
        "platform",
        "POST",
        "/v1/screen-and-record",
        json={"listings": [SHIRT]},
        headers={**api.headers("platform"), "Idempotency-Key": "seed"},
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(("method", "path", "body", "allowed"), ROUTES)
@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(
    api: Api, method: str, path: str, body: Any, allowed: set[str], role: str
) -> None:
    _seed(api)
    response = api.call(role, method, path, json=body)
    expected = 200 if role in allowed else 403
    assert response.status_code == expected, (role, path, response.text)
    if expected == 403:
        assert response.headers["content-type"] == "application/problem+json"


# Writes and the roles that may not make them (each gets 403 before its body is read).
WRITES = [
    ("POST", "/v1/screen-and-record", {"seller", "reviewer", "operator", "auditor"}),
    ("POST", "/v1/appeals", {"reviewer", "operator", "auditor"}),
    ("POST", "/v1/appeals/A-x/decision", {"platform", "seller", "operator", "auditor"}),
    ("POST", "/v1/review/cases/x/decision", {"platform", "seller", "operator", "auditor"}),
    ("POST", "/v1/certificates", {"platform", "operator", "auditor"}),
    ("POST", "/v1/certificates/x/decision", {"platform", "seller", "operator", "auditor"}),
    ("DELETE", "/v1/review/suppressions/x", {"platform", "seller", "operator", "auditor"}),
]


@pytest.mark.parametrize(
    ("method", "path", "role"),
    [(m, p, role) for m, p, refused in WRITES for role in sorted(refused)],
)
def test_writes_are_refused_to_roles_without_them(
    api: Api, method: str, path: str, role: str
) -> None:
    body = {"listing": SHIRT} if path.endswith("record") else {}
    headers = {"Idempotency-Key": "k"}
    response = api.call(role, method, path, json=body, headers=headers)
    assert response.status_code == 403, response.text


def test_denials_are_audited(api: Api) -> None:
    api.call("seller", "GET", "/v1/policy")
    lines = api.call("auditor", "GET", "/v1/audit").text.splitlines()
    assert any(json.loads(line)["action"] == "access_denied" for line in lines)


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer nonsense", "Basic abc", "Bearer cb_" + "x" * 43, "Bearer " + "y" * 5000],
)
def test_unauthenticated_requests_get_401(api: Api, header: str) -> None:
    response = api.client.get("/v1/policy", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "cb_" not in response.text


def test_a_revoked_token_gets_401(api: Api) -> None:
    from contraband.api.tokens import list_tokens, revoke
    from tests.api.conftest import NOW

    token = next(t for t in list_tokens(api.store) if t.role == "operator")
    assert api.call("operator", "GET", "/v1/policy").status_code == 200
    revoke(api.store, token.token_id, NOW)
    assert api.call("operator", "GET", "/v1/policy").status_code == 401


def test_screen_gives_the_verdicts_scan_writes(api: Api, tmp_path: Path) -> None:
    listings = [COCAINE, TYPO, SHIRT, {"id": "bad", "title": 5}]
    source = tmp_path / "l.jsonl"
    source.write_text("\n".join(json.dumps(x) for x in listings) + "\n")
    out = tmp_path / "v.jsonl"
    assert scan_mini(source, out).exit_code == 0
    cli = [json.loads(line) for line in out.read_text().splitlines()]
    response = api.call(
        "platform", "POST", "/v1/screen", json={"listings": listings, "as_of": "2020-03-01"}
    )
    assert response.status_code == 200
    served = response.json()["verdicts"]
    for mine, theirs in zip(served, cli, strict=True):
        if theirs["action"] == "error":  # where the record was found differs: file or request
            assert mine["action"] == "error" and "$.title" in mine["error"]
            continue
        assert mine == theirs


def test_a_seller_checks_only_its_own_drafts_and_records_nothing(api: Api) -> None:
    draft = {"id": "D1", "title": "C0caine"}
    response = api.call("seller", "POST", "/v1/screen", json={"listing": draft})
    assert response.status_code == 200 and response.json()["verdicts"][0]["seller_id"] == "S1"
    other = api.call("seller", "POST", "/v1/screen", json={"listing": {**draft, "seller_id": "S2"}})
    assert other.status_code == 422
    assert api.call("platform", "GET", "/v1/sellers/S1").status_code == 404  # nothing recorded


def test_screen_and_record_is_idempotent(api: Api) -> None:
    headers = {**api.headers("platform"), "Idempotency-Key": "batch-1"}
    body = {"listings": [COCAINE, SHIRT], "at": "2020-03-01T12:00:00Z"}
    first = api.client.post("/v1/screen-and-record", json=body, headers=headers)
    assert first.status_code == 200 and first.json()["recorded"]["new_infringements"] == 2
    again = api.client.post("/v1/screen-and-record", json=body, headers=headers)
    assert again.status_code == 200 and again.content == first.content
    assert again.headers.get("Idempotent-Replayed") == "true"
    view = api.call("platform", "GET", "/v1/sellers/S1", params={"at": "2020-03-01T13:00:00Z"})
    assert view.json()["active_points"] == 48  # once, not twice
    other = api.client.post("/v1/screen-and-record", json={"listings": [SHIRT]}, headers=headers)
    assert other.status_code == 422 and "different request" in other.json()["detail"]
    missing = api.call("platform", "POST", "/v1/screen-and-record", json=body)
    assert missing.status_code == 400 and "Idempotency-Key" in missing.json()["detail"]


def test_another_sellers_data_is_not_found_never_forbidden(api: Api) -> None:
    _seed(api)
    assert api.call("seller", "GET", "/v1/sellers/S1").status_code == 200
    hidden = api.call("seller2", "GET", "/v1/sellers/S1")
    assert hidden.status_code == 404
    unknown = api.call("seller2", "GET", "/v1/sellers/NOBODY")
    assert unknown.status_code == 404 and unknown.json()["detail"] == hidden.json()[
        "detail"
    ].replace("S1", "NOBODY")


def test_appeal_flow_with_ownership(api: Api) -> None:
    record = {**api.headers("platform"), "Idempotency-Key": "a"}
    api.client.post("/v1/screen-and-record", json={"listings": [COCAINE]}, headers=record)
    entries = api.call("seller", "GET", "/v1/sellers/S1").json()["entries"]
    infringement = entries[0]["infringement_id"]
    stolen = api.call(
        "seller2", "POST", "/v1/appeals", json={"infringement_id": infringement, "reason": "x"}
    )
    assert stolen.status_code == 404
    filed = api.call(
        "seller",
        "POST",
        "/v1/appeals",
        json={"infringement_id": infringement, "reason": "not mine"},
    )
    assert filed.status_code == 201, filed.text
    pending = api.call("reviewer", "GET", "/v1/appeals").json()
    assert [a["appeal_id"] for a in pending] == [filed.json()["appeal_id"]]
    decided = api.call(
        "reviewer",
        "POST",
        f"/v1/appeals/{filed.json()['appeal_id']}/decision",
        json={"decision": "overturn", "reason": "test order"},
    )
    assert decided.status_code == 200 and decided.json()["status"] == "overturned"
    twice = api.call(
        "reviewer",
        "POST",
        f"/v1/appeals/{filed.json()['appeal_id']}/decision",
        json={"decision": "uphold", "reason": "again"},
    )
    assert twice.status_code == 409


def test_review_cases_dismissal_suppresses_and_confirmation_charges(api: Api) -> None:
    record = {**api.headers("platform"), "Idempotency-Key": "r1"}
    typo_s2 = {**TYPO, "id": "L9", "seller_id": "S2"}
    answer = api.client.post(
        "/v1/screen-and-record", json={"listings": [TYPO, typo_s2]}, headers=record
    )
    assert answer.json()["recorded"]["cases_opened"] == 2
    page = api.call("reviewer", "GET", "/v1/review/cases").json()
    assert page["total"] == 2
    first, second = sorted(page["cases"], key=lambda c: c["seller_id"])  # S1's, then S2's
    assert first["finding"]["text"] == "cocane" and first["points_if_confirmed"] == 48
    dismissed = api.call(
        "reviewer",
        "POST",
        f"/v1/review/cases/{first['case_id']}/decision",
        json={"decision": "dismiss", "reason": "a brand name"},
    )
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
    suppressions = api.call("reviewer", "GET", "/v1/review/suppressions").json()
    assert [s["listing_id"] for s in suppressions] == [first["listing_id"]]
    again = {**api.headers("platform"), "Idempotency-Key": "r2"}
    rescan = api.client.post("/v1/screen-and-record", json={"listings": [TYPO]}, headers=again)
    assert rescan.json()["recorded"]["cases_opened"] == 0  # the same content: suppressed
    changed = {**api.headers("platform"), "Idempotency-Key": "r3"}
    edited = {**TYPO, "title": "cocane powder 2g"}
    reopened = api.client.post(
        "/v1/screen-and-record", json={"listings": [edited]}, headers=changed
    )
    assert reopened.json()["recorded"]["cases_opened"] == 1  # the listing changed
    confirmed = api.call(
        "reviewer",
        "POST",
        f"/v1/review/cases/{second['case_id']}/decision",
        json={"decision": "confirm", "reason": "cocaine"},
    )
    assert confirmed.status_code == 200 and confirmed.json()["infringement_id"]
    assert api.call("platform", "GET", "/v1/sellers/S2").json()["active_points"] == 48
    revoked = api.call(
        "reviewer", "DELETE", f"/v1/review/suppressions/{suppressions[0]['suppression_id']}"
    )
    assert revoked.status_code == 204
    assert api.call("reviewer", "GET", "/v1/review/suppressions").json() == []


def test_two_reviewers_at_once_one_wins_the_other_gets_409(api: Api) -> None:
    from concurrent.futures import ThreadPoolExecutor

    record = {**api.headers("platform"), "Idempotency-Key": "c"}
    api.client.post("/v1/screen-and-record", json={"listings": [TYPO]}, headers=record)
    case_id = api.call("reviewer", "GET", "/v1/review/cases").json()["cases"][0]["case_id"]

    def decide(decision: str) -> int:
        path = f"/v1/review/cases/{case_id}/decision"
        body = {"decision": decision, "reason": "race"}
        return api.call("reviewer", "POST", path, json=body).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = sorted(pool.map(decide, ["confirm", "dismiss"] * 4))
    assert statuses == [200] + [409] * 7


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"listing": SHIRT, "listings": [SHIRT]}, "body"),
        ({"listings": []}, "body.listings"),
        ({"listings": [SHIRT] * 1001}, "body.listings"),
        ({"listing": SHIRT, "as_of": "yesterday"}, "body.as_of"),
        ({"listing": SHIRT, "extra": 1}, "body.extra"),
        ({"listing": "a string"}, "body.listing"),
        ({"listings": [SHIRT, SHIRT, 3]}, "body.listings.2"),
        ([SHIRT], "body"),
    ],
)
@pytest.mark.parametrize("path", ["/v1/screen", "/v1/screen-and-record"])
def test_bad_bodies_get_422_with_the_field(api: Api, body: Any, field: str, path: str) -> None:
    headers = {"Idempotency-Key": "k"}
    response = api.call("platform", "POST", path, json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert any(e["field"].startswith(field) for e in response.json()["errors"]), response.text


@pytest.mark.parametrize(
    ("method", "content", "content_type", "status"),
    [
        ("POST", b'{"listing": {"id": "a", "title": "x"', "application/json", 422),
        ("POST", b"\xff\xfe not json", "application/json", 422),
        ("POST", b"", "application/json", 422),
        ("POST", b'{"listing": {"id": "a", "title": "x"}}', "text/plain", 415),
        ("POST", b'{"listing": {"id": "a", "title": "x"}}', "application/json; charset=utf-8", 200),
        ("GET", b"", "application/json", 405),
        ("PUT", b"{}", "application/json", 405),
    ],
)
def test_screen_refuses_what_is_not_a_json_post(
    api: Api, method: str, content: bytes, content_type: str, status: int
) -> None:
    headers = {**api.headers("platform"), "Content-Type": content_type}
    response = api.client.request(method, "/v1/screen", content=content, headers=headers)
    assert response.status_code == status, response.text
    if status != 200:
        assert response.headers["content-type"] == "application/problem+json"


def test_a_body_over_the_limit_gets_413(api: Api) -> None:
    huge = b'{"listing": {"id": "x", "title": "' + b"a" * (17 * 1024 * 1024) + b'"}}'
    response = api.client.post(
        "/v1/screen",
        content=huge,
        headers={**api.headers("platform"), "Content-Type": "application/json"},
    )
    assert response.status_code == 413


@pytest.mark.parametrize("path", ["/v1/screen", "/v1/screen-and-record"])
def test_a_streamed_body_over_the_limit_gets_413(api: Api, path: str) -> None:
    """No Content-Length (chunked): the body is counted as it arrives."""
    chunks = iter([b'{"listing": {"id": "x", "title": "'] + [b"a" * (1 << 20)] * 17 + [b'"}}'])
    response = api.client.post(
        path,
        content=chunks,
        headers={**api.headers("platform"), "Content-Type": JSON, "Idempotency-Key": "k"},
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413


def test_unknown_ids_get_404(api: Api) -> None:
    assert api.call("reviewer", "GET", "/v1/review/cases/nope").status_code == 404
    decision = {"decision": "uphold", "reason": "x"}
    assert (
        api.call("reviewer", "POST", "/v1/appeals/nope/decision", json=decision).status_code == 404
    )
    assert api.call("reviewer", "DELETE", "/v1/review/suppressions/nope").status_code == 404


def test_rate_limit_answers_429_with_retry_after(tmp_path: Path) -> None:
    from tests.api.conftest import make_api

    for api in make_api(f"sqlite:///{tmp_path / 'r.db'}", rate=2.0):
        statuses = [api.call("operator", "GET", "/v1/policy").status_code for _ in range(8)]
        assert statuses[:4] == [200] * 4 and 429 in statuses
        limited = api.call("operator", "GET", "/v1/policy")
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1


def test_health_readiness_metrics_and_openapi(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    ready = api.client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["policy_version"] == "mini-1"
    api.call("platform", "POST", "/v1/screen", json={"listing": COCAINE})
    text = api.client.get("/metrics").text
    assert 'contraband_verdicts_total{action="remove"} 1.0' in text
    assert "contraband_review_queue_depth 0.0" in text
    assert 'contraband_requests_total{method="POST",route="/v1/screen",status="200"}' in text
    openapi = api.client.get("/openapi.json").json()
    assert "/v1/review/cases/{case_id}/decision" in openapi["paths"]
    screen_200 = openapi["paths"]["/v1/screen"]["post"]["responses"]["200"]
    assert screen_200["content"]["application/json"]["schema"]["$ref"].endswith("/Verdicts")
    finding = openapi["components"]["schemas"]["Finding"]
    assert {"kind", "span", "canonical", "transforms", "score"} <= set(finding["properties"])
    for path, body in [("/v1/screen", "ScreenRequest"), ("/v1/screen-and-record", "RecordRequest")]:
        request = openapi["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        assert request["schema"]["$ref"].endswith(f"/{body}")
        assert {"listing", "listings", "as_of"} <= set(
            openapi["components"]["schemas"][body]["properties"]
        )


def test_a_verified_token_is_remembered_for_its_ttl_then_checked_again(tmp_path: Path) -> None:
    """The cache saves a database round trip per request; a revocation made elsewhere takes
    effect within the TTL."""
    from contraband.api.tokens import list_tokens, revoke
    from tests.api.conftest import NOW, make_api

    for api in make_api(f"sqlite:///{tmp_path / 't.db'}", cache_ttl=0.5):
        assert api.call("operator", "GET", "/v1/policy").status_code == 200
        token = next(t for t in list_tokens(api.store) if t.role == "operator")
        revoke(api.store, token.token_id, NOW)
        assert api.call("operator", "GET", "/v1/policy").status_code == 200  # remembered
        import time

        time.sleep(0.6)
        assert api.call("operator", "GET", "/v1/policy").status_code == 401


def test_certificates_uploaded_verified_and_honoured(api: Api) -> None:
    """A seller uploads (pending: not yet honoured), a reviewer verifies, screening honours it."""
    fireworks = {"id": "F1", "title": "Fireworks cake", "category": "Gifts & Crafts > Fireworks"}
    upload = {"item_id": "fireworks", "valid_until": "2021-01-01", "document": "s3://docs/f1.pdf"}
    held = api.call(
        "seller", "POST", "/v1/screen", json={"listing": fireworks, "as_of": "2020-03-01"}
    )
    assert held.json()["verdicts"][0]["action"] == "review"
    sent = api.call("seller", "POST", "/v1/certificates", json=upload)
    assert sent.status_code == 201 and sent.json()["status"] == "pending"
    certificate_id = sent.json()["certificate_id"]
    foreign = api.call("seller", "POST", "/v1/certificates", json={**upload, "seller_id": "S2"})
    assert foreign.status_code == 422
    assert api.call("seller2", "GET", "/v1/certificates").json() == []  # S2 sees none of S1's
    pending = api.call("reviewer", "GET", "/v1/certificates", params={"status": "pending"})
    assert [c["certificate_id"] for c in pending.json()] == [certificate_id]
    still = api.call(
        "seller", "POST", "/v1/screen", json={"listing": fireworks, "as_of": "2020-03-01"}
    )
    assert still.json()["verdicts"][0]["action"] == "review"  # pending is not on file
    decided = api.call(
        "reviewer",
        "POST",
        f"/v1/certificates/{certificate_id}/decision",
        json={"decision": "verify"},
    )
    assert decided.status_code == 200 and decided.json()["status"] == "verified"
    again = api.call(
        "reviewer",
        "POST",
        f"/v1/certificates/{certificate_id}/decision",
        json={"decision": "reject"},
    )
    assert again.status_code == 409
    allowed = api.call(
        "seller", "POST", "/v1/screen", json={"listing": fireworks, "as_of": "2020-03-01"}
    )
    assert allowed.json()["verdicts"][0]["action"] == "allow"
    assert api.call("seller", "GET", "/v1/certificates").json()[0]["status"] == "verified"


def test_an_operator_previews_a_measure_before_it_is_published(api: Api) -> None:
    drones = [
        {"id": f"D{n}", "seller_id": f"S{n % 2}", "title": "Mini drone with camera"}
        for n in range(4)
    ]
    body = {"measures": [DRONE_BAN], "listings": [*drones, SHIRT], "as_of": "2020-03-01"}
    response = api.call("operator", "POST", "/v1/measures/preview", json=body)
    assert response.status_code == 200, response.text
    impact = response.json()
    assert (impact["listings"], impact["changed"]) == (5, 4)
    assert impact["newly_hidden_by_country"] == {"DE": 4}
    assert impact["sellers_affected"] == 2
    assert {e["listing_id"] for e in impact["examples"]} == {"D0", "D1", "D2", "D3"}
    # nothing is recorded: the active pack and the ledger are as they were
    assert "DE-DRONES" not in {
        m["id"] for m in api.call("operator", "GET", "/v1/policy").json()["measures"]
    }
    assert api.call("reviewer", "GET", "/v1/review/cases").json()["cases"] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"items": ["unicorns"]}, "measures.0.items.0"),
        ({"countries": ["Atlantis"]}, "measures.0.countries.0"),
        ({"effective": "2019-01-01"}, "measures.0"),
    ],
)
def test_a_measure_preview_names_what_is_wrong(
    api: Api, change: dict[str, Any], field: str
) -> None:
    body = {**PREVIEW, "measures": [{**DRONE_BAN, **change}]}
    response = api.call("operator", "POST", "/v1/measures/preview", json=body)
    assert response.status_code == 422, response.text
    assert field in response.text
