"""Rescans on Spark (local[2]): the verdicts of `scan`, line for line (order aside), each
exactly once even when a task fails and is retried; Parquet in as well as JSONL."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from contraband.errors import InputError
from contraband.files.verdicts import read_verdicts
from contraband.screening import Screener
from contraband.verdict import to_json
from tests.conftest import MINI_PACK

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("pyspark") is None or shutil.which("java") is None,
    reason="PySpark and a Java runtime are needed (make test installs both)",
)

DAY = dt.date(2022, 4, 20)
TITLES = [
    "Vape pen kit",
    "Cotton shirt",
    "v.4.p.3 starter set",
    "Green laser pointer 5mW",
    "Pure c0caine 1 gram",
    "Handmade fireworks",
    "Garden hose 20 m",
]


@pytest.fixture(scope="module")
def screener() -> Screener:
    from contraband.policy import load_pack

    return Screener(load_pack(MINI_PACK))


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("catalog") / "listings.jsonl"
    rows = [
        {
            "id": f"L{n:05d}",
            "seller_id": f"S{n % 37}",
            "title": f"{TITLES[n % len(TITLES)]} #{n}",
            "countries": [["US"], ["DE", "AU"], []][n % 3],
        }
        for n in range(3000)
    ]
    lines = [json.dumps(r) for r in rows]
    lines.insert(1500, '{"id": "broken", "title": ')  # an unreadable line gets its verdict too
    path.write_text("\n".join(lines) + "\n")
    return path


def scanned(screener: Screener, catalog: Path, tmp_path: Path) -> list[bytes]:
    from contraband.batch.scan import scan

    out = tmp_path / "scan.jsonl"
    scan(screener, catalog, out, DAY)
    return sorted(_without_where(to_json(v)) for v in read_verdicts(out))


def _without_where(line: bytes) -> bytes:
    """An unreadable line's error names its place, which Spark does not know: compare the rest."""
    verdict = json.loads(line)
    if verdict.get("error"):
        verdict["error"] = verdict["error"].split(": ", 1)[-1]
    return json.dumps(verdict, sort_keys=True).encode()


def rescanned(out: Path) -> list[bytes]:
    return sorted(_without_where(to_json(v)) for v in read_verdicts(out))


def test_a_rescan_gives_the_verdicts_of_scan(
    screener: Screener, catalog: Path, tmp_path: Path
) -> None:
    from contraband.batch.spark import rescan

    out = tmp_path / "verdicts"
    result = rescan(screener, catalog, out, DAY, master="local[2]", partitions=3)
    assert (result.verdicts, result.screened, result.plan) == (3001, 3001, None)
    assert rescanned(out) == scanned(screener, catalog, tmp_path)
    assert (out / "_SUCCESS").exists()


def test_a_failed_task_is_retried_and_every_verdict_written_once(
    screener: Screener, catalog: Path, tmp_path: Path
) -> None:
    from contraband.batch.spark import rescan

    out = tmp_path / "verdicts"
    rescan(screener, catalog, out, DAY, master="local[2,4]", partitions=3, fail_once=True)
    ids = [v.listing_id for v in read_verdicts(out)]
    assert len(ids) == len(set(ids)) == 3001
    assert rescanned(out) == scanned(screener, catalog, tmp_path)


def test_parquet_in_and_a_clear_error_for_an_existing_output(
    screener: Screener, catalog: Path, tmp_path: Path
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from contraband.batch.spark import rescan

    rows = [json.loads(line) for line in catalog.read_text().splitlines() if '"broken"' not in line]
    source = tmp_path / "listings.parquet"
    pq.write_table(pa.Table.from_pylist(rows), source)
    out = tmp_path / "verdicts"
    assert rescan(screener, source, out, DAY, master="local[2]").verdicts == 3000
    expected = [v for v in scanned(screener, catalog, tmp_path) if b'"action": "error"' not in v]
    assert rescanned(out) == expected
    with pytest.raises(InputError, match="exists"):
        rescan(screener, source, out, DAY, master="local[2]")


def test_a_file_spark_cannot_read_is_a_clear_error_and_no_output(
    screener: Screener, tmp_path: Path
) -> None:
    from contraband.batch.spark import rescan

    source = tmp_path / "broken.parquet"
    source.write_bytes(b"PAR1 not really")
    out = tmp_path / "verdicts"
    with pytest.raises(InputError, match="the Spark job failed: .*not a Parquet file"):
        rescan(screener, source, out, DAY, master="local[1]")
    assert not out.exists()


def _changed_pack(tmp_path: Path) -> Path:
    """The mini pack with one measure changed: US-VAPE covers Canada too."""
    pack = tmp_path / "pack-2"
    shutil.copytree(MINI_PACK, pack)
    measures = pack / "measures" / "measures.yaml"
    text = measures.read_text()
    assert "    countries: [US]\n" in text
    measures.write_text(text.replace("    countries: [US]\n", "    countries: [US, CA]\n", 1))
    return pack


def _edited_catalog(catalog: Path, tmp_path: Path) -> Path:
    """The catalog with 1% of its listings edited (every 100th gets a new title)."""
    lines = catalog.read_text().splitlines()
    for n in range(0, len(lines), 100):
        if '"broken"' not in lines[n]:
            row = json.loads(lines[n])
            row["title"] = "Vape juice refill" if n % 200 else "Cotton socks"
            lines[n] = json.dumps(row)
    edited = tmp_path / "edited.jsonl"
    edited.write_text("\n".join(lines) + "\n")
    return edited


def test_an_incremental_rescan_gives_the_verdicts_of_a_full_one(
    screener: Screener, catalog: Path, tmp_path: Path
) -> None:
    """1% of listings edited, one measure changed, a later day: the verdicts equal a full
    scan's under the new pack, and only the listings that needed it were screened."""
    from contraband.batch.spark import Previous, rescan
    from contraband.policy import load_pack

    first = tmp_path / "first"
    rescan(screener, catalog, first, DAY, master="local[2]")
    new_pack = load_pack(_changed_pack(tmp_path))
    edited = _edited_catalog(catalog, tmp_path)
    later = DAY + dt.timedelta(days=30)  # VAPE-BAN (effective 2022-05-01) is now in force

    second = tmp_path / "second"
    result = rescan(
        Screener(new_pack),
        edited,
        second,
        later,
        master="local[2]",
        previous=Previous(first, screener.pack),
    )
    assert result.plan is not None and not result.plan.everything
    assert result.plan.items == {"vapes"}
    full = tmp_path / "full.jsonl"
    from contraband.batch.scan import scan

    scan(Screener(new_pack), edited, full, later)
    assert rescanned(second) == sorted(_without_where(to_json(v)) for v in read_verdicts(full))
    vapes = sum("Vape" in line or "v.4.p.3" in line for line in edited.read_text().splitlines())
    assert result.verdicts == 3001
    assert result.screened <= vapes + 31 + 1  # vape listings, the edited, the unreadable


def test_changed_terms_screen_everything_again(
    screener: Screener, catalog: Path, tmp_path: Path
) -> None:
    from contraband.batch.spark import Previous, rescan
    from contraband.policy import load_pack

    first = tmp_path / "first"
    rescan(screener, catalog, first, DAY, master="local[2]")
    pack = tmp_path / "pack-3"
    shutil.copytree(MINI_PACK, pack)
    items = pack / "items" / "items.yaml"
    items.write_text(items.read_text().replace("[vape, e-cigarette]", "[vape, e-cigarette, mod]"))
    second = tmp_path / "second"
    result = rescan(
        Screener(load_pack(pack)),
        catalog,
        second,
        DAY,
        master="local[2]",
        previous=Previous(first, screener.pack),
    )
    assert result.plan is not None and result.plan.everything
    assert result.screened == 3001


@pytest.mark.parametrize(
    ("before", "after", "everything"),
    [
        ({"item_model": "a1"}, {"item_model": "b2"}, True),  # another item model
        ({}, {"category_model": "c3"}, True),  # a model where there was none
        ({"item_model": "a1"}, {"item_model": "a1"}, False),  # the same model
    ],
)
def test_other_models_screen_everything_again(
    screener: Screener,
    catalog: Path,
    tmp_path: Path,
    before: dict[str, str],
    after: dict[str, str],
    everything: bool,
) -> None:
    """A model reads every listing, a term in it or not: verdicts made with other models
    (recorded beside them by their fingerprints) do not carry."""
    from contraband.batch.spark import Previous, rescan
    from contraband.files.layers import MANIFEST

    first = tmp_path / "first"
    rescan(screener, catalog, first, DAY, master="local[2]", models=before)
    assert json.loads((first / MANIFEST).read_text())["models"] == before
    result = rescan(
        screener,
        catalog,
        tmp_path / "second",
        DAY,
        master="local[2]",
        previous=Previous(first, screener.pack),
        models=after,
    )
    assert result.plan is not None and result.plan.everything == everything
    assert (result.screened == 3001) == everything
    if everything:
        assert result.plan.reasons == ("the models changed: every listing",)


def test_previous_verdicts_without_matched_items_are_refused(
    screener: Screener, catalog: Path, tmp_path: Path
) -> None:
    from contraband.batch.scan import scan
    from contraband.batch.spark import Previous, rescan

    earlier = tmp_path / "scan"
    earlier.mkdir()
    scan(screener, catalog, earlier / "part.parquet", DAY)
    with pytest.raises(InputError, match="do not say which items"):
        rescan(
            screener,
            catalog,
            tmp_path / "out",
            DAY,
            master="local[2]",
            previous=Previous(earlier, screener.pack),
        )
    assert not (tmp_path / "out").exists()


def test_the_rescan_command_refuses_a_previous_run_it_would_overwrite(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from contraband.cli.main import app

    listings = tmp_path / "l.jsonl"
    listings.write_text('{"id": "L1", "title": "Vape pen"}\n')
    same = tmp_path / "v"
    runner = CliRunner()
    args = ["rescan", str(listings), "--policy", str(MINI_PACK), "--out", str(same)]
    result = runner.invoke(app, [*args, "--previous", str(same)])
    assert result.exit_code == 2 and "would be overwritten" in result.output
    alone = ["rescan", str(listings), "--policy", str(MINI_PACK), "--out", str(tmp_path / "o")]
    result = runner.invoke(app, [*alone, "--previous-policy", str(MINI_PACK)])
    assert result.exit_code == 2 and "needs --previous" in result.output
