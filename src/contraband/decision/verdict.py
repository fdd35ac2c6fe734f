"""What contraband decides about a listing: findings with evidence, and the verdict."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import orjson


class Action(StrEnum):
    """What must happen to a listing, weakest first."""

    ALLOW = "allow"
    RESTRICT = "restrict"  # hidden from buyers in `blocked_countries`
    REVIEW = "review"  # held for a reviewer
    REMOVE = "remove"
    ERROR = "error"  # the listing could not be read


_STRENGTH = {
    Action.ALLOW: 0,
    Action.RESTRICT: 1,
    Action.REVIEW: 2,
    Action.REMOVE: 3,
    Action.ERROR: 4,
}


def strongest(actions: list[Action]) -> Action:
    return max(actions, key=_STRENGTH.__getitem__, default=Action.ALLOW)


class FindingKind(StrEnum):
    PROHIBITED_ITEM = "prohibited_item"
    CONTROLLED_ITEM = "controlled_item"
    COUNTRY_MEASURE = "country_measure"
    KEYWORD_DISTORTION = "keyword_distortion"
    MISPLACED_CATEGORY = "misplaced_category"


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason for the verdict, with the evidence a reviewer or seller reads."""

    kind: FindingKind
    item_id: str | None
    measure_id: str | None
    action: Action
    points: float
    reason: str
    field: str | None = None
    span: tuple[int, int] | None = None
    text: str | None = None
    canonical: str | None = None
    transforms: tuple[str, ...] = ()
    distortion: str | None = None
    score: float = 1.0
    detail: dict[str, Any] = dataclasses.field(default_factory=dict)
    # The JSON form is orjson's rendering of these fields, in this order (see Verdict.json).


@dataclass(slots=True)  # not frozen: built for every listing, and frozen init is slow
class Verdict:
    listing_id: str
    seller_id: str
    content_hash: str
    action: Action
    blocked_countries: tuple[str, ...]
    circumvention: bool
    points: float
    findings: tuple[Finding, ...]
    policy_version: str
    as_of: str
    error: str | None = None

    def json(self) -> bytes:
        """One JSON line (no newline): the verdict contract, rendered natively by orjson.

        Text with lone surrogates (not valid Unicode, from hostile input) is written with
        U+FFFD in their place rather than failing the run.
        """
        try:
            return orjson.dumps(self)
        except TypeError:
            return orjson.dumps(_scrub(self))

    def as_dict(self) -> dict[str, Any]:
        """The verdict as plain data (the decoded JSON line)."""
        result: dict[str, Any] = orjson.loads(self.json())
        return result


_SURROGATE = re.compile("[\ud800-\udfff]")


def _scrub(value: Any) -> Any:
    """Plain data with every lone surrogate replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _scrub(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def error_verdict(
    listing_id: str, seller_id: str, message: str, policy_version: str, as_of: str
) -> Verdict:
    """The verdict of a record that could not be read: the run goes on."""
    return Verdict(
        listing_id=listing_id,
        seller_id=seller_id,
        content_hash="",
        action=Action.ERROR,
        blocked_countries=(),
        circumvention=False,
        points=0.0,
        findings=(),
        policy_version=policy_version,
        as_of=as_of,
        error=message,
    )
