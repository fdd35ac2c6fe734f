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
) -> None:
    """Screen a catalog on Spark: the same screener as `scan`, its index shipped once per
    executor, verdicts written as Parquet parts through Spark's commit protocol (a failed
    job leaves no half-written output). `enforce` reads the directory. With --previous, only
    listings whose content changed, or where an item or measure that changed was found, are
    screened again; the other verdicts are carried forward."""
    try:
        from contraband.batch.spark import Previous, rescan
    except ImportError:  # pragma: no cover - pyspark is a dependency of the project
        fail("rescans need PySpark: pip install 'contraband[spark]'")
    from contraband.screening import Screener, load_models, model_fingerprints

    day = parse_date(as_of, "--as-of")
    refuse_clobbering(listings, {"--out": out_dir})
    if previous is not None and previous.resolve() == out_dir.resolve():
        fail(f"--out {out_dir} is --previous: it would be overwritten")
    if previous_policy is not None and previous is None:
        fail("--previous-policy needs --previous: the verdicts it judged")
    pack = load_policy(current_settings(policy=policy))
    earlier = None
    if previous is not None:
        if not previous.is_dir():
            fail(f"--previous {previous}: not a verdicts directory")
        before = load_policy(current_settings(policy=previous_policy or policy))
        earlier = Previous(previous, before)
    categories, items = load_models(category_model, item_model)
    started = time.perf_counter()
    result = rescan(
        Screener(pack, category_model=categories, item_model=items),
        listings,
        out_dir,
        day,
        master=master,
        partitions=partitions,
        previous=earlier,
        models=model_fingerprints(category_model, item_model),
    )
    elapsed = time.perf_counter() - started
    if result.plan is not None:
        plan = result.plan
        if plan.everything:
            out.print(f"every listing screened again: {escape(plan.reasons[0])}")
        else:
            out.print(
                "carried forward: verdicts of unchanged listings where nothing that changed "
                f"was found ({len(plan.items)} items changed"
                + (", and pack-wide rules" if plan.matched else "")
                + ")"
            )
            for reason in plan.reasons[:20]:
                out.print(f"  {escape(reason)}")
    carried = max(result.verdicts - result.screened, 0)
    out.print(
        f"{result.verdicts:,} verdicts in {elapsed:.1f} s ({result.screened:,} screened, "
        f"{carried:,} carried forward): {escape(str(out_dir))}"
    )
