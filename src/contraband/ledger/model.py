"""Ledger records as the service reads and writes them (the store maps them to rows)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from contraband.verdict import EVERY_COUNTRY, Finding, charge_rule, to_builtins


def stable_id(*parts: str, size: int = 16) -> str:
    """A short id derived from its parts: the same facts always get the same id."""
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=size)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Infringement:
    infringement_id: str
    seller_id: str
    listing_id: str
    content_hash: str
    rule: str
    kind: str
    item_id: str | None
    measure_id: str | None
    points: float
    at: dt.datetime
    policy_version: str
    evidence: dict[str, Any]
    status: str = "standing"  # standing | overturned

    @classmethod
    def of(
        cls,
        finding: Finding,
        listing_id: str,
        seller_id: str,
        content_hash: str,
        policy_version: str,
        at: dt.datetime,
    ) -> Infringement:
        """The infringement a finding with points is: one per listing content and rule."""
        rule = charge_rule(finding)
        return cls(
            infringement_id=stable_id(listing_id, content_hash, rule, size=10),
            seller_id=seller_id,
            listing_id=listing_id,
            content_hash=content_hash,
            rule=rule,
            kind=finding.kind.value,
            item_id=finding.item_id,
            measure_id=finding.measure_id,
            points=finding.points,
            at=at,
            policy_version=policy_version,
            evidence=to_builtins(finding),
        )


@dataclass(frozen=True, slots=True)
class PointEntry:
    entry_id: str
    infringement_id: str
    seq: int
    seller_id: str
    points: float
    at: dt.datetime
    expires_at: dt.datetime
    recorded_at: dt.datetime
    kind: str  # charge | adjustment | reversal
    reason: str
    policy_version: str


@dataclass(frozen=True, slots=True)
class Sanction:
    sanction_id: str
    seller_id: str
    kind: str
    threshold: float
    start: dt.datetime
    end: dt.datetime | None
    remove_all_products: bool
    trigger_infringement_id: str
    created_at: dt.datetime
    lifted_at: dt.datetime | None = None
    lifted_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Appeal:
    appeal_id: str
    infringement_id: str
    seller_id: str
    reason: str
    filed_at: dt.datetime
    status: str = "pending"  # pending | upheld | overturned
    decided_at: dt.datetime | None = None
    reviewer: str | None = None
    decision_reason: str | None = None


@dataclass(frozen=True, slots=True)
class CertificateRecord:
    certificate_id: str
    seller_id: str
    item_id: str
    countries: tuple[str, ...]
    valid_until: dt.datetime
    added_at: dt.datetime
    status: str = "verified"  # pending (a seller's upload) | verified | rejected
    document: str | None = None  # where the seller's document is (a reference, not the file)
    decided_by: str | None = None


@dataclass(frozen=True, slots=True)
class AuditEvent:
    event_id: str
    at: dt.datetime
    actor: str
    action: str
    subject: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Notification:
    message_id: str
    seller_id: str
    channel: str
    subject: str
    body: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class ListingState:
    listing_id: str
    seller_id: str
    content_hash: str
    action: str
    policy_version: str
    recorded_at: dt.datetime


@dataclass(frozen=True, slots=True)
class ReviewCase:
    """A verdict held for review: one per listing content and item (or kind, for findings
    without an item). Confirming records the infringement a certain finding would have."""

    case_id: str
    listing_id: str
    seller_id: str
    content_hash: str
    item_id: str | None
    kind: str
    finding: dict[str, Any]  # the finding that asked for review, as the contract's JSON
    opened_at: dt.datetime
    policy_version: str
    status: str = "open"  # open | confirmed | dismissed
    decided_at: dt.datetime | None = None
    reviewer: str | None = None
    reason: str | None = None
    infringement_id: str | None = None  # recorded on confirmation


@dataclass(frozen=True, slots=True)
class Suppression:
    """A dismissal remembered: this listing content and item never opens a case again."""

    suppression_id: str
    content_hash: str
    item_key: str  # the item id, or the finding kind when there is no item
    listing_id: str
    case_id: str
    reason: str
    created_by: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None
    revoked_by: str | None = None


@dataclass(frozen=True, slots=True)
class ApiToken:
    """A credential of the HTTP service; only the hash of its secret is stored."""

    token_id: str
    name: str
    role: str  # platform | seller | reviewer | operator | auditor
    seller_id: str | None
    secret_hash: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class IdempotentAnswer:
    """The first answer to a request with an Idempotency-Key, returned to its retries."""

    token_id: str
    key: str
    request_hash: str
    status: int
    body: bytes
    created_at: dt.datetime


def countries_key(finding: dict[str, object]) -> str:
    """The countries a case's finding concerns, as ",US,DE," (",ALL," when it concerns the
    whole site), so a filter by country is one LIKE that an index-free scan answers."""
    countries = finding.get("blocked_countries") or ()
    named = [str(c) for c in countries] if isinstance(countries, list | tuple) else []
    return "," + ",".join(named or [EVERY_COUNTRY]) + ","


def matches_country(key: str, country: str) -> bool:
    return f",{country}," in key or f",{EVERY_COUNTRY}," in key
