"""What the ledger shows: typed read models of a seller's standing, built from its records.

The command line, the HTTP service and the reviewer console all render these same structs;
`to_builtins` gives their JSON form (times as ISO 8601).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import msgspec

from contraband.ledger.model import (
    Appeal,
    CertificateRecord,
    Infringement,
    Notification,
    PointEntry,
    ReviewCase,
    Sanction,
    Suppression,
)
from contraband.verdict import Finding


class EntryView(msgspec.Struct, frozen=True, kw_only=True):
    """One infringement as it stands: points charged, why, until when, and its evidence."""

    infringement_id: str
    points: float  # charged now (after caps, reversals)
    proposed: float  # what the verdict proposed
    at: dt.datetime
    expires_at: dt.datetime
    status: str  # active | expired | overturned | future
    rule: str
    kind: str
    item_id: str | None
    measure_id: str | None
    listing_id: str
    reason: str
    evidence: Finding | None  # None for a record of an older verdict schema


class SanctionView(msgspec.Struct, frozen=True, kw_only=True):
    sanction_id: str
    kind: str
    threshold: float
    start: dt.datetime
    end: dt.datetime | None
    remove_all_products: bool
    status: str  # active | ended | lifted | future
    lifted_at: dt.datetime | None
    lifted_reason: str | None


class HistoryEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One append-only point entry: a charge, an adjustment or a reversal."""

    entry_id: str
    infringement_id: str
    points: float
    kind: str
    reason: str
    recorded_at: dt.datetime


class AppealView(msgspec.Struct, frozen=True, kw_only=True):
    appeal_id: str
    infringement_id: str
    status: str  # pending | upheld | overturned
    filed_at: dt.datetime
    decided_at: dt.datetime | None
    reviewer: str | None
    reason: str
    decision_reason: str | None


class NoticeView(msgspec.Struct, frozen=True, kw_only=True):
    message_id: str
    subject: str
    body: str
    created_at: dt.datetime


class OverturnPreview(msgspec.Struct, frozen=True, kw_only=True):
    """What an overturn would do, shown to the reviewer before it is confirmed."""

    appeal_id: str
    infringement_id: str
    seller_id: str
    at: dt.datetime
    points_now: float
    points_after: float
    lifted: tuple[str, ...]  # running sanctions the overturn would lift


class MeasureHits(msgspec.Struct, frozen=True, kw_only=True):
    """The standing infringements recorded under a measure: how many listings and sellers."""

    measure_id: str
    listings: int
    sellers: int


class SellerView(msgspec.Struct, frozen=True, kw_only=True):
    """A seller's standing at a moment: active points and everything behind them."""

    seller_id: str
    at: dt.datetime
    active_points: float
    entries: tuple[EntryView, ...]
    sanctions: tuple[SanctionView, ...]  # running at `at`
    past_sanctions: tuple[SanctionView, ...]  # ended, lifted or not yet started
    history: tuple[HistoryEntry, ...]
    appeals: tuple[AppealView, ...]
    notifications: tuple[NoticeView, ...]


def to_builtins(view: msgspec.Struct) -> Any:
    """A read model as plain JSON data."""
    return msgspec.to_builtins(view)


def seller_view(
    seller_id: str,
    at: dt.datetime,
    infringements: dict[str, Infringement],
    entries: list[PointEntry],
    sanctions: list[Sanction],
    appeals: list[Appeal],
    notifications: list[Notification],
) -> SellerView:
    rows = _entry_views(at, infringements, entries)
    active = sum(r.points for r in rows if r.status == "active")
    sanction_views = [_sanction_view(s, at) for s in sanctions]
    return SellerView(
        seller_id=seller_id,
        at=at,
        active_points=round(active, 6),
        entries=tuple(rows),
        sanctions=tuple(s for s in sanction_views if s.status == "active"),
        past_sanctions=tuple(s for s in sanction_views if s.status != "active"),
        history=tuple(
            HistoryEntry(
                entry_id=e.entry_id,
                infringement_id=e.infringement_id,
                points=e.points,
                kind=e.kind,
                reason=e.reason,
                recorded_at=e.recorded_at,
            )
            for e in entries
        ),
        appeals=tuple(appeal_view(a) for a in appeals),
        notifications=tuple(
            NoticeView(
                message_id=n.message_id, subject=n.subject, body=n.body, created_at=n.created_at
            )
            for n in notifications
        ),
    )


def appeal_view(appeal: Appeal) -> AppealView:
    return AppealView(
        appeal_id=appeal.appeal_id,
        infringement_id=appeal.infringement_id,
        status=appeal.status,
        filed_at=appeal.filed_at,
        decided_at=appeal.decided_at,
        reviewer=appeal.reviewer,
        reason=appeal.reason,
        decision_reason=appeal.decision_reason,
    )


def _entry_views(
    at: dt.datetime, infringements: dict[str, Infringement], entries: list[PointEntry]
) -> list[EntryView]:
    net: dict[str, float] = defaultdict(float)
    reasons: dict[str, str] = {}
    expiry: dict[str, dt.datetime] = {}
    for entry in entries:
        net[entry.infringement_id] += entry.points
        reasons[entry.infringement_id] = entry.reason  # the latest word on it
        expiry[entry.infringement_id] = entry.expires_at
    rows = []
    for infringement_id, points in net.items():
        infringement = infringements[infringement_id]
        rows.append(
            EntryView(
                infringement_id=infringement_id,
                points=round(points, 6),
                proposed=infringement.points,
                at=infringement.at,
                expires_at=expiry[infringement_id],
                status=_entry_status(infringement, expiry[infringement_id], at),
                rule=infringement.rule,
                kind=infringement.kind,
                item_id=infringement.item_id,
                measure_id=infringement.measure_id,
                listing_id=infringement.listing_id,
                reason=reasons.get(infringement_id, ""),
                evidence=finding_of(infringement.evidence),
            )
        )
    rows.sort(key=lambda r: (r.at, r.infringement_id))
    return rows


def _entry_status(infringement: Infringement, expires: dt.datetime, at: dt.datetime) -> str:
    if infringement.status == "overturned":
        return "overturned"
    if at < infringement.at:
        return "future"
    if at >= expires:
        return "expired"
    return "active"


def finding_of(evidence: dict[str, Any]) -> Finding | None:
    """The finding a record holds as plain data (None for an older schema's record)."""
    try:
        return msgspec.convert(evidence, Finding)
    except msgspec.ValidationError:
        return None


def _sanction_view(sanction: Sanction, at: dt.datetime) -> SanctionView:
    return SanctionView(
        sanction_id=sanction.sanction_id,
        kind=sanction.kind,
        threshold=sanction.threshold,
        start=sanction.start,
        end=sanction.end,
        remove_all_products=sanction.remove_all_products,
        status=sanction_status(sanction, at),
        lifted_at=sanction.lifted_at,
        lifted_reason=sanction.lifted_reason,
    )


def sanction_status(sanction: Sanction, at: dt.datetime) -> str:
    if sanction.lifted_at is not None and sanction.lifted_at <= at:
        return "lifted"
    if at < sanction.start:
        return "future"
    if sanction.end is None or at < sanction.end:
        return "active"
    return "ended"  # a severe warning is a notice: it ends as it is issued


class CaseView(msgspec.Struct, frozen=True, kw_only=True):
    """A review case as a reviewer sees it: the finding, and what confirming would cost."""

    case_id: str
    listing_id: str
    seller_id: str
    content_hash: str
    item_id: str | None
    kind: str
    finding: Finding | None
    points_if_confirmed: float
    opened_at: dt.datetime
    status: str
    decided_at: dt.datetime | None
    reviewer: str | None
    reason: str | None
    infringement_id: str | None


class CasePage(msgspec.Struct, frozen=True, kw_only=True):
    total: int
    offset: int
    cases: tuple[CaseView, ...]


class SuppressionView(msgspec.Struct, frozen=True, kw_only=True):
    suppression_id: str
    content_hash: str
    item_key: str
    listing_id: str
    case_id: str
    reason: str
    created_by: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    revoked_by: str | None


def case_view(case: ReviewCase, points_if_confirmed: float) -> CaseView:
    return CaseView(
        case_id=case.case_id,
        listing_id=case.listing_id,
        seller_id=case.seller_id,
        content_hash=case.content_hash,
        item_id=case.item_id,
        kind=case.kind,
        finding=finding_of(case.finding),
        points_if_confirmed=points_if_confirmed,
        opened_at=case.opened_at,
        status=case.status,
        decided_at=case.decided_at,
        reviewer=case.reviewer,
        reason=case.reason,
        infringement_id=case.infringement_id,
    )


def suppression_view(suppression: Suppression) -> SuppressionView:
    return SuppressionView(
        **{f: getattr(suppression, f) for f in SuppressionView.__struct_fields__}
    )


class CertificateView(msgspec.Struct, frozen=True, kw_only=True):
    certificate_id: str
    seller_id: str
    item_id: str
    countries: tuple[str, ...]  # empty: every country
    valid_until: dt.datetime
    added_at: dt.datetime
    status: str  # pending | verified | rejected
    document: str | None
    decided_by: str | None


def certificate_view(certificate: CertificateRecord) -> CertificateView:
    return CertificateView(
        **{f: getattr(certificate, f) for f in CertificateView.__struct_fields__}
    )
