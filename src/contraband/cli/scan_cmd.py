"""`contraband scan`: screen a catalog against a policy pack."""

from __future__ import annotations

import time
from pathlib import Path

import orjson
import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from contraband.batch.records import count_hint, input_format
from contraband.batch.scan import ScanSummary, scan
from contraband.cli.common import err, fail, interactive, out, pack_or_exit, parse_date
from contraband.decision import CertificateBook
from contraband.errors import ContrabandError
from contraband.policy import PolicyPack
from contraband.screening import CategoryModel, Screener


def scan_command(
    input: Path = typer.Argument(..., help="Listings: .jsonl, .csv or .parquet"),
    policy: Path = typer.Option(..., "--policy", help="Policy pack directory"),
    as_of: str = typer.Option(..., "--as-of", help="Decide as on this date (YYYY-MM-DD)"),
    out_path: Path = typer.Option(..., "--out", help="Verdicts: .jsonl (or .parquet)"),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes"),
    category_model: Path | None = typer.Option(
        None, "--category-model", help="Category model file (contraband category train)"
    ),
    db: str | None = typer.Option(
        None,
        "--db",
        help="Ledger database whose certificates on file apply (see `certificate add`)",
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
    try:
        input_format(input)
    except ContrabandError as error:
        fail(str(error))
    pack = pack_or_exit(policy)
    try:
        screener = Screener(
            pack,
            certificates=(
                _certificates(certificates)
                if certificates
                else _ledger_certificates(db, pack)
                if db
                else _no_certificates()
            ),
            category_model=_category_model(category_model) if category_model else None,
        )
    except ContrabandError as error:
        fail(str(error))
    started = time.perf_counter()
    try:
        summary = _run(screener, input, out_path, day, workers)
    except ContrabandError as error:
        fail(str(error))
    elapsed = time.perf_counter() - started
    print_summary(summary, elapsed)
    if summary_json:
        data = {**summary.as_dict(), "scan_seconds": round(elapsed, 3)}
        summary_json.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2))
    if report:
        from contraband.report.html import write_report

        write_report(report, input, out_path, pack, day, summary)
        out.print(f"report: {report}")


def _run(screener: Screener, source: Path, target: Path, day: object, workers: int) -> ScanSummary:
    if not interactive():
        return scan(screener, source, target, day, workers=workers)  # type: ignore[arg-type]
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

        return scan(screener, source, target, day, workers=workers, progress=tick)  # type: ignore[arg-type]


def _ledger_certificates(db: str, pack: PolicyPack) -> CertificateBook:
    from contraband.ledger import Ledger
    from contraband.ledger.sql.store import SqlStore

    return Ledger(SqlStore(db), pack)


def _no_certificates() -> CertificateBook:
    from contraband.decision import NO_CERTIFICATES

    return NO_CERTIFICATES


def _certificates(path: Path) -> CertificateBook:
    import csv
    import datetime as dt

    from contraband.decision import Certificate, InMemoryCertificates

    book = InMemoryCertificates()
    with path.open(encoding="utf-8", newline="") as f:
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


def _category_model(path: Path) -> CategoryModel:
    from contraband.category.model import load_model

    try:
        return load_model(path)
    except ContrabandError as error:
        fail(str(error))


def print_summary(summary: ScanSummary, elapsed: float) -> None:
    rate = summary.listings / elapsed if elapsed else 0.0
    out.print(
        f"[bold]{summary.listings:,} listings[/] in {elapsed:.1f} s ({rate:,.0f}/s); "
        f"{summary.circumventions:,} circumventions; {summary.points:g} points at stake"
    )
    tables = [
        ("action", summary.by_action.most_common()),
        ("finding", summary.by_kind.most_common()),
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
        err.print(f"[yellow]unreadable:[/] {message}", highlight=False)
