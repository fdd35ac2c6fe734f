"""What a scan found: counts of verdicts by action, kind, item, country and disguise, and the
most serious flagged listings with their text, for the end-of-run table and the report.

A summary is built where verdicts are made (in each worker) and summaries merge, so the
report is fed from the scan's own stream: nothing re-reads the input or the verdict file.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from contraband.listing import Listing
from contraband.verdict import Action, Verdict

#: Order of actions in reports: the most serious first.
SEVERITY = {
    Action.REMOVE: 0,
    Action.REVIEW: 1,
    Action.RESTRICT: 2,
    Action.ERROR: 3,
    Action.ALLOW: 4,
}
MAX_ERRORS = 20


@dataclass(frozen=True, slots=True)
class FlaggedListing:
    """A listing with findings, as the report shows it: the verdict and the texts its spans
    point into."""

    verdict: Verdict
    title: str
    category: str
    texts: dict[str, str]

    @classmethod
    def of(cls, verdict: Verdict, listing: Listing | None) -> FlaggedListing:
        if listing is None:
            return cls(verdict, "", "", {})
        return cls(verdict, listing.title, listing.category, dict(listing.fields()))

    def rank(self) -> tuple[int, float, str]:
        """Sort key: most serious first (action, then points), then by listing id."""
        return (SEVERITY[self.verdict.action], -self.verdict.points, self.verdict.listing_id)


@dataclass
class ScanSummary:
    """Counts over verdicts; `keep_flagged` > 0 also keeps that many most serious flagged
    listings (with their text) for the report."""

    keep_flagged: int = 0
    listings: int = 0
    by_action: Counter[str] = field(default_factory=Counter)
    by_kind: Counter[str] = field(default_factory=Counter)
    by_detector: Counter[str] = field(default_factory=Counter)  # terms, item_model, ...
    by_item: Counter[str] = field(default_factory=Counter)
    by_country: Counter[str] = field(default_factory=Counter)
    by_transform: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    points: float = 0.0
    circumventions: int = 0
    flagged_total: int = 0
    # The most serious flagged listings; trimmed to `keep_flagged` whenever it doubles.
    _flagged: list[FlaggedListing] = field(default_factory=list, repr=False)

    def add(self, verdict: Verdict, listing: Listing | None = None) -> None:
        self.listings += 1
        self.by_action[verdict.action.value] += 1
        if verdict.error is not None:
            if len(self.errors) < MAX_ERRORS:
                self.errors.append(verdict.error)
            self._keep(FlaggedListing.of(verdict, listing))
            return
        if not verdict.findings:
            return
        self.points += verdict.points
        self.circumventions += verdict.circumvention
        self.by_country.update(verdict.blocked_countries)
        items = set()
        for finding in verdict.findings:
            self.by_kind[finding.kind.value] += 1
            self.by_detector[finding.detector.value] += 1
            if finding.item_id:
                items.add(finding.item_id)
            self.by_transform.update(finding.transforms)
        self.by_item.update(items)
        self._keep(FlaggedListing.of(verdict, listing))

    def _keep(self, flagged: FlaggedListing) -> None:
        self.flagged_total += 1
        if self.keep_flagged > 0:
            self._flagged.append(flagged)
            if len(self._flagged) >= 2 * self.keep_flagged:
                self._trim()

    def _trim(self) -> None:
        self._flagged.sort(key=FlaggedListing.rank)
        del self._flagged[self.keep_flagged :]

    @property
    def flagged(self) -> list[FlaggedListing]:
        """The kept flagged listings, most serious first."""
        self._trim()
        return list(self._flagged)

    def merge(self, other: ScanSummary) -> None:
        self.listings += other.listings
        self.points += other.points
        self.circumventions += other.circumventions
        for mine, theirs in (
            (self.by_action, other.by_action),
            (self.by_kind, other.by_kind),
            (self.by_detector, other.by_detector),
            (self.by_item, other.by_item),
            (self.by_country, other.by_country),
            (self.by_transform, other.by_transform),
        ):
            mine.update(theirs)
        self.errors.extend(other.errors[: max(0, MAX_ERRORS - len(self.errors))])
        self.flagged_total += other.flagged_total
        if self.keep_flagged > 0:
            self._flagged.extend(other._flagged)
            if len(self._flagged) >= 2 * self.keep_flagged:
                self._trim()

    def as_dict(self) -> dict[str, Any]:
        return {
            "listings": self.listings,
            "by_action": dict(self.by_action),
            "by_kind": dict(self.by_kind),
            "by_detector": dict(self.by_detector),
            "by_item": dict(self.by_item.most_common()),
            "by_country": dict(self.by_country.most_common()),
            "by_transform": dict(self.by_transform.most_common()),
            "points": self.points,
            "circumventions": self.circumventions,
            "errors": self.errors,
        }
