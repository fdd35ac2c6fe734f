"""`contraband token` and `contraband review` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from contraband.cli.main import app
from tests.conftest import MINI_PACK, scan_mini

runner = CliRunner()


def test_tokens_are_shown_once_listed_without_secrets_and_revoked(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'l.db'}"
    created = runner.invoke(
        app, ["token", "create", "--role", "reviewer", "--name", "ana", "--db", db]
    )
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[-1]
    assert secret.startswith("cb_")
    listed = runner.invoke(app, ["token", "list", "--db", db])
    assert listed.exit_code == 0 and "reviewer" in listed.output and "ana" in listed.output
    assert secret not in listed.output
    token_id = listed.output.split("\n")[2].split()[0]
    assert runner.invoke(app, ["token", "revoke", token_id, "--db", db]).exit_code == 0
    again = runner.invoke(app, ["token", "revoke", token_id, "--db", db])
    assert again.exit_code == 2 and "already revoked" in again.output
    bad = runner.invoke(app, ["token", "create", "--role", "seller", "--name", "x", "--db", db])
    assert bad.exit_code == 2 and "--seller" in bad.output
    wrong = runner.invoke(app, ["token", "create", "--role", "king", "--name", "x", "--db", db])
    assert wrong.exit_code == 2 and "--role must be one of" in wrong.output


def test_review_list_and_decide(tmp_path: Path) -> None:
    source = tmp_path / "l.jsonl"
    source.write_text(json.dumps({"id": "L1", "seller_id": "S1", "title": "cocane powder"}) + "\n")
    verdicts = tmp_path / "v.jsonl"
    assert scan_mini(source, verdicts).exit_code == 0
    db = f"sqlite:///{tmp_path / 'l.db'}"
    common = ["--db", db, "--policy", str(MINI_PACK)]
    at = ["--at", "2020-03-01T12:00:00"]
    assert runner.invoke(app, ["enforce", str(verdicts), *common, *at]).exit_code == 0
    listed = runner.invoke(app, ["review", "list", *common])
    assert listed.exit_code == 0 and "1 open case(s)" in listed.output
    assert "48 pts if confirmed" in listed.output and "'cocane'" in listed.output
    case_id = listed.output.split("\n")[1].split()[0]
    neither = runner.invoke(
        app, ["review", "decide", case_id, "--reason", "x", "--reviewer", "r", *common]
    )
    assert neither.exit_code == 2
    decided = runner.invoke(
        app,
        [
            "review",
            "decide",
            case_id,
            "--dismiss",
            "--reason",
            "a brand",
            "--reviewer",
            "ana",
            *common,
            *at,
        ],
    )
    assert decided.exit_code == 0 and "dismissed" in decided.output
    twice = runner.invoke(
        app,
        [
            "review",
            "decide",
            case_id,
            "--confirm",
            "--reason",
            "x",
            "--reviewer",
            "bo",
            *common,
            *at,
        ],
    )
    assert twice.exit_code == 2 and "already decided" in twice.output
    # The same listing, rescanned and recorded again: no new case.
    assert runner.invoke(app, ["enforce", str(verdicts), *common, *at]).exit_code == 0
    assert "0 open case(s)" in runner.invoke(app, ["review", "list", *common]).output
