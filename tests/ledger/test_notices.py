"""The pack decides which sanctions notify the seller: a step's `notify`, `notify_at_points`."""

from __future__ import annotations

import datetime as dt

import pytest

from contraband.ledger import Ledger
from contraband.ledger.memory import MemoryStore
from contraband.policy import PolicyPack, load_pack
from tests.conftest import DEFAULT_PACK
from tests.ledger.helpers import START, verdict


def _pack(notify_at: float, silent_steps: tuple[float, ...] = ()) -> PolicyPack:
    pack = load_pack(DEFAULT_PACK)
    ladder = tuple(
        step.model_copy(update={"notify": step.points not in silent_steps})
        for step in pack.rules.ladder
    )
    rules = pack.rules.model_copy(update={"notify_at_points": notify_at, "ladder": ladder})
    return pack.model_copy(update={"rules": rules})


@pytest.mark.parametrize(
    ("notify_at", "silent", "subjects"),
    [
        (6, (), ["a severe warning", "a restriction"]),
        (12, (), ["a restriction"]),  # below notify_at_points: no notice
        (6, (6,), ["a restriction"]),  # the step says notify: false
        (100, (), []),
    ],
)
def test_sanction_notices_follow_the_pack(
    notify_at: float, silent: tuple[float, ...], subjects: list[str]
) -> None:
    with Ledger(MemoryStore(), _pack(notify_at, silent)) as ledger:
        ledger.record([verdict("L1", points=6)], START)
        ledger.record([verdict("L2", points=6)], START + dt.timedelta(hours=1))
        notes = ledger.seller("S1", START).notifications
    assert len(notes) == len(subjects)
    for note, expected in zip(notes, subjects, strict=True):
        assert expected in note.subject and note.body


def test_notice_text_comes_from_the_templates() -> None:
    with Ledger(MemoryStore(), _pack(6)) as ledger:
        ledger.record([verdict("L1", points=6)], START)
        (note,) = ledger.seller("S1", START).notifications
    assert note.subject == "Penalty points: a severe warning"
    assert "reached 6" in note.body and "within 7 days" in note.body
