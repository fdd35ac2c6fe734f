"""What a new pack would do to a catalog, before it bites: both packs screen every listing,
and the verdicts are compared listing by listing.

The impact says what an operator must know before announcing a measure: listings newly
hidden per country, newly removed, newly held for review (and those the change releases),
the sellers touched, the points the new verdicts would charge and the sanctions those points
would reach from a clean record, with examples and their evidence.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contraband.batch.scan import CHUNK
from contraband.files.listings import Chunk, RecordBlock, read_chunks
from contraband.listing import Listing
from contraband.screening import Screener
from contraband.verdict import Action, Verdict

_SEVERITY = {Action.ALLOW: 0, Action.RESTRICT: 1, Action.REVIEW: 2, Action.REMOVE: 3}


@dataclass
class Example:
    listing_id: str
    seller_id: str
    title: str
    before: str
    after: str
    evidence: list[dict[str, Any]]


@dataclass
class Impact:
    """The difference two packs make to a catalog."""

    examples_wanted: int = 10
    listings: int = 0
    unreadable: int = 0
    changed: int = 0
    newly_hidden: Counter[str] = field(default_factory=Counter)  # by country ("ALL": all)
    no_longer_hidden: Counter[str] = field(default_factory=Counter)
    newly_removed: int = 0
    newly_review: int = 0
    released: int = 0  # removed or held before, allowed or restricted now
    points: dict[str, float] = field(default_factory=dict)  # by seller
    sellers: set[str] = field(default_factory=set)
    examples: list[Example] = field(default_factory=list)

    def add(self, listing: Listing | None, old: Verdict, new: Verdict) -> None:
        self.listings += 1
        if listing is None:
            self.unreadable += 1
            return
        hidden_now = set(new.blocked_countries) - set(old.blocked_countries)
        hidden_before = set(old.blocked_countries) - set(new.blocked_countries)
        more_points = max(0.0, new.points - old.points)
        if not (hidden_now or hidden_before or more_points or old.action != new.action):
            return
        self.changed += 1
        self.sellers.add(new.seller_id)
        self.newly_hidden.update(hidden_now)
        self.no_longer_hidden.update(hidden_before)
        if new.action == Action.REMOVE and old.action != Action.REMOVE:
            self.newly_removed += 1
        if new.action == Action.REVIEW and old.action != Action.REVIEW:
            self.newly_review += 1
        if _SEVERITY.get(old.action, 0) >= 2 > _SEVERITY.get(new.action, 0):
            self.released += 1
        if more_points:
            self.points[new.seller_id] = self.points.get(new.seller_id, 0.0) + more_points
        if len(self.examples) < self.examples_wanted:
            self.examples.append(_example(listing, old, new))

    def sanctions(self, screener: Screener) -> Counter[str]:
        """The gravest ladder step each seller's new points reach from a clean record."""
        reached: Counter[str] = Counter()
        ladder = screener.pack.rules.ladder
        for points in self.points.values():
            steps = [step for step in ladder if step.points <= points]
            if steps:
                reached[steps[-1].sanction] += 1
        return reached

    def to_json(self, screener: Screener, old_version: str, new_version: str) -> dict[str, Any]:
        return {
            "base_policy": old_version,
            "policy": new_version,
            "listings": self.listings,
            "unreadable": self.unreadable,
            "changed": self.changed,
            "newly_hidden_by_country": dict(self.newly_hidden.most_common()),
            "no_longer_hidden_by_country": dict(self.no_longer_hidden.most_common()),
            "newly_removed": self.newly_removed,
            "newly_review": self.newly_review,
            "released": self.released,
            "sellers_affected": len(self.sellers),
            "points_charged": round(sum(self.points.values()), 6),
            "sellers_charged": len(self.points),
            "sanctions_from_a_clean_record": dict(self.sanctions(screener)),
            "examples": [vars(e) for e in self.examples],
        }


def preview(
    base: Screener,
    proposed: Screener,
    source: Path,
    as_of: dt.date,
    *,
    examples: int = 10,
    progress: Callable[[int], None] | None = None,
) -> Impact:
    """Screen `source` under both packs and compare the verdicts (read once, in chunks)."""
    impact = Impact(examples_wanted=examples)
    for chunk in read_chunks(source, CHUNK):
        readable = [(r.raw if r.raw is not None else r.data, r.where) for r in _records(chunk)]
        compare(base, proposed, readable, as_of, impact)
        if progress is not None:
            progress(len(readable))
    return impact


def compare(
    base: Screener,
    proposed: Screener,
    records: Sequence[tuple[Any, str]],
    as_of: dt.date,
    impact: Impact,
) -> Impact:
    """Add to `impact` what the proposed pack changes for `records` ((record, where), as
    `Screener.screen_records` reads them): the service's preview calls this directly."""
    before = base.screen_records(records, as_of)
    after = proposed.screen_records(records, as_of)
    for (listing, old), (_, new) in zip(before, after, strict=True):
        impact.add(listing, old, new)
    return impact


def _records(chunk: Chunk) -> list[Any]:
    records = chunk.records() if isinstance(chunk, RecordBlock) else chunk
    return [r for r in records if r.error is None]


def _example(listing: Listing, old: Verdict, new: Verdict) -> Example:
    return Example(
        listing_id=new.listing_id,
        seller_id=new.seller_id,
        title=listing.title[:200],
        before=_summary(old),
        after=_summary(new),
        evidence=[
            {
                "kind": f.kind.value,
                "item_id": f.item_id,
                "measure_id": f.measure_id,
                "reason": f.reason,
                "field": f.field,
                "text": f.text,
                "transforms": list(f.transforms),
            }
            for f in new.findings
        ],
    )


def _summary(verdict: Verdict) -> str:
    hidden = (
        f" hidden in {', '.join(verdict.blocked_countries)}" if verdict.blocked_countries else ""
    )
    points = f", {verdict.points:g} points" if verdict.points else ""
    return f"{verdict.action.value}{hidden}{points}"
