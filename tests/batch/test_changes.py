"""Rescans of a change feed (`rescan --changes`): a layer over the last rescan that reads as a
full rescan of the changed catalog would, screening only the feed and the listings a changed
measure reaches, and leaving the layers below untouched."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from contraband.batch.rows import Previous
from contraband.errors import InputError
from contraband.files.verdicts import read_verdicts
from contraband.policy import load_pack
from contraband.screening import Screener
from tests.batch.test_spark import (
    DAY,
    _changed_pack,
    _without_where,
    pytestmark,  # noqa: F401 - PySpark and Java are needed for the base rescan
)
from tests.conftest import MINI_PACK

LATER = DAY + dt.timedelta(days=30)  # VAPE-BAN (effective 2022-05-01) is in force


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener(load_pack(MINI_PACK))


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, screener: Screener) -> tuple[Path, Path]:
    """A catalog of 2,000 listings and its full rescan on Spark."""
    from contraband.batch.spark import rescan

    root = tmp_path_factory.mktemp("base")
    catalog = root / "listings.jsonl"
    titles = ["Vape pen kit", "Cotton shirt", "Pure c0caine 1 gram", "Garden hose", "v4pe mod"]
    rows = [
        {
            "id": f"L{n:05d}",
            "seller_id": f"S{n % 23}",
            "title": f"{titles[n % len(titles)]} #{n}",
            "countries": [["US"], ["CA"], []][n % 3],
        }
        for n in range(2000)
    ]
    catalog.write_text("".join(json.dumps(r) + "\n" for r in rows))
    rescan(screener, catalog, root / "verdicts", DAY, master="local[2]")
    return catalog, root / "verdicts"


def _edit(lines: list[str], step: int, title: str) -> dict[int, str]:
    """Every `step`th listing with a new title: {line number: new line}."""
    edits = {}
    for n in range(0, len(lines), step):
        row = json.loads(lines[n])
        row["title"] = f"{title} {n}"
        edits[n] = json.dumps(row)
    return edits


def _feed(tmp_path: Path, text: str) -> Path:
    """A change feed of these JSONL lines."""
    feed = tmp_path / "feed.jsonl"
    feed.write_text(text)
    return feed


def _full_scan(pack: Path, lines: list[str], tmp_path: Path, day: dt.date) -> list[bytes]:
    from contraband.batch.scan import scan
    from contraband.verdict import to_json

    catalog = tmp_path / "whole.jsonl"
    catalog.write_text("".join(line + "\n" for line in lines))
    out = tmp_path / "scanned.jsonl"
    scan(Screener(load_pack(pack)), catalog, out, day)
    return sorted(_without_where(to_json(v)) for v in read_verdicts(out))


def _layered(out: Path) -> list[bytes]:
    from contraband.verdict import to_json

    return sorted(_without_where(to_json(v)) for v in read_verdicts(out))


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes() for p in directory.rglob("*") if p.is_file()
    }


def test_a_feed_layer_reads_as_a_full_scan_of_the_changed_catalog(
    base: tuple[Path, Path], screener: Screener, tmp_path: Path
) -> None:
    """1% of listings edited, 3 removed, one measure changed, a later day: the layer reads
    as a full scan would, and only the feed and the listings the measure reaches were
    screened; the base is not touched."""
    from contraband.batch.changes import rescan_changes

    catalog, first = base
    before = _snapshot(first)
    lines = catalog.read_text().splitlines()
    edits = _edit(lines, 100, "Vape juice refill")
    feed = _feed(tmp_path, "".join(line + "\n" for line in edits.values()))
    gone = frozenset({"L00007", "L00008", "L01999"})
    pack = _changed_pack(tmp_path)
    new = Screener(load_pack(pack))

    out = tmp_path / "layer"
    result = rescan_changes(new, feed, out, LATER, Previous(first, screener.pack), removed=gone)

    changed = [edits.get(n, line) for n, line in enumerate(lines)]
    kept = [line for line in changed if json.loads(line)["id"] not in gone]
    assert _layered(out) == _full_scan(pack, kept, tmp_path, LATER)
    assert (result.from_feed, result.removed) == (20, 3)
    vapes = sum("Vape" in line or "v4pe" in line for line in lines)
    assert 0 < result.screened_again <= vapes
    assert result.plan.items == {"vapes"}
    assert _snapshot(first) == before
    assert len(list((out).glob("*.parquet"))) == 1


def test_records_are_kept_where_something_was_found(base: tuple[Path, Path]) -> None:
    """Only a listing where something was found can be reached by a change of an item or a
    measure: the others' records are not kept."""
    import pyarrow.parquet as pq

    from contraband.batch.rows import LISTING, MATCHED

    rows = pq.read_table(base[1], columns=["listing_id", MATCHED, LISTING]).to_pylist()
    assert len(rows) == 2000
    for row in rows:
        assert (row[LISTING] is not None) == bool(row[MATCHED]), row
        if row[LISTING] is not None:
            assert json.loads(row[LISTING])["id"] == row["listing_id"]


def test_a_layer_over_a_layer_reads_through_both(
    base: tuple[Path, Path], screener: Screener, tmp_path: Path
) -> None:
    """Two days of changes, the same pack: the second layer stands on the first, which
    stands on the full rescan; a listing edited twice reads as its latest, one removed in the
    first layer stays removed, one removed then fed again is back."""
    from contraband.batch.changes import rescan_changes

    catalog, first = base
    lines = catalog.read_text().splitlines()
    day_one = _edit(lines, 50, "Cotton socks")
    feed_one = tmp_path / "feed-1.jsonl"
    feed_one.write_text("".join(line + "\n" for line in day_one.values()))
    layer_one = tmp_path / "layer-1"
    previous = Previous(first, screener.pack)
    gone = frozenset({"L00011", "L00013"})
    rescan_changes(screener, feed_one, layer_one, DAY, previous, removed=gone)

    day_two = _edit(lines, 100, "C0caine 2 grams")  # every 100th is edited a second time
    day_two[13] = lines[13]  # L00013 is listed again
    feed_two = tmp_path / "feed-2.jsonl"
    feed_two.write_text("".join(line + "\n" for line in day_two.values()))
    layer_two = tmp_path / "layer-2"
    rescan_changes(screener, feed_two, layer_two, LATER, Previous(layer_one, screener.pack))

    changed = [day_two.get(n, day_one.get(n, line)) for n, line in enumerate(lines)]
    kept = [line for line in changed if json.loads(line)["id"] != "L00011"]
    assert _layered(layer_two) == _full_scan(MINI_PACK, kept, tmp_path, LATER)


def test_changed_terms_are_refused_with_nothing_written(
    base: tuple[Path, Path], screener: Screener, tmp_path: Path
) -> None:
    from contraband.batch.changes import rescan_changes

    catalog, first = base
    pack = tmp_path / "pack-3"
    shutil.copytree(MINI_PACK, pack)
    items = pack / "items" / "items.yaml"
    items.write_text(items.read_text().replace("[vape, e-cigarette]", "[vape, e-cigarette, mod]"))
    feed = _feed(tmp_path, catalog.read_text().splitlines()[0] + "\n")
    out = tmp_path / "layer"
    previous = Previous(first, screener.pack)
    with pytest.raises(InputError, match="the terms changed.*without --changes"):
        rescan_changes(Screener(load_pack(pack)), feed, out, DAY, previous)
    assert not out.exists() and not list(tmp_path.glob(".layer*"))


def test_a_listing_in_the_feed_and_removed_is_refused(
    base: tuple[Path, Path], screener: Screener, tmp_path: Path
) -> None:
    from contraband.batch.changes import rescan_changes

    catalog, first = base
    feed = _feed(tmp_path, catalog.read_text().splitlines()[4] + "\n")
    out = tmp_path / "layer"
    with pytest.raises(InputError, match="L00004 is in the feed and removed"):
        rescan_changes(
            screener, feed, out, DAY, Previous(first, screener.pack), removed=frozenset({"L00004"})
        )
    assert not out.exists() and not list(tmp_path.glob(".layer*"))
    inside = first / "layer"
    with pytest.raises(InputError, match="inside"):
        rescan_changes(screener, feed, inside, DAY, Previous(first, screener.pack))
    assert not inside.exists()


def test_the_command_layers_a_feed_and_a_full_rescan_reads_the_layers(
    base: tuple[Path, Path], tmp_path: Path
) -> None:
    from contraband.cli.main import app

    catalog, first = base
    lines = catalog.read_text().splitlines()
    feed = _feed(tmp_path, lines[0].replace("Vape pen kit", "Wool hat") + "\n")
    removed = tmp_path / "removed.txt"
    removed.write_text("L00001\n\nL00002\n")
    runner = CliRunner()
    common = ["--policy", str(MINI_PACK), "--as-of", DAY.isoformat()]
    layer = tmp_path / "layer"
    args = ["rescan", str(feed), *common, "--previous", str(first), "--changes"]
    result = runner.invoke(app, [*args, "--removed", str(removed), "--out", str(layer)])
    assert result.exit_code == 0, result.output
    assert "1 of the feed" in result.output and "2 listings removed" in result.output
    assert "unread" in result.output
    verdicts = {v.listing_id: v for v in read_verdicts(layer)}
    assert len(verdicts) == 1998 and verdicts["L00000"].action == "allow"

    # a full rescan with the layer as --previous reads through it, and carries from it
    whole = tmp_path / "whole.jsonl"
    whole.write_text(feed.read_text() + "".join(line + "\n" for line in lines[3:]))
    full = tmp_path / "full"
    args = ["rescan", str(whole), *common, "--previous", str(layer), "--master", "local[2]"]
    args += ["--conf", "spark.sql.shuffle.partitions=3"]  # a Spark setting passes through
    result = runner.invoke(app, [*args, "--out", str(full)])
    assert result.exit_code == 0, result.output
    assert "0 screened, 1,998 carried forward" in result.output
    assert _layered(full) == _layered(layer)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--changes"], "--changes needs --previous"),
        (["--removed", "r.txt"], "--removed needs --changes"),
        (["--changes", "--previous", "{first}", "--master", "local[1]"], "in this process"),
        (["--changes", "--previous", "{first}", "--conf", "spark.x=1"], "in this process"),
        (["--conf", "executor.memory=1g"], "expected spark.KEY=VALUE"),
        (["--changes", "--previous", "{catalog}"], "the listings to screen are not"),
        (["--conf", "spark.executor.memory"], "expected spark.KEY=VALUE"),
    ],
)
def test_the_command_refuses_options_that_do_not_go_together(
    base: tuple[Path, Path], tmp_path: Path, extra: list[str], message: str
) -> None:
    from contraband.cli.main import app

    catalog, first = base
    args = ["rescan", str(catalog), "--policy", str(MINI_PACK), "--out", str(tmp_path / "o")]
    extra = [e.replace("{first}", str(first)).replace("{catalog}", str(catalog)) for e in extra]
    result = CliRunner().invoke(app, [*args, *extra])
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "o").exists()


def test_an_unreadable_feed_line_gets_its_verdict_naming_the_line(
    base: tuple[Path, Path], screener: Screener, tmp_path: Path
) -> None:
    from contraband.batch.changes import rescan_changes

    catalog, first = base
    feed = _feed(tmp_path, catalog.read_text().splitlines()[0] + '\n\n{"id": "L00001", "title": \n')
    out = tmp_path / "layer"
    result = rescan_changes(screener, feed, out, DAY, Previous(first, screener.pack))
    assert result.from_feed == 2
    errors = [v.error for v in read_verdicts(out) if v.error]
    assert len(errors) == 1 and errors[0].startswith("feed.jsonl:3: ")
    assert sum(1 for _ in read_verdicts(out)) == 2001  # the broken line is a verdict of its own


def test_enforce_reads_a_layer_and_charges_only_what_changed(
    base: tuple[Path, Path], screener: Screener, tmp_path: Path
) -> None:
    """The ledger after the full rescan, then after a layer over it: the unchanged listings'
    verdicts (carried forward) are the same infringements, not new ones."""
    from contraband.batch.changes import rescan_changes
    from contraband.cli.main import app

    catalog, first = base
    lines = catalog.read_text().splitlines()
    row = json.loads(lines[3])  # "Garden hose #3"
    row["title"] = "C0caine 2 grams"
    feed = _feed(tmp_path, json.dumps(row) + "\n")
    layer = tmp_path / "layer"
    rescan_changes(screener, feed, layer, DAY, Previous(first, screener.pack))
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    runner = CliRunner()

    def enforce(verdicts: Path) -> str:
        args = ["enforce", str(verdicts), "--db", db, "--policy", str(MINI_PACK)]
        result = runner.invoke(app, [*args, "--at", "2022-04-20T12:00:00+00:00"])
        assert result.exit_code == 0, result.output
        return result.output

    assert "0 new infringements" not in enforce(first)
    assert "recorded 2,000 verdicts: 2 new infringements" in enforce(layer)  # grade, disguise
    assert "0 new infringements" in enforce(layer)
