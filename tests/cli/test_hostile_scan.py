"""Hostile input to `contraband scan`: every file gets a clear outcome (exit 0 with one verdict
per record, or exit 2 naming what and where), the input is never touched, and a failed scan
leaves no half-written output behind."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contraband.files.listings import read_records
from tests.conftest import scan_mini, verdict_dicts

GOOD = [{"id": "A", "seller_id": "S", "title": "cocaine"}, {"id": "B", "title": "shirt"}]
LINES = [json.dumps(x).encode() for x in GOOD]

# name -> (file name, content, the ids and actions expected, in order)
READABLE: dict[str, tuple[str, bytes, list[tuple[str, str]]]] = {
    "deep nesting in an unknown field": (
        "deep.jsonl",
        LINES[0]
        + b'\n{"id": "D", "title": "x", "x": '
        + b"[" * 5000
        + b"]" * 5000
        + b"}\n"
        + LINES[1],
        [("A", "remove"), ("", "error"), ("B", "allow")],  # too deep to read even its id
    ),
    "byte order mark on JSONL": (
        "bom.jsonl",
        b"\xef\xbb\xbf" + b"\n".join(LINES),
        [("A", "remove"), ("B", "allow")],
    ),
    "byte order mark on CSV": (
        "bom.csv",
        b"\xef\xbb\xbfid,seller_id,title\nA,S,cocaine\nB,S,shirt\n",
        [("A", "remove"), ("B", "allow")],
    ),
    "lone CR line ends": ("cr.jsonl", b"\r".join(LINES), [("A", "remove"), ("B", "allow")]),
    "CRLF line ends": (
        "crlf.jsonl",
        b"\r\n".join(LINES) + b"\r\n",
        [("A", "remove"), ("B", "allow")],
    ),
    "gzip": ("x.jsonl.gz", gzip.compress(b"\n".join(LINES)), [("A", "remove"), ("B", "allow")]),
    "a .json array, pretty-printed": (
        "arr.json",
        json.dumps(GOOD, indent=2).encode(),
        [("A", "remove"), ("B", "allow")],
    ),
    "a .json object, pretty-printed": (
        "one.json",
        json.dumps(GOOD[0], indent=2).encode(),
        [("A", "remove")],
    ),
    "an unterminated CSV quote is named, never merged": (
        "quote.csv",
        b'id,seller_id,title\nA,S,"unterminated\nB,S2,cocaine\nC,S3,shirt\nD,S4,"x"\nE,S5,cocaine\n',
        [("A", "error"), ("E", "remove")],
    ),
    "a 200,000-character title of a repeated term": (
        "long.jsonl",
        json.dumps({"id": "L", "title": ("cocaine " * 25_000)[:199_999]}).encode(),
        [("L", "remove")],
    ),
}

# name -> (file name, content, a fragment of the error message)
UNREADABLE: dict[str, tuple[str, bytes, str]] = {
    "empty Parquet": ("empty.parquet", b"", "not a readable Parquet file"),
    "garbage Parquet": ("junk.parquet", b"PAR1 not really", "not a readable Parquet file"),
    "truncated gzip": ("t.jsonl.gz", gzip.compress(b"\n".join(LINES) * 50)[:30], "gzip"),
    "an unknown format": ("x.txt", b"hello", "unknown input format"),
    "a .json that is not JSON": ("bad.json", b"[{", "not a valid JSON document"),
}


@pytest.mark.parametrize("name", list(READABLE))
def test_readable_hostile_files(tmp_path: Path, name: str) -> None:
    file_name, content, expected = READABLE[name]
    source = tmp_path / file_name
    source.write_bytes(content)
    out = tmp_path / "v.jsonl"
    result = scan_mini(source, out)
    assert result.exit_code == 0, result.output
    verdicts = verdict_dicts(out)
    assert [(v["listing_id"], v["action"]) for v in verdicts] == expected
    assert source.read_bytes() == content
    if name.startswith("an unterminated"):
        assert "quote.csv:2-5" in verdicts[0]["error"]


@pytest.mark.parametrize("name", list(UNREADABLE))
def test_unreadable_files_exit_2_and_keep_the_old_output(tmp_path: Path, name: str) -> None:
    file_name, content, message = UNREADABLE[name]
    source = tmp_path / file_name
    source.write_bytes(content)
    out = tmp_path / "v.jsonl"
    out.write_bytes(b"previous verdicts\n")
    result = scan_mini(source, out)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert out.read_bytes() == b"previous verdicts\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([file_name, "v.jsonl"])


@pytest.mark.parametrize(
    ("option", "how"),
    [
        ("--out", "same"),
        ("--out", "dot-slash"),
        ("--out", "symlink"),
        ("--report", "same"),
        ("--summary-json", "same"),
    ],
)
def test_an_output_that_is_the_input_is_refused(tmp_path: Path, option: str, how: str) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(LINES))
    target = {
        "same": source,
        "dot-slash": tmp_path / "." / "in.jsonl",
        "symlink": tmp_path / "link.jsonl",
    }[how]
    if how == "symlink":
        os.symlink(source, target)
    extra = [] if option == "--out" else [option, str(target)]
    out = target if option == "--out" else tmp_path / "v.jsonl"
    result = scan_mini(source, out, *extra)
    assert result.exit_code == 2 and "would be overwritten" in result.output
    assert source.read_bytes() == b"\n".join(LINES)


@pytest.mark.parametrize("option", ["--out", "--report", "--summary-json"])
def test_an_output_that_is_a_directory_is_refused_before_the_work(
    tmp_path: Path, option: str
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(LINES))
    directory = tmp_path / "dir"
    directory.mkdir()
    out = directory if option == "--out" else tmp_path / "v.jsonl"
    extra = [] if option == "--out" else [option, str(directory)]
    result = scan_mini(source, out, *extra)
    assert result.exit_code == 2 and "is a directory" in result.output
    assert "listings in" not in result.output  # refused before screening


@pytest.mark.parametrize(
    ("target", "message"),
    [("file.txt/v.jsonl", "is not a directory"), ("/dev/null", "not a regular file")],
)
def test_an_output_that_cannot_be_a_file_is_refused_before_the_work(
    tmp_path: Path, target: str, message: str
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(LINES))
    (tmp_path / "file.txt").write_text("a file, not a directory")
    out = Path(target) if target.startswith("/") else tmp_path / target
    result = scan_mini(source, out)
    assert result.exit_code == 2 and message in result.output, result.output
    assert "listings in" not in result.output


def test_missing_certificates_file_is_named(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(LINES))
    result = scan_mini(source, tmp_path / "v.jsonl", "--certificates", str(tmp_path / "no.csv"))
    assert result.exit_code == 2 and "no.csv: no such file" in result.output


# --- fuzzing: random bytes, random JSON, random CSV ---------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(["id", "title", "keywords", "countries", "x"]), children)
    ),
    max_leaves=20,
)
json_lines = st.lists(
    st.one_of(
        json_values.map(lambda v: json.dumps(v).encode()),
        st.builds(
            lambda i, t: json.dumps({"id": i, "title": t}).encode(),
            st.text(min_size=1, max_size=8),
            st.text(max_size=40),
        ),
        st.binary(max_size=40),
    ),
    max_size=8,
).map(lambda lines: b"\n".join(lines))
csv_files = st.lists(
    st.lists(st.text(alphabet='ab,"\n\r x\u200b', max_size=12), min_size=3, max_size=3),
    max_size=6,
).map(lambda rows: ("id,title,keywords\n" + "\n".join(",".join(r) for r in rows)).encode())


def _fuzz(tmp_path: Path, name: str, content: bytes) -> None:
    source = tmp_path / name
    source.write_bytes(content)
    digest = hashlib.sha256(content).hexdigest()
    out = tmp_path / f"{name}.verdicts.jsonl"
    out.unlink(missing_ok=True)
    result = scan_mini(source, out)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 2), result.output
    assert hashlib.sha256(source.read_bytes()).hexdigest() == digest
    if result.exit_code == 0:
        assert len(verdict_dicts(out)) == sum(1 for _ in read_records(source))
    else:
        assert not out.exists()


FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(content=st.binary(max_size=300))
def test_random_bytes(tmp_path_factory: pytest.TempPathFactory, content: bytes) -> None:
    _fuzz(tmp_path_factory.mktemp("fuzz"), "random.jsonl", content)


@FUZZ
@given(content=json_lines)
def test_random_json_lines(tmp_path_factory: pytest.TempPathFactory, content: bytes) -> None:
    _fuzz(tmp_path_factory.mktemp("fuzz"), "random.jsonl", content)


@FUZZ
@given(content=csv_files)
def test_random_csv(tmp_path_factory: pytest.TempPathFactory, content: bytes) -> None:
    _fuzz(tmp_path_factory.mktemp("fuzz"), "random.csv", content)


@FUZZ
@given(content=st.binary(max_size=300))
def test_random_bytes_as_json_document(
    tmp_path_factory: pytest.TempPathFactory, content: bytes
) -> None:
    _fuzz(tmp_path_factory.mktemp("fuzz"), "random.json", content)


@pytest.mark.slow
def test_a_scan_killed_mid_run_leaves_no_verdict_file_for_enforce(tmp_path: Path) -> None:
    """kill -9 during the scan: the target never appears (only a hidden partial file), so
    `enforce` cannot record half a catalog."""
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import MINI_PACK

    source = tmp_path / "big.jsonl"
    with source.open("wb") as f:
        for i in range(60_000):
            f.write(json.dumps({"id": f"L{i}", "title": f"item {i} c0caine kit"}).encode() + b"\n")
    out = tmp_path / "v.jsonl"
    command = [sys.executable, "-m", "contraband.cli.main", "scan", str(source)]
    command += ["--policy", str(MINI_PACK), "--as-of", "2020-03-01", "--out", str(out)]
    scan = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".v.jsonl.*.partial")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    scan.send_signal(signal.SIGKILL)
    scan.wait()
    assert not out.exists()
