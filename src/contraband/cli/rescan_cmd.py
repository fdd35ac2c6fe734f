"""`contraband rescan`: the catalog-wide rescan on Apache Spark."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.markup import escape

from contraband.cli.common import (
    POLICY_HELP,
    current_settings,
    edge,
    fail,
    load_policy,
    out,
    parse_date,
    refuse_clobbering,
)


@edge
def rescan_command(
    listings: Path = typer.Argument(..., help="Listings: JSONL or Parquet, a file or a directory"),
    policy: Path | None = typer.Option(None, "--policy", help=POLICY_HELP),
    as_of: str | None = typer.Option(None, "--as-of", help="The day to judge (default today)"),
    out_dir: Path = typer.Option(..., "--out", help="The verdicts directory (Parquet parts)"),
    master: str = typer.Option("local[*]", "--master", help="local[*], spark://host:port, yarn"),
    partitions: int | None = typer.Option(None, "--partitions", min=1, help="Repartition to N"),
) -> None:
    """Screen a catalog on Spark: the same screener as `scan`, its index shipped once per
    executor, verdicts written as Parquet parts through Spark's commit protocol (a failed
    job leaves no half-written output). `enforce` reads the directory."""
    try:
        from contraband.batch.spark import rescan
    except ImportError:  # pragma: no cover - pyspark is a dependency of the project
        fail("rescans need PySpark: pip install 'contraband[spark]'")
    from contraband.screening import Screener

    day = parse_date(as_of, "--as-of")
    refuse_clobbering(listings, {"--out": out_dir})
    pack = load_policy(current_settings(policy=policy))
    started = time.perf_counter()
    count = rescan(Screener(pack), listings, out_dir, day, master=master, partitions=partitions)
    elapsed = time.perf_counter() - started
    out.print(f"{count:,} verdicts in {elapsed:.1f} s: {escape(str(out_dir))}")
