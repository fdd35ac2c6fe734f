"""The main job: screen every listing of a file and write one verdict per listing, in order.

Records stream from the reader through the screener to the writer, in chunks; with several
workers, chunks go to a process pool that holds one pickled Screener each, and come back in
input order. A record that cannot be read becomes an error verdict; the run goes on.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing as mp
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from contraband.batch.records import Record, VerdictWriter, read_records
from contraband.decision import Verdict
from contraband.screening import Screener

CHUNK = 1024


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

    def add(self, verdict: Verdict) -> None:
        self.listings += 1
        self.by_action[verdict.action.value] += 1
        if verdict.error is not None:
            if len(self.errors) < 20:
                self.errors.append(verdict.error)
            return
        if not verdict.findings:
            return
        self.points += verdict.points
        self.circumventions += verdict.circumvention
        self.by_country.update(verdict.blocked_countries)
        items = set()
        for finding in verdict.findings:
            self.by_kind[finding.kind.value] += 1
            if finding.item_id:
                items.add(finding.item_id)
            self.by_transform.update(finding.transforms)
        self.by_item.update(items)

    def merge(self, other: ScanSummary) -> None:
        self.listings += other.listings
        self.points += other.points
        self.circumventions += other.circumventions
        for mine, theirs in (
            (self.by_action, other.by_action),
            (self.by_kind, other.by_kind),
            (self.by_item, other.by_item),
            (self.by_country, other.by_country),
            (self.by_transform, other.by_transform),
        ):
            mine.update(theirs)
        self.errors.extend(other.errors[: max(0, 20 - len(self.errors))])

    def as_dict(self) -> dict[str, Any]:
        return {
            "listings": self.listings,
            "by_action": dict(self.by_action),
            "by_kind": dict(self.by_kind),
            "by_item": dict(self.by_item.most_common()),
            "by_country": dict(self.by_country.most_common()),
            "by_transform": dict(self.by_transform.most_common()),
            "points": self.points,
            "circumventions": self.circumventions,
            "errors": self.errors,
        }


# --- worker side --------------------------------------------------------------------------

_WORKER: Screener | None = None


def _init_worker(blob: bytes) -> None:
    import pickle

    global _WORKER
    _WORKER = pickle.loads(blob)
    gc.freeze()


def _screen_chunk(args: tuple[list[Record], str]) -> tuple[list[bytes], ScanSummary]:
    records, as_of = args
    assert _WORKER is not None
    summary = ScanSummary()
    return screen_records(_WORKER, records, dt.date.fromisoformat(as_of), summary), summary


def screen_records(
    screener: Screener, records: Iterable[Record], as_of: dt.date, summary: ScanSummary
) -> list[bytes]:
    """Verdicts (as JSON lines) for records, in order; `summary` counts them."""
    out: list[bytes] = []
    readable = [
        (r.raw if r.raw is not None else r.data, r.where) for r in records if r.error is None
    ]
    verdicts = iter(screener.screen_records(readable, as_of))
    for record in records:
        verdict = (
            screener.error(record.error, as_of, record.data)
            if record.error is not None
            else next(verdicts)
        )
        summary.add(verdict)
        out.append(verdict.json())
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
    gc.freeze()  # the pack and index live for the whole run: the collector need not rescan them
    records = read_records(source)
    with VerdictWriter(out) as writer:
        for lines in _verdict_chunks(screener, records, as_of, workers, summary):
            for line in lines:
                writer.write(line)
            if progress is not None:
                progress(len(lines))
    return summary


def _chunks(records: Iterator[Record]) -> Iterator[list[Record]]:
    while chunk := list(islice(records, CHUNK)):
        yield chunk


def _verdict_chunks(
    screener: Screener,
    records: Iterator[Record],
    as_of: dt.date,
    workers: int,
    summary: ScanSummary,
) -> Iterator[list[bytes]]:
    if workers <= 1:
        for chunk in _chunks(records):
            yield screen_records(screener, chunk, as_of, summary)
        return
    global _WORKER
    context: Any
    if "fork" in mp.get_all_start_methods():
        # Forked workers inherit the screener: no pickling, start-up in milliseconds.
        _WORKER = screener
        context = mp.get_context("fork")
        pool = context.Pool(workers)
    else:
        import pickle

        context = mp.get_context("spawn")
        pool = context.Pool(workers, initializer=_init_worker, initargs=(pickle.dumps(screener),))
    with pool:
        # Bounded in-flight chunks (Pool.imap would read the whole input ahead): memory stays
        # flat, and results come back in input order.
        pending: deque[Any] = deque()
        for chunk in _chunks(records):
            pending.append(pool.apply_async(_screen_chunk, ((chunk, as_of.isoformat()),)))
            if len(pending) >= 4 * workers:
                yield _merged(pending.popleft().get(), summary)
        while pending:
            yield _merged(pending.popleft().get(), summary)


def _merged(result: tuple[list[bytes], ScanSummary], summary: ScanSummary) -> list[bytes]:
    lines, part = result
    summary.merge(part)
    return lines
