"""Ledger throughput: verdicts recorded per second on SQLite and PostgreSQL.

    python bench/ledger.py [--verdicts 100000] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

A rescan-like verdict file (15% of listings with points, 800 sellers) is recorded by the real
`contraband enforce` command into a fresh database, in its normal batches, with every
guarantee on (idempotent infringements, per-seller locking, append-only entries, audit).
Then the same file again (a rescan of unchanged listings: nothing new to record).
Prints a table and writes bench/results/ledger.json.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _common import ROOT, table, write_results

from tests.ledger.helpers import write_verdicts


def enforce(verdicts: Path, url: str) -> float:
    command = [
        sys.executable,
        "-m",
        "contraband.cli.main",
        "enforce",
        str(verdicts),
        "--db",
        url,
        "--at",
        "2024-03-01T10:00:00",
        "--policy",
        str(ROOT / "policies" / "default"),
    ]
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--verdicts", type=int, default=100_000)
    parser.add_argument(
        "--pg",
        default=os.environ.get(
            "CONTRABAND_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    args = parser.parse_args()
    rows = []
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        verdicts = write_verdicts(Path(tmp) / "verdicts.jsonl", args.verdicts)
        targets = [("sqlite", f"sqlite:///{tmp}/ledger.db")]
        pg_database = None
        try:
            from sqlalchemy import create_engine, text
            from sqlalchemy.engine import make_url

            admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
            pg_database = f"contraband_bench_{uuid.uuid4().hex[:8]}"
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{pg_database}"'))
            targets.append(
                (
                    "postgresql",
                    make_url(args.pg)
                    .set(database=pg_database)
                    .render_as_string(hide_password=False),
                )
            )
        except Exception as error:
            print(f"PostgreSQL not measured: {error}")
        try:
            for name, url in targets:
                first = enforce(verdicts, url)
                again = enforce(verdicts, url)
                results[name] = {
                    "first_run_per_s": args.verdicts / first,
                    "rescan_unchanged_per_s": args.verdicts / again,
                }
                rows.append(
                    (name, f"{args.verdicts / first:,.0f}", f"{args.verdicts / again:,.0f}")
                )
        finally:
            if pg_database:
                with admin.connect() as connection:
                    connection.execute(
                        text(f'DROP DATABASE IF EXISTS "{pg_database}" WITH (FORCE)')
                    )
    print(table(rows, ("database", "verdicts/s, first run", "verdicts/s, same file again")))
    print("(whole `contraband enforce` command: start-up, file check, batches of 5,000)")
    print(f"wrote {write_results('ledger', {'verdicts': args.verdicts, **results})}")


if __name__ == "__main__":
    main()
