"""A pack change previewed on a catalog: what would be hidden, removed, charged, and why."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from typer.testing import CliRunner

from contraband.batch.preview import preview
from contraband.cli.main import app
from contraband.policy import load_pack
from contraband.screening import Screener
from tests.conftest import MINI_PACK
from tests.policy.test_diff import edited

DAY = dt.date(2022, 4, 20)
LISTINGS = [
    {"id": "A", "seller_id": "S1", "title": "Green laser pointer 5mW", "countries": ["DE", "FR"]},
    {"id": "B", "seller_id": "S2", "title": "Cotton shirt"},
    {"id": "C", "seller_id": "S3", "title": "l4ser p0inter for cats"},
    {"id": "D", "seller_id": "S4", "title": "Vape pen kit"},
]


def catalog(tmp_path: Path) -> Path:
    path = tmp_path / "catalog.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in LISTINGS) + "\n")
    return path


def test_a_new_country_ban_is_previewed_with_its_evidence(tmp_path: Path) -> None:
    old, new = Screener(load_pack(MINI_PACK)), Screener(load_pack(edited(tmp_path)))
    impact = preview(old, new, catalog(tmp_path), DAY)
    assert impact.listings == 4
    assert impact.newly_hidden["DE"] == 2  # both laser listings, the disguised one too
    assert {e.listing_id for e in impact.examples} >= {"A", "C"}
    example = next(e for e in impact.examples if e.listing_id == "C")
    assert any(
        f["measure_id"] == "DE-LASER" and f["text"] == "l4ser p0inter" for f in example.evidence
    )
    assert "hidden in" in example.after and "DE" in example.after


def test_the_same_pack_changes_nothing(tmp_path: Path) -> None:
    screener = Screener(load_pack(MINI_PACK))
    impact = preview(screener, screener, catalog(tmp_path), DAY)
    assert (impact.listings, impact.changed, impact.examples) == (4, 0, [])


def test_the_command_writes_json_and_html_and_never_its_input(tmp_path: Path) -> None:
    listings, new = catalog(tmp_path), edited(tmp_path)
    args = ["measure", "preview", str(listings), "--policy", str(new), "--base", str(MINI_PACK)]
    result = CliRunner().invoke(
        app,
        [
            *args,
            "--as-of",
            "2022-04-20",
            "--json",
            str(tmp_path / "i.json"),
            "--html",
            str(tmp_path / "i.html"),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "i.json").read_text())
    assert data["newly_hidden_by_country"]["DE"] == 2 and data["policy"] == "mini-2"
    assert "measure DE-LASER added" in data["pack_changes"]
    html = (tmp_path / "i.html").read_text()
    assert "Impact of policy mini-2" in html and "<script" not in html
    clobber = CliRunner().invoke(app, [*args, "--json", str(listings)])
    assert clobber.exit_code == 2 and "overwritten" in clobber.output
    assert json.loads(listings.read_text().splitlines()[0])["id"] == "A"


def test_the_diff_command(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["policy", "diff", str(MINI_PACK), str(edited(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "measure DE-LASER added" in result.output
    as_json = CliRunner().invoke(
        app, ["policy", "diff", str(MINI_PACK), str(edited(tmp_path / "b")), "--json"]
    )
    assert json.loads(as_json.output)["new_version"] == "mini-2"
