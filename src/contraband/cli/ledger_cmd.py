"""Ledger commands: enforce verdicts, show a seller, appeals, certificates, audit export."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import orjson
import typer
from rich.markup import escape
from rich.table import Table

from contraband.cli.common import (
    DB_HELP,
    POLICY_HELP,
    command,
    current_settings,
    edge,
    err,
    fail,
    load_policy,
    out,
    parse_date,
    parse_datetime,
)
from contraband.ledger import Ledger, SellerView
from contraband.ledger.views import to_builtins


def open_ledger(db: str | None, policy: Path | None, *, create: bool = True) -> Ledger:
    """The ledger of the settings (`--db`, else $CONTRABAND_DATABASE_URL, else the default)."""
    from contraband.ledger.sql.store import SqlStore

    config = current_settings(db, policy)
    pack = load_policy(config)
    return Ledger(SqlStore(config.database_url, create=create), pack)


@edge
def enforce_command(
    verdicts: Path = typer.Argument(
        ..., help="Verdicts from `contraband scan`: .jsonl, .parquet, or a directory of parts"
    ),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    policy: Path | None = typer.Option(None, "--policy", help=POLICY_HELP),
    at: str | None = typer.Option(None, "--at", help="Time of recording (ISO 8601; default now)"),
    json_output: bool = typer.Option(False, "--json", help="Print the summary as JSON"),
) -> None:
    """Record verdicts in the penalty ledger: infringements, points, sanctions, notices.

    The whole file is checked first (the contract, and what the ledger can store); a bad
    verdict stops the run before anything is written. Recording the same verdicts again
    changes nothing.
    """
    from contraband.files.verdicts import read_verdicts
    from contraband.ledger.recording import check_recordable

    moment = parse_datetime(at, "--at")
    for verdict in read_verdicts(verdicts):
        check_recordable(verdict)
    with open_ledger(db, policy) as ledger:
        summary = ledger.record(read_verdicts(verdicts), moment)
        url = ledger.store.url
    data = {
        "verdicts": summary.verdicts,
        "new_infringements": summary.infringements_new,
        "point_entries": summary.entries,
        "sanction_changes": summary.sanctions,
        "sellers_touched": len(summary.sellers),
        "db": url,
    }
    if json_output:
        out.print_json(data=data)
        return
    out.print(
        f"recorded {_count(summary.verdicts, 'verdict')}: "
        f"{_count(summary.infringements_new, 'new infringement')}, "
        f"{_count(summary.entries, 'point entry', 'point entries')}, "
        f"{_count(summary.sanctions, 'sanction change')}, "
        f"{_count(len(summary.sellers), 'seller')} ({escape(url)})"
    )


seller_app = typer.Typer(help="Sellers' points and sanctions.", no_args_is_help=True)


@command(seller_app, "show")
def seller_show(
    seller_id: str = typer.Argument(...),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    policy: Path | None = typer.Option(None, "--policy", help=POLICY_HELP),
    at: str | None = typer.Option(None, "--at", help="As of this time (default now)"),
    json_output: bool = typer.Option(False, "--json"),
) -> None:
    """Active points, the entries behind them with their expiry, sanctions and history."""
    with open_ledger(db, policy, create=False) as ledger:
        view = ledger.seller(seller_id, parse_datetime(at, "--at"))
    if json_output:
        out.print_json(data=to_builtins(view))
        return
    _print_seller(view)


def _print_seller(view: SellerView) -> None:
    """The seller's standing as text: data is printed as text, never read as markup."""
    out.print(
        f"[bold]{escape(_visible(view.seller_id))}[/]: [bold]{view.active_points:g}[/] active "
        f"points as of {view.at.isoformat()}"
    )
    rows = [
        (
            entry.infringement_id[:12],
            ":".join(p for p in (entry.kind, entry.item_id, entry.measure_id) if p),
            entry.listing_id,
            f"{entry.points:g} of {entry.proposed:g}",
            entry.at.isoformat()[:16],
            entry.expires_at.isoformat()[:10],
            entry.status,
            entry.reason,
        )
        for entry in view.entries
    ]
    _print_entries(rows)
    for sanction in view.sanctions:
        until = sanction.end.isoformat()[:16] if sanction.end else "further notice"
        out.print(
            f"[red]active {sanction.kind}[/] from {sanction.start.isoformat()[:16]} until {until}"
            + (" (all products removed)" if sanction.remove_all_products else "")
        )
    for appeal in view.appeals:
        out.print(f"appeal {escape(appeal.appeal_id)}: {appeal.status}")


def _visible(text: str) -> str:
    """Control characters (escape sequences from hostile input) shown, not sent."""
    return "".join(ch if ch.isprintable() or ch == " " else f"\\x{ord(ch):02x}" for ch in text)


def _count(n: int, one: str, many: str | None = None) -> str:
    """ "1 verdict", "2 verdicts"."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"


_ENTRY_COLUMNS = ("infringement", "rule", "listing", "points", "at", "expires", "status", "why")


def _print_entries(rows: Sequence[tuple[str, ...]]) -> None:
    """A table on a wide terminal; on a narrow one (or a pipe), two lines per entry."""
    cells = [tuple(escape(_visible(str(cell))) for cell in row) for row in rows]
    if out.width >= 120:
        table = Table(show_edge=False)
        for column in _ENTRY_COLUMNS[:-1]:
            table.add_column(column, no_wrap=True)  # short values: wrapping only garbles them
        table.add_column(_ENTRY_COLUMNS[-1], ratio=1)
        for row in cells:
            table.add_row(*row)
        out.print(table)
        return
    for infringement, rule, listing, points, at, expires, status, why in cells:
        out.print(
            f"  {infringement}  {rule}  listing {listing}  {points} points  at {at}  "
            f"expires {expires}  {status}"
        )
        out.print(f"      why: {why}")


appeal_app = typer.Typer(help="Appeals against infringements.", no_args_is_help=True)


@command(appeal_app, "file")
def appeal_file(
    infringement_id: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason"),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    policy: Path | None = typer.Option(None, "--policy", help=POLICY_HELP),
    at: str | None = typer.Option(None, "--at"),
) -> None:
    """A seller appeals an infringement (within the pack's appeal window)."""
    with open_ledger(db, policy, create=False) as ledger:
        appeal = ledger.file_appeal(infringement_id, reason, parse_datetime(at, "--at"))
    out.print(f"filed appeal {escape(appeal.appeal_id)}")


@command(appeal_app, "decide")
def appeal_decide(
    appeal_id: str = typer.Argument(...),
    uphold: bool = typer.Option(False, "--uphold"),
    overturn: bool = typer.Option(False, "--overturn"),
    reason: str = typer.Option(..., "--reason"),
    reviewer: str = typer.Option(..., "--reviewer"),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    policy: Path | None = typer.Option(None, "--policy", help=POLICY_HELP),
    at: str | None = typer.Option(None, "--at"),
) -> None:
    """A reviewer upholds or overturns; overturning reverses the points and every sanction
    they caused."""
    if uphold == overturn:
        fail("give exactly one of --uphold or --overturn")
    with open_ledger(db, policy, create=False) as ledger:
        appeal = ledger.decide_appeal(
            appeal_id, overturn, reason, reviewer, parse_datetime(at, "--at")
        )
    out.print(f"appeal {escape(appeal.appeal_id)} {appeal.status}")


certificate_app = typer.Typer(help="Certificates on file.", no_args_is_help=True)


@command(certificate_app, "add")
def certificate_add(
    seller_id: str = typer.Argument(...),
    item_id: str = typer.Argument(...),
    countries: str = typer.Option(
        "", "--countries", help="ISO codes, comma-separated; empty = all"
    ),
    until: str = typer.Option(..., "--until", help="Valid until (YYYY-MM-DD)"),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    policy: Path | None = typer.Option(None, "--policy", help=POLICY_HELP),
    at: str | None = typer.Option(None, "--at"),
) -> None:
    """Put a verified certificate on file for a seller and item."""
    codes = tuple(c.strip().upper() for c in countries.split(",") if c.strip())
    if any(len(c) != 2 or not c.isalpha() for c in codes):
        fail(f"--countries expects ISO 3166-1 alpha-2 codes, got {countries!r}")
    with open_ledger(db, policy) as ledger:
        certificate_id = ledger.add_certificate(
            seller_id, item_id, codes, parse_date(until, "--until"), parse_datetime(at, "--at")
        )
    out.print(f"certificate {certificate_id} on file")


audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)


@command(audit_app, "export")
def audit_export(
    out_path: Path = typer.Option(..., "--out", help="JSONL file to write"),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    policy: Path | None = typer.Option(None, "--policy", help=POLICY_HELP),
) -> None:
    """Every change the ledger made: who, when, what and why, oldest first."""
    from contraband.files.atomic import AtomicFile

    count = 0
    with open_ledger(db, policy, create=False) as ledger, AtomicFile(out_path) as target:
        for event in ledger.audit():
            record = {
                "event_id": event.event_id,
                "at": event.at.isoformat(),
                "actor": event.actor,
                "action": event.action,
                "subject": event.subject,
                "detail": event.detail,
            }
            target.file.write(orjson.dumps(record) + b"\n")
            count += 1
    err.print(f"{count:,} audit events -> {escape(str(out_path))}")
