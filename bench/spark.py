"""`contraband rescan --master local[2]` against `contraband scan --workers 2`, in one run;
and an incremental rescan (1% of listings edited, one measure added) against the full one,
given the whole edited catalog and given the edited 1% alone as a change feed (`--changes`).

    python bench/spark.py [--listings 200000]

Writes the standard corpus as Parquet (the listings' own columns), makes a pack from its
terms, and times both commands on it, each a fresh process with the index cache warm, in
listings per second of wall time (both use the two cores) and per CPU-second, and the ratio
of rescan to scan. CPU time is counted for the whole process tree in a cgroup of its own
(cgroup v1 `cpuacct`; Spark's Python workers are the JVM's children, whose time no rusage of
ours sees); where the machine gives no cgroup, it is not reported. Prints a table and writes
bench/results/spark.json.
"""

from __future__ import annotations

import argparse
import contextlib
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

#: The measure the incremental rescan's pack adds (the corpus pack has none).
ONE_MEASURE = """measures:
  - id: US-T1
    title: Item t1 hidden from US buyers
    items: [t1]
    countries: [US]
    publicized: 2023-06-01
    effective: 2023-07-01
"""


def edit_one_percent(source: Path, target: Path, feed: Path) -> Path:
    """The listings with every 100th title changed, as a catalog changes between rescans;
    `feed` gets the changed ones alone (what a marketplace's change capture gives)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table_ = pq.read_table(source)
    every_100th = pa.array([i % 100 == 0 for i in range(table_.num_rows)])
    titles = table_.column("title")
    edited = pc.if_else(every_100th, pc.binary_join_element_wise(titles, "(new)", " "), titles)
    changed = table_.set_column(table_.schema.get_field_index("title"), "title", edited)
    pq.write_table(changed, target, row_group_size=20_000)
    pq.write_table(changed.filter(every_100th), feed)
    return target


#: cgroup v1 CPU accounting: the CPU time of a whole process tree (Spark's JVM and the Python
#: workers it forks, which no rusage of ours ever sees).
CPUACCT = Path("/sys/fs/cgroup/cpuacct")


def timed(command: list[str], environment: dict[str, str]) -> tuple[float, float | None]:
    """Wall seconds of a command, and the CPU seconds of it and every process it started
    (None where this machine gives no cgroup to count them in)."""
    group = _new_group()
    if group is not None:  # the command joins the group first; its children inherit it
        command = ["sh", "-c", f'echo $$ > {group}/cgroup.procs && exec "$@"', "sh", *command]
    started = time.perf_counter()
    try:
        subprocess.run(
            command,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=environment,
        )
        wall = time.perf_counter() - started
        cpu = int((group / "cpuacct.usage").read_text()) / 1e9 if group is not None else None
    finally:
        if group is not None:
            _remove_group(group)
    return wall, cpu


def _new_group() -> Path | None:
    group = CPUACCT / f"contraband-bench-{os.getpid()}-{time.monotonic_ns()}"
    try:
        group.mkdir()
    except OSError:
        return None
    return group


def _remove_group(group: Path) -> None:
    """Any process left in the group goes back to the root group; then the group goes (a
    process still exiting holds it a moment; one that will not leave keeps it, harmlessly)."""
    for _ in range(50):
        for pid in (group / "tasks").read_text().split():
            with contextlib.suppress(OSError):  # it ended meanwhile
                (CPUACCT / "tasks").write_text(pid)
        try:
            group.rmdir()
            return
        except OSError:
            time.sleep(0.1)
    print(f"note: {group} is still in use; left in place", file=sys.stderr)


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
        feed = tmp / "feed.parquet"
        edited = edit_one_percent(source, tmp / "edited.parquet", feed)
        changed = tmp / "pack-2"
        shutil.copytree(pack, changed)
        (changed / "measures").mkdir(exist_ok=True)
        (changed / "measures" / "one.yaml").write_text(ONE_MEASURE)
        # the next day's rescan under the changed pack, standing on the full one
        later = ["--as-of", "2024-01-01", "--policy", str(changed), "--previous", str(tmp / "r")]
        later += ["--previous-policy", str(pack)]
        incremental = timed(
            [*cli, "rescan", str(edited), *later, "--master", "local[2]", "--out", str(tmp / "r2")],
            environment,
        )
        changes = timed(
            [*cli, "rescan", str(feed), "--changes", *later, "--out", str(tmp / "r3")], environment
        )
    n = args.listings
    runs = {"scan": scan, "rescan": rescan, "incremental": incremental, "changes": changes}
    wall = {name: run[0] for name, run in runs.items()}
    cpu = {name: run[1] for name, run in runs.items()}

    def per_cpu(name: str) -> str:
        seconds = cpu[name]
        return f"{n / seconds:,.0f} ({seconds:.1f} CPU-s)" if seconds else "not measured"

    rows_out = [
        ("listings (Parquet)", f"{n:,}"),
        ("scan --workers 2: listings/s (wall)", f"{n / wall['scan']:,.0f}"),
        ("rescan local[2] --partitions 8: listings/s (wall)", f"{n / wall['rescan']:,.0f}"),
        ("rescan / scan (wall)", f"{wall['scan'] / wall['rescan']:.2f}"),
        ("scan: listings per CPU-second (the process tree)", per_cpu("scan")),
        ("rescan: listings per CPU-second (JVM and workers)", per_cpu("rescan")),
        (
            "rescan / scan (per CPU-second)",
            f"{cpu['scan'] / cpu['rescan']:.2f}" if cpu["scan"] and cpu["rescan"] else "-",
        ),
        ("full rescan: wall s", f"{wall['rescan']:.1f}"),
        ("incremental rescan (1% edited, one measure added): wall s", f"{wall['incremental']:.1f}"),
        ("incremental / full (wall)", f"{wall['incremental'] / wall['rescan']:.2f}"),
        ("the same as a change feed (--changes, the 1% alone): wall s", f"{wall['changes']:.1f}"),
        ("change feed / full (wall)", f"{wall['changes'] / wall['rescan']:.3f}"),
        (
            "change feed / full (CPU)",
            f"{cpu['changes'] / cpu['rescan']:.3f}" if cpu["changes"] and cpu["rescan"] else "-",
        ),
    ]
    print(table(rows_out, ("measure", "value")))
    path = write_results(
        "spark",
        {
            "listings": n,
            "wall_s": wall,
            "cpu_s": cpu,
            "ratio": wall["scan"] / wall["rescan"],
            "ratio_cpu": cpu["scan"] / cpu["rescan"] if cpu["scan"] and cpu["rescan"] else None,
            "incremental_over_full": wall["incremental"] / wall["rescan"],
            "changes_over_full": wall["changes"] / wall["rescan"],
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
