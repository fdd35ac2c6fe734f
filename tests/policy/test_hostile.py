"""Hostile and broken packs: each is refused whole, with the file, line and what is wrong;
nothing eats memory, follows a dangling link silently, or keeps a duplicate key's last value."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from contraband.errors import PolicyError
from contraband.policy import load_pack
from tests.conftest import MINI_PACK

ITEMS = "items/items.yaml"


def _append(relative: str, text: str) -> Callable[[Path], None]:
    def change(pack: Path) -> None:
        path = pack / relative
        path.write_text(path.read_text() + text)

    return change


def _replace(relative: str, old: str, new: str) -> Callable[[Path], None]:
    def change(pack: Path) -> None:
        path = pack / relative
        assert old in path.read_text()
        path.write_text(path.read_text().replace(old, new, 1))

    return change


def _write(relative: str, text: str) -> Callable[[Path], None]:
    def change(pack: Path) -> None:
        (pack / relative).write_text(text)

    return change


def _write_bytes(relative: str, data: bytes) -> Callable[[Path], None]:
    def change(pack: Path) -> None:
        (pack / relative).write_bytes(data)

    return change


def _link(relative: str, target: str) -> Callable[[Path], None]:
    def change(pack: Path) -> None:
        os.symlink(target, pack / relative)

    return change


def _no_items(pack: Path) -> None:
    shutil.rmtree(pack / "items")


def _directory(pack: Path) -> None:
    (pack / "items" / "more.yaml").mkdir()


BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(8)
)

CASES: dict[str, tuple[Callable[[Path], None], str]] = {
    "alias bomb": (_write("items/bomb.yaml", BOMB), "expands to more than"),
    "dangling link": (_link("items/gone.yaml", "/nonexistent/x.yaml"), "a link to nothing"),
    "looping link": (_link("items/loop.yaml", "loop.yaml"), "a link to nothing"),
    "a device where a file should be": (_link("items/zero.yaml", "/dev/zero"), "not a regular"),
    "a directory where a file should be": (_directory, "not a regular file"),
    "duplicate key": (
        _replace(ITEMS, '    grade: "A+"\n', '    grade: "A+"\n    grade: "C"\n'),
        "duplicate key",
    ),
    "unknown top-level key": (_append("pack.yaml", "rulez: {}\n"), "unknown key"),
    "measures inside an items file": (
        _append(ITEMS, "measures: []\n"),
        "unknown key; this file may hold items",
    ),
    "no items": (_no_items, "no item files"),
    "NaN points": (_replace("pack.yaml", '"A": 6', '"A": .nan'), "finite number"),
    "infinite points": (_replace("pack.yaml", '"A": 6', '"A": .inf'), "finite number"),
    "negative points": (
        _replace("pack.yaml", "circumvention_points: 1", "circumvention_points: -1"),
        "greater than or equal to 0",
    ),
    "record of 0 days": (_append("pack.yaml", "  record_days: 0\n"), "record_days"),
    "record of 10^12 days": (_append("pack.yaml", "  record_days: 1000000000000\n"), "record_days"),
    "negative appeal window": (_append("pack.yaml", "  appeal_days: -3\n"), "appeal_days"),
    "a term over the length limit": (
        _replace(ITEMS, "terms: {en: [cocaine]}", "terms: {en: [" + "c" * 201 + "]}"),
        "at most 200 characters",
    ),
    "not UTF-8": (_write_bytes("items/latin1.yaml", b"items: []\n# caf\xe9\n"), "not UTF-8"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_hostile_pack_is_refused_with_where_and_what(tmp_path: Path, name: str) -> None:
    change, message = CASES[name]
    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    change(pack)
    with pytest.raises(PolicyError) as caught:
        load_pack(pack)
    assert message in str(caught.value), str(caught.value)
    assert str(pack) in str(caught.value)  # the file is named


def test_the_alias_bomb_is_refused_before_it_is_built(tmp_path: Path) -> None:
    """10^9 values if constructed: refused from the node graph, in well under a second."""
    import time

    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    (pack / "items" / "bomb.yaml").write_text(BOMB)
    started = time.process_time()
    with pytest.raises(PolicyError):
        load_pack(pack)
    assert time.process_time() - started < 5  # a generous bound; constructing it takes minutes
