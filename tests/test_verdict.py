"""The verdict contract: every output format reads back equal, and bad input is named."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contraband.errors import InputError
from contraband.files.verdicts import VerdictWriter, read_verdicts
from contraband.verdict import (
    SCHEMA_VERSION,
    Action,
    CategoryEvidence,
    Detector,
    Finding,
    FindingKind,
    Verdict,
    charge_rule,
    from_arrow,
    from_json,
    to_arrow,
    to_builtins,
    to_json,
    to_json_lines,
)

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
maybe_texts = st.none() | texts
countries = st.lists(st.sampled_from(["US", "DE", "AU", "ALL"]), max_size=3).map(tuple)
probabilities = st.floats(min_value=0, max_value=1, allow_nan=False)
points = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)
spans = st.none() | st.tuples(st.integers(0, 10**6), st.integers(0, 10**6))

categories = st.builds(
    CategoryEvidence,
    declared=texts,
    expected=st.lists(texts, max_size=2).map(tuple),
    predicted=maybe_texts,
    probability=st.none() | probabilities,
)
findings = st.builds(
    Finding,
    kind=st.sampled_from(FindingKind),
    item_id=maybe_texts,
    measure_id=maybe_texts,
    action=st.sampled_from(Action),
    points=points,
    reason=texts,
    field=st.none() | st.sampled_from(["title", "description", "keywords"]),
    span=spans,
    text=maybe_texts,
    before=maybe_texts,
    after=maybe_texts,
    canonical=maybe_texts,
    transforms=st.lists(texts, max_size=3).map(tuple),
    distortion=st.none() | st.sampled_from(["none", "typo", "deliberate"]),
    score=probabilities,
    detector=st.sampled_from(Detector),
    threshold=st.none() | probabilities,
    circumvention=st.booleans(),
    blocked_countries=countries,
    measure_state=st.none() | st.sampled_from(["announced", "in_force"]),
    effective=st.none() | st.just("2022-05-01"),
    certificate_required=st.booleans(),
    category=st.none() | categories,
)
verdicts = st.builds(
    Verdict,
    listing_id=texts,
    seller_id=texts,
    content_hash=texts,
    action=st.sampled_from(Action),
    blocked_countries=countries,
    circumvention=st.booleans(),
    points=points,
    findings=st.lists(findings, max_size=3).map(tuple),
    policy_version=texts,
    as_of=st.just("2022-04-20"),
    error=maybe_texts,
)


@settings(max_examples=200, deadline=None)
@given(verdicts)
def test_json_round_trip(verdict: Verdict) -> None:
    assert from_json(to_json(verdict)) == verdict
    assert json.loads(to_json(verdict)) == to_builtins(verdict)


@settings(max_examples=100, deadline=None)
@given(st.lists(verdicts, max_size=8), st.booleans())
def test_json_lines_are_the_lines_of_each_verdict(batch: list[Verdict], hostile: bool) -> None:
    if hostile and batch:  # a lone surrogate (hostile input) is written as U+FFFD either way
        batch[0] = msgspec.structs.replace(batch[0], listing_id="bad\ud800id")
    assert to_json_lines(batch) == b"".join(to_json(v) + b"\n" for v in batch)


@given(st.lists(verdicts, max_size=5))
def test_arrow_round_trip(batch: list[Verdict]) -> None:
    assert from_arrow(to_arrow(batch)) == batch


@settings(max_examples=25, deadline=None)
@given(st.lists(verdicts, min_size=1, max_size=5))
def test_arrow_writes_a_lone_surrogate_as_the_json_form_does(batch: list[Verdict]) -> None:
    batch[-1] = msgspec.structs.replace(batch[-1], listing_id="bad\ud800id")
    back = from_arrow(to_arrow(batch))
    assert back[-1].listing_id == "bad\ufffdid"
    assert back[:-1] == batch[:-1]


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
@settings(max_examples=25, deadline=None)
@given(batch=st.lists(verdicts, max_size=20))
def test_every_file_format_reads_back_equal(
    tmp_path_factory: pytest.TempPathFactory, suffix: str, batch: list[Verdict]
) -> None:
    path = tmp_path_factory.mktemp("v") / f"verdicts{suffix}"
    with VerdictWriter(path) as writer:
        writer.write_many(batch)
    assert list(read_verdicts(path)) == batch


def test_the_json_form_is_the_products_contract() -> None:
    finding = Finding(
        kind=FindingKind.KEYWORD_DISTORTION,
        item_id="vapes",
        measure_id="US-VAPE",
        action=Action.REMOVE,
        points=1.0,
        reason="disguised",
        field="title",
        span=(5, 9),
        text="v4pe",
        canonical="vape",
        transforms=("leetspeak",),
        circumvention=True,
    )
    verdict = Verdict(
        listing_id="L1",
        seller_id="S1",
        content_hash="h",
        action=Action.REMOVE,
        blocked_countries=("US",),
        circumvention=True,
        points=1.0,
        findings=(finding,),
        policy_version="v1",
        as_of="2022-04-20",
    )
    data = json.loads(to_json(verdict))
    assert list(data)[:11] == [
        "schema_version",
        "listing_id",
        "seller_id",
        "content_hash",
        "action",
        "blocked_countries",
        "circumvention",
        "points",
        "findings",
        "policy_version",
        "as_of",
    ]
    assert data["schema_version"] == SCHEMA_VERSION and data["error"] is None
    assert {
        "kind",
        "item_id",
        "measure_id",
        "field",
        "span",
        "text",
        "canonical",
        "transforms",
        "score",
    } <= set(data["findings"][0])
    assert data["findings"][0]["span"] == [5, 9]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"listing_id": "L"}', "missing required field"),
        (
            b'{"schema_version": 99, "listing_id": "L", "seller_id": "S", "content_hash": "h", '
            b'"action": "allow", "blocked_countries": [], "circumvention": false, "points": 0, '
            b'"findings": [], "policy_version": "v", "as_of": "2020-01-01"}',
            "newer",
        ),
        (
            b'{"listing_id": "L", "seller_id": "S", "content_hash": "h", "action": "allow", '
            b'"blocked_countries": [], "circumvention": false, "points": true, "findings": [], '
            b'"policy_version": "v", "as_of": "2020-01-01"}',
            "$.points",
        ),
        (
            b'{"listing_id": "L", "seller_id": "S", "content_hash": "h", "action": "remove", '
            b'"blocked_countries": [], "circumvention": false, "points": 1, "findings": '
            b'[{"kind": "prohibited_item", "item_id": "x", "measure_id": null, "action": "remove",'
            b' "points": -1, "reason": "r"}], "policy_version": "v", "as_of": "2020-01-01"}',
            "$.findings[0].points",
        ),
        (
            b'{"listing_id": "L", "seller_id": "S", "content_hash": "h", "action": "sell", '
            b'"blocked_countries": [], "circumvention": false, "points": 0, "findings": [], '
            b'"policy_version": "v", "as_of": "2020-01-01"}',
            "$.action",
        ),
    ],
)
def test_a_verdict_that_breaks_the_contract_is_named(line: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("$", r"\$")):
        from_json(line)


def test_a_bad_line_in_a_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "v.jsonl"
    path.write_bytes(b"\n{oops\n")
    with pytest.raises(InputError, match=r"v.jsonl:2: not valid JSON"):
        list(read_verdicts(path))


@pytest.mark.parametrize(
    ("kind", "item", "measure", "rule"),
    [
        (FindingKind.PROHIBITED_ITEM, "cocaine", None, "prohibited_item"),
        (FindingKind.PROHIBITED_ITEM, "heroin", None, "prohibited_item"),  # same rule
        (FindingKind.CONTROLLED_ITEM, "fireworks", None, "controlled_item"),
        (FindingKind.COUNTRY_MEASURE, "vapes", "US-VAPE", "country_measure:US-VAPE"),
        (FindingKind.KEYWORD_DISTORTION, "vapes", "US-VAPE", "keyword_distortion:vapes"),
        (FindingKind.MISPLACED_CATEGORY, "lasers", None, "misplaced_category:lasers"),
    ],
)
def test_one_infringement_per_rule(
    kind: FindingKind, item: str, measure: str | None, rule: str
) -> None:
    finding = Finding(
        kind=kind, item_id=item, measure_id=measure, action=Action.REMOVE, points=1, reason="r"
    )
    assert charge_rule(finding) == rule
