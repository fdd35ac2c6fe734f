"""Verdict files appear whole or not at all, and read back from any form the contract has."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from contraband.errors import InputError
from contraband.files.verdicts import VerdictWriter, count_verdicts, read_verdicts
from contraband.verdict import Action, error_verdict, to_arrow


def _verdicts(n: int) -> list:
    return [error_verdict(f"L{i}", "S", "unreadable", "v", "2020-01-01") for i in range(n)]


@pytest.mark.parametrize("name", ["v.jsonl", "v.parquet"])
def test_a_failed_write_leaves_the_previous_file_and_no_debris(tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    with VerdictWriter(target) as writer:
        writer.write_many(_verdicts(3))
    before = target.read_bytes()
    with pytest.raises(RuntimeError), VerdictWriter(target) as writer:
        writer.write_many(_verdicts(10))
        raise RuntimeError("the scan died")
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_an_empty_scan_writes_a_valid_empty_parquet_file(tmp_path: Path) -> None:
    target = tmp_path / "v.parquet"
    with VerdictWriter(target):
        pass
    assert count_verdicts(target) == 0


def test_a_directory_of_parquet_parts_reads_in_part_order(tmp_path: Path) -> None:
    parts = tmp_path / "verdicts"
    parts.mkdir()
    batch = _verdicts(6)
    pq.write_table(_table(batch[3:]), parts / "part-00001.parquet")
    pq.write_table(_table(batch[:3]), parts / "part-00000.parquet")
    (parts / "_SUCCESS").write_text("")
    assert list(read_verdicts(parts)) == batch
    assert all(v.action == Action.ERROR for v in read_verdicts(parts))


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "not a readable Parquet"), (b"PAR1garbage", "not a readable Parquet")],
)
def test_a_broken_parquet_file_is_named(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "v.parquet"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        count_verdicts(path)


def test_a_directory_without_parts_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no .parquet verdict files"):
        count_verdicts(tmp_path)


def _table(verdicts: list) -> object:
    import pyarrow as pa

    return pa.Table.from_batches([to_arrow(verdicts)])
