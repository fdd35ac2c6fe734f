"""`contraband policy check`: validate a pack and show its measures on a date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.table import Table

from contraband.cli.common import out, pack_or_exit, parse_date

app = typer.Typer(help="Policy packs.", no_args_is_help=True)


@app.command("check")
def check(
    directory: Path = typer.Argument(..., help="Policy pack directory"),
    as_of: str | None = typer.Option(None, "--as-of", help="Show measure states on this date"),
) -> None:
    """Validate a pack (exit 2 and every problem listed if broken); list its measures."""
    pack = pack_or_exit(directory)
    day = parse_date(as_of, "--as-of") if as_of else dt.date.today()
    terms = sum(len(item.term_entries()) for item in pack.items)
    out.print(
        f"[bold green]ok[/] {pack.name} version {pack.version}: {len(pack.items)} items, "
        f"{terms} terms, {len(pack.measures)} measures, {len(pack.categories)} categories"
    )
    table = Table(title=f"measures on {day.isoformat()}", show_edge=False)
    for column in ("measure", "state", "kind", "items", "countries", "effective", "expires"):
        table.add_column(column)
    for measure in sorted(pack.measures, key=lambda m: m.effective):
        table.add_row(
            measure.id,
            measure.state_on(day).value,
            measure.kind.value,
            ", ".join(measure.items),
            ", ".join(measure.countries),
            measure.effective.isoformat(),
            measure.expires.isoformat() if measure.expires else "-",
        )
    out.print(table)
