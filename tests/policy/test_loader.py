"""Loading packs: the default pack is valid; each kind of mistake is reported with its place."""

import datetime as dt
import shutil
from pathlib import Path

import pytest

from contraband.errors import PolicyError
from contraband.policy import MeasureState, load_pack
from tests.conftest import DEFAULT_PACK, MINI_PACK


def test_default_pack_loads_with_the_real_rules() -> None:
    pack = load_pack(DEFAULT_PACK)
    assert len(pack.items) >= 60
    assert pack.rules.grade_points == {"A+": 48, "A": 6, "B": 2, "C": 1, "D": 0, "E": 0.5}
    assert [s.points for s in pack.rules.ladder] == [6, 12, 24, 36, 48]
    assert pack.rules.record_days == 365 and pack.rules.daily_cap_points == 12
    us = next(m for m in pack.measures if m.id == "US-ECIG-2019")
    assert us.effective == dt.date(2019, 10, 10) and us.countries == ("US",)
    assert (
        len(
            pack.measure_countries(next(m for m in pack.measures if m.id == "ECIG-SALE-BANS")) or ()
        )
        == 29
    )
    # the words shops use every day do not confirm an item's sense alone
    cocaine = pack.items_by_id["cocaine"]
    assert "pure" in pack.item_context(cocaine) and "pure" not in pack.strong_context(cocaine)
    assert "mg" in pack.strong_context(cocaine)


def _broken(tmp_path: Path, file: str, old: str, new: str) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(MINI_PACK, target)
    path = target / file
    text = path.read_text()
    assert old in text, f"fixture lacks {old!r}"
    path.write_text(text.replace(old, new, 1))
    return target


MISTAKES = [
    # (file, text to replace, replacement, expected problem fragment, line)
    ("pack.yaml", 'version: "mini-1"', "version:", "version", 2),
    (
        "pack.yaml",
        "circumvention_points: 1",
        "circumvention_points: lots",
        "circumvention_points",
        5,
    ),
    (
        "pack.yaml",
        "  controlled_points: 0.5",
        "  controlled_points: 0.5\n  colour: red",
        "colour",
        7,
    ),
    (
        "pack.yaml",
        "{points: 12, sanction: restriction",
        "{points: 5, sanction: restriction",
        "ladder",
        8,
    ),
    ("pack.yaml", "sanction: severe_warning", "sanction: scolding", "sanction", 9),
    ("items/items.yaml", "terms: {en: [cocaine]}", "terms: {en: []}", "at least one term", 9),
    ("items/items.yaml", 'grade: "A+"', 'grade: "Z"', "unknown grade", 8),
    ("items/items.yaml", "  - id: lasers", "  - id: cocaine", "duplicate item id", 20),
    ("items/items.yaml", '"Toys & Hobbies > Drones"', '"Toys > Drones"', "unknown category", 27),
    ("measures/measures.yaml", "items: [lasers]", "items: [phasers]", "unknown item 'phasers'", 28),
    ("measures/measures.yaml", "countries: [AU]", "countries: [XX]", "'XX'", 29),
    ("measures/measures.yaml", "countries: [GULF]", "countries: [GOLF]", "'GOLF'", 11),
    ("measures/measures.yaml", "effective: 2020-02-01", "effective: 2019-02-01", "effective", 2),
    ("measures/measures.yaml", "publicized: 2020-01-01", "publicized: 2020-13-01", "publicized", 7),
    ("measures/measures.yaml", "kind: restrict", "kind: forbid", "kind", 30),
    ("countries.yaml", "[AE, SA, QA]", "[AE, SA, QQ]", "'QQ'", 2),
    ("items/items.yaml", "  - id: drones", "  - id: drones\n  nonsense: [", "not valid YAML", None),
]


@pytest.mark.parametrize(("file", "old", "new", "fragment", "line"), MISTAKES)
def test_each_mistake_names_file_line_and_field(
    tmp_path: Path, file: str, old: str, new: str, fragment: str, line: int | None
) -> None:
    with pytest.raises(PolicyError) as error:
        load_pack(_broken(tmp_path, file, old, new))
    problems = error.value.problems
    matching = [p for p in problems if fragment in str(p)]
    assert matching, f"no problem mentions {fragment!r}: {problems}"
    assert matching[0].file.endswith(file)
    if line is not None:
        assert matching[0].line is not None


def test_missing_pack_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="not a directory"):
        load_pack(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(PolicyError, match="pack.yaml: -: file is missing"):
        load_pack(tmp_path / "empty")


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    target = _broken(tmp_path, "measures/measures.yaml", "items: [lasers]", "items: [phasers]")
    text = (
        (target / "measures/measures.yaml")
        .read_text()
        .replace("countries: [AU]", "countries: [XX]")
    )
    (target / "measures/measures.yaml").write_text(text)
    with pytest.raises(PolicyError) as error:
        load_pack(target)
    assert len(error.value.problems) == 2


@pytest.mark.parametrize(
    ("day", "state"),
    [
        (dt.date(2019, 12, 31), MeasureState.DRAFT),
        (dt.date(2020, 1, 1), MeasureState.ANNOUNCED),
        (dt.date(2020, 1, 31), MeasureState.ANNOUNCED),
        (dt.date(2020, 2, 1), MeasureState.IN_FORCE),
        (dt.date(2030, 1, 1), MeasureState.IN_FORCE),
    ],
)
def test_measure_states(day: dt.date, state: MeasureState) -> None:
    pack = load_pack(MINI_PACK)
    us = next(m for m in pack.measures if m.id == "US-VAPE")
    assert us.state_on(day) == state


def test_expired_measure() -> None:
    pack = load_pack(MINI_PACK)
    drones = next(m for m in pack.measures if m.id == "BB-DRONES")
    assert drones.state_on(dt.date(2018, 3, 31)) == MeasureState.IN_FORCE
    assert drones.state_on(dt.date(2018, 4, 1)) == MeasureState.EXPIRED


@pytest.mark.parametrize(
    ("term", "message"),
    [
        ("one two three four five", "has 5 words; at most 4"),
        ("!!!", "has no letters or digits"),
    ],
)
def test_policy_check_runs_the_term_rules_with_file_and_line(
    tmp_path: Path, term: str, message: str
) -> None:
    """A term the index cannot match fails the check (not a later scan), naming where."""
    import shutil

    from typer.testing import CliRunner

    from contraband.cli.main import app

    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    items = pack / "items" / "items.yaml"
    items.write_text(
        items.read_text()
        + f"  - id: bad-term\n    name: Bad\n    grade: A\n    terms:\n      en: ['{term}']\n"
    )
    result = CliRunner().invoke(app, ["policy", "check", str(pack)])
    assert result.exit_code == 2
    assert "items.yaml" in result.output and message in result.output
    line = next(n for n, text in enumerate(items.read_text().splitlines(), start=1) if term in text)
    assert f":{line}" in result.output and "terms.en.0" in result.output
