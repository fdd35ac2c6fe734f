"""The difference between two packs, in words and as data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from contraband.policy import load_pack
from contraband.policy.diff import diff_packs
from tests.conftest import MINI_PACK

LASER_BAN = """
  - id: DE-LASER
    title: Laser pointers banned in Germany
    items: [lasers]
    countries: [DE]
    publicized: 2022-01-01
    effective: 2022-02-01
"""


def edited(tmp_path: Path) -> Path:
    """The mini pack with a measure added, a term added and one removed, a rule changed."""
    target = tmp_path / "pack"
    shutil.copytree(MINI_PACK, target)
    measures = target / "measures" / "measures.yaml"
    measures.write_text(measures.read_text() + LASER_BAN)
    items = target / "items" / "items.yaml"
    items.write_text(
        items.read_text().replace(
            "terms: {en: [vape, e-cigarette]}", "terms: {en: [vape, vape pen]}"
        )
    )
    pack = target / "pack.yaml"
    pack.write_text(
        pack.read_text()
        .replace('"mini-1"', '"mini-2"')
        .replace("circumvention_points: 1", "circumvention_points: 2")
        .replace("everyday_context: [pure, powder]", "everyday_context: [pure]")
        .replace("accessories: [case, holster, propeller, charger]", "accessories: [case]")
    )
    return target


def test_the_same_pack_has_no_changes() -> None:
    assert diff_packs(load_pack(MINI_PACK), load_pack(MINI_PACK)).changes == ()


def test_every_kind_of_change_is_named(tmp_path: Path) -> None:
    diff = diff_packs(load_pack(MINI_PACK), load_pack(edited(tmp_path)))
    assert diff.lines() == [
        "policy mini-1 -> mini-2: 6 change(s)",
        "  item vapes: term en removed: 'e-cigarette'",
        "  item vapes: term en added: 'vape pen'",
        "  measure DE-LASER added",
        "  rules circumvention_points: 1.0 -> 2.0",
        '  pack everyday_context: ["pure","powder"] -> ["pure"]',
        '  pack accessories: ["case","holster","propeller","charger"] -> ["case"]',
    ]
    assert diff.changed_items == {"vapes"} and diff.changed_measures == {"DE-LASER"}


@pytest.mark.parametrize("swap", [False, True])
def test_a_removal_is_the_reverse_of_an_addition(tmp_path: Path, swap: bool) -> None:
    old, new = load_pack(MINI_PACK), load_pack(edited(tmp_path))
    diff = diff_packs(new, old) if swap else diff_packs(old, new)
    kinds = {c.change for c in diff.changes if c.section == "measure"}
    assert kinds == ({"removed"} if swap else {"added"})
