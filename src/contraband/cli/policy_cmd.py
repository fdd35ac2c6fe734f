"""`contraband policy check`: validate a pack and show its measures on a date."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from contraband.cli.common import (
    POLICY_HELP,
    command,
    current_settings,
    load_policy,
    out,
    parse_date,
)

app = typer.Typer(help="Policy packs.", no_args_is_help=True)


@command(app, "check")
def check(
    directory: Path | None = typer.Argument(None, help=POLICY_HELP),
    as_of: str | None = typer.Option(None, "--as-of", help="Show measure states on this date"),
) -> None:
    """Validate a pack, its terms included (exit 2 and every problem listed with file, line
    and field if broken); list its measures."""
    pack = load_policy(current_settings(policy=directory))
    day = parse_date(as_of, "--as-of")
    terms = sum(len(item.term_entries()) for item in pack.items)
    out.print(
        f"[bold green]ok[/] {escape(pack.name)} version {escape(pack.version)}: "
        f"{len(pack.items)} items, {terms} terms, {len(pack.measures)} measures, "
        f"{len(pack.categories)} categories"
    )
    table = Table(title=f"measures on {day.isoformat()}", show_edge=False)
    for column in ("measure", "state", "kind", "items", "countries", "effective", "expires"):
        table.add_column(column)
    for measure in sorted(pack.measures, key=lambda m: m.effective):
        table.add_row(
            escape(measure.id),
            measure.state_on(day).value,
            measure.kind.value,
            escape(", ".join(measure.items)),
            escape(", ".join(measure.countries)),
            measure.effective.isoformat(),
            measure.expires.isoformat() if measure.expires else "-",
        )
    out.print(table)


@command(app, "diff")
def diff(
    old: Path = typer.Argument(..., help="The pack in force"),
    new: Path = typer.Argument(..., help="The pack proposed"),
    as_json: bool = typer.Option(False, "--json", help="The changes as JSON"),
) -> None:
    """What changed between two packs: items and their terms, measures, rules (in words, or
    as JSON). Exit 0 either way; an unreadable pack exits 2 with its problems."""
    import msgspec

    from contraband.policy.diff import diff_packs

    changes = diff_packs(
        load_policy(current_settings(policy=old)), load_policy(current_settings(policy=new))
    )
    if as_json:
        out.print(msgspec.json.encode(changes).decode(), markup=False)
    else:
        for line in changes.lines():
            out.print(escape(line))
