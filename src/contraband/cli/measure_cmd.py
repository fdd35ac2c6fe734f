"""`contraband measure preview`: what a new pack would do to a catalog, before it bites."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from contraband.cli.common import (
    command,
    current_settings,
    err,
    fail,
    interactive,
    load_policy,
    out,
    parse_date,
    refuse_clobbering,
)

app = typer.Typer(help="Measures: their impact before they take effect.", no_args_is_help=True)


@command(app, "preview")
def preview(
    listings: Path = typer.Argument(..., help="Listings (JSONL, JSON, CSV, Parquet), or a sample"),
    policy: Path = typer.Option(..., "--policy", help="The pack proposed"),
    base: Path = typer.Option(..., "--base", help="The pack in force"),
    as_of: str | None = typer.Option(None, "--as-of", help="The day to judge (default today)"),
    json_out: Path | None = typer.Option(None, "--json", help="Write the impact as JSON"),
    html_out: Path | None = typer.Option(None, "--html", help="Write the impact as HTML"),
    examples: int = typer.Option(10, "--examples", min=0, max=1000, help="Example listings"),
) -> None:
    """Screen LISTINGS under both packs and report what the change would do: listings newly
    hidden per country, removed, held for review or released; sellers affected; the points
    the new verdicts charge and the sanctions those points reach from a clean record."""
    import orjson

    from contraband.batch.preview import preview as run_preview
    from contraband.files.atomic import AtomicFile
    from contraband.files.listings import input_format
    from contraband.policy.diff import diff_packs
    from contraband.report.preview import write_preview
    from contraband.screening import Screener

    day = parse_date(as_of, "--as-of")
    if not listings.exists():
        fail(f"{listings}: no such file")
    input_format(listings)
    refuse_clobbering(listings, {"--json": json_out, "--html": html_out})
    old_pack = load_policy(current_settings(policy=base))
    new_pack = load_policy(current_settings(policy=policy))
    changes = diff_packs(old_pack, new_pack)
    if not changes.changes:
        err.print("the two packs are the same: nothing would change")
    base_screener, proposed = Screener(old_pack), Screener(new_pack)
    seen = 0

    def tick(n: int) -> None:
        nonlocal seen
        seen += n
        if interactive():
            err.print(f"screened {seen:,} listings under both packs", end="\r")

    impact = run_preview(base_screener, proposed, listings, day, examples=examples, progress=tick)
    data = impact.to_json(proposed, old_pack.version, new_pack.version)
    data["as_of"] = day.isoformat()
    data["pack_changes"] = [c.words() for c in changes.changes]
    _print(data)
    if json_out:
        with AtomicFile(json_out) as target:
            target.file.write(orjson.dumps(data, option=orjson.OPT_INDENT_2))
        out.print(f"json: {escape(str(json_out))}")
    if html_out:
        write_preview(html_out, data, day.isoformat())
        out.print(f"html: {escape(str(html_out))}")


def _print(data: dict[str, object]) -> None:
    table = Table(title=f"policy {data['policy']} over {data['base_policy']}", show_edge=False)
    table.add_column("measure")
    table.add_column("value", justify="right")
    for label, key in (
        ("listings screened", "listings"),
        ("listings that change", "changed"),
        ("newly removed", "newly_removed"),
        ("newly held for review", "newly_review"),
        ("released (removed or held before, not now)", "released"),
        ("sellers affected", "sellers_affected"),
        ("points the new verdicts charge", "points_charged"),
        ("sellers charged", "sellers_charged"),
    ):
        table.add_row(label, f"{data[key]:,}" if isinstance(data[key], int) else f"{data[key]:g}")
    hidden = data["newly_hidden_by_country"]
    assert isinstance(hidden, dict)
    for country, count in list(hidden.items())[:15]:
        table.add_row(f"newly hidden in {escape(country)}", f"{count:,}")
    sanctions = data["sanctions_from_a_clean_record"]
    assert isinstance(sanctions, dict)
    for sanction, count in sanctions.items():
        table.add_row(f"sellers reaching {escape(sanction)}", f"{count:,}")
    out.print(table)
