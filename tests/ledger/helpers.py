"""Building verdicts and reading ledgers back, for the ledger tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import create_engine, select

from contraband.ledger.sql import tables
from contraband.ledger.verdicts import VerdictLine

START = dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC)


def verdict(listing: str, seller: str = "S1", points: float = 6.0,
            kind: str = "prohibited_item", item: str = "stun-guns", content: str = "v1",
            measure: str | None = None) -> VerdictLine:
    findings = [] if points == 0 else [{
        "kind": kind, "item_id": item, "measure_id": measure, "points": points,
        "field": "title", "span": [0, 4], "text": "test", "canonical": "test",
        "transforms": [], "score": 1.0}]
    return VerdictLine(listing_id=listing, seller_id=seller, content_hash=content,
                       action="remove" if points else "allow", points=points,
                       findings=findings, policy_version="test")


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every ledger table, sorted: two ledgers are equal row for row iff equal."""
    engine = create_engine(url)
    out = {}
    with engine.connect() as connection:
        for table in tables.metadata.sorted_tables:
            rows = connection.execute(select(table)).all()
            out[table.name] = sorted((tuple(str(v) for v in row) for row in rows))
    engine.dispose()
    return out
