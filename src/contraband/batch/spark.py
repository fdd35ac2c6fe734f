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
import json
import os
import pickle
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contraband.batch.incremental import CarryPlan, carry_plan
from contraband.errors import InputError
from contraband.files.listings import input_format
from contraband.policy import PolicyPack
from contraband.screening import Screener
from contraband.verdict import arrow_schema, to_arrow

#: Listings per Arrow batch handed to the screener (the matcher's batch).
BATCH = 1024

#: The column beside each verdict naming the items the matcher found in the listing.
MATCHED = "matched_items"
#: The column beside each verdict fingerprinting the record it judged (see `_fingerprinted`).
RECORD = "record_sha256"
#: The previous run's verdict, joined to each listing for an incremental rescan.
PREVIOUS = "previous"
_JOIN_ID = "_contraband_listing_id"
#: Beside the verdicts parts: what the run screened with (the models' fingerprints). Spark
#: and `read_verdicts` pass over files named with a leading underscore.
MANIFEST = "_contraband.json"

#: Each Python worker's screener, by the hash of the pickle that shipped it (unpickled once).
_SCREENERS: dict[str, Screener] = {}


@dataclass(frozen=True, slots=True)
class Previous:
    """A previous rescan's verdicts directory and the pack it ran under."""

    verdicts: Path
    pack: PolicyPack


@dataclass(frozen=True, slots=True)
class RescanResult:
    verdicts: int  # written
    screened: int  # of them, screened (the rest carried forward); a retried task counts twice
    plan: CarryPlan | None  # what an incremental rescan carried forward, and why not all


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
    fail_once: bool = False,
) -> RescanResult:
    """Screen `source` (JSONL or Parquet, a file or a directory of parts) into the Parquet
    directory `out`. With `previous`, a verdict of the previous run whose listing and
    dependencies did not change is carried forward instead (see `batch.incremental`).
    `models`: the fingerprints of the models the screener holds, recorded beside the
    verdicts (MANIFEST) so that a later rescan with other models screens everything.
    `fail_once` (for tests) makes the first attempt of the first task fail, so that a retry
    is seen to change nothing."""
    from pyspark.sql import SparkSession

    if out.exists():
        raise InputError(f"{out} exists: a rescan writes a new verdicts directory")
    kind = _kind(source)
    used = {name: print_ for name, print_ in (models or {}).items() if print_}
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
        try:
            frame = _fingerprinted(
                spark.read.text(str(source)) if kind == "jsonl" else spark.read.parquet(str(source))
            )
            plan = None
            if previous is not None:
                changed = _models_of(previous.verdicts) != used
                frame, plan = _with_previous(
                    spark, frame, kind, previous, screener.pack, as_of, changed
                )
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
        (out / MANIFEST).write_text(json.dumps({"models": used}, sort_keys=True))
        written_count = int(spark.read.parquet(str(out)).count())
        return RescanResult(written_count, int(screened.value), plan)
    finally:
        spark.stop()


def _fingerprinted(frame: Any) -> Any:
    """The input with `RECORD`: a SHA-256 of the record as read (the JSONL line, or every
    column of a Parquet row), made in the JVM. A previous verdict of the same record holds
    for the same listing; any other change (a seller id too) is screened again."""
    from pyspark.sql import functions as F

    if frame.columns == ["value"]:  # JSONL read as text
        return frame.withColumn(RECORD, F.sha2(F.col("value"), 256))
    columns = [F.col(f"`{name}`") for name in frame.columns]
    return frame.withColumn(RECORD, F.sha2(F.to_json(F.struct(*columns)), 256))


def _models_of(verdicts: Path) -> dict[str, str]:
    """The model fingerprints a rescan recorded beside its verdicts; none for a directory
    without a manifest (a rescan before models were recorded: it had none)."""
    try:
        data = json.loads((verdicts / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise InputError(f"{verdicts / MANIFEST}: unreadable ({error})") from None
    models = data.get("models") if isinstance(data, dict) else None
    if not isinstance(models, dict):
        raise InputError(f"{verdicts / MANIFEST}: no `models` object")
    return {str(k): v for k, v in models.items() if isinstance(v, str)}


def _with_previous(
    spark: Any,
    frame: Any,
    kind: str,
    previous: Previous,
    pack: PolicyPack,
    as_of: dt.date,
    models_changed: bool = False,
) -> tuple[Any, CarryPlan]:
    """The listings, each with its previous verdict (the column `PREVIOUS`) where that still
    holds, and then without its own columns (nothing of it is screened): the decision is
    made in the JVM, and a carried verdict never becomes Python objects."""
    from pyspark.sql import functions as F

    try:
        before = spark.read.parquet(str(previous.verdicts))
    except Exception as error:
        why = _cause(error)
        raise InputError(f"{previous.verdicts}: not a verdicts directory: {why}") from None
    if MATCHED not in before.columns or RECORD not in before.columns:
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
    ids = (
        F.get_json_object(F.col("value"), "$.id") if kind == "jsonl" else F.col("id").cast("string")
    )
    joined = frame.withColumn(_JOIN_ID, ids).join(earlier, _JOIN_ID, "left")
    holds = F.coalesce(_holds(plan), F.lit(False))
    own = [name for name in frame.columns if name != RECORD]
    return joined.select(
        *[F.when(~holds, F.col(f"`{name}`")).alias(name) for name in own],
        F.col(RECORD),
        F.when(holds, F.col(PREVIOUS)).alias(PREVIOUS),
    ), plan


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


def _output_schema() -> Any:
    """The verdicts' Arrow schema, the items each listing matched (`MATCHED`), and the
    fingerprint of the record it judged (`RECORD`): what an incremental rescan reads."""
    import pyarrow as pa

    return (
        arrow_schema()
        .append(pa.field(MATCHED, pa.list_(pa.string())))
        .append(pa.field(RECORD, pa.string()))
    )


def _spark_schema() -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(_output_schema())


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
    """New verdicts for the listings of `batch`, with the items matched and the record's
    fingerprint, as one Arrow batch."""
    import pyarrow as pa

    names = batch.schema.names
    prints = batch.column(names.index(RECORD)).to_pylist()
    records = _records(batch.select([n for n in names if n != RECORD]), job.kind)
    kept = [(r, f) for r, f in zip(records, prints, strict=True) if r is not None]
    screened = screener.screen_matched([r for r, _ in kept], day)
    verdicts = to_arrow([verdict for _, verdict, _ in screened])
    matched = pa.array([list(items) for _, _, items in screened], pa.list_(pa.string()))
    fingerprints = pa.array([fingerprint for _, fingerprint in kept], pa.string())
    job.screened.add(len(screened))
    return pa.RecordBatch.from_arrays(
        [*verdicts.columns, matched, fingerprints], schema=_output_schema()
    )


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
    return table.select(_output_schema().names).cast(_output_schema()).to_batches()[0]


def _screener(key: str, shipped: Any) -> Screener:
    """This worker's screener from the broadcast (`key`: the hash of its pickle), unpickled
    once per worker process (a module-level function: Spark's pickler ships it by name, so
    the cache is the module's)."""
    screener = _SCREENERS.get(key)
    if screener is None:
        # Our own pickle, made by the driver from the screener it built: no user's file.
        screener = _SCREENERS[key] = pickle.loads(shipped.value)
    return screener


def _records(batch: Any, kind: str) -> list[tuple[Any, str] | None]:
    """(record, where) for the screener, one per row (None for a blank JSONL line): JSONL
    lines as bytes, Parquet rows as mappings."""
    if kind == "jsonl":
        return [
            (line.encode("utf-8", "surrogatepass"), "line")
            if line is not None and line.strip()
            else None
            for line in batch.column(0).to_pylist()
        ]
    return [(row, "row") for row in batch.to_pylist()]


def _fail_first_attempt() -> None:
    from pyspark import TaskContext

    context = TaskContext.get()
    if context is not None and context.partitionId() == 0 and context.attemptNumber() == 0:
        raise RuntimeError("injected failure of the first attempt of task 0")
