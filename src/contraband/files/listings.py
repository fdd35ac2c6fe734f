"""Listing files in: JSONL, CSV and Parquet, streamed.

Readers yield `Record`s one at a time, so a scan's memory stays flat whatever the catalog
size. A line that is not valid JSON is still a record (with `error` set): the scan gives it
an error verdict naming the line and goes on.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import IO, Any, NamedTuple, cast

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
        (".json", "json"),
        (".csv", "csv"),
        (".parquet", "parquet"),
        (".pq", "parquet"),
    ):
        if name.endswith(suffix) or (fmt != "parquet" and name.endswith(suffix + ".gz")):
            return fmt
    raise InputError(
        f"{path}: unknown input format (expected .jsonl, .json, .csv, optionally .gz, or .parquet)"
    )


_BOM = b"\xef\xbb\xbf"
_LINES_PER_BLOCK = 1024


class RecordBlock(NamedTuple):
    """Consecutive JSONL lines as read, not yet split into records: one bytes object is
    cheap to hand to a worker process, which makes the records (`records`)."""

    name: str  # the file's name, for `Record.where`
    first: int  # how many lines of the file come before the block
    data: bytes

    def records(self) -> list[Record]:
        """The block's records, numbered by line. A line ends at LF, CRLF or a lone CR (raw
        line breaks cannot be inside a JSON document, so splitting never cuts a record)."""
        physical = self.data.split(b"\n")
        if self.data.endswith(b"\n"):
            physical.pop()
        if self.first == 0 and physical and physical[0].startswith(_BOM):
            physical[0] = physical[0][len(_BOM) :]
        name, number = self.name, self.first
        out: list[Record] = []
        if b"\r" not in self.data:  # the common case: one record per physical line
            for number, line in enumerate(physical, start=self.first + 1):
                if line.strip():
                    out.append(Record(f"{name}:{number}", raw=line))
            return out
        for each in physical:
            for line in each.rstrip(b"\r\n").split(b"\r"):
                number += 1
                if line.strip():
                    out.append(Record(f"{name}:{number}", raw=line))
        return out


Chunk = list[Record] | RecordBlock


def read_records(path: Path) -> Iterator[Record]:
    """Every record of a listing file, in order; InputError if the file cannot be read."""
    for chunk in read_chunks(path, _LINES_PER_BLOCK):
        yield from chunk.records() if isinstance(chunk, RecordBlock) else chunk


def read_chunks(path: Path, size: int) -> Iterator[Chunk]:
    """The records of a listing file in chunks of about `size`, in order: JSONL as blocks of
    lines (split where they are screened), other formats as lists of records."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    if input_format(path) == "jsonl":
        return _jsonl_blocks(path, size)
    readers = {"json": _read_json, "csv": _read_csv}
    return _batched(readers.get(input_format(path), _read_parquet)(path), size)


def _batched(records: Iterator[Record], size: int) -> Iterator[Chunk]:
    while chunk := list(islice(records, size)):
        yield chunk


def count_hint(path: Path) -> tuple[int, str]:
    """(total, unit) for a progress bar: bytes for text files, rows for Parquet."""
    if input_format(path) == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            return pq.ParquetFile(path).metadata.num_rows, "rows"
        except (pa.ArrowException, OSError) as error:
            raise InputError(f"{path}: not a readable Parquet file ({error})") from None
    return path.stat().st_size, "bytes"


def _open_binary(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        import gzip

        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def _open_text(path: Path) -> IO[str]:
    # Invalid UTF-8 bytes become U+FFFD, one character each: offsets stay meaningful. A byte
    # order mark is not part of the first header or line.
    import io

    return io.TextIOWrapper(_open_binary(path), encoding="utf-8-sig", errors="replace", newline="")


def _jsonl_blocks(path: Path, lines: int) -> Iterator[Chunk]:
    """The file's lines, `lines` at a time, joined as read (no work per line here)."""
    first = 0
    with _compressed_errors(path), _open_binary(path) as f:
        while block := list(islice(f, lines)):
            data = b"".join(block)
            yield RecordBlock(path.name, first, data)
            if b"\r" in data:  # lone CRs end lines too: count them as `records` will
                first += sum(len(line.rstrip(b"\r\n").split(b"\r")) for line in block)
            else:
                first += len(block)


def _read_json(path: Path) -> Iterator[Record]:
    """A .json file is one document: an array of listings, or a single listing."""
    import msgspec

    with _compressed_errors(path), _open_binary(path) as f:
        data = f.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        document = msgspec.json.decode(data)
    except msgspec.DecodeError as error:
        raise InputError(f"{path}: not a valid JSON document ({error})") from None
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply to read") from None
    if not isinstance(document, list):
        yield Record(f"{path.name}", document)
        return
    for number, element in enumerate(document, start=1):
        yield Record(f"{path.name}:[{number - 1}]", element)


@contextmanager
def _compressed_errors(path: Path) -> Iterator[None]:
    """A truncated or corrupt .gz file is an input error naming the file."""
    import gzip
    import zlib

    try:
        yield
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise InputError(f"{path}: not a readable gzip file ({error})") from None


def _read_csv(path: Path) -> Iterator[Record]:
    """One record per CSV row. A row whose quoted field runs across lines that look like whole
    rows (an unterminated quote) is one error record naming those lines: the reader cannot be
    sure where records begin, and must not merge listings silently."""
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with _compressed_errors(path), _open_text(path) as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None:
            return
        missing = {"id", "title"} - set(reader.fieldnames)
        if missing:
            raise InputError(f"{path}: CSV header lacks required column(s) {sorted(missing)}")
        columns = len(reader.fieldnames)
        while True:
            first = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                where = f"{path.name}:{first}"
                yield Record(where, None, f"{where}: unreadable CSV ({error}); reading stopped")
                return
            where = f"{path.name}:{first}"
            if reader.line_num > first and _holds_rows(row, columns):
                yield Record(
                    where,
                    row,
                    f"{path.name}:{first}-{reader.line_num}: a quoted field runs across "
                    f"{reader.line_num - first + 1} lines that look like whole rows (an "
                    "unterminated quote?); these lines are not screened",
                )
                continue
            if None in row:
                yield Record(where, None, f"{where}: more fields than the header has")
                continue
            yield Record(where, _csv_row(row))


def _holds_rows(row: dict[str | None, Any], columns: int) -> bool:
    """Does a field span lines that each look like a CSV row of `columns` fields?"""
    if columns < 2:
        return False
    for value in row.values():
        if isinstance(value, str) and "\n" in value:
            lines = value.split("\n")[1:]
            if any(line.count(",") >= columns - 1 for line in lines):
                return True
    return False


def _csv_row(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row in listing shape: empty cells dropped, countries split into a list."""
    out: dict[str, Any] = {k: v for k, v in row.items() if v != "" or k in ("id", "title")}
    countries = out.get("countries")
    if isinstance(countries, str):
        out["countries"] = [c for c in countries.replace(";", " ").replace(",", " ").split() if c]
    return out


def _read_parquet(path: Path) -> Iterator[Record]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    number = 0
    try:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=4096):
            for row in batch.to_pylist():
                number += 1
                yield Record(f"{path.name}:row {number}", row)
    except (pa.ArrowException, OSError) as error:
        raise InputError(
            f"{path}: not a readable Parquet file after row {number} ({error})"
        ) from None
