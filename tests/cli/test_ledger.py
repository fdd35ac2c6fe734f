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


def _enforce(verdicts: Path, db: str) -> None:
    result = CliRunner().invoke(
        app,
        ["enforce", str(verdicts), "--db", db, "--policy", str(MINI_PACK), "--at", "2020-03-01"],
    )
    assert result.exit_code == 0, result.output


def test_parquet_verdicts_enforce_to_the_same_ledger_as_jsonl(tmp_path: Path) -> None:
    """scan --out X.parquet then enforce X.parquet: row for row the ledger of the JSONL path."""
    from tests.ledger.helpers import dump

    source = tmp_path / "l.jsonl"
    titles = ["C0caine 1g", "V4pe kit", "Laser pointer", "Fireworks cake", "Cotton shirt"]
    source.write_text(
        "\n".join(
            json.dumps({"id": f"L{i}", "seller_id": f"S{i % 3}", "title": t, "countries": ["US"]})
            for i, t in enumerate(titles * 4)
        )
        + "\n"
    )
    ledgers = {}
    for suffix in ("jsonl", "parquet"):
        verdicts = tmp_path / f"v.{suffix}"
        assert scan_mini(source, verdicts).exit_code == 0
        db = f"sqlite:///{tmp_path / suffix}.db"
        _enforce(verdicts, db)
        ledgers[suffix] = dump(db)
    assert ledgers["jsonl"] == ledgers["parquet"]
    assert ledgers["jsonl"]["infringements"]  # something was recorded


def test_enforce_refuses_a_file_the_ledger_cannot_store_before_writing(tmp_path: Path) -> None:
    """A seller id longer than the ledger keeps fails the check of the whole file, on every
    backend alike, and nothing is written."""
    from contraband.verdict import to_json
    from tests.ledger.helpers import verdict as make_verdict

    path = tmp_path / "v.jsonl"
    path.write_bytes(
        to_json(make_verdict("L1", "S1")) + b"\n" + to_json(make_verdict("L2", "S" * 201)) + b"\n"
    )
    db = tmp_path / "l.db"
    result = CliRunner().invoke(app, ["enforce", str(path), "--db", f"sqlite:///{db}"])
    assert result.exit_code == 2 and "seller_id is 201 characters" in result.output
    assert not db.exists()


def test_read_commands_do_not_create_a_database(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    result = CliRunner().invoke(app, ["seller", "show", "S1", "--db", f"sqlite:///{missing}"])
    assert result.exit_code == 2 and "no ledger database" in result.output
    assert not missing.exists()


def test_commands_work_from_any_directory_with_the_bundled_pack(tmp_path: Path) -> None:
    """No --policy, no --db: the bundled pack and the settings' database, from anywhere."""
    import subprocess
    import sys

    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "L1", "seller_id": "S1", "title": "cocaine"}) + "\n")
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    env = {**__import__("os").environ, "CONTRABAND_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "contraband.cli.main", *args]
        return subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)

    for args in (
        ("policy", "check"),
        ("certificate", "add", "S9", "fireworks", "--until", "2023-01-01"),  # creates the ledger
        ("scan", str(source), "--as-of", "2022-04-20"),  # reads its certificates
        ("enforce", "in.verdicts.jsonl", "--at", "2022-04-20T12:00:00"),
        ("seller", "show", "S1", "--at", "2022-04-20T13:00:00"),
    ):
        done = run(*args)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    assert "S1: 48 active points" in done.stdout


@pytest.mark.parametrize("seller", ["[/]", "[link=http://evil.example]S[/link]", "S\x1b[31mred"])
def test_seller_ids_print_as_text_never_as_markup_or_escapes(tmp_path: Path, seller: str) -> None:
    from contraband.verdict import to_json
    from tests.ledger.helpers import verdict as make_verdict

    path = tmp_path / "v.jsonl"
    path.write_bytes(to_json(make_verdict("L[bold]1", seller)) + b"\n")
    db = f"sqlite:///{tmp_path / 'l.db'}"
    assert CliRunner().invoke(app, ["enforce", str(path), "--db", db]).exit_code == 0
    result = CliRunner().invoke(app, ["seller", "show", seller, "--db", db], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    visible = seller.replace("\x1b", "\\x1b")
    assert visible in result.output and "L[bold]1" in result.output
