"""A scan summary keeps the most serious flagged listings, however the verdicts are split."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from contraband.summary import ScanSummary
from contraband.verdict import Action, Finding, FindingKind, Verdict

ACTIONS = [Action.REMOVE, Action.REVIEW, Action.RESTRICT, Action.ALLOW]


def _verdict(i: int, action: Action, points: float) -> Verdict:
    finding = Finding(
        kind=FindingKind.PROHIBITED_ITEM,
        item_id="x",
        measure_id=None,
        action=action,
        points=points,
        reason="r",
    )
    return Verdict(
        listing_id=f"L{i:03d}",
        seller_id="S",
        content_hash="h",
        action=action,
        blocked_countries=(),
        circumvention=False,
        points=points,
        findings=(finding,),
        policy_version="v",
        as_of="2020-01-01",
    )


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(ACTIONS), st.sampled_from([0.0, 1.0, 6.0])), max_size=60
    ),
    keep=st.integers(1, 7),
    chunk=st.integers(1, 9),
)
def test_the_most_serious_are_kept_whatever_the_chunks(
    rows: list[tuple[Action, float]], keep: int, chunk: int
) -> None:
    verdicts = [_verdict(i, a, p) for i, (a, p) in enumerate(rows)]
    whole = ScanSummary(keep_flagged=keep)
    for verdict in verdicts:
        whole.add(verdict)
    merged = ScanSummary(keep_flagged=keep)
    for start in range(0, len(verdicts), chunk):
        part = ScanSummary(keep_flagged=keep)
        for verdict in verdicts[start : start + chunk]:
            part.add(verdict)
        merged.merge(part)
    expected = sorted(verdicts, key=lambda v: (ACTIONS.index(v.action), -v.points, v.listing_id))
    assert [f.verdict for f in whole.flagged] == expected[:keep]
    assert [f.verdict for f in merged.flagged] == expected[:keep]
    assert whole.flagged_total == merged.flagged_total == len(verdicts)
    assert whole.as_dict() == merged.as_dict()  # every count, the detectors' too


def test_findings_are_counted_by_what_found_them() -> None:
    from contraband.verdict import Detector

    summary = ScanSummary()
    summary.add(_verdict(1, Action.REMOVE, 6.0))
    model = _verdict(2, Action.REVIEW, 0.0)
    model.findings = (
        Finding(
            kind=FindingKind.PROHIBITED_ITEM,
            item_id="x",
            measure_id=None,
            action=Action.REVIEW,
            points=0.0,
            reason="r",
            detector=Detector.ITEM_MODEL,
        ),
    )
    summary.add(model)
    assert summary.by_detector == {"terms": 1, "item_model": 1}
    assert summary.as_dict()["by_detector"] == {"terms": 1, "item_model": 1}
