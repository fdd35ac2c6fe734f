"""`contraband rescan`: the catalog-wide rescan on Apache Spark."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from contraband.batch.incremental import CarryPlan
    from contraband.batch.rows import Previous
    from contraband.screening import Screener


@edge
def rescan_command(
    listings: Path = typer.Argument(..., help="Listings: JSONL or Parquet, a file or a directory"),
    policy: Path | None = typer.Option(None, "--policy", help=POLICY_HELP),
    as_of: str | None = typer.Option(None, "--as-of", help="The day to judge (default today)"),
    out_dir: Path = typer.Option(..., "--out", help="The verdicts directory (Parquet parts)"),
    master: str | None = typer.Option(
        None, "--master", help="local[*] (the default), spark://host:port, yarn"
    ),
    partitions: int | None = typer.Option(None, "--partitions", min=1, help="Repartition to N"),
    previous: Path | None = typer.Option(
        None, "--previous", help="The last rescan's verdicts: carry forward those that hold"
    ),
    previous_policy: Path | None = typer.Option(
        None, "--previous-policy", help="The pack of the last rescan (default: --policy)"
    ),
    category_model: Path | None = typer.Option(
        None, "--category-model", help="Category model file (contraband category train)"
    ),
    item_model: Path | None = typer.Option(
        None, "--item-model", help="Item model file (contraband item train)"
    ),
    spark_conf: list[str] = typer.Option(
        [], "--conf", help="A Spark setting KEY=VALUE, as spark-submit takes it (repeatable)"
    ),
    changes: bool = typer.Option(
        False,
        "--changes",
        help="LISTINGS holds only the listings added or edited since --previous (a change "
        "feed): write a layer over --previous, carrying every other verdict unread",
    ),
    removed: Path | None = typer.Option(
        None, "--removed", help="With --changes: a file of the listing ids removed, one a line"
    ),
) -> None:
    """Screen a catalog on Spark: the same screener as `scan`, its index shipped once per
    executor, verdicts written as Parquet parts through Spark's commit protocol (a failed
    job leaves no half-written output). `enforce` reads the directory. With --previous, only
    listings whose content changed, or where an item or measure that changed was found, are
    screened again; the other verdicts are carried forward. With --changes, LISTINGS is a
    change feed, screened in this process (no Spark): the cost follows the change, not the
    catalog."""
    try:
        from contraband.batch.rows import Previous
        from contraband.batch.spark import rescan
    except ImportError:  # pragma: no cover - pyspark is a dependency of the project
        fail("rescans need PySpark: pip install 'contraband[spark]'")
    from contraband.screening import Screener, load_models, model_fingerprints

    day = parse_date(as_of, "--as-of")
    refuse_clobbering(listings, {"--out": out_dir})
    if previous is not None and previous.resolve() == out_dir.resolve():
        fail(f"--out {out_dir} is --previous: it would be overwritten")
    if previous is not None and previous.resolve() == listings.resolve():
        fail(f"{listings} is --previous: the listings to screen are not the last verdicts")
    if previous_policy is not None and previous is None:
        fail("--previous-policy needs --previous: the verdicts it judged")
    if changes and previous is None:
        fail("--changes needs --previous: the verdicts the feed's changes are layered over")
    if removed is not None and not changes:
        fail("--removed needs --changes: a full rescan drops what the catalog no longer holds")
    if changes and (master is not None or partitions is not None or spark_conf):
        fail("--changes is screened in this process: there is no Spark job to configure")
    pack = load_policy(current_settings(policy=policy))
    earlier = None
    if previous is not None:
        if not previous.is_dir():
            fail(f"--previous {previous}: not a verdicts directory")
        before = load_policy(current_settings(policy=previous_policy or policy))
        earlier = Previous(previous, before)
    categories, items = load_models(category_model, item_model)
    screener = Screener(pack, category_model=categories, item_model=items)
    fingerprints = model_fingerprints(category_model, item_model)
    if changes:
        assert earlier is not None
        gone = _removed_ids(removed, listings) if removed is not None else frozenset()
        _layer_changes(screener, listings, out_dir, day, earlier, gone, fingerprints)
        return
    started = time.perf_counter()
    result = rescan(
        screener,
        listings,
        out_dir,
        day,
        master=master or "local[*]",
        partitions=partitions,
        previous=earlier,
        models=fingerprints,
        conf=_spark_settings(spark_conf),
    )
    elapsed = time.perf_counter() - started
    if result.plan is not None:
        _print_plan(result.plan)
    carried = max(result.verdicts - result.screened, 0)
    out.print(
        f"{result.verdicts:,} verdicts in {elapsed:.1f} s ({result.screened:,} screened, "
        f"{carried:,} carried forward): {escape(str(out_dir))}"
    )


def _print_plan(plan: CarryPlan) -> None:
    if plan.everything:
        out.print(f"every listing screened again: {escape(plan.reasons[0])}")
        return
    out.print(
        "carried forward: verdicts of unchanged listings where nothing that changed "
        f"was found ({len(plan.items)} items changed"
        + (", and pack-wide rules" if plan.matched else "")
        + ")"
    )
    for reason in plan.reasons[:20]:
        out.print(f"  {escape(reason)}")


def _layer_changes(
    screener: Screener,
    feed: Path,
    out_dir: Path,
    day: dt.date,
    previous: Previous,
    removed: frozenset[str],
    models: dict[str, str | None],
) -> None:
    from contraband.batch.changes import rescan_changes

    started = time.perf_counter()
    result = rescan_changes(screener, feed, out_dir, day, previous, removed=removed, models=models)
    elapsed = time.perf_counter() - started
    _print_plan(result.plan)
    out.print(
        f"{result.from_feed + result.screened_again:,} verdicts in {elapsed:.1f} s "
        f"({result.from_feed:,} of the feed, {result.screened_again:,} screened again where "
        f"something that changed was found), {result.removed:,} listings removed; every "
        f"other verdict carried forward from {escape(str(previous.verdicts))} unread: "
        f"{escape(str(out_dir))}"
    )


def _removed_ids(path: Path, feed: Path) -> frozenset[str]:
    """The ids of a --removed file: one a line, blank lines skipped."""
    if path.resolve() == feed.resolve():
        fail(f"--removed {path} is the feed itself")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"--removed {path}: unreadable ({error})")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def _spark_settings(pairs: list[str]) -> dict[str, str]:
    """`--conf KEY=VALUE` pairs; a pair without `=` or a key that is no Spark setting is
    refused before Spark starts."""
    settings: dict[str, str] = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key.strip().startswith("spark."):
            fail(f"--conf {pair!r}: expected spark.KEY=VALUE")
        settings[key.strip()] = value
    return settings
