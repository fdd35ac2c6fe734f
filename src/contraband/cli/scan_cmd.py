"""`contraband scan`: screen a catalog against a policy pack."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import orjson
import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from contraband.batch.scan import scan
from contraband.cli.common import (
    POLICY_HELP,
    current_settings,
    edge,
    err,
    fail,
    interactive,
    load_policy,
    out,
    parse_date,
    refuse_clobbering,
)
from contraband.decision import NO_CERTIFICATES, CertificateBook
from contraband.files.atomic import AtomicFile
from contraband.files.listings import count_hint, input_format
from contraband.policy import PolicyPack
from contraband.report.html import MAX_ROWS, write_report
from contraband.screening import Screener, load_models
from contraband.summary import ScanSummary


@edge
def scan_command(
    input: Path = typer.Argument(
        ..., help="Listings: .jsonl, .json (one array), .csv (each optionally .gz) or .parquet"
    ),
    policy: Path | None = typer.Option(None, "--policy", help=POLICY_HELP),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Decide as on this date (YYYY-MM-DD; default today)"
    ),
    out_path: Path | None = typer.Option(
        None, "--out", help="Verdicts: .jsonl or .parquet (default: INPUT's name + .verdicts.jsonl)"
    ),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes"),
    category_model: Path | None = typer.Option(
        None, "--category-model", help="Category model file (contraband category train)"
    ),
    item_model: Path | None = typer.Option(
        None,
        "--item-model",
        help="Item model file (contraband item train): listings that name no term, to review",
    ),
    db: str | None = typer.Option(
        None,
        "--db",
        help="Ledger whose certificates on file apply (default: $CONTRABAND_DATABASE_URL if set)",
    ),
    certificates: Path | None = typer.Option(
        None,
        "--certificates",
        help="CSV of certificates on file: seller_id,item_id,countries,valid_until",
    ),
    report: Path | None = typer.Option(None, "--report", help="Also write an HTML report here"),
    summary_json: Path | None = typer.Option(
        None, "--summary-json", help="Write the summary as JSON"
    ),
) -> None:
    """Screen every listing of INPUT and write one verdict per listing, in input order."""
    day = parse_date(as_of, "--as-of")
    if not input.exists():
        fail(f"{input}: no such file")
    input_format(input)
    target = out_path or Path(f"{input.name.split('.')[0]}.verdicts.jsonl")
    refuse_clobbering(input, {"--out": target, "--report": report, "--summary-json": summary_json})
    config = current_settings(db, policy)
    pack = load_policy(config)
    ledger_url = db or (config.database_url if "database_url" in config.model_fields_set else None)
    categories, items = load_models(category_model, item_model)
    screener = Screener(
        pack,
        certificates=(
            _certificates(certificates)
            if certificates
            else _ledger_certificates(ledger_url, pack)
            if ledger_url
            else NO_CERTIFICATES
        ),
        category_model=categories,
        item_model=items,
    )
    started = time.perf_counter()
    summary = _run(screener, input, target, day, workers, MAX_ROWS if report else 0)
    elapsed = time.perf_counter() - started
    print_summary(summary, elapsed)
    out.print(f"verdicts: {escape(str(target))}")
    if summary_json:
        data = {**summary.as_dict(), "scan_seconds": round(elapsed, 3)}
        with AtomicFile(summary_json) as summary_file:
            summary_file.file.write(orjson.dumps(data, option=orjson.OPT_INDENT_2))
    if report:
        write_report(report, pack, day, summary)
        out.print(f"report: {escape(str(report))}")


def _run(
    screener: Screener,
    source: Path,
    target: Path,
    day: dt.date,
    workers: int,
    keep_flagged: int,
) -> ScanSummary:
    if not interactive():
        return scan(screener, source, target, day, workers=workers, keep_flagged=keep_flagged)
    total, unit = count_hint(source)
    columns = [
        TextColumn("screening"),
        BarColumn(),
        TextColumn("{task.fields[listings]:,} listings"),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("scan", total=total if unit == "rows" else None, listings=0)
        seen = 0

        def tick(n: int) -> None:
            nonlocal seen
            seen += n
            bar.update(task, advance=n if unit == "rows" else 0, listings=seen)

        return scan(
            screener,
            source,
            target,
            day,
            workers=workers,
            progress=tick,
            keep_flagged=keep_flagged,
        )


def _ledger_certificates(url: str, pack: PolicyPack) -> CertificateBook:
    from contraband.ledger import Ledger
    from contraband.ledger.sql.store import SqlStore

    return Ledger(SqlStore(url, create=False), pack)


def _certificates(path: Path) -> CertificateBook:
    import csv
    import datetime as dt

    from contraband.decision import Certificate, InMemoryCertificates

    book = InMemoryCertificates()
    if not path.is_file():
        fail(f"--certificates {path}: no such file")
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as f:
        for number, row in enumerate(csv.DictReader(f), start=2):
            try:
                book.add(
                    Certificate(
                        seller_id=row["seller_id"],
                        item_id=row["item_id"],
                        countries=tuple(
                            c
                            for c in (row.get("countries") or "").replace(";", ",").split(",")
                            if c
                        ),
                        valid_until=dt.date.fromisoformat(row["valid_until"]),
                    )
                )
            except (KeyError, ValueError) as error:
                fail(f"{path}:{number}: bad certificate row ({error})")
    return book


def print_summary(summary: ScanSummary, elapsed: float) -> None:
    rate = summary.listings / elapsed if elapsed else 0.0
    out.print(
        f"[bold]{summary.listings:,} listings[/] in {elapsed:.1f} s ({rate:,.0f}/s); "
        f"{summary.circumventions:,} circumventions; {summary.points:g} points at stake"
    )
    tables = [
        ("action", summary.by_action.most_common()),
        ("finding", summary.by_kind.most_common()),
        ("found by", summary.by_detector.most_common()),
        ("item", summary.by_item.most_common(10)),
        ("blocked country", summary.by_country.most_common(10)),
    ]
    for title, rows in tables:
        table = Table(title=None, show_edge=False, pad_edge=False)
        table.add_column(title)
        table.add_column("count", justify="right")
        for name, count in rows:
            table.add_row(escape(str(name)), f"{count:,}")
        if rows:
            out.print(table)
    for message in summary.errors[:5]:
        err.print(f"[yellow]unreadable:[/] {escape(message)}")
