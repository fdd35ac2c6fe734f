"""Shared fixtures: the project's small test pack and a screener over it."""

from pathlib import Path

import pytest

from contraband.policy import PolicyPack, load_pack
from contraband.screening import Screener

FIXTURES = Path(__file__).parent / "fixtures"
MINI_PACK = FIXTURES / "mini-pack"
DEFAULT_PACK = Path(__file__).parent.parent / "policies" / "default"


@pytest.fixture(scope="session")
def mini_pack() -> PolicyPack:
    return load_pack(MINI_PACK)


@pytest.fixture(scope="session")
def mini_screener(mini_pack: PolicyPack) -> Screener:
    return Screener(mini_pack)
