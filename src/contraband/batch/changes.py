"""Rescans of a change feed: a cost that follows the change, not the catalog.

A marketplace knows which listings were added, edited or removed since the last rescan (its
change-data capture). Given those (the feed) and the last rescan's verdicts, this screens
the feed's listings, and the stored records of unchanged listings where an item or measure
that changed was found (`batch.incremental.carry_plan`), and writes them as a new verdicts
layer standing on the last one (`files.layers`): every other verdict is carried forward
without being read, copied or rewritten. Removed listings are recorded in the layer's
manifest, and their verdicts no longer read.

It runs in this process, without Spark: a day's changes are a small fraction of a catalog,
and a Spark session's start-up alone costs more than screening them. A change to the terms,
or to the models, reads every listing: that needs a full rescan, and is refused here with the
reason.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contraband.batch.incremental import CarryPlan, carry_plan
from contraband.batch.rows import (
    LISTING,
    MATCHED,
    RECORD,
    Previous,
    output_schema,
    source_kind,
    verdict_batch,
)
from contraband.errors import InputError
from contraband.files.layers import Layer, Shadow, chain, write_manifest
from contraband.files.verdicts import verdict_parts
from contraband.screening import Screener

#: Listings screened a batch at a time (the matcher's batch path).
BATCH = 1024
PART = "part-00000.parquet"


@dataclass(frozen=True, slots=True)
class ChangesResult:
    from_feed: int  # verdicts of the feed's listings
    screened_again: int  # unchanged listings where something that changed was found
    removed: int
    plan: CarryPlan


@dataclass(frozen=True, slots=True)
class _Stored:
    """An unchanged listing's record, as a previous rescan kept it."""

    listing_id: str
    text: str
    fingerprint: str | None


def rescan_changes(
    screener: Screener,
    feed: Path,
    out: Path,
    as_of: dt.date,
    previous: Previous,
    *,
    removed: frozenset[str] = frozenset(),
    models: dict[str, str | None] | None = None,
) -> ChangesResult:
    """Write the layer `out` over `previous.verdicts`: verdicts of the listings in `feed`
    (JSONL or Parquet) and of those the pack's changes reach, and the ids in `removed`."""
    if out.exists():
        raise InputError(f"{out} exists: a rescan writes a new verdicts directory")
    layers = chain(previous.verdicts)
    _refuse_nesting(out, layers)
    used = {name: print_ for name, print_ in (models or {}).items() if print_}
    plan = carry_plan(
        previous.pack, screener.pack, _days(layers[0]), as_of, layers[0].models != used
    )
    if plan.everything:
        raise InputError(
            f"{plan.reasons[0]}: a change feed cannot carry the other verdicts forward; "
            "rescan the whole catalog (without --changes)"
        )
    partial = out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        result = _write_layer(screener, feed, partial, as_of, layers, plan, removed)
        version = screener.pack.version
        layer = Layer(out, used, previous.verdicts, removed, as_of.isoformat(), version)
        write_manifest(layer, into=partial)  # its base relative to where it will live
        if out.exists():  # written meanwhile by another rescan: never replaced
            raise InputError(f"{out} exists: a rescan writes a new verdicts directory")
        partial.rename(out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return result


def _write_layer(
    screener: Screener,
    feed: Path,
    directory: Path,
    as_of: dt.date,
    layers: list[Layer],
    plan: CarryPlan,
    removed: frozenset[str],
) -> ChangesResult:
    import pyarrow.parquet as pq

    writer = pq.ParquetWriter(directory / PART, output_schema())
    try:
        fed: set[str] = set()
        for read in _batches(_feed_texts(feed)):
            batch = _screen(screener, [(text, None, where) for text, where in read], as_of)
            fed.update(batch.column(batch.schema.get_field_index("listing_id")).to_pylist())
            writer.write_batch(batch)
        both = sorted(fed & removed)
        if both:
            raise InputError(f"{feed}: listing {both[0]} is in the feed and removed")
        again = 0
        for stored in _batches(_reached(layers, plan, fed | removed)):
            kept = [(s.text, s.fingerprint, f"the stored record of {s.listing_id}") for s in stored]
            writer.write_batch(_screen(screener, kept, as_of))
            again += len(stored)
    finally:
        writer.close()
    return ChangesResult(len(fed), again, len(removed), plan)


def _screen(screener: Screener, read: list[tuple[str, str | None, str]], as_of: dt.date) -> Any:
    """One batch of verdicts of JSON texts, each with its fingerprint (made here if None)
    and where it was read (named in the error verdict of one that cannot be)."""
    import hashlib

    raw = [text.encode("utf-8", "surrogatepass") for text, _, _ in read]
    prints = [
        known if known is not None else hashlib.sha256(data).hexdigest()
        for data, (_, known, _) in zip(raw, read, strict=True)
    ]
    records = [(data, where) for data, (_, _, where) in zip(raw, read, strict=True)]
    return verdict_batch(screener, records, as_of, list(prints), [t for t, _, _ in read])


def _feed_texts(feed: Path) -> Iterator[tuple[str, str]]:
    """The feed's listings as JSON texts, as a full rescan reads them (a JSONL line as it
    is, a Parquet row as a JSON object of its non-null columns), each with where it was
    read ("feed.jsonl:12", "part-1.parquet row 7")."""
    kind = source_kind(feed)
    parts = (
        sorted(p for p in feed.iterdir() if not p.name.startswith((".", "_")))
        if feed.is_dir()
        else [feed]
    )
    for part in parts:
        if kind == "jsonl":
            with part.open("rb") as lines:
                for number, line in enumerate(lines, start=1):
                    if line.strip():
                        text = line.rstrip(b"\r\n").decode("utf-8", "replace")
                        yield text, f"{part.name}:{number}"
        else:
            yield from _parquet_texts(part)


def _parquet_texts(part: Path) -> Iterator[tuple[str, str]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    number = 0
    try:
        for batch in pq.ParquetFile(part).iter_batches(batch_size=BATCH):
            for row in batch.to_pylist():
                number += 1
                present = {k: v for k, v in row.items() if v is not None}
                text = json.dumps(present, default=str, ensure_ascii=False, separators=(",", ":"))
                yield text, f"{part.name} row {number}"
    except (pa.ArrowException, OSError) as error:
        raise InputError(f"{part}: not a readable Parquet file ({error})") from None


def _reached(layers: list[Layer], plan: CarryPlan, taken: set[str]) -> Iterator[_Stored]:
    """The stored records of the unchanged listings the plan screens again (something that
    changed was found in them), each from the highest layer that holds it."""
    if not plan.items and not plan.matched:
        return
    shadow = Shadow()
    shadow.add(taken)
    for layer in layers:
        held: list[str] = []
        for part in verdict_parts(layer.path):
            yield from _reached_in(part, plan, shadow, held)
        shadow.cover(layer, held)


def _reached_in(part: Path, plan: CarryPlan, shadow: Shadow, held: list[str]) -> Iterator[_Stored]:
    """One part's reached records: its ids and items read first, its records only where
    one is reached."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        source = pq.ParquetFile(part)
        if not {MATCHED, RECORD, LISTING} <= set(source.schema_arrow.names):
            raise InputError(
                f"{part}: these verdicts do not keep their records (written by `scan` or an "
                "older rescan): run a full rescan first"
            )
        for group in range(source.num_row_groups):
            table = source.read_row_group(group, columns=["listing_id", MATCHED])
            ids = table.column("listing_id").to_pylist()
            held.extend(ids)
            matched = table.column(MATCHED)
            if plan.matched:
                reached = pc.fill_null(pc.greater(pc.list_value_length(matched), 0), False)
            else:
                wanted = pa.array(sorted(plan.items), pa.string())
                flat = pc.is_in(pc.list_flatten(matched), value_set=wanted)
                rows = pc.list_parent_indices(matched).filter(flat)
                reached = pc.is_in(pa.array(range(len(ids))), value_set=rows)
            picks = [i for i in pc.indices_nonzero(reached).to_pylist() if not shadow.hides(ids[i])]
            if picks:
                kept = source.read_row_group(group, columns=[LISTING, RECORD]).take(picks)
                texts = kept.column(LISTING).to_pylist()
                prints = kept.column(RECORD).to_pylist()
                for i, text, fingerprint in zip(picks, texts, prints, strict=True):
                    if text is not None:
                        yield _Stored(ids[i], text, fingerprint)
    except (pa.ArrowException, OSError) as error:
        raise InputError(f"{part}: not a readable verdicts file ({error})") from None


def _days(top: Layer) -> list[dt.date]:
    """The days the previous verdicts were judged on: the top layer's (its manifest, or its
    rows where an older rescan wrote none)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    if top.as_of is not None:
        return [dt.date.fromisoformat(top.as_of)]
    days: set[str] = set()
    for part in verdict_parts(top.path):
        days.update(pc.unique(pq.read_table(part, columns=["as_of"]).column("as_of")).to_pylist())
    return [dt.date.fromisoformat(d) for d in sorted(days) if d]


def _batches(items: Iterator[Any]) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _refuse_nesting(out: Path, layers: list[Layer]) -> None:
    """A layer written inside one it stands on would be read as that one's parts."""
    target = out.resolve()
    for layer in layers:
        if target == layer.path.resolve() or layer.path.resolve() in target.parents:
            raise InputError(f"--out {out} is inside {layer.path}, a layer it stands on")
