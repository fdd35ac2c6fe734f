"""Building verdicts and reading ledgers back, for the ledger tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select

from contraband.ledger.sql import tables
from contraband.verdict import Action, Finding, FindingKind, Verdict, to_json

START = dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC)


def verdict(
    listing: str,
    seller: str = "S1",
    points: float = 6.0,
    kind: str = "prohibited_item",
    item: str = "stun-guns",
    content: str = "v1",
    measure: str | None = None,
) -> Verdict:
    action = Action.REMOVE if points else Action.ALLOW
    findings = (
        ()
        if points == 0
        else (
            Finding(
                kind=FindingKind(kind),
                item_id=item,
                measure_id=measure,
                action=action,
                points=points,
                reason="test",
                field="title",
                span=(0, 4),
                text="test",
                canonical="test",
            ),
        )
    )
    return Verdict(
        listing_id=listing,
        seller_id=seller,
        content_hash=content,
        action=action,
        blocked_countries=(),
        circumvention=False,
        points=points,
        findings=findings,
        policy_version="test",
        as_of="2024-01-01",
    )


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every ledger table, sorted: two ledgers are equal row for row iff equal."""
    engine = create_engine(url)
    out = {}
    with engine.connect() as connection:
        for table in tables.metadata.sorted_tables:
            rows = connection.execute(select(table)).all()
            out[table.name] = sorted(tuple(str(v) for v in row) for row in rows)
    engine.dispose()
    return out


def write_verdicts(path: Path, n: int, sellers: int = 800, seed: int = 3) -> Path:
    """A verdict file like a catalog rescan's: most listings clean, some with points."""
    import random

    rng = random.Random(seed)
    kinds = [
        ("prohibited_item", "stun-guns", 6.0),
        ("prohibited_item", "drug-paraphernalia", 2.0),
        ("keyword_distortion", "e-cigarettes", 1.0),
        ("controlled_item", "fireworks", 0.5),
    ]
    with path.open("wb") as f:
        for i in range(n):
            if rng.random() < 0.15:
                kind, item, points = rng.choice(kinds)
                line = verdict(f"L{i}", f"S{rng.randrange(sellers)}", points, kind, item)
            else:
                line = verdict(f"L{i}", f"S{rng.randrange(sellers)}", 0)
            f.write(to_json(line) + b"\n")
    return path


def standing(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """What the ledger holds, apart from the history of how it got there: sellers, listings,
    infringements, each infringement's net points, the sanctions in force, review cases.

    Recording the same verdicts in pieces at one instant gives this standing whatever the
    pieces; the entry history (charges then adjustments) and lifted sanctions record the
    order the pieces arrived in, so they are compared only by `dump`.
    """
    from collections import defaultdict

    rows = dump(url)
    net: dict[tuple[str, str], float] = defaultdict(float)
    for row in rows["point_entries"]:
        net[(row[1], row[3])] += float(row[4])  # infringement, seller: points
    return {
        "sellers": rows["sellers"],
        "listings": rows["listings"],
        "infringements": rows["infringements"],
        "net_points": sorted((k, round(v, 6)) for k, v in net.items()),
        "sanctions_in_force": sorted(
            (r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows["sanctions"] if r[9] == "None"
        ),
        "review_cases": rows["review_cases"],
    }
