"""`rules.replay` on its own: standing offences in, charges and sanctions out, one table."""

from __future__ import annotations

import datetime as dt

import pytest

from contraband.ledger.rules import Offence, SanctionKind, active_points, replay
from contraband.policy import load_pack
from tests.conftest import DEFAULT_PACK

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
RULES = load_pack(DEFAULT_PACK).rules


def o(name: str, at: dt.timedelta, points: float, **flags: bool) -> Offence:
    return Offence(name, T0 + at, points, **flags)


# (offences, expected charged points per offence, expected sanctions as (kind, threshold))
CASES = {
    "one charge under every threshold": ([o("a", 0 * H, 2)], [2], []),
    "severe warning at 6": ([o("a", 0 * H, 6)], [6], [("severe_warning", 6)]),
    "cap: 12 in the 24 h after the first charge": (
        [o("a", 0 * H, 6), o("b", 1 * H, 6), o("c", 2 * H, 2)],
        [6, 6, 0],
        [("severe_warning", 6), ("restriction", 12)],
    ),
    "48 at once is exempt from the cap and terminates": (
        [o("a", 0 * H, 6), o("b", 1 * H, 48)],
        [6, 48],
        [("severe_warning", 6), ("termination", 48)],
    ),
    "several rungs crossed at once: the gravest only": (
        [o("a", 0 * H, 2), o("b", 30 * H, 12)],
        [2, 12],
        [("restriction", 12)],
    ),
    "first controlled violation is free": (
        [o("a", 0 * D, 0.5, controlled=True), o("b", 1 * D, 0.5, controlled=True)],
        [0, 0.5],
        [],
    ),
    "termination grade during a restriction: 0 points, account closed": (
        [o("a", 0 * H, 6), o("b", 1 * H, 6), o("c", 2 * D, 48, terminates=True)],
        [6, 6, 0],
        [("severe_warning", 6), ("restriction", 12), ("termination", 48)],
    ),
    "nothing accrues after termination": (
        [o("a", 0 * H, 48, terminates=True), o("b", 10 * D, 6)],
        [48, 0],
        [("termination", 48)],
    ),
    "same instant: order from ids, not from input order": (
        [o("b", 0 * H, 6), o("a", 0 * H, 6), o("c", 0 * H, 6)],
        [6, 6, 0],  # a, b, c by id: c is over the cap whatever the input order
        [("severe_warning", 6), ("restriction", 12)],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_replay(name: str) -> None:
    offences, points, sanctions = CASES[name]
    charges, events = replay(offences, RULES)
    by_id = {c.infringement_id: c.points for c in charges}
    ordered = sorted(offences, key=lambda x: (x.at, x.infringement_id))
    assert [by_id[x.infringement_id] for x in ordered] == points
    assert [(e.kind.value, e.threshold) for e in events] == sanctions


def test_replay_does_not_depend_on_the_order_it_is_given() -> None:
    offences = [o(f"x{i}", (i % 3) * H, 6) for i in range(8)]
    first = replay(offences, RULES)
    assert replay(list(reversed(offences)), RULES) == first


def test_points_expire_per_entry() -> None:
    charges, _ = replay([o("a", 0 * D, 2), o("b", 100 * D, 2)], RULES)
    assert active_points(charges, T0 + 364 * D) == 4
    assert active_points(charges, T0 + 365 * D) == 2
    assert active_points(charges, T0 + 465 * D) == 0


def test_a_ladder_without_termination_still_closes_on_the_termination_grade() -> None:
    rules = RULES.model_copy(update={"ladder": RULES.ladder[:1]})
    _, events = replay([o("a", 0 * H, 1, terminates=True)], rules)
    assert [e.kind for e in events] == [SanctionKind.TERMINATION]
