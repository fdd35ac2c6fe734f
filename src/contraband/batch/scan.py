"""The main job: screen every listing of a file and write one verdict per listing, in order.

Records stream from the reader through the screener to the writer, in chunks; with several
workers, chunks go to a process pool that holds one pickled Screener each, and come back in
input order. A record that cannot be read becomes an error verdict; the run goes on.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import orjson

from contraband.batch.records import Record, VerdictWriter, read_records
from contraband.screening import Screener

CHUNK = 256


@dataclass
class ScanSummary:
    """What a scan found, for the end-of-run table and the report."""

    listings: int = 0
    by_action: Counter[str] = field(default_factory=Counter)
    by_kind: Counter[str] = field(default_factory=Counter)
    by_item: Counter[str] = field(default_factory=Counter)
    by_country: Counter[str] = field(default_factory=Counter)
    by_transform: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    points: float = 0.0
    circumventions: int = 0

    def add(self, verdict: dict[str, Any]) -> None:
        self.listings += 1
        self.by_action[verdict["action"]] += 1
        self.points += verdict.get("points") or 0.0
        self.circumventions += bool(verdict.get("circumvention"))
        if verdict.get("error") and len(self.errors) < 20:
            self.errors.append(verdict["error"])
        for country in verdict.get("blocked_countries") or ():
            self.by_country[country] += 1
        items = set()
        for finding in verdict.get("findings") or ():
            self.by_kind[finding["kind"]] += 1
            if finding.get("item_id"):
                items.add(finding["item_id"])
            for transform in finding.get("transforms") or ():
                self.by_transform[transform] += 1
        self.by_item.update(items)

    def as_dict(self) -> dict[str, Any]:
        return {
            "listings": self.listings, "by_action": dict(self.by_action),
            "by_kind": dict(self.by_kind), "by_item": dict(self.by_item.most_common()),
            "by_country": dict(self.by_country.most_common()),
            "by_transform": dict(self.by_transform.most_common()),
            "points": self.points, "circumventions": self.circumventions,
            "errors": self.errors,
        }


# --- worker side --------------------------------------------------------------------------

_WORKER: Screener | None = None


def _init_worker(blob: bytes) -> None:
    import pickle

    global _WORKER
    _WORKER = pickle.loads(blob)


def _screen_chunk(args: tuple[list[Record], str]) -> list[bytes]:
    records, as_of = args
    assert _WORKER is not None
    return screen_records(_WORKER, records, dt.date.fromisoformat(as_of))


def screen_records(screener: Screener, records: Iterable[Record], as_of: dt.date) -> list[bytes]:
    """Verdicts (as JSON lines) for records, in order."""
    out = []
    for record in records:
        if record.error is not None:
            verdict = screener.error(record.error, as_of, record.data)
        else:
            verdict = screener.screen_record(record.data, as_of, record.where)
        out.append(orjson.dumps(verdict.as_dict()))
    return out


# --- driver -------------------------------------------------------------------------------


def scan(
    screener: Screener,
    source: Path,
    out: Path,
    as_of: dt.date,
    *,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> ScanSummary:
    """Screen `source` into `out`; returns the summary. `progress(n)` is told of each chunk."""
    summary = ScanSummary()
    records = read_records(source)
    with VerdictWriter(out) as writer:
        for lines in _verdict_chunks(screener, records, as_of, workers):
            for line in lines:
                writer.write(line)
                summary.add(orjson.loads(line))
            if progress is not None:
                progress(len(lines))
    return summary


def _chunks(records: Iterator[Record]) -> Iterator[list[Record]]:
    while chunk := list(islice(records, CHUNK)):
        yield chunk


def _verdict_chunks(
    screener: Screener, records: Iterator[Record], as_of: dt.date, workers: int
) -> Iterator[list[bytes]]:
    if workers <= 1:
        for chunk in _chunks(records):
            yield screen_records(screener, chunk, as_of)
        return
    import pickle

    blob = pickle.dumps(screener)
    context = mp.get_context("spawn")
    with context.Pool(workers, initializer=_init_worker, initargs=(blob,)) as pool:
        # Bounded in-flight chunks (Pool.imap would read the whole input ahead): memory stays
        # flat, and results come back in input order.
        pending: deque[Any] = deque()
        for chunk in _chunks(records):
            pending.append(pool.apply_async(_screen_chunk, ((chunk, as_of.isoformat()),)))
            if len(pending) >= 4 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
