"""A country measure through a year of scenario time: announced, in force, expired.

Notices go out at announcement (no points, nothing hidden); from the effective date listings
still affected are hidden and a disguise costs its point; after expiry nothing happens."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from contraband.ledger import Ledger
from contraband.ledger.sql.store import SqlStore
from contraband.listing import parse_listing
from contraband.policy import load_pack
from contraband.screening import Screener
from contraband.verdict import Verdict
from tests.conftest import MINI_PACK

MEASURE = """
  - id: DE-DRONES
    title: Drones banned in Germany
    items: [drones]
    countries: [DE]
    publicized: 2023-01-10
    effective: 2023-02-01
    expires: 2023-08-01
"""
LISTINGS = [
    {"id": "honest", "seller_id": "S1", "title": "Mini drone with camera", "countries": ["DE"]},
    {"id": "hidden", "seller_id": "S1", "title": "Mini dr0ne with camera", "countries": ["DE"]},
    {"id": "elsewhere", "seller_id": "S2", "title": "Mini drone with camera", "countries": ["FR"]},
]


@pytest.fixture()
def world(tmp_path: Path) -> tuple[Screener, Ledger]:
    pack_dir = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack_dir)
    measures = pack_dir / "measures" / "measures.yaml"
    measures.write_text(measures.read_text() + MEASURE)
    pack = load_pack(pack_dir)
    return Screener(pack), Ledger(SqlStore(f"sqlite:///{tmp_path / 'l.db'}"), pack)


def day(screener: Screener, ledger: Ledger, date: str) -> dict[str, Verdict]:
    """Screen the listings on `date` and record the verdicts at noon that day."""
    as_of = dt.date.fromisoformat(date)
    verdicts = {row["id"]: screener.screen(parse_listing(row), as_of) for row in LISTINGS}
    ledger.record(verdicts.values(), dt.datetime.combine(as_of, dt.time(12), dt.UTC))
    return verdicts


def notices(ledger: Ledger, seller: str, date: str) -> list[str]:
    at = dt.datetime.fromisoformat(date).replace(tzinfo=dt.UTC)
    return [n.subject for n in ledger.seller(seller, at).notifications]


def test_a_measure_announced_in_force_and_expired(world: tuple[Screener, Ledger]) -> None:
    screener, ledger = world

    draft = day(screener, ledger, "2023-01-05")
    assert all(v.action.value == "allow" and not v.findings for v in draft.values())
    assert notices(ledger, "S1", "2023-01-05") == []

    announced = day(screener, ledger, "2023-01-15")
    assert all(v.action.value == "allow" and v.points == 0 for v in announced.values())
    assert announced["honest"].findings[0].measure_state == "announced"
    subjects = notices(ledger, "S1", "2023-01-15")
    assert subjects == [
        "A new rule affects your listing hidden from 2023-02-01",
        "A new rule affects your listing honest from 2023-02-01",
    ]
    assert notices(ledger, "S2", "2023-01-15") == []  # not offered in Germany
    day(screener, ledger, "2023-01-20")  # screened again in the grace period: no new notice
    assert len(notices(ledger, "S1", "2023-01-20")) == 2
    assert ledger.seller("S1", dt.datetime(2023, 1, 31, tzinfo=dt.UTC)).active_points == 0

    in_force = day(screener, ledger, "2023-02-15")
    assert in_force["honest"].blocked_countries == ("DE",) and in_force["honest"].points == 0
    assert in_force["hidden"].blocked_countries == ("DE",) and in_force["hidden"].circumvention
    assert in_force["elsewhere"].blocked_countries == ()
    assert ledger.seller("S1", dt.datetime(2023, 2, 16, tzinfo=dt.UTC)).active_points == 1

    expired = day(screener, ledger, "2023-09-01")
    assert all(not v.blocked_countries and v.points == 0 for v in expired.values())
    assert ledger.seller("S1", dt.datetime(2023, 9, 2, tzinfo=dt.UTC)).active_points == 1  # kept
    assert len(notices(ledger, "S1", "2023-09-02")) == 2
    ledger.close()
