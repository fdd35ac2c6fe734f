"""What rescans share, on Spark or of a change feed in this process: what they read (a
catalog, a previous run) and the rows they write: each verdict, and beside it what a later
rescan needs to know whether it still holds (the items found, the record's fingerprint) and
to screen it again without the catalog (the record itself)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contraband.batch.incremental import CarryPlan
from contraband.errors import InputError
from contraband.files.listings import input_format
from contraband.policy import PolicyPack
from contraband.screening import Screener
from contraband.verdict import arrow_schema, to_arrow

#: The column beside each verdict naming the items the matcher found in the listing.
MATCHED = "matched_items"
#: The column beside each verdict fingerprinting the record it judged (SHA-256 of its JSON).
RECORD = "record_sha256"
#: The column beside a verdict holding the record it judged, as JSON text, where something was
#: found in it: what a rescan of a change feed screens again when an item or a measure
#: changes (`batch.changes`). A listing where nothing was found is reached by no such change
#: (a change of terms needs the whole catalog), so its record is not kept: most are not.
LISTING = "listing_json"


def output_schema() -> Any:
    """The verdicts' Arrow schema, the items each listing matched (`MATCHED`), the record
    it judged (`LISTING`) and its fingerprint (`RECORD`): what an incremental rescan reads."""
    import pyarrow as pa

    return (
        arrow_schema()
        .append(pa.field(MATCHED, pa.list_(pa.string())))
        .append(pa.field(RECORD, pa.string()))
        .append(pa.field(LISTING, pa.string()))
    )


def verdict_batch(
    screener: Screener,
    records: list[tuple[Any, str]],
    day: dt.date,
    prints: list[str | None],
    texts: list[str | None],
) -> Any:
    """Verdicts of `records` (for the screener) with the items matched, and beside each the
    fingerprint of its record and, where something was found, its JSON text (`LISTING`), as
    one Arrow batch of `output_schema()`."""
    import pyarrow as pa

    screened = screener.screen_matched(records, day)
    verdicts = to_arrow([verdict for _, verdict, _ in screened])
    found = [list(items) for _, _, items in screened]
    kept = [text if items else None for text, items in zip(texts, found, strict=True)]
    return pa.RecordBatch.from_arrays(
        [
            *verdicts.columns,
            pa.array(found, pa.list_(pa.string())),
            pa.array(prints, pa.string()),
            pa.array(kept, pa.string()),
        ],
        schema=output_schema(),
    )


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


def source_kind(source: Path) -> str:
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
