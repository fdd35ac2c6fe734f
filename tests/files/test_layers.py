"""Verdict layers read as one directory: the highest layer's verdict of a listing, nothing of
a removed one, lower layers carried to the top's day; and manifests that are not what they
should be refused by name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contraband.errors import InputError
from contraband.files.layers import MANIFEST, Layer, chain, write_manifest
from contraband.files.verdicts import VerdictWriter, read_verdicts
from contraband.verdict import error_verdict


def _layer(path: Path, ids: list[str], day: str, **manifest: object) -> Path:
    path.mkdir(parents=True)
    with VerdictWriter(path / "part-0.parquet") as writer:
        writer.write_many([error_verdict(i, "S", f"{day} {i}", "v1", day) for i in ids])
    if manifest:
        (path / MANIFEST).write_text(json.dumps({"models": {}, **manifest}))
    return path


def test_the_highest_layer_holds_a_listing_and_removals_hide_it_below(tmp_path: Path) -> None:
    full = _layer(tmp_path / "full", ["A", "B", "C", "D"], "2024-01-01")
    one = _layer(
        tmp_path / "one", ["B"], "2024-01-02", base="../full", removed=["C"], as_of="2024-01-02"
    )
    two = _layer(
        tmp_path / "two",
        ["C", "E"],
        "2024-01-03",
        base=str(one.resolve()),  # absolute paths read too
        removed=["D"],
        as_of="2024-01-03",
        policy_version="v2",
    )
    read = {v.listing_id: v for v in read_verdicts(two)}
    assert sorted(read) == ["A", "B", "C", "E"]
    assert read["B"].error == "2024-01-02 B" and read["C"].error == "2024-01-03 C"
    assert {v.as_of for v in read.values()} == {"2024-01-03"}
    assert read["A"].policy_version == "v2" and read["C"].policy_version == "v1"
    assert [layer.path for layer in chain(two)] == [two, one.resolve(), full.resolve()]


def test_a_manifest_written_elsewhere_names_its_base_from_where_it_will_live(
    tmp_path: Path,
) -> None:
    base = _layer(tmp_path / "catalog" / "full", ["A"], "2024-01-01")
    staging = tmp_path / "staging"
    staging.mkdir()
    final = tmp_path / "catalog" / "day-2"
    write_manifest(Layer(final, {}, base, frozenset({"A"}), "2024-01-02"), into=staging)
    assert json.loads((staging / MANIFEST).read_text())["base"] == "../full"


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ({"models": {}, "base": "."}, "loop back"),
        ({"models": {}, "base": "../nowhere"}, "is not a directory"),
        ({"models": {}, "base": 7}, "`base` is not a path"),
        ({"models": {}, "base": "../full", "removed": "A"}, "not a list of listing ids"),
        ({"models": {}, "as_of": ["2024"]}, "`as_of` is not text"),
        ({"base": "../full"}, "no `models` object"),
        ([1, 2], "no `models` object"),
    ],
)
def test_a_manifest_that_is_not_one_is_refused_by_name(
    tmp_path: Path, manifest: object, message: str
) -> None:
    _layer(tmp_path / "full", ["A"], "2024-01-01")
    top = _layer(tmp_path / "top", ["B"], "2024-01-02")
    (top / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(InputError, match=message):
        list(read_verdicts(top))


def test_a_manifest_that_is_no_json_is_refused(tmp_path: Path) -> None:
    top = _layer(tmp_path / "top", ["B"], "2024-01-02")
    (top / MANIFEST).write_bytes(b"\xff{")
    with pytest.raises(InputError, match="_contraband.json: unreadable"):
        list(read_verdicts(top))


def test_a_chain_too_deep_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import contraband.files.layers as layers

    monkeypatch.setattr(layers, "MAX_DEPTH", 3)
    below = _layer(tmp_path / "l0", ["A"], "2024-01-01")
    for n in range(1, 5):
        below = _layer(tmp_path / f"l{n}", ["A"], "2024-01-01", base=f"../l{n - 1}")
    with pytest.raises(InputError, match="more than 3 layers"):
        chain(below)
