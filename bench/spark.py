"""`contraband rescan --master local[2]` against `contraband scan --workers 2`, in one run.

    python bench/spark.py [--listings 200000]

Writes the standard corpus as Parquet (the listings' own columns), makes a pack from its
terms, and times both commands on it, each a fresh process with the index cache warm, in
listings per second of wall time (both use the two cores), and the ratio of rescan to scan.
CPU time is not reported: Spark's Python workers are the JVM's children, and the time of
those it does not wait for never reaches this process's accounts. Prints a table and writes
bench/results/spark.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import standard_corpus, table, write_results
from scan import corpus_pack


def timed(command: list[str], environment: dict[str, str]) -> float:
    """Wall seconds of a command."""
    started = time.perf_counter()
    subprocess.run(
        command,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listings", type=int, default=200_000)
    args = parser.parse_args()
    import pyarrow as pa
    import pyarrow.parquet as pq

    corpus = standard_corpus(args.listings)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        rows = [json.loads(line) for line in (corpus / "listings.jsonl").open()]
        source = tmp / "listings.parquet"
        pq.write_table(pa.Table.from_pylist(rows), source, row_group_size=20_000)
        del rows
        pack = tmp / "pack"
        pack.mkdir()
        corpus_pack(corpus, pack)
        environment = {**os.environ, "CONTRABAND_CACHE_DIR": str(tmp / "cache")}
        cli = [sys.executable, "-m", "contraband.cli.main"]
        day = ["--as-of", "2024-01-01", "--policy", str(pack)]
        warm = tmp / "warm.jsonl"
        warm.write_text((corpus / "listings.jsonl").open().readline())
        subprocess.run(
            [*cli, "scan", str(warm), *day, "--out", str(tmp / "w.jsonl")],
            check=True,
            stdout=subprocess.DEVNULL,
            env=environment,
        )
        scan = timed(
            [*cli, "scan", str(source), *day, "--workers", "2", "--out", str(tmp / "s.jsonl")],
            environment,
        )
        rescan = timed(
            [
                *cli,
                "rescan",
                str(source),
                *day,
                "--master",
                "local[2]",
                "--partitions",
                "8",
                "--out",
                str(tmp / "r"),
            ],
            environment,
        )
        shutil.rmtree(tmp / "r", ignore_errors=True)
    n = args.listings
    rows_out = [
        ("listings (Parquet)", f"{n:,}"),
        ("scan --workers 2: listings/s (wall)", f"{n / scan:,.0f}"),
        ("rescan local[2] --partitions 8: listings/s (wall)", f"{n / rescan:,.0f}"),
        ("rescan / scan", f"{scan / rescan:.2f}"),
    ]
    print(table(rows_out, ("measure", "value")))
    path = write_results(
        "spark",
        {
            "listings": n,
            "scan_wall_s": scan,
            "rescan_wall_s": rescan,
            "ratio": scan / rescan,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
