"""Shared fixtures: the project's small test pack and a screener over it."""

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from contraband.policy import PolicyPack, load_pack
from contraband.screening import Screener

if TYPE_CHECKING:
    from click.testing import Result

FIXTURES = Path(__file__).parent / "fixtures"
MINI_PACK = FIXTURES / "mini-pack"
DEFAULT_PACK = Path(__file__).parent.parent / "src" / "contraband" / "packs" / "default"

# Compiled indexes are cached per test session, never in the user's own cache directory.
os.environ["CONTRABAND_CACHE_DIR"] = tempfile.mkdtemp(prefix="contraband-test-cache-")


@pytest.fixture(scope="session")
def mini_pack() -> PolicyPack:
    return load_pack(MINI_PACK)


@pytest.fixture(scope="session")
def mini_screener(mini_pack: PolicyPack) -> Screener:
    return Screener(mini_pack)


def scan_mini(listings: Path, out: Path, *extra: str) -> "Result":
    """`contraband scan` of `listings` against the test pack, as of 2020-03-01."""
    from typer.testing import CliRunner

    from contraband.cli.main import app

    return CliRunner().invoke(
        app,
        [
            "scan",
            str(listings),
            "--policy",
            str(MINI_PACK),
            "--as-of",
            "2020-03-01",
            "--out",
            str(out),
            *extra,
        ],
    )


def verdict_dicts(path: Path) -> list[dict[str, Any]]:
    """The verdicts of a file (any format the contract has) as plain JSON data."""
    from contraband.files.verdicts import read_verdicts
    from contraband.verdict import to_builtins

    return [to_builtins(v) for v in read_verdicts(path)]
