"""How fast the console's pages render with 100,000 review cases in the ledger.

    python bench/console.py [--cases 100000] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

Fills a ledger (SQLite in a temporary file; PostgreSQL too when --pg is given, in a schema of
its own that is dropped afterwards) with `--cases` open review cases over 2,000 sellers and
the default pack's items, a seller with a year of entries and an appeal; then renders each
page in process (the whole application: session check, queries, templates) 20 times and
reports the median and the slowest, against the bar of 200 ms. Prints a table and writes
bench/results/console.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, table, write_results
from fastapi.testclient import TestClient

from contraband.api.app import create_app
from contraband.api.tokens import Role, create_token
from contraband.ledger import Ledger
from contraband.ledger.model import ReviewCase
from contraband.ledger.sql.store import SqlStore
from contraband.policy import load_pack
from contraband.settings import Settings
from contraband.verdict import Action, Finding, FindingKind, Verdict, to_builtins

PACK = ROOT / "policies" / "default"
NOW = dt.datetime(2022, 4, 20, 12, 0, tzinfo=dt.UTC)
REPEATS = 20
BAR_MS = 200.0


def fill(store: SqlStore, cases: int) -> dict[str, str]:
    """Open cases, a seller with a year of removals and an appeal; the pages to time."""
    pack = load_pack(PACK)
    items = sorted(pack.items_by_id)
    batch: list[ReviewCase] = []
    for n in range(cases):
        item = items[n % len(items)]
        finding = _finding(item, Action.REVIEW, 0.0)
        batch.append(
            ReviewCase(
                case_id=f"C{n:07d}",
                listing_id=f"L{n:07d}",
                seller_id=f"S{n % 2000:04d}",
                content_hash=f"h{n}",
                item_id=item,
                kind=FindingKind.PROHIBITED_ITEM.value,
                finding=to_builtins(finding),
                opened_at=NOW - dt.timedelta(minutes=cases - n),
                policy_version="bench",
            )
        )
        if len(batch) == 10_000:
            with store.session() as session:
                session.add_cases(batch)
            batch = []
    if batch:
        with store.session() as session:
            session.add_cases(batch)
    ledger = Ledger(store, pack)
    for days_ago in range(360, -1, -30):  # a busy seller: a removal a month for a year
        at = NOW - dt.timedelta(days=days_ago, hours=1)
        ledger.record([_removal(f"B{days_ago}", items[0], at)], at)
    entries = ledger.seller("BUSY", NOW).entries
    latest = max(entries, key=lambda e: e.at)
    appeal = ledger.file_appeal(latest.infringement_id, "a mistake", NOW)
    return {
        "queue, page 1": "/console/queue",
        "queue, last page": f"/console/queue?page={cases // 25}",
        "queue, one item": f"/console/queue?item={items[1]}",
        "queue, one seller, older than 7 days": "/console/queue?seller=S0007&age=7d",
        "a case": "/console/cases/C0050000" if cases > 50_000 else "/console/cases/C0000001",
        "appeals": "/console/appeals",
        "an appeal (with its overturn preview)": f"/console/appeals/{appeal.appeal_id}",
        "a seller with a year of entries": "/console/sellers/BUSY",
        "measures (operator)": "/console/measures",
    }


def _finding(item: str, action: Action, points: float) -> Finding:
    return Finding(
        kind=FindingKind.PROHIBITED_ITEM,
        item_id=item,
        measure_id=None,
        action=action,
        points=points,
        reason="bench",
        field="title",
        span=(0, 6),
        text="sample",
        canonical=item,
    )


def _removal(listing: str, item: str, at: dt.datetime) -> Verdict:
    finding = _finding(item, Action.REMOVE, 2.0)
    return Verdict(
        listing_id=listing,
        seller_id="BUSY",
        content_hash=f"h-{listing}",
        action=Action.REMOVE,
        blocked_countries=(),
        circumvention=False,
        points=2.0,
        findings=(finding,),
        policy_version="bench",
        as_of=at.date().isoformat(),
    )


def time_pages(url: str, cases: int) -> list[tuple[str, float, float, int]]:
    store = SqlStore(url)
    started = time.perf_counter()
    pages = fill(store, cases)
    print(f"  filled {cases:,} cases in {time.perf_counter() - started:.0f} s", flush=True)
    reviewer = create_token(store, Role.REVIEWER, "bench", None, NOW)[1]
    operator = create_token(store, Role.OPERATOR, "bench", None, NOW)[1]
    app = create_app(
        Settings(database_url=url, policy_dir=PACK), store, clock=lambda: NOW, cache_ttl=5.0
    )
    rows = []
    with TestClient(app) as client:
        for name, path in pages.items():
            token = operator if "operator" in name else reviewer
            client.cookies.set("contraband_console", token, path="/console")
            client.get(path)  # warm: the first render compiles its template
            times = []
            status = 0
            for _ in range(REPEATS):
                start = time.perf_counter()
                answer = client.get(path)
                times.append((time.perf_counter() - start) * 1000)
                status = answer.status_code
            rows.append((name, statistics.median(times), max(times), status))
    store.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--pg", help="a PostgreSQL URL to measure as well")
    args = parser.parse_args()
    results: dict[str, list[tuple[str, float, float, int]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        print("SQLite", flush=True)
        results["sqlite"] = time_pages(f"sqlite:///{Path(tmp) / 'console.db'}", args.cases)
    if args.pg:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        url = f"{args.pg}?options=-csearch_path%3D{schema}"
        import sqlalchemy

        engine = sqlalchemy.create_engine(args.pg)
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text(f"CREATE SCHEMA {schema}"))
        try:
            print("PostgreSQL", flush=True)
            results["postgresql"] = time_pages(url, args.cases)
        finally:
            with engine.begin() as connection:
                connection.execute(sqlalchemy.text(f"DROP SCHEMA {schema} CASCADE"))
            engine.dispose()
    for database, rows in results.items():
        print()
        print(
            table(
                [
                    (n, f"{p50:.1f}", f"{worst:.1f}", str(s), "yes" if worst < BAR_MS else "NO")
                    for n, p50, worst, s in rows
                ],
                (
                    f"page ({database}, {args.cases:,} cases)",
                    "median ms",
                    "slowest ms",
                    "status",
                    "< 200 ms",
                ),
            )
        )
    path = write_results(
        "console",
        {
            "cases": args.cases,
            "repeats": REPEATS,
            "pages": {
                database: {
                    n: {"median_ms": p50, "max_ms": worst, "status": s} for n, p50, worst, s in rows
                }
                for database, rows in results.items()
            },
        },
    )
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
