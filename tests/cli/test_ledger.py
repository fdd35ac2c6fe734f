"""`contraband enforce` and `seller show` end to end: what an operator reads."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from contraband.cli.main import app
from tests.conftest import MINI_PACK, scan_mini


@pytest.fixture()
def ledger(tmp_path: Path) -> str:
    """A ledger holding one seller's disguised prohibited listing (48 + 1 points)."""
    source = tmp_path / "l.jsonl"
    source.write_text(json.dumps({"id": "L1", "seller_id": "S1", "title": "C0caine 1g"}) + "\n")
    verdicts = tmp_path / "v.jsonl"
    assert scan_mini(source, verdicts).exit_code == 0
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    enforced = CliRunner().invoke(
        app,
        [
            "enforce",
            str(verdicts),
            "--db",
            db,
            "--policy",
            str(MINI_PACK),
            "--at",
            "2020-03-01T12:00:00",
        ],
    )
    assert enforced.exit_code == 0, enforced.output
    assert "recorded 1 verdict: 2 new infringements" in enforced.output  # item and disguise
    return db


@pytest.mark.parametrize("columns", ["80", "160"])
def test_seller_show_lists_each_entry_whole_at_any_width(ledger: str, columns: str) -> None:
    result = CliRunner().invoke(
        app,
        [
            "seller",
            "show",
            "S1",
            "--db",
            ledger,
            "--policy",
            str(MINI_PACK),
            "--at",
            "2020-03-02T00:00:00",
        ],
        env={"COLUMNS": columns},
    )
    assert result.exit_code == 0, result.output
    assert "S1: 48 active points" in result.output  # none accrue once terminated
    for whole in ("L1", "48 of 48", "0 of 1", "2020-03-01T12:00", "2021-03-01", "active"):
        assert whole in result.output  # never cut short by the terminal's width
