"""Ledger commands: enforce verdicts, show a seller, appeals, certificates, audit export."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import orjson
import typer
from rich.markup import escape
from rich.table import Table

from contraband.cli.common import err, fail, out, pack_or_exit, parse_date, parse_datetime
from contraband.errors import ContrabandError
from contraband.ledger import Ledger

DB_HELP = "Ledger database URL (default: $CONTRABAND_DATABASE_URL or sqlite:///contraband.db)"
DEFAULT_POLICY = Path("policies/default")


def _ledger(db: str | None, policy: Path) -> Ledger:
    from contraband.ledger.sql.store import DEFAULT_URL, SqlStore

    url = db or os.environ.get("CONTRABAND_DATABASE_URL") or DEFAULT_URL
    pack = pack_or_exit(policy)
    try:
        return Ledger(SqlStore(url), pack)
    except ContrabandError as error:
        fail(str(error))


def enforce_command(
    verdicts: Path = typer.Argument(..., help="Verdicts JSONL from `contraband scan`"),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    policy: Path = typer.Option(DEFAULT_POLICY, "--policy", help="Policy pack (ladder, caps)"),
    at: str | None = typer.Option(None, "--at", help="Time of recording (ISO 8601; default now)"),
    json_output: bool = typer.Option(False, "--json", help="Print the summary as JSON"),
) -> None:
    """Record verdicts in the penalty ledger: infringements, points, sanctions, notices.

    The whole file is checked first; a malformed line stops the run before anything is
    written. Recording the same verdicts again changes nothing.
    """
    from contraband.ledger.verdicts import check_verdict_file, read_verdict_lines

    moment = parse_datetime(at, "--at")
    ledger = _ledger(db, policy)
    try:
        check_verdict_file(verdicts)
        summary = ledger.record(read_verdict_lines(verdicts), moment)
    except ContrabandError as error:
        fail(str(error))
    data = {
        "verdicts": summary.verdicts,
        "new_infringements": summary.infringements_new,
        "point_entries": summary.entries,
        "sanction_changes": summary.sanctions,
        "sellers_touched": len(summary.sellers),
        "db": ledger.store.url,
    }
    if json_output:
        out.print_json(data=data)
    else:
        out.print(
            f"recorded {_count(summary.verdicts, 'verdict')}: "
            f"{_count(summary.infringements_new, 'new infringement')}, "
            f"{_count(summary.entries, 'point entry', 'point entries')}, "
            f"{_count(summary.sanctions, 'sanction change')}, "
            f"{_count(len(summary.sellers), 'seller')} ({ledger.store.url})"
        )


seller_app = typer.Typer(help="Sellers' points and sanctions.", no_args_is_help=True)


@seller_app.command("show")
def seller_show(
    seller_id: str = typer.Argument(...),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    policy: Path = typer.Option(DEFAULT_POLICY, "--policy"),
    at: str | None = typer.Option(None, "--at", help="As of this time (default now)"),
    json_output: bool = typer.Option(False, "--json"),
) -> None:
    """Active points, the entries behind them with their expiry, sanctions and history."""
    ledger = _ledger(db, policy)
    try:
        view = ledger.seller(seller_id, parse_datetime(at, "--at"))
    except ContrabandError as error:
        fail(str(error))
    if json_output:
        out.print_json(data=view.as_dict())
        return
    out.print(
        f"[bold]{seller_id}[/]: [bold]{view.active_points:g}[/] active points "
        f"as of {view.at.isoformat()}"
    )
    rows = [
        (
            str(entry["infringement_id"])[:12],
            entry["rule"],
            entry["listing_id"],
            f"{entry['points']:g} of {entry['proposed']:g}",
            entry["at"][:16],
            entry["expires_at"][:10],
            entry["status"],
            entry["reason"],
        )
        for entry in view.entries
    ]
    _print_entries(rows)
    for sanction in view.sanctions:
        out.print(
            f"[red]active {sanction['kind']}[/] from {sanction['start'][:16]} "
            f"until {(sanction['end'] or 'further notice')[:16]}"
            + (" (all products removed)" if sanction["remove_all_products"] else "")
        )
    for appeal in view.appeals:
        out.print(f"appeal {appeal['appeal_id']}: {appeal['status']}")


def _count(n: int, one: str, many: str | None = None) -> str:
    """ "1 verdict", "2 verdicts"."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"


_ENTRY_COLUMNS = ("infringement", "rule", "listing", "points", "at", "expires", "status", "why")


def _print_entries(rows: Sequence[tuple[str, ...]]) -> None:
    """A table on a wide terminal; on a narrow one (or a pipe), two lines per entry."""
    if out.width >= 120:
        table = Table(show_edge=False)
        for column in _ENTRY_COLUMNS[:-1]:
            table.add_column(column, no_wrap=True)  # short values: wrapping only garbles them
        table.add_column(_ENTRY_COLUMNS[-1], ratio=1)
        for row in rows:
            table.add_row(*(escape(str(cell)) for cell in row))
        out.print(table)
        return
    for infringement, rule, listing, points, at, expires, status, why in rows:
        out.print(
            f"  {escape(infringement)}  {escape(rule)}  listing {escape(listing)}  "
            f"{escape(points)} points  at {escape(at)}  expires {escape(expires)}  {status}"
        )
        out.print(f"      why: {escape(str(why))}")


appeal_app = typer.Typer(help="Appeals against infringements.", no_args_is_help=True)


@appeal_app.command("file")
def appeal_file(
    infringement_id: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason"),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    policy: Path = typer.Option(DEFAULT_POLICY, "--policy"),
    at: str | None = typer.Option(None, "--at"),
) -> None:
    """A seller appeals an infringement (within the pack's appeal window)."""
    ledger = _ledger(db, policy)
    try:
        appeal = ledger.file_appeal(infringement_id, reason, parse_datetime(at, "--at"))
    except ContrabandError as error:
        fail(str(error))
    out.print(f"filed appeal {appeal.appeal_id}")


@appeal_app.command("decide")
def appeal_decide(
    appeal_id: str = typer.Argument(...),
    uphold: bool = typer.Option(False, "--uphold"),
    overturn: bool = typer.Option(False, "--overturn"),
    reason: str = typer.Option(..., "--reason"),
    reviewer: str = typer.Option(..., "--reviewer"),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    policy: Path = typer.Option(DEFAULT_POLICY, "--policy"),
    at: str | None = typer.Option(None, "--at"),
) -> None:
    """A reviewer upholds or overturns; overturning reverses the points and every sanction
    they caused."""
    if uphold == overturn:
        fail("give exactly one of --uphold or --overturn")
    ledger = _ledger(db, policy)
    try:
        appeal = ledger.decide_appeal(
            appeal_id, overturn, reason, reviewer, parse_datetime(at, "--at")
        )
    except ContrabandError as error:
        fail(str(error))
    out.print(f"appeal {appeal.appeal_id} {appeal.status}")


certificate_app = typer.Typer(help="Certificates on file.", no_args_is_help=True)


@certificate_app.command("add")
def certificate_add(
    seller_id: str = typer.Argument(...),
    item_id: str = typer.Argument(...),
    countries: str = typer.Option(
        "", "--countries", help="ISO codes, comma-separated; empty = all"
    ),
    until: str = typer.Option(..., "--until", help="Valid until (YYYY-MM-DD)"),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    policy: Path = typer.Option(DEFAULT_POLICY, "--policy"),
    at: str | None = typer.Option(None, "--at"),
) -> None:
    """Put a verified certificate on file for a seller and item."""
    codes = tuple(c.strip().upper() for c in countries.split(",") if c.strip())
    if any(len(c) != 2 or not c.isalpha() for c in codes):
        fail(f"--countries expects ISO 3166-1 alpha-2 codes, got {countries!r}")
    ledger = _ledger(db, policy)
    try:
        certificate_id = ledger.add_certificate(
            seller_id, item_id, codes, parse_date(until, "--until"), parse_datetime(at, "--at")
        )
    except ContrabandError as error:
        fail(str(error))
    out.print(f"certificate {certificate_id} on file")


audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)


@audit_app.command("export")
def audit_export(
    out_path: Path = typer.Option(..., "--out", help="JSONL file to write"),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    policy: Path = typer.Option(DEFAULT_POLICY, "--policy"),
) -> None:
    """Every change the ledger made: who, when, what and why, oldest first."""
    ledger = _ledger(db, policy)
    count = 0
    with out_path.open("wb") as f:
        for event in ledger.audit():
            f.write(
                orjson.dumps(
                    {
                        "event_id": event.event_id,
                        "at": event.at.isoformat(),
                        "actor": event.actor,
                        "action": event.action,
                        "subject": event.subject,
                        "detail": event.detail,
                    }
                )
                + b"\n"
            )
            count += 1
    err.print(f"{count:,} audit events -> {out_path}")
