"""Catalog rescans on Apache Spark: the same screener, past one machine.

The driver builds the screener once (its term index from the index cache) and broadcasts it;
each executor's Python worker unpickles it once and keeps it for every task it runs. Listings
are read as Spark partitions (JSONL as lines, decoded by the screener exactly as `scan` does;
Parquet as rows), screened in `mapInArrow` a batch at a time (the batch path of the matcher),
and the verdicts written as Parquet parts through Spark's own commit protocol: a failed or
restarted job leaves no half-written output, and a retried task's verdicts are written once.
`enforce` reads the verdicts directory.

PySpark is imported here only: the rest of contraband never needs a JVM.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from contraband.errors import InputError
from contraband.files.listings import input_format
from contraband.screening import Screener
from contraband.verdict import arrow_schema, to_arrow

#: Listings per Arrow batch handed to the screener (the matcher's batch).
BATCH = 1024

#: Each Python worker's screener, by the hash of the pickle that shipped it (unpickled once).
_SCREENERS: dict[str, Screener] = {}


def rescan(
    screener: Screener,
    source: Path,
    out: Path,
    as_of: dt.date,
    *,
    master: str = "local[*]",
    partitions: int | None = None,
    fail_once: bool = False,
) -> int:
    """Screen `source` (JSONL or Parquet, a file or a directory of parts) into the Parquet
    directory `out`; returns the number of verdicts written. `fail_once` (for tests) makes
    the first attempt of the first task fail, so that a retry is seen to change nothing."""
    from pyspark.sql import SparkSession

    if out.exists():
        raise InputError(f"{out} exists: a rescan writes a new verdicts directory")
    kind = _kind(source)
    builder = (
        SparkSession.builder.master(master)
        .appName("contraband-rescan")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(BATCH))
    )
    if master.startswith("local") and "PYSPARK_PYTHON" not in os.environ:
        # Local workers run this interpreter (contraband installed); a cluster's executors
        # need contraband in their own Python (PYSPARK_PYTHON or spark.pyspark.python).
        os.environ["PYSPARK_PYTHON"] = sys.executable
    spark = builder.getOrCreate()
    try:
        blob = pickle.dumps(screener)
        shipped = spark.sparkContext.broadcast(blob)
        key = hashlib.sha256(blob).hexdigest()
        screen = _screen_batches(key, shipped, as_of.isoformat(), kind, fail_once)
        try:
            frame = (
                spark.read.text(str(source)) if kind == "jsonl" else spark.read.parquet(str(source))
            )
            if partitions:
                frame = frame.repartition(partitions)
            frame.mapInArrow(screen, _spark_schema()).write.mode("errorifexists").parquet(str(out))
        except Exception as error:  # Py4J and PySpark errors: the job failed, nothing committed
            raise InputError(f"{source}: the Spark job failed: {_cause(error)}") from None
        return int(spark.read.parquet(str(out)).count())
    finally:
        spark.stop()


def _cause(error: Exception) -> str:
    """The deepest reason Spark gives (its Java stack traces bury it), on one line."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    causes = [line.split(": ", 1)[-1] for line in lines if line.startswith("Caused by:")]
    return (causes[-1] if causes else lines[0] if lines else type(error).__name__)[:500]


def _kind(source: Path) -> str:
    if not source.exists():
        raise InputError(f"{source}: no such file or directory")
    if source.is_dir():
        names = [p.name.lower() for p in source.iterdir() if not p.name.startswith((".", "_"))]
        if names and all(n.endswith((".parquet", ".pq")) for n in names):
            return "parquet"
        if names and all(n.endswith(".jsonl") for n in names):
            return "jsonl"
        raise InputError(f"{source}: a directory of .jsonl or of .parquet parts, not a mix")
    kind = input_format(source)
    if kind not in ("jsonl", "parquet"):
        raise InputError(f"{source}: a rescan reads JSONL or Parquet, not {kind}")
    return kind


def _spark_schema() -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(arrow_schema())


def _screen_batches(
    key: str, shipped: Any, as_of: str, kind: str, fail_once: bool
) -> Callable[[Iterable[Any]], Iterable[Any]]:
    """The function each task runs: Arrow batches of listings in, of verdicts out."""

    def screen(batches: Iterable[Any]) -> Iterator[Any]:
        if fail_once:
            _fail_first_attempt()
        screener = _screener(key, shipped)
        day = dt.date.fromisoformat(as_of)
        for batch in batches:
            records = _records(batch, kind)
            yield to_arrow([verdict for _, verdict in screener.screen_records(records, day)])

    return screen


def _screener(key: str, shipped: Any) -> Screener:
    """This worker's screener from the broadcast (`key`: the hash of its pickle), unpickled
    once per worker process (a module-level function: Spark's pickler ships it by name, so
    the cache is the module's)."""
    screener = _SCREENERS.get(key)
    if screener is None:
        # Our own pickle, made by the driver from the screener it built: no user's file.
        screener = _SCREENERS[key] = pickle.loads(shipped.value)
    return screener


def _records(batch: Any, kind: str) -> list[tuple[Any, str]]:
    """(record, where) for the screener: JSONL lines as bytes, Parquet rows as mappings."""
    if kind == "jsonl":
        lines = batch.column(0).to_pylist()
        return [
            (line.encode("utf-8", "surrogatepass"), "line")
            for line in lines
            if line is not None and line.strip()
        ]
    return [(row, "row") for row in batch.to_pylist()]


def _fail_first_attempt() -> None:
    from pyspark import TaskContext

    context = TaskContext.get()
    if context is not None and context.partitionId() == 0 and context.attemptNumber() == 0:
        raise RuntimeError("injected failure of the first attempt of task 0")
