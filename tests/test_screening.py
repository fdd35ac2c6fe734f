"""The screener reads a listing the same one at a time and in a batch."""

from __future__ import annotations

import datetime as dt

from contraband.listing import parse_listing
from contraband.screening import Screener
from contraband.verdict import Action

DAY = dt.date(2024, 6, 1)
VAPES = "Consumer Electronics > Electronic Cigarettes"


def test_short_term_misspellings_are_read_in_their_items_category_only(
    mini_screener: Screener,
) -> None:
    """An ordinary word one edit from a 4-letter term ("vase" for "vape") is read in a
    listing filed in the term's item's category, alone or in a batch, and nowhere else."""
    rows = [
        {"id": f"L{i}", "seller_id": "S1", "title": "Vase starter kit, mango", "category": c}
        for i, c in enumerate([VAPES, "Home & Garden", ""] * 6)
    ]
    one = [mini_screener.screen(parse_listing(row), DAY) for row in rows]
    many = [v for _, v in mini_screener.screen_records([(r, "x") for r in rows], DAY)]
    assert [v.action for v in one] == [Action.REVIEW, Action.ALLOW, Action.ALLOW] * 6
    assert [(v.action, v.points) for v in many] == [(v.action, v.points) for v in one]
    assert all("'vape'" in f.reason for f in one[0].findings)
