"""Screening work grows linearly with a listing's length, whatever the listing holds.

Work is counted, not timed: every Python and C function call made while screening (a
profile hook), so the bound holds on a shared machine whatever its speed at the moment.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import pytest

from contraband.listing import parse_listing
from contraband.screening import Screener

UNITS = ["cocaine ", "c0caine ", "v a p e ", "vape pen ", "x", "ab|", "\u200bv4pe ", "кокаин "]


def _calls(screener: Screener, title: str) -> int:
    listing = parse_listing({"id": "1", "title": title, "description": title})
    count = 0

    def hook(frame: Any, event: str, arg: Any) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(hook)
    try:
        screener.screen(listing, dt.date(2020, 3, 1))
    finally:
        sys.setprofile(None)
    return max(count, 1)


@pytest.mark.parametrize("unit", UNITS)
def test_ten_times_longer_costs_at_most_twelve_times_the_calls(
    mini_screener: Screener, unit: str
) -> None:
    """16,000 against 160,000 characters of a repeated pattern (a quadratic step once made
    it 5.7 s against 212 s)."""
    short = (unit * (16_000 // len(unit) + 1))[:16_000]
    long = (unit * (160_000 // len(unit) + 1))[:160_000]
    _calls(mini_screener, "warm up")
    ratio = _calls(mini_screener, long) / _calls(mini_screener, short)
    assert ratio <= 12, f"{unit!r}: {ratio:.1f}x the calls for 10x the text"
