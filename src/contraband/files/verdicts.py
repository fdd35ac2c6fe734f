"""Verdict files: JSONL (one verdict a line) or Parquet, through the verdict codec.

A verdict file is written to a temporary file beside its target and renamed into place when
the writer closes without error, so a reader never sees half a file: a crashed or failed
scan leaves the previous file (if any) untouched. Readers accept what any writer of the
contract wrote: JSONL, a Parquet file, or a directory of Parquet parts (a Spark job's output).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from contraband.errors import InputError
from contraband.files.atomic import AtomicFile
from contraband.files.layers import Shadow, chain
from contraband.verdict import (
    Verdict,
    arrow_schema,
    from_arrow,
    from_json,
    to_arrow,
    to_json,
    to_json_lines,
)

PARQUET_SUFFIXES = (".parquet", ".pq")
_ROWS_PER_GROUP = 8192


def is_parquet(path: Path) -> bool:
    return path.name.lower().endswith(PARQUET_SUFFIXES)


class VerdictWriter:
    """Writes verdicts as JSONL, or Parquet when the name ends in .parquet; atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.parquet = is_parquet(path)
        self._file = AtomicFile(path)
        self._pending: list[Verdict] = []
        self._parquet_writer: Any = None
        self.count = 0

    def write(self, verdict: Verdict) -> None:
        self.count += 1
        if not self.parquet:
            self._file.file.write(to_json(verdict) + b"\n")
            return
        self._pending.append(verdict)
        if len(self._pending) >= _ROWS_PER_GROUP:
            self._flush()

    def write_many(self, verdicts: Sequence[Verdict]) -> None:
        if self.parquet:
            for verdict in verdicts:
                self.write(verdict)
        else:
            self.write_lines(to_json_lines(verdicts), len(verdicts))

    def write_lines(self, lines: bytes, count: int) -> None:
        """`count` verdicts already encoded by `encode_lines` (JSONL output only)."""
        if self.parquet:
            raise ValueError("encoded lines are for JSONL output")
        self.count += count
        self._file.file.write(lines)

    def _flush(self) -> None:
        import pyarrow.parquet as pq

        if self._parquet_writer is None:
            self._parquet_writer = pq.ParquetWriter(self._file.file, arrow_schema())
        if self._pending:
            self._parquet_writer.write_batch(to_arrow(self._pending))
            self._pending = []

    def close(self) -> None:
        """Finish the file and put it in place."""
        if self.parquet:
            self._flush()  # an empty scan still writes a valid, empty file
            self._parquet_writer.close()
        self._file.commit()

    def abandon(self) -> None:
        """Drop what was written; the target stays as it was."""
        if self._parquet_writer is not None:
            with contextlib.suppress(Exception):
                self._parquet_writer.close()
        self._file.discard()

    def __enter__(self) -> VerdictWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            self.abandon()


def read_verdicts(path: Path) -> Iterator[Verdict]:
    """Every verdict of a file (or a directory of Parquet parts), in order; InputError naming
    the file and line or row at the first one that does not fit the contract."""
    if path.is_dir():
        yield from _read_layers(path)
        return
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if is_parquet(path):
        yield from _read_parquet(path)
        return
    with path.open("rb") as f:
        for number, line in enumerate(f, start=1):
            if line.strip():
                try:
                    yield from_json(line)
                except InputError as error:
                    raise InputError(f"{path.name}:{number}: {error}") from None


def _read_layers(path: Path) -> Iterator[Verdict]:
    """A directory of Parquet parts, and the layers it stands on (`files.layers`): each
    listing's verdict from the highest layer that holds it, with the top layer's day."""
    layers = chain(path)
    top = layers[0]
    shadow = Shadow()
    for depth, layer in enumerate(layers):
        held: list[str] = []
        for verdict in _read_parts(layer.path):
            if depth and shadow.hides(verdict.listing_id):
                continue
            if depth:  # carried forward to the top layer's day, as a full rescan carries it
                verdict.as_of = top.as_of or verdict.as_of
                verdict.policy_version = top.policy_version or verdict.policy_version
            if depth < len(layers) - 1:
                held.append(verdict.listing_id)
            yield verdict
        shadow.cover(layer, held)


def verdict_parts(directory: Path) -> list[Path]:
    """The Parquet parts of one verdicts directory, in order; InputError if it has none."""
    parts = sorted(p for p in directory.rglob("*") if p.is_file() and is_parquet(p))
    if not parts:
        raise InputError(f"{directory}: a directory with no .parquet verdict files")
    return parts


def _read_parts(path: Path) -> Iterator[Verdict]:
    for part in verdict_parts(path):
        yield from _read_parquet(part)


def _read_parquet(path: Path) -> Iterator[Verdict]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        source = pq.ParquetFile(path)
        rows = 0
        for batch in source.iter_batches(batch_size=_ROWS_PER_GROUP):
            try:
                verdicts = from_arrow(batch)
            except InputError as error:
                raise InputError(f"{path.name} (batch from row {rows + 1}): {error}") from None
            rows += len(verdicts)
            yield from verdicts
    except (pa.ArrowException, OSError) as error:
        raise InputError(f"{path.name}: not a readable Parquet verdict file ({error})") from None


def count_verdicts(path: Path) -> int:
    """Read and validate a whole verdict file before anything acts on it; its verdict count."""
    return sum(1 for _ in read_verdicts(path))
