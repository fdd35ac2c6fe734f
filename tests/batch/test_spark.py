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
    count = rescan(screener, catalog, out, DAY, master="local[2]", partitions=3)
    assert count == 3001
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
    assert rescan(screener, source, out, DAY, master="local[2]") == 3000
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
