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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contraband.batch.incremental import CarryPlan, carry_plan
from contraband.batch.rows import (
    LISTING,
    MATCHED,
    RECORD,
    Previous,
    RescanResult,
    output_schema,
    source_kind,
    verdict_batch,
)
from contraband.errors import InputError
from contraband.files.layers import Layer, chain, read_layer, write_manifest
from contraband.policy import PolicyPack
from contraband.screening import Screener

#: Listings per Arrow batch handed to the screener (the matcher's batch).
BATCH = 1024
#: The embedded JVM's options where the job runs in this process (`local[...]`), unless
#: `conf` sets them: a rescan's JVM lives for seconds to minutes, too short for the optimising
#: compiler and a concurrent collector to pay for the cores they take from the screener
#: (measured with bench/spark.py's CPU count: 57-62 CPU-s for 200,000 listings with the
#: JVM's defaults, 43-44 with these).
LOCAL_JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"

#: The previous run's verdict, joined to each listing for an incremental rescan.
PREVIOUS = "previous"
_JOIN_ID = "_contraband_listing_id"

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
    previous: Previous | None = None,
    models: dict[str, str | None] | None = None,
    conf: dict[str, str] | None = None,
    fail_once: bool = False,
) -> RescanResult:
    """Screen `source` (JSONL or Parquet, a file or a directory of parts) into the Parquet
    directory `out`. With `previous`, a verdict of the previous run whose listing and
    dependencies did not change is carried forward instead (see `batch.incremental`).
    `models`: the fingerprints of the models the screener holds, recorded beside the
    verdicts (`files.layers`) so that a later rescan with other models screens everything.
    `conf`: Spark settings, as `spark-submit --conf` takes them (a cluster's executor memory,
    the JVM's options); they override the rescan's own.
    `fail_once` (for tests) makes the first attempt of the first task fail, so that a retry
    is seen to change nothing."""
    from pyspark.sql import SparkSession

    if out.exists():
        raise InputError(f"{out} exists: a rescan writes a new verdicts directory")
    kind = source_kind(source)
    used = {name: print_ for name, print_ in (models or {}).items() if print_}
    builder = (
        SparkSession.builder.master(master)
        .appName("contraband-rescan")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(BATCH))
    )
    settings = dict(conf or {})
    if master.startswith("local"):
        settings.setdefault("spark.driver.extraJavaOptions", LOCAL_JVM_OPTIONS)
    for key, value in settings.items():
        builder = builder.config(key, value)
    if master.startswith("local") and "PYSPARK_PYTHON" not in os.environ:
        # Local workers run this interpreter (contraband installed); a cluster's executors
        # need contraband in their own Python (PYSPARK_PYTHON or spark.pyspark.python).
        os.environ["PYSPARK_PYTHON"] = sys.executable
    spark = builder.getOrCreate()
    try:
        blob = pickle.dumps(screener)
        shipped = spark.sparkContext.broadcast(blob)
        key = hashlib.sha256(blob).hexdigest()
        try:
            frame = _as_json(
                spark.read.text(str(source)) if kind == "jsonl" else spark.read.parquet(str(source))
            )
            plan = None
            if previous is not None:
                changed = read_layer(previous.verdicts).models != used
                frame, plan = _with_previous(spark, frame, previous, screener.pack, as_of, changed)
            if partitions:
                frame = frame.repartition(partitions)
            screened = spark.sparkContext.accumulator(0)
            version = screener.pack.version
            job = _Job(key, shipped, as_of.isoformat(), kind, version, screened)
            written = frame.mapInArrow(_screen_batches(job, fail_once), _spark_schema())
            written.write.mode("errorifexists").parquet(str(out))
        except InputError:
            raise
        except Exception as error:  # Py4J and PySpark errors: the job failed, nothing committed
            raise InputError(f"{source}: the Spark job failed: {_cause(error)}") from None
        write_manifest(Layer(out, used, as_of=as_of.isoformat(), policy_version=version))
        written_count = int(spark.read.parquet(str(out)).count())
        return RescanResult(written_count, int(screened.value), plan)
    finally:
        spark.stop()


def _as_json(frame: Any) -> Any:
    """The input as one JSON text a row (`value`: the JSONL line, or every column of a
    Parquet row made JSON in the JVM) and `RECORD`, its SHA-256: a previous verdict of the
    same record holds for the same listing; any other change (a seller id too) is screened
    again. The screener decodes both as it decodes a line of `scan`."""
    from pyspark.sql import functions as F

    if frame.columns != ["value"]:  # Parquet
        columns = [F.col(f"`{name}`") for name in frame.columns]
        frame = frame.select(F.to_json(F.struct(*columns)).alias("value"))
    return frame.withColumn(RECORD, F.sha2(F.col("value"), 256))


def _with_previous(
    spark: Any,
    frame: Any,
    previous: Previous,
    pack: PolicyPack,
    as_of: dt.date,
    models_changed: bool = False,
) -> tuple[Any, CarryPlan]:
    """The listings, each with its previous verdict (the column `PREVIOUS`) where that still
    holds, and then without its own columns (nothing of it is screened): the decision is
    made in the JVM, and a carried verdict never becomes Python objects."""
    from pyspark.sql import functions as F

    before = _previous_verdicts(spark, previous.verdicts)
    if not {MATCHED, RECORD, LISTING} <= set(before.columns):
        raise InputError(
            f"{previous.verdicts}: these verdicts do not say which items each listing matched "
            "(written by `scan` or an older rescan): run a full rescan first"
        )
    days = [dt.date.fromisoformat(r[0]) for r in _collect(before.select("as_of").distinct())]
    plan = carry_plan(previous.pack, pack, days, as_of, models_changed)
    if plan.everything:
        return frame, plan
    earlier = before.select(
        F.col("listing_id").alias(_JOIN_ID), F.struct(*before.columns).alias(PREVIOUS)
    ).dropDuplicates([_JOIN_ID])
    ids = F.get_json_object(F.col("value"), "$.id")
    joined = frame.withColumn(_JOIN_ID, ids).join(earlier, _JOIN_ID, "left")
    holds = F.coalesce(_holds(plan), F.lit(False))
    own = [name for name in frame.columns if name != RECORD]
    return joined.select(
        *[F.when(~holds, F.col(f"`{name}`")).alias(name) for name in own],
        F.col(RECORD),
        F.when(holds, F.col(PREVIOUS)).alias(PREVIOUS),
    ), plan


def _previous_verdicts(spark: Any, verdicts: Path) -> Any:
    """A previous run's verdicts as one frame: each listing's from the highest layer that
    holds it (`files.layers`), those of lower layers carried to the top layer's day."""
    from pyspark.sql import functions as F

    layers = chain(verdicts)
    merged: Any = None
    shadow: Any = None
    for layer in layers:
        try:
            frame = spark.read.parquet(str(layer.path))
        except Exception as error:
            why = _cause(error)
            raise InputError(f"{layer.path}: not a verdicts directory: {why}") from None
        if merged is None:
            merged = frame
        else:
            lower = frame.join(shadow, "listing_id", "left_anti")
            for name, value in (
                ("as_of", layers[0].as_of),
                ("policy_version", layers[0].policy_version),
            ):
                if value is not None:
                    lower = lower.withColumn(name, F.lit(value))
            merged = merged.unionByName(lower)
        held = frame.select("listing_id")
        if layer.removed:
            gone = spark.createDataFrame([(i,) for i in sorted(layer.removed)], "listing_id string")
            held = held.union(gone)
        shadow = held if shadow is None else shadow.union(held)
    return merged


def _holds(plan: CarryPlan) -> Any:
    """The Spark condition under which a row's previous verdict holds (`CarryPlan.carries`):
    the same record, no error, and nothing found in it that changed."""
    from pyspark.sql import functions as F

    before = F.col(PREVIOUS)
    matched = before[MATCHED]
    same = (before[RECORD] == F.col(RECORD)) & before["error"].isNull()
    if plan.matched:
        untouched = F.size(matched) == 0
    elif plan.items:
        changed = F.array(*[F.lit(item) for item in sorted(plan.items)])
        untouched = ~F.arrays_overlap(matched, changed)
    else:
        untouched = F.lit(True)
    return same & untouched


def _collect(frame: Any) -> list[Any]:
    """`frame.collect()`: PySpark leaves the socket it read the rows from to the garbage
    collector (a ResourceWarning), so it is collected here, with that warning silenced."""
    import gc
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        rows = list(frame.collect())
        gc.collect()
    return rows


def _cause(error: Exception) -> str:
    """The deepest reason Spark gives (its Java stack traces bury it), on one line."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    causes = [line.split(": ", 1)[-1] for line in lines if line.startswith("Caused by:")]
    return (causes[-1] if causes else lines[0] if lines else type(error).__name__)[:500]


def _spark_schema() -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(output_schema())


@dataclass(frozen=True, slots=True)
class _Job:
    """What every task needs, pickled once into the function Spark ships."""

    key: str  # the hash of the screener's pickle
    shipped: Any  # the broadcast screener
    as_of: str
    kind: str  # jsonl | parquet
    version: str  # the pack's, written on carried verdicts
    screened: Any  # an accumulator: listings screened (not carried)


def _screen_batches(job: _Job, fail_once: bool) -> Callable[[Iterable[Any]], Iterable[Any]]:
    """The function each task runs: Arrow batches of listings in, of verdicts out (and of
    previous verdicts that hold, passed through in Arrow)."""

    def screen(batches: Iterable[Any]) -> Iterator[Any]:
        if fail_once:
            _fail_first_attempt()
        screener = _screener(job.key, job.shipped)
        day = dt.date.fromisoformat(job.as_of)
        for batch in batches:
            names = batch.schema.names
            if PREVIOUS in names:
                earlier = batch.column(names.index(PREVIOUS))
                carried = _carried(earlier, job)
                if carried is not None:
                    yield carried
                batch = batch.filter(earlier.is_null()).select([n for n in names if n != PREVIOUS])
            yield _screened(screener, batch, day, job)

    return screen


def _screened(screener: Screener, batch: Any, day: dt.date, job: _Job) -> Any:
    """New verdicts for the listings of `batch` (JSON texts and their fingerprints), with the
    items matched, as one Arrow batch."""
    names = batch.schema.names
    texts = batch.column(names.index("value")).to_pylist()
    prints = batch.column(names.index(RECORD)).to_pylist()
    kept = [(t, f) for t, f in zip(texts, prints, strict=True) if t is not None and t.strip()]
    where = "line" if job.kind == "jsonl" else "row"
    records = [(text.encode("utf-8", "surrogatepass"), where) for text, _ in kept]
    job.screened.add(len(records))
    return verdict_batch(screener, records, day, [f for _, f in kept], [t for t, _ in kept])


def _carried(earlier: Any, job: _Job) -> Any:
    """The previous verdicts that hold (the non-null ones), as one Arrow batch with today's
    date and the pack's version; None if none does."""
    import pyarrow as pa

    kept = earlier.filter(earlier.is_valid())
    if len(kept) == 0:
        return None
    table = pa.Table.from_struct_array(kept)
    for name, value in (("as_of", job.as_of), ("policy_version", job.version)):
        column = pa.array([value] * len(kept), pa.string())
        table = table.set_column(table.schema.get_field_index(name), name, column)
    return table.select(output_schema().names).cast(output_schema()).to_batches()[0]


def _screener(key: str, shipped: Any) -> Screener:
    """This worker's screener from the broadcast (`key`: the hash of its pickle), unpickled
    once per worker process (a module-level function: Spark's pickler ships it by name, so
    the cache is the module's)."""
    screener = _SCREENERS.get(key)
    if screener is None:
        # Our own pickle, made by the driver from the screener it built: no user's file.
        screener = _SCREENERS[key] = pickle.loads(shipped.value)
    return screener


def _fail_first_attempt() -> None:
    from pyspark import TaskContext

    context = TaskContext.get()
    if context is not None and context.partitionId() == 0 and context.attemptNumber() == 0:
        raise RuntimeError("injected failure of the first attempt of task 0")
