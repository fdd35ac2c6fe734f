"""A year in the life of a seller, one table per rule, on every database backend."""

from __future__ import annotations

import datetime as dt

import pytest

from contraband.errors import ConflictError, NotFoundError
from contraband.ledger import Ledger
from tests.ledger.helpers import START, verdict

H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)

# Steps: ("record", when, listing, points, kind) | ("expect", when, points, {active sanctions})
#        | ("overturn", when, listing)
SCENARIOS = {
    "daily cap of 12 in the 24 h after the first charge": [
        ("record", 0 * H, "L1", 6, "prohibited_item"),
        ("record", 2 * H, "L2", 6, "prohibited_item"),
        ("record", 3 * H, "L3", 2, "prohibited_item"),  # over the cap (and a penalty runs)
        ("expect", 4 * H, 12, {"restriction"}),
    ],
    "cap window closes after 24 h": [
        ("record", 0 * H, "L1", 2, "prohibited_item"),
        ("record", 1 * H, "L2", 2, "prohibited_item"),
        ("record", 25 * H, "L3", 2, "prohibited_item"),
        ("expect", 26 * H, 6, set()),  # severe warning at 6 is a notice, not a penalty
    ],
    "each entry expires 365 days after its own date": [
        ("record", 0 * D, "L1", 2, "prohibited_item"),
        ("record", 100 * D, "L2", 2, "prohibited_item"),
        ("expect", 364 * D, 4, set()),
        ("expect", 365 * D, 2, set()),
        ("expect", 465 * D, 0, set()),
    ],
    "ladder: each threshold fires once when crossed": [
        ("record", 0 * D, "L1", 6, "prohibited_item"),
        ("record", 0 * D + H, "L2", 6, "prohibited_item"),
        ("expect", 1 * D, 12, {"restriction"}),
        ("expect", 8 * D, 12, set()),  # the 7-day restriction is over
        ("record", 8 * D, "L3", 6, "prohibited_item"),
        ("record", 8 * D + H, "L4", 6, "prohibited_item"),
        ("expect", 9 * D, 24, {"restriction"}),
        ("expect", 23 * D, 24, set()),  # 14 days later
        ("record", 23 * D, "L5", 6, "prohibited_item"),
        ("record", 23 * D + H, "L6", 6, "prohibited_item"),
        ("expect", 24 * D, 36, {"restriction"}),  # 21 days, all products removed
        ("expect", 45 * D, 36, set()),
        ("record", 45 * D, "L7", 6, "prohibited_item"),
        ("record", 45 * D + H, "L8", 6, "prohibited_item"),
        ("expect", 46 * D, 48, {"termination"}),
    ],
    "no points accrue while a penalty runs": [
        ("record", 0 * H, "L1", 6, "prohibited_item"),
        ("record", 1 * H, "L2", 6, "prohibited_item"),  # 12: 7-day restriction
        ("record", 3 * D, "L3", 6, "prohibited_item"),  # during it: 0
        ("expect", 4 * D, 12, {"restriction"}),
        ("record", 8 * D, "L4", 6, "prohibited_item"),  # after it: charged
        ("expect", 9 * D, 18, set()),
    ],
    "A+ is 48 and immediate closure, whatever the cap": [
        ("record", 0 * H, "L1", 6, "prohibited_item"),
        ("record", 1 * H, "L2", 48, "prohibited_item"),
        ("expect", 2 * H, 54, {"termination"}),
        ("record", 3 * D, "L3", 6, "prohibited_item"),  # terminated: nothing more accrues
        ("expect", 4 * D, 54, {"termination"}),
    ],
    "an A+ infringement during a restriction closes the account; nothing accrues after": [
        ("record", 0 * H, "L1", 6, "prohibited_item", "prescription-drugs"),
        ("record", 1 * H, "L2", 6, "prohibited_item", "prescription-drugs"),  # 12: restriction
        ("record", 2 * D, "L3", 48, "prohibited_item", "cocaine"),  # A+: 0 points, closure
        ("expect", 2 * D + H, 12, {"restriction", "termination"}),
        ("record", 10 * D, "L4", 6, "prohibited_item", "prescription-drugs"),
        ("expect", 10 * D + H, 12, {"termination"}),
    ],
    "controlled items: first violation 0, then 0.5 each": [
        ("record", 0 * D, "L1", 0.5, "controlled_item"),
        ("record", 1 * D, "L2", 0.5, "controlled_item"),
        ("record", 2 * D, "L3", 0.5, "controlled_item"),
        ("expect", 3 * D, 1.0, set()),
    ],
    "an overturned appeal reverses the points and lifts the restriction": [
        ("record", 0 * H, "L1", 6, "prohibited_item"),
        ("record", 1 * H, "L2", 6, "prohibited_item"),
        ("expect", 2 * H, 12, {"restriction"}),
        ("overturn", 2 * D, "L2"),
        ("expect", 2 * D + H, 6, set()),
        ("record", 3 * D, "L3", 6, "prohibited_item"),  # accrues again: no penalty runs now
        ("expect", 3 * D + H, 12, {"restriction"}),
    ],
    "a reversal also frees room under the daily cap": [
        ("record", 0 * H, "L1", 6, "prohibited_item"),
        ("record", 1 * H, "L2", 6, "prohibited_item"),
        ("record", 2 * H, "L3", 6, "prohibited_item"),  # capped (and a penalty runs)
        ("overturn", 5 * H, "L1"),
        ("expect", 6 * H, 12, {"restriction"}),  # L2 + L3, as if L1 had never been charged
    ],
}


def _infringement_of(ledger: Ledger, listing: str, at: dt.datetime) -> str:
    view = ledger.seller("S1", at)
    return next(e.infringement_id for e in view.entries if e.listing_id == listing)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_scenario(ledger: Ledger, name: str) -> None:
    for step in SCENARIOS[name]:
        action, offset = step[0], step[1]
        when = START + offset
        if action == "record":
            _, _, listing, points, kind, *item = step
            found = verdict(
                listing, points=points, kind=kind, item=item[0] if item else "stun-guns"
            )
            ledger.record([found], when)
        elif action == "overturn":
            infringement = _infringement_of(ledger, step[2], when)
            appeal = ledger.file_appeal(infringement, "wrong item", when)
            ledger.decide_appeal(appeal.appeal_id, True, "not a stun gun", "rev", when)
        else:
            _, _, points, sanctions = step
            view = ledger.seller("S1", when)
            assert view.active_points == points, (name, step, view.entries)
            assert {s.kind for s in view.sanctions} == sanctions, (name, step, view.sanctions)


def test_restriction_at_36_removes_all_products_and_lifting_restores_them(ledger: Ledger) -> None:
    for i in range(3):
        ledger.record(
            [verdict(f"L{i}a", points=6), verdict(f"L{i}b", points=6)], START + i * 30 * D
        )
    view = ledger.seller("S1", START + 60 * D + H)
    assert view.active_points == 36
    assert [(s.kind, s.remove_all_products) for s in view.sanctions] == [("restriction", True)]
    infringement = _infringement_of(ledger, "L2b", START + 60 * D + H)
    appeal = ledger.file_appeal(infringement, "mistake", START + 61 * D)
    ledger.decide_appeal(appeal.appeal_id, True, "mistake", "rev", START + 61 * D)
    view = ledger.seller("S1", START + 61 * D + H)
    assert view.active_points == 30 and view.sanctions == ()
    lifted = [s for s in view.past_sanctions if s.status == "lifted"]
    assert lifted and lifted[0].remove_all_products
    subjects = [n.subject for n in view.notifications]
    assert any("lifted" in s for s in subjects)


def test_recording_the_same_verdict_twice_is_one_infringement(ledger: Ledger) -> None:
    ledger.record([verdict("L1", points=6)], START)
    ledger.record([verdict("L1", points=6)], START + D)  # rescan, unchanged content
    ledger.record([verdict("L1", points=6), verdict("L1", points=6)], START + 2 * D)
    view = ledger.seller("S1", START + 3 * D)
    assert len(view.entries) == 1 and view.active_points == 6
    ledger.record([verdict("L1", points=6, content="v2")], START + 4 * D)  # edited listing
    assert len(ledger.seller("S1", START + 5 * D).entries) == 2


@pytest.mark.parametrize(
    ("when", "error", "message"),
    [(START + 8 * D, ConflictError, "appeal window"), (START - D, ConflictError, "before")],
)
def test_appeals_out_of_window(
    ledger: Ledger, when: dt.datetime, error: type, message: str
) -> None:
    ledger.record([verdict("L1", points=6)], START)
    infringement = _infringement_of(ledger, "L1", START)
    with pytest.raises(error, match=message):
        ledger.file_appeal(infringement, "please", when)


def test_appeal_twice_and_decision_twice_are_refused(ledger: Ledger) -> None:
    ledger.record([verdict("L1", points=6)], START)
    infringement = _infringement_of(ledger, "L1", START)
    appeal = ledger.file_appeal(infringement, "please", START + D)
    with pytest.raises(ConflictError, match="already appealed"):
        ledger.file_appeal(infringement, "again", START + D)
    ledger.decide_appeal(appeal.appeal_id, False, "evidence is clear", "rev", START + 2 * D)
    with pytest.raises(ConflictError, match="already decided"):
        ledger.decide_appeal(appeal.appeal_id, True, "changed my mind", "rev", START + 3 * D)
    assert ledger.seller("S1", START + 3 * D).active_points == 6


def test_unknown_ids_are_clear_errors(ledger: Ledger) -> None:
    with pytest.raises(NotFoundError, match="no infringement"):
        ledger.file_appeal("nope", "x", START)
    with pytest.raises(NotFoundError, match="no appeal"):
        ledger.decide_appeal("A-nope", True, "x", "rev", START)
    with pytest.raises(NotFoundError, match="no seller"):
        ledger.seller("S404", START)
    with pytest.raises(NotFoundError, match="no item"):
        ledger.add_certificate("S1", "unicorns", (), dt.date(2030, 1, 1), START)


def test_certificates_on_file(ledger: Ledger) -> None:
    ledger.add_certificate("S1", "fireworks", ("DE",), dt.date(2024, 6, 30), START)
    assert ledger.covers("S1", "fireworks", "DE", dt.date(2024, 6, 30))
    assert not ledger.covers("S1", "fireworks", "DE", dt.date(2024, 7, 1))
    assert not ledger.covers("S1", "fireworks", "FR", dt.date(2024, 1, 2))
    assert not ledger.covers("S2", "fireworks", "DE", dt.date(2024, 1, 2))


def test_every_change_is_audited_and_notified(ledger: Ledger) -> None:
    ledger.record([verdict("L1", points=6)], START)
    events = list(ledger.audit())
    assert [e.action for e in events] == ["points_charge", "sanction_imposed"]
    assert all(e.actor == "enforce" and e.at == START for e in events)
    notes = ledger.seller("S1", START).notifications
    assert len(notes) == 1 and "severe warning" in notes[0].subject
