"""Listing files read in blocks give the same records, numbered by line, as reading line by
line, wherever the blocks are cut."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contraband.files import listings
from contraband.files.listings import Record, RecordBlock, read_chunks, read_records


def line_by_line(name: str, data: bytes) -> list[Record]:
    """The definition: a line ends at LF, CRLF or a lone CR; blank lines count, unread."""
    out, number = [], 0
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for physical in data.split(b"\n")[: -1 if data.endswith(b"\n") else None]:
        for line in physical.rstrip(b"\r\n").split(b"\r"):
            number += 1
            if line.strip():
                out.append(Record(f"{name}:{number}", raw=line))
    return out


PIECES = st.lists(
    st.sampled_from([b'{"id": "a", "title": "x"}', b"\n", b"\r", b"\r\n", b"  ", b"\xef\xbb\xbf"]),
    max_size=40,
)


@given(pieces=PIECES, size=st.integers(1, 5))
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_blocks_number_records_as_lines_do(
    tmp_path: Path, pieces: list[bytes], size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = b"".join(pieces)
    path = tmp_path / "in.jsonl"
    path.write_bytes(data)
    monkeypatch.setattr(listings, "_LINES_PER_BLOCK", size)
    assert list(read_records(path)) == line_by_line("in.jsonl", data)
    chunks = list(read_chunks(path, size))
    assert all(isinstance(c, RecordBlock) for c in chunks)
    assert [r for c in chunks for r in c.records()] == line_by_line("in.jsonl", data)


def test_other_formats_come_in_lists(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("id,title\na,x\nb,y\nc,z\n")
    chunks = list(read_chunks(path, 2))
    assert [len(c) for c in chunks] == [2, 1]
    assert all(isinstance(c, list) for c in chunks)
