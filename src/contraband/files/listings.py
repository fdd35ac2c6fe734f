"""Listing files in: JSONL, CSV and Parquet, streamed.

Readers yield `Record`s one at a time, so a scan's memory stays flat whatever the catalog
size. A line that is not valid JSON is still a record (with `error` set): the scan gives it
an error verdict naming the line and goes on.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple

from contraband.errors import InputError


class Record(NamedTuple):
    """One input record: decoded data, raw JSON still to decode, or why it is unreadable.

    JSONL lines travel undecoded (`raw`), so worker processes decode them in parallel and
    the reading process only splits lines.
    """

    where: str  # "file.jsonl:12" (line) or "file.parquet:row 12"
    data: Any = None
    error: str | None = None
    raw: bytes | None = None


def input_format(path: Path) -> str:
    name = path.name.lower()
    for suffix, fmt in (
        (".jsonl", "jsonl"),
        (".ndjson", "jsonl"),
        (".json", "jsonl"),
        (".csv", "csv"),
        (".parquet", "parquet"),
        (".pq", "parquet"),
    ):
        if name.endswith(suffix) or name.endswith(suffix + ".gz"):
            return fmt
    raise InputError(f"{path}: unknown input format (expected .jsonl, .csv or .parquet)")


def read_records(path: Path) -> Iterator[Record]:
    """Every record of a listing file, in order."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    fmt = input_format(path)
    if fmt == "jsonl":
        return _read_jsonl(path)
    if fmt == "csv":
        return _read_csv(path)
    return _read_parquet(path)


def count_hint(path: Path) -> tuple[int, str]:
    """(total, unit) for a progress bar: bytes for text files, rows for Parquet."""
    if input_format(path) == "parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows, "rows"
    return path.stat().st_size, "bytes"


def _open_text(path: Path) -> IO[str]:
    if path.name.endswith(".gz"):
        import gzip

        return gzip.open(path, "rt", encoding="utf-8", errors="replace", newline="")
    # Invalid UTF-8 bytes become U+FFFD, one character each: offsets stay meaningful.
    return path.open("r", encoding="utf-8", errors="replace", newline="")


def _read_jsonl(path: Path) -> Iterator[Record]:
    with path.open("rb") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            yield Record(f"{path.name}:{number}", raw=line)


def _read_csv(path: Path) -> Iterator[Record]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with _open_text(path) as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None:
            return
        missing = {"id", "title"} - set(reader.fieldnames)
        if missing:
            raise InputError(f"{path}: CSV header lacks required column(s) {sorted(missing)}")
        for row in reader:
            where = f"{path.name}:{reader.line_num}"
            if None in row:
                yield Record(where, None, f"{where}: more fields than the header has")
                continue
            yield Record(where, _csv_row(row))


def _csv_row(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row in listing shape: empty cells dropped, countries split into a list."""
    out: dict[str, Any] = {k: v for k, v in row.items() if v != "" or k in ("id", "title")}
    countries = out.get("countries")
    if isinstance(countries, str):
        out["countries"] = [c for c in countries.replace(";", " ").replace(",", " ").split() if c]
    return out


def _read_parquet(path: Path) -> Iterator[Record]:
    import pyarrow.parquet as pq

    number = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=4096):
        for row in batch.to_pylist():
            number += 1
            yield Record(f"{path.name}:row {number}", row)
