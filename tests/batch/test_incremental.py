"""Which verdicts of a previous rescan still hold under a new pack on a new day: the carry
plan, from the two packs alone (no Spark)."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from contraband.batch.incremental import carry_plan
from contraband.policy import load_pack
from tests.conftest import MINI_PACK

DAY = dt.date(2022, 4, 20)  # VAPE-BAN announced, not in force


def _edit(relative: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(pack: Path) -> None:
        path = pack / relative
        text = path.read_text()
        assert old in text, (relative, old)
        path.write_text(text.replace(old, new, 1))

    return edit


def _add(relative: str, text: str) -> Callable[[Path], None]:
    def add(pack: Path) -> None:
        (pack / relative).write_text(text)

    return add


# (what changes, the day of the new rescan, everything, pack-wide, the items reached)
CASES = [
    ("nothing", lambda pack: None, DAY, False, False, set()),
    (
        "a measure's countries",
        _edit("measures/measures.yaml", "    countries: [US]\n", "    countries: [US, CA]\n"),
        DAY,
        False,
        False,
        {"vapes"},
    ),
    (
        "a measure's state on the new day",
        lambda pack: None,
        DAY + dt.timedelta(30),
        False,
        False,
        {"vapes"},
    ),
    (
        "an item's grade",
        _edit("items/items.yaml", 'grade: "E"', 'grade: "C"'),
        DAY,
        False,
        False,
        {"fireworks"},
    ),
    (
        "a term",
        _edit("items/items.yaml", "[vape, e-cigarette]", "[vape, e-cigarette, mod]"),
        DAY,
        True,
        True,
        set(),
    ),
    ("the namesakes", _add("namesakes.yaml", "namesakes: [speed]\n"), DAY, True, True, set()),
    ("context words", _edit("pack.yaml", "pipe]", "pipe, bong]"), DAY, True, True, set()),
    ("the points of a grade", _edit("pack.yaml", '"C": 1,', '"C": 2,'), DAY, False, True, set()),
]


@pytest.mark.parametrize(
    ("change", "day", "everything", "matched", "items"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_the_plan_screens_again_what_a_change_reaches(
    tmp_path: Path,
    change: Callable[[Path], None],
    day: dt.date,
    everything: bool,
    matched: bool,
    items: set[str],
) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    change(pack)
    plan = carry_plan(load_pack(MINI_PACK), load_pack(pack), [DAY], day)
    assert (plan.everything, plan.matched, set(plan.items)) == (everything, matched, items)
    assert bool(plan.reasons) == (everything or matched or bool(items))


def test_other_models_screen_everything() -> None:
    pack = load_pack(MINI_PACK)
    plan = carry_plan(pack, pack, [DAY], DAY, models_changed=True)
    assert plan.everything and plan.reasons == ("the models changed: every listing",)
