"""`contraband policy check`: validate a pack and show its measures on a date."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from contraband.cli.common import (
    POLICY_HELP,
    command,
    current_settings,
    err,
    fail,
    load_policy,
    out,
    parse_date,
    refuse_clobbering,
)
from contraband.errors import ContrabandError
from contraband.listing import Listing

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


@command(app, "namesakes")
def namesakes(
    catalogs: list[Path] = typer.Argument(..., help="Benign catalogs (JSONL, JSON, CSV, Parquet)"),
    policy: Path | None = typer.Option(None, "--policy", help=POLICY_HELP),
    min_listings: int = typer.Option(3, "--min-listings", min=1, help="Listings a term needs"),
    write: Path | None = typer.Option(
        None, "--write", help="Write namesakes.yaml: the pack's namesakes and these"
    ),
    as_json: bool = typer.Option(False, "--json", help="The candidates as JSON"),
) -> None:
    """Learn namesakes from catalogs known to be benign: the terms the pack does not treat as
    ambiguous that appear there as written ("Helix" rings, "Dominoes" games). Review the list,
    then put namesakes.yaml in the pack: those terms then cost points only where the listing's
    words agree with the item."""
    import msgspec
    import yaml

    from contraband.files.atomic import AtomicFile
    from contraband.files.listings import input_format, read_records
    from contraband.listing import decode_listing, parse_listing
    from contraband.screening import Screener, namesake_candidates

    for catalog in catalogs:
        if not catalog.is_file():
            fail(f"{catalog}: no such file")
        input_format(catalog)
        refuse_clobbering(catalog, {"--write": write})
    pack = load_policy(current_settings(policy=policy))
    skipped = 0

    def listings() -> Iterator[Listing]:
        nonlocal skipped
        for catalog in catalogs:
            for record in read_records(catalog):
                try:
                    if record.error is not None:
                        raise ContrabandError(record.error)
                    raw = record.raw
                    yield decode_listing(raw) if raw is not None else parse_listing(record.data)
                except ContrabandError:
                    skipped += 1

    found = namesake_candidates(Screener(pack), listings(), min_listings)
    if skipped:
        err.print(f"{skipped:,} records could not be read and were left out")
    if as_json:
        out.print(msgspec.json.encode(found).decode(), markup=False)
    else:
        table = Table(title=f"namesake candidates (in {min_listings}+ listings)", show_edge=False)
        for column in ("term", "item", "listings", "for example"):
            table.add_column(column)
        for candidate in found:
            table.add_row(
                escape(candidate.term),
                escape(candidate.item_id),
                f"{candidate.listings:,}",
                escape(" | ".join(t[:50] for t in candidate.examples)),
            )
        out.print(table)
    if write is not None:
        terms = sorted({*pack.namesakes, *(c.term for c in found)}, key=str.casefold)
        with AtomicFile(write) as target:
            target.file.write(yaml.safe_dump({"namesakes": terms}, allow_unicode=True).encode())
        out.print(f"wrote {len(terms)} namesakes to {escape(str(write))}")
