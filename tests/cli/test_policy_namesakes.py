"""`contraband policy namesakes`: terms a benign catalog contains as written, learned into a
pack's namesakes.yaml, after which they cost points only where the listing agrees."""

import datetime as dt
import json
import shutil
from pathlib import Path

import yaml
from typer.testing import CliRunner

from contraband.cli.main import app
from contraband.listing import parse_listing
from contraband.policy import load_pack
from contraband.screening import Screener
from tests.conftest import MINI_PACK

BENIGN = [
    "Pot holders, quilted cotton, pair",
    "Cocaine Men Aviator Sunglasses",  # a fashion brand named like the drug
    "Cocaine Women Cat-eye Sunglasses",
    "Cocaine Unisex Round Sunglasses",
    "Cooking pot with lid, 24 cm",
    "C0caine sunglasses",  # disguised: not a namesake to learn, even in a benign catalog
]


def write_catalog(path: Path) -> Path:
    rows = [{"id": f"B{i}", "title": t, "category": "Apparel"} for i, t in enumerate(BENIGN)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_learned_namesakes_stop_the_points(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "benign.jsonl")
    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    row = {"id": "L", "seller_id": "S", "title": "Cocaine Men Aviator Sunglasses"}
    row["category"] = "Apparel"
    before = Screener(load_pack(pack)).screen(parse_listing(row), dt.date(2020, 3, 1))
    assert before.points == 48

    result = CliRunner().invoke(
        app,
        [
            "policy",
            "namesakes",
            str(catalog),
            "--policy",
            str(pack),
            "--write",
            str(pack / "namesakes.yaml"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    learned = json.loads(result.output.splitlines()[0])
    assert [(c["term"], c["item_id"], c["listings"]) for c in learned] == [
        ("cocaine", "cocaine", 3)
    ]
    assert yaml.safe_load((pack / "namesakes.yaml").read_text()) == {"namesakes": ["cocaine"]}

    after = Screener(load_pack(pack)).screen(parse_listing(row), dt.date(2020, 3, 1))
    assert (after.points, after.action.value, after.findings[0].sense) == (0, "allow", "namesake")
    # the mini pack's cocaine names no context words: the real thing goes to a reviewer
    real = {"id": "R", "seller_id": "S", "title": "Cocaine 5 grams pure"}
    verdict = Screener(load_pack(pack)).screen(parse_listing(real), dt.date(2020, 3, 1))
    assert (verdict.action.value, verdict.points) == ("review", 0)


def test_the_output_is_never_the_catalog(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "benign.jsonl")
    result = CliRunner().invoke(
        app,
        ["policy", "namesakes", str(catalog), "--policy", str(MINI_PACK), "--write", str(catalog)],
    )
    assert result.exit_code == 2
    assert "would be overwritten" in result.output
    assert catalog.read_text().count("\n") == len(BENIGN)


def test_a_broken_namesakes_file_is_a_pack_problem(tmp_path: Path) -> None:
    from contraband.errors import PolicyError

    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    (pack / "namesakes.yaml").write_text("namesakes: {not: a list}\n")
    try:
        load_pack(pack)
    except PolicyError as error:
        assert "namesakes" in str(error)
    else:
        raise AssertionError("a broken namesakes.yaml loaded")
