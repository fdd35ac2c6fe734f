"""Ledger records as the service reads and writes them (the store maps them to rows)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any


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
