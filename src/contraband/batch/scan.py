"""The main job: screen every listing of a file and write one verdict per listing, in order.

Records stream from the reader through the screener to the writer, in chunks; with several
workers, chunks go to a process pool that holds one pickled Screener each, and come back in
input order. A record that cannot be read becomes an error verdict; the run goes on.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing as mp
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from contraband.files.listings import Chunk, Record, RecordBlock, read_chunks
from contraband.files.verdicts import VerdictWriter
from contraband.screening import Screener
from contraband.summary import ScanSummary
from contraband.verdict import Verdict, to_json_lines

CHUNK = 1024


# --- worker side --------------------------------------------------------------------------

_WORKER: Screener | None = None


def _init_worker(blob: bytes) -> None:
    import pickle

    global _WORKER
    _WORKER = pickle.loads(blob)
    gc.freeze()


#: What a chunk of work yields: its verdicts, or (for JSONL output) their lines already
#: encoded by the worker, so the writing process only writes; and how many there are.
Screened = tuple[list[Verdict] | bytes, int]


def _screen_chunk(args: tuple[Chunk, str, int, bool]) -> tuple[Screened, ScanSummary]:
    chunk, as_of, keep_flagged, encode = args
    assert _WORKER is not None
    summary = ScanSummary(keep_flagged=keep_flagged)
    verdicts = screen_records(_WORKER, _records(chunk), dt.date.fromisoformat(as_of), summary)
    payload: list[Verdict] | bytes = to_json_lines(verdicts) if encode else verdicts
    return (payload, len(verdicts)), summary


def screen_records(
    screener: Screener, records: Iterable[Record], as_of: dt.date, summary: ScanSummary
) -> list[Verdict]:
    """Verdicts for records, one each, in order; `summary` counts them."""
    out: list[Verdict] = []
    readable = [
        (r.raw if r.raw is not None else r.data, r.where) for r in records if r.error is None
    ]
    screened = iter(screener.screen_records(readable, as_of))
    for record in records:
        if record.error is not None:
            listing, verdict = None, screener.error(record.error, as_of, record.data)
        else:
            listing, verdict = next(screened)
        summary.add(verdict, listing)
        out.append(verdict)
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
    keep_flagged: int = 0,
) -> ScanSummary:
    """Screen `source` into `out` (written whole or not at all); returns the summary, with
    the `keep_flagged` most serious flagged listings. `progress(n)` is told of each chunk."""
    summary = ScanSummary(keep_flagged=keep_flagged)
    gc.freeze()  # the pack and index live for the whole run: the collector need not rescan them
    chunks = read_chunks(source, CHUNK)
    with VerdictWriter(out) as writer:
        screened = _verdict_chunks(screener, chunks, as_of, workers, summary, not writer.parquet)
        for payload, count in screened:
            if isinstance(payload, bytes):
                writer.write_lines(payload, count)
            else:
                writer.write_many(payload)
            if progress is not None:
                progress(count)
    return summary


def _records(chunk: Chunk) -> list[Record]:
    return chunk.records() if isinstance(chunk, RecordBlock) else chunk


def _verdict_chunks(
    screener: Screener,
    chunks: Iterator[Chunk],
    as_of: dt.date,
    workers: int,
    summary: ScanSummary,
    encode: bool,
) -> Iterator[Screened]:
    if workers <= 1:
        for chunk in chunks:
            verdicts = screen_records(screener, _records(chunk), as_of, summary)
            yield (to_json_lines(verdicts) if encode else verdicts), len(verdicts)
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
        for chunk in chunks:
            pending.append(
                pool.apply_async(
                    _screen_chunk, ((chunk, as_of.isoformat(), summary.keep_flagged, encode),)
                )
            )
            if len(pending) >= 4 * workers:
                yield _merged(pending.popleft().get(), summary)
        while pending:
            yield _merged(pending.popleft().get(), summary)


def _merged(result: tuple[Screened, ScanSummary], summary: ScanSummary) -> Screened:
    screened, part = result
    summary.merge(part)
    return screened
