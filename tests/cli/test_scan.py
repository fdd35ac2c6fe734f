"""`contraband scan` and `policy check` end to end, on every input format and on bad input."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from contraband.cli.main import app
from tests.conftest import MINI_PACK, scan_mini, verdict_dicts

runner = CliRunner()

LISTINGS = [
    {"id": "A", "seller_id": "S1", "title": "Cotton shirt", "category": "Apparel"},
    {"id": "B", "seller_id": "S1", "title": "V4pe starter kit", "countries": ["US", "DE"]},
    {"id": "C", "seller_id": "S2", "title": "Cocaine", "keywords": ["x", "y"]},
    {"id": "D", "seller_id": "S2", "title": "Laser pointer", "countries": ["AU", "US"]},
]


def scan(*args: str) -> "object":
    return runner.invoke(app, ["scan", *args])


def test_scan_jsonl_keeps_order_and_reports_bad_lines(tmp_path: Path) -> None:
    source = tmp_path / "listings.jsonl"
    lines = [
        json.dumps(LISTINGS[0]),
        "{not json",
        json.dumps(LISTINGS[1]),
        json.dumps({"id": "E", "title": 5}),
        "",
        json.dumps(LISTINGS[2]),
        json.dumps(LISTINGS[3]),
    ]
    source.write_text("\n".join(lines) + "\n")
    out = tmp_path / "verdicts.jsonl"
    result = scan_mini(source, out)
    assert result.exit_code == 0, result.output
    verdicts = list(verdict_dicts(out))
    assert [v["listing_id"] for v in verdicts] == ["A", "", "B", "E", "C", "D"]
    assert [v["action"] for v in verdicts] == [
        "allow",
        "error",
        "remove",
        "error",
        "remove",
        "restrict",
    ]
    assert "listings.jsonl:2" in verdicts[1]["error"] and "not valid JSON" in verdicts[1]["error"]
    assert "listings.jsonl:4" in verdicts[3]["error"] and "$.title" in verdicts[3]["error"]
    assert verdicts[2]["circumvention"] is True and verdicts[2]["blocked_countries"] == ["US"]
    assert "6 listings" in result.output


def test_scan_csv(tmp_path: Path) -> None:
    source = tmp_path / "listings.csv"
    with source.open("w", newline="") as f:
        writer = csv.DictWriter(f, ["id", "seller_id", "title", "keywords", "countries"])
        writer.writeheader()
        writer.writerow({"id": "B", "seller_id": "S1", "title": "V4pe kit", "countries": "US;DE"})
        writer.writerow({"id": "C", "seller_id": "S2", "title": "Gift", "keywords": "cocaine, x"})
    out = tmp_path / "verdicts.jsonl"
    result = scan_mini(source, out)
    assert result.exit_code == 0, result.output
    verdicts = list(verdict_dicts(out))
    assert [(v["listing_id"], v["action"]) for v in verdicts] == [("B", "remove"), ("C", "remove")]
    keyword_hit = verdicts[1]["findings"][0]
    assert keyword_hit["field"] == "keywords" and keyword_hit["span"] == [0, 7]


def test_scan_parquet_in_and_out_with_workers(tmp_path: Path) -> None:
    source = tmp_path / "listings.parquet"
    rows = [
        dict(r, keywords=r.get("keywords", []), countries=r.get("countries", []))
        for r in LISTINGS * 50
    ]
    for i, row in enumerate(rows):
        row["id"] = f"L{i}"
    pq.write_table(pa.Table.from_pylist(rows), source)
    out = tmp_path / "verdicts.parquet"
    result = scan_mini(source, out, "--workers", "2")
    assert result.exit_code == 0, result.output
    verdicts = list(verdict_dicts(out))
    assert [v["listing_id"] for v in verdicts] == [f"L{i}" for i in range(len(rows))]
    assert [v["action"] for v in verdicts[:4]] == ["allow", "remove", "remove", "restrict"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.jsonl", "--as-of", "2020-03-01"], "no such file"),
        (["{source}", "--as-of", "03/01/2020"], "YYYY-MM-DD"),
        (["{txt}", "--as-of", "2020-03-01"], "unknown input format"),
    ],
)
def test_unusable_arguments_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    source = tmp_path / "l.jsonl"
    source.write_text(json.dumps(LISTINGS[0]) + "\n")
    (tmp_path / "l.txt").write_text("x")
    args = [a.format(source=source, txt=tmp_path / "l.txt") for a in args]
    result = scan(*args, "--policy", str(MINI_PACK), "--out", str(tmp_path / "v.jsonl"))
    assert result.exit_code == 2
    assert message in result.output


def test_broken_pack_exits_2_naming_the_problem(tmp_path: Path) -> None:
    import shutil

    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    measures = pack / "measures" / "measures.yaml"
    measures.write_text(measures.read_text().replace("items: [lasers]", "items: [phasers]"))
    source = tmp_path / "l.jsonl"
    source.write_text(json.dumps(LISTINGS[0]) + "\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "contraband.cli.main",
            "scan",
            str(source),
            "--policy",
            str(pack),
            "--as-of",
            "2020-03-01",
            "--out",
            str(tmp_path / "v.jsonl"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "measures.yaml:" in result.stderr and "phasers" in result.stderr


def test_policy_check_lists_measures_with_their_state() -> None:
    result = runner.invoke(app, ["policy", "check", str(MINI_PACK), "--as-of", "2022-04-20"])
    assert result.exit_code == 0, result.output
    assert "mini-1" in result.output
    assert "announced" in result.output and "expired" in result.output


def test_scan_honours_certificates_on_file_in_the_ledger(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    added = runner.invoke(
        app,
        [
            "certificate",
            "add",
            "S9",
            "fireworks",
            "--until",
            "2030-01-01",
            "--db",
            db,
            "--policy",
            str(MINI_PACK),
        ],
    )
    assert added.exit_code == 0, added.output
    source = tmp_path / "l.jsonl"
    source.write_text(
        "\n".join(
            json.dumps(
                {
                    "id": s,
                    "seller_id": s,
                    "title": "Fireworks cake",
                    "category": "Gifts & Crafts > Fireworks",
                }
            )
            for s in ("S9", "S8")
        )
        + "\n"
    )
    out = tmp_path / "v.jsonl"
    result = scan_mini(source, out, "--db", db, "--workers", "2")
    assert result.exit_code == 0, result.output
    assert [v["action"] for v in verdict_dicts(out)] == ["allow", "review"]


def test_hostile_bytes_and_records_never_stop_the_run(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_bytes(b"id,title\n1,coc\xffaine kit\n2,Vape kit\n")
    out = tmp_path / "v.jsonl"
    result = scan_mini(source, out)
    assert result.exit_code == 0, result.output
    verdicts = list(verdict_dicts(out))
    assert [v["action"] for v in verdicts] == ["remove", "restrict"]
    assert "\ufffd" in verdicts[0]["findings"][0]["text"]  # the invalid byte, as U+FFFD
    jsonl = tmp_path / "bad.jsonl"
    jsonl.write_text(
        '[1]\n"x"\n{"id": "3", "title": "x", "keywords": {"a": 1}}\n'
        '{"id": "4", "title": "' + "x" * 200_001 + '"}\n'
    )
    result = scan_mini(jsonl, out)
    assert result.exit_code == 0, result.output
    errors = [v["error"] for v in verdict_dicts(out)]
    assert "Expected `object`" in errors[0] and "$.keywords" in errors[2]
    assert "$.title" in errors[3]


def test_a_verdict_with_lone_surrogates_is_still_written() -> None:
    from contraband.verdict import Action, Finding, FindingKind, Verdict, to_json

    finding = Finding(
        kind=FindingKind.PROHIBITED_ITEM,
        item_id="x",
        measure_id=None,
        action=Action.REMOVE,
        points=6.0,
        reason="why",
        text="co\udcffc",
    )
    verdict = Verdict(
        listing_id="L\ud800",
        seller_id="S",
        content_hash="h",
        action=Action.REMOVE,
        blocked_countries=(),
        circumvention=False,
        points=6.0,
        findings=(finding,),
        policy_version="v",
        as_of="2020-01-01",
    )
    data = json.loads(to_json(verdict))
    assert data["listing_id"] == "L\ufffd" and data["findings"][0]["text"] == "co\ufffdc"
