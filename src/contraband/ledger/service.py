"""The ledger service: record verdicts, answer appeals, keep certificates, show a seller.

Every change goes through `_settle`, which replays the seller's standing infringements under
the pack's rules (`rules.replay`) and writes the difference: append-only point entries, the
sanctions the ladder now calls for (and lifts those it no longer does), an audit event for
each change, and an outbox message for the seller where the rules notify. Ids are derived
from the facts they record, so recording the same verdicts again, from two processes at
once, or after a crash, yields exactly the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from contraband.errors import ConflictError, InputError, NotFoundError
from contraband.ledger.model import (
    Appeal,
    AuditEvent,
    CertificateRecord,
    Infringement,
    ListingState,
    Notification,
    PointEntry,
    Sanction,
    stable_id,
)
from contraband.ledger.rules import Charge, Offence, SanctionEvent, SanctionKind, replay
from contraband.ledger.store import LedgerSession, LedgerStore
from contraband.ledger.verdicts import VerdictLine
from contraband.policy import PolicyPack

CONTROLLED = "controlled_item"
BATCH = 5000


@dataclass
class RecordSummary:
    verdicts: int = 0
    infringements_new: int = 0
    entries: int = 0
    sanctions: int = 0
    sellers: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class SellerView:
    seller_id: str
    at: dt.datetime
    active_points: float
    entries: list[dict[str, Any]]
    sanctions: list[dict[str, Any]]
    history: list[dict[str, Any]]
    appeals: list[dict[str, Any]]
    notifications: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "seller_id": self.seller_id,
            "at": self.at.isoformat(),
            "active_points": self.active_points,
            "entries": self.entries,
            "sanctions": self.sanctions,
            "history": self.history,
            "appeals": self.appeals,
            "notifications": self.notifications,
        }


class Ledger:
    def __init__(self, store: LedgerStore, pack: PolicyPack) -> None:
        self.store = store
        self.pack = pack
        self.rules = pack.rules

    # --- recording verdicts ----------------------------------------------------------------

    def record(
        self,
        verdicts: Iterable[VerdictLine],
        at: dt.datetime,
        actor: str = "enforce",
        batch: int = BATCH,
    ) -> RecordSummary:
        """Record verdicts (in batches, one transaction each). Error verdicts are skipped."""
        summary = RecordSummary()
        pending: list[tuple[int, VerdictLine]] = []
        for ordinal, verdict in enumerate(verdicts):
            if verdict.action == "error":
                continue
            pending.append((ordinal, verdict))
            if len(pending) >= batch:
                self._record_batch(pending, at, actor, summary)
                pending = []
        if pending:
            self._record_batch(pending, at, actor, summary)
        return summary

    def _record_batch(
        self,
        numbered: list[tuple[int, VerdictLine]],
        at: dt.datetime,
        actor: str,
        summary: RecordSummary,
    ) -> None:
        verdicts = [v for _, v in numbered]
        infringements = [i for n, v in numbered for i in self._infringements(v, at, n)]
        touched = sorted({i.seller_id for i in infringements})
        with self.store.session() as session:
            session.ensure_sellers((v.seller_id for v in verdicts), at)
            session.lock_sellers(touched)
            session.upsert_listings(_latest_states(verdicts, at))
            new = session.add_infringements(infringements)
            for seller_id in touched:
                entries, sanctions = self._settle(
                    session, seller_id, at, actor, "verdicts recorded"
                )
                summary.entries += entries
                summary.sanctions += sanctions
        summary.verdicts += len(verdicts)
        summary.infringements_new += new
        summary.sellers.update(touched)

    def _infringements(
        self, verdict: VerdictLine, at: dt.datetime, ordinal: int
    ) -> Iterator[Infringement]:
        """One infringement per listing content and rule broken (a finding with points)."""
        for finding in verdict.findings:
            points = float(finding.get("points") or 0)
            if points <= 0:
                continue
            kind = str(finding.get("kind"))
            item_id, measure_id = finding.get("item_id"), finding.get("measure_id")
            rule = f"{kind}:{item_id or ''}:{measure_id or ''}"
            yield Infringement(
                infringement_id=stable_id(verdict.listing_id, verdict.content_hash, rule, size=10),
                seller_id=verdict.seller_id,
                listing_id=verdict.listing_id,
                content_hash=verdict.content_hash,
                rule=rule,
                kind=kind,
                item_id=item_id,
                measure_id=measure_id,
                points=points,
                at=at,
                ordinal=ordinal,
                policy_version=verdict.policy_version,
                evidence=finding,
            )

    # --- the rules, applied ------------------------------------------------------------------

    def _settle(
        self, session: LedgerSession, seller_id: str, at: dt.datetime, actor: str, cause: str
    ) -> tuple[int, int]:
        """Make the seller's entries and sanctions what the rules say; returns changes made."""
        infringements = session.infringements(seller_id)
        standing = [i for i in infringements if i.status == "standing"]
        charges, events = replay(
            [
                Offence(i.infringement_id, i.at, i.points, i.kind == CONTROLLED, i.ordinal)
                for i in standing
            ],
            self.rules,
        )
        entries = self._entry_changes(session, seller_id, infringements, charges, at, cause)
        session.add_entries(entries)
        audit = [
            AuditEvent(
                f"entry:{e.entry_id}",
                at,
                actor,
                f"points_{e.kind}",
                e.infringement_id,
                {"points": e.points, "reason": e.reason, "seller_id": seller_id},
            )
            for e in entries
        ]
        sanction_changes = self._sanction_changes(
            session, seller_id, events, at, actor, cause, audit
        )
        session.add_audit(audit)
        return len(entries), sanction_changes

    def _entry_changes(
        self,
        session: LedgerSession,
        seller_id: str,
        infringements: list[Infringement],
        charges: list[Charge],
        at: dt.datetime,
        cause: str,
    ) -> list[PointEntry]:
        totals: dict[str, float] = defaultdict(float)
        counts: dict[str, int] = defaultdict(int)
        for entry in session.entries(seller_id):
            totals[entry.infringement_id] += entry.points
            counts[entry.infringement_id] += 1
        wanted = {c.infringement_id: c for c in charges}
        record = dt.timedelta(days=self.rules.record_days)
        changes = []
        for infringement in infringements:
            charge = wanted.get(infringement.infringement_id)
            points = charge.points if charge is not None else 0.0
            have = totals[infringement.infringement_id]
            seq = counts[infringement.infringement_id]
            if abs(points - have) < 1e-9 and seq > 0:
                continue
            if abs(points - have) < 1e-9 and charge is None:
                continue
            kind = "charge" if seq == 0 else ("reversal" if points == 0 else "adjustment")
            reason = (
                charge.reason
                if charge and charge.reason
                else "as proposed by the verdict"
                if seq == 0
                else cause
            )
            changes.append(
                PointEntry(
                    entry_id=f"{infringement.infringement_id}:{seq}",
                    infringement_id=infringement.infringement_id,
                    seq=seq,
                    seller_id=seller_id,
                    points=round(points - have, 6),
                    at=infringement.at,
                    expires_at=infringement.at + record,
                    recorded_at=at,
                    kind=kind,
                    reason=reason,
                    policy_version=infringement.policy_version,
                )
            )
        return changes

    def _sanction_changes(
        self,
        session: LedgerSession,
        seller_id: str,
        events: list[SanctionEvent],
        at: dt.datetime,
        actor: str,
        cause: str,
        audit: list[AuditEvent],
    ) -> int:
        existing = {s.sanction_id: s for s in session.sanctions(seller_id)}
        wanted = {_sanction_id(seller_id, e): e for e in events}
        added: list[Sanction] = []
        messages: list[Notification] = []
        changes = 0
        for sanction_id, event in wanted.items():
            current = existing.get(sanction_id)
            if current is None:
                added.append(
                    Sanction(
                        sanction_id,
                        seller_id,
                        event.kind.value,
                        event.threshold,
                        event.start,
                        event.end,
                        event.remove_all_products,
                        event.trigger,
                        at,
                    )
                )
                audit.append(
                    AuditEvent(
                        f"sanction:{sanction_id}:imposed",
                        at,
                        actor,
                        "sanction_imposed",
                        seller_id,
                        {
                            "kind": event.kind.value,
                            "threshold": event.threshold,
                            "trigger": event.trigger,
                        },
                    )
                )
                messages.append(_notice(seller_id, sanction_id, event, at))
                changes += 1
            elif current.lifted_at is not None:
                session.set_sanction_lift(sanction_id, None, None)
                audit.append(
                    AuditEvent(
                        f"sanction:{sanction_id}:restored:{at.isoformat()}",
                        at,
                        actor,
                        "sanction_restored",
                        seller_id,
                        {"cause": cause},
                    )
                )
                changes += 1
        for sanction_id, current in existing.items():
            if sanction_id not in wanted and current.lifted_at is None:
                session.set_sanction_lift(sanction_id, at, cause)
                audit.append(
                    AuditEvent(
                        f"sanction:{sanction_id}:lifted:{at.isoformat()}",
                        at,
                        actor,
                        "sanction_lifted",
                        seller_id,
                        {
                            "kind": current.kind,
                            "cause": cause,
                            "products_restored": current.remove_all_products,
                        },
                    )
                )
                messages.append(
                    Notification(
                        f"lifted:{sanction_id}:{at.isoformat()}",
                        seller_id,
                        "email",
                        f"Your {current.kind.replace('_', ' ')} has been lifted",
                        f"The {current.kind.replace('_', ' ')} of {current.start.date()} "
                        f"was lifted on {at.date()}: {cause}."
                        + (" Your products are restored." if current.remove_all_products else ""),
                        at,
                    )
                )
                changes += 1
        session.add_sanctions(added)
        session.add_notifications(messages)
        return changes

    # --- appeals -------------------------------------------------------------------------------

    def file_appeal(
        self, infringement_id: str, reason: str, at: dt.datetime, actor: str = "seller"
    ) -> Appeal:
        if not reason.strip():
            raise InputError("an appeal needs a reason")
        with self.store.session() as session:
            infringement = session.infringement(infringement_id)
            if infringement is None:
                raise NotFoundError(f"no infringement {infringement_id!r}")
            session.lock_sellers([infringement.seller_id])
            existing = session.appeal_for(infringement_id)
            if existing is not None:
                raise ConflictError(
                    f"infringement {infringement_id} was already appealed "
                    f"({existing.appeal_id}, {existing.status})"
                )
            deadline = infringement.at + dt.timedelta(days=self.rules.appeal_days)
            if at > deadline:
                raise ConflictError(
                    f"the appeal window of infringement {infringement_id} closed "
                    f"on {deadline.isoformat()} ({self.rules.appeal_days} days)"
                )
            if at < infringement.at:
                raise ConflictError("an appeal cannot be filed before its infringement")
            appeal = Appeal(
                f"A-{infringement_id}", infringement_id, infringement.seller_id, reason.strip(), at
            )
            session.add_appeal(appeal)
            session.add_audit(
                [
                    AuditEvent(
                        f"appeal:{appeal.appeal_id}:filed",
                        at,
                        actor,
                        "appeal_filed",
                        infringement_id,
                        {"reason": reason},
                    )
                ]
            )
            return appeal

    def decide_appeal(
        self, appeal_id: str, overturn: bool, reason: str, reviewer: str, at: dt.datetime
    ) -> Appeal:
        if not reason.strip() or not reviewer.strip():
            raise InputError("a decision needs a reason and a reviewer")
        with self.store.session() as session:
            appeal = session.appeal(appeal_id)
            if appeal is None:
                raise NotFoundError(f"no appeal {appeal_id!r}")
            session.lock_sellers([appeal.seller_id])
            appeal = session.appeal(appeal_id)
            assert appeal is not None
            if appeal.status != "pending":
                raise ConflictError(f"appeal {appeal_id} was already decided ({appeal.status})")
            if at < appeal.filed_at:
                raise ConflictError("a decision cannot come before its appeal")
            status = "overturned" if overturn else "upheld"
            decided = replace(
                appeal,
                status=status,
                decided_at=at,
                reviewer=reviewer,
                decision_reason=reason.strip(),
            )
            session.update_appeal(decided)
            session.add_audit(
                [
                    AuditEvent(
                        f"appeal:{appeal_id}:{status}",
                        at,
                        reviewer,
                        f"appeal_{status}",
                        appeal.infringement_id,
                        {"reason": reason},
                    )
                ]
            )
            session.add_notifications(
                [
                    Notification(
                        f"appeal:{appeal_id}",
                        appeal.seller_id,
                        "email",
                        f"Your appeal {appeal_id} was {status}",
                        reason.strip(),
                        at,
                    )
                ]
            )
            if overturn:
                session.set_infringement_status(appeal.infringement_id, "overturned")
                self._settle(
                    session,
                    appeal.seller_id,
                    at,
                    reviewer,
                    f"appeal {appeal_id} overturned: {reason.strip()}",
                )
            return decided

    # --- certificates --------------------------------------------------------------------------

    def add_certificate(
        self,
        seller_id: str,
        item_id: str,
        countries: tuple[str, ...],
        valid_until: dt.date,
        at: dt.datetime,
        actor: str = "operator",
    ) -> str:
        if item_id not in self.pack.items_by_id:
            raise NotFoundError(f"no item {item_id!r} in policy {self.pack.version}")
        until = dt.datetime.combine(valid_until, dt.time(23, 59, 59), tzinfo=dt.UTC)
        certificate_id = stable_id(
            seller_id, item_id, ",".join(sorted(countries)), valid_until.isoformat(), size=10
        )
        with self.store.session() as session:
            session.ensure_sellers([seller_id], at)
            session.add_certificate(
                CertificateRecord(
                    certificate_id, seller_id, item_id, tuple(sorted(countries)), until, at
                )
            )
            session.add_audit(
                [
                    AuditEvent(
                        f"certificate:{certificate_id}:added",
                        at,
                        actor,
                        "certificate_added",
                        seller_id,
                        {
                            "item_id": item_id,
                            "countries": list(countries),
                            "valid_until": valid_until.isoformat(),
                        },
                    )
                ]
            )
        return certificate_id

    def covers(self, seller_id: str, item_id: str, country: str | None, day: dt.date) -> bool:
        """CertificateBook: is a certificate on file for this seller, item and country?"""
        with self.store.session() as session:
            return any(
                day <= c.valid_until.date()
                and (not c.countries or country is None or country in c.countries)
                for c in session.certificates(seller_id, item_id)
            )

    # --- reading -------------------------------------------------------------------------------

    def seller(self, seller_id: str, at: dt.datetime) -> SellerView:
        with self.store.session() as session:
            if not session.seller_exists(seller_id):
                raise NotFoundError(f"no seller {seller_id!r} in the ledger")
            infringements = {i.infringement_id: i for i in session.infringements(seller_id)}
            entries = session.entries(seller_id)
            sanctions = session.sanctions(seller_id)
            appeals = session.appeals(seller_id)
            notifications = session.notifications(seller_id)
        return _view(seller_id, at, infringements, entries, sanctions, appeals, notifications)

    def audit(self) -> Iterator[AuditEvent]:
        with self.store.session() as session:
            yield from session.audit()


def _latest_states(verdicts: list[VerdictLine], at: dt.datetime) -> list[ListingState]:
    latest: dict[str, VerdictLine] = {}
    for verdict in verdicts:
        latest[verdict.listing_id] = verdict
    return [
        ListingState(v.listing_id, v.seller_id, v.content_hash, v.action, v.policy_version, at)
        for v in latest.values()
    ]


def _sanction_id(seller_id: str, event: SanctionEvent) -> str:
    return stable_id(
        seller_id,
        event.kind.value,
        f"{event.threshold:g}",
        event.start.isoformat(),
        event.trigger,
        size=10,
    )


def _notice(
    seller_id: str, sanction_id: str, event: SanctionEvent, at: dt.datetime
) -> Notification:
    what = {
        SanctionKind.SEVERE_WARNING: "a severe warning",
        SanctionKind.RESTRICTION: f"a restriction until {event.end.date() if event.end else '-'}"
        " (search results and storefront blocked)",
        SanctionKind.REMOVAL: "the removal of all products",
        SanctionKind.TERMINATION: "the termination of your membership",
    }[event.kind]
    extra = (
        " All products are removed; no new listings or edits." if event.remove_all_products else ""
    )
    return Notification(
        f"sanction:{sanction_id}",
        seller_id,
        "email",
        f"Penalty points: {what}",
        f"Your active penalty points reached {event.threshold:g}, which brings "
        f"{what}.{extra} You may appeal an infringement within the appeal window.",
        at,
    )


def _view(
    seller_id: str,
    at: dt.datetime,
    infringements: dict[str, Infringement],
    entries: list[PointEntry],
    sanctions: list[Sanction],
    appeals: list[Appeal],
    notifications: list[Notification],
) -> SellerView:
    net: dict[str, float] = defaultdict(float)
    reasons: dict[str, str] = {}
    expiry: dict[str, dt.datetime] = {}
    for entry in entries:
        net[entry.infringement_id] += entry.points
        reasons[entry.infringement_id] = entry.reason  # the latest word on it
        expiry[entry.infringement_id] = entry.expires_at
    rows: list[dict[str, Any]] = []
    for infringement_id, points in net.items():
        infringement = infringements[infringement_id]
        expires = expiry[infringement_id]
        if infringement.status == "overturned":
            status = "overturned"
        elif at < infringement.at:
            status = "future"
        elif at >= expires:
            status = "expired"
        else:
            status = "active"
        rows.append(
            {
                "infringement_id": infringement_id,
                "points": round(points, 6),
                "proposed": infringement.points,
                "at": infringement.at.isoformat(),
                "expires_at": expires.isoformat(),
                "status": status,
                "rule": infringement.rule,
                "listing_id": infringement.listing_id,
                "reason": reasons.get(infringement_id, ""),
                "evidence": infringement.evidence,
            }
        )
    rows.sort(key=lambda r: (r["at"], r["infringement_id"]))
    active = sum(r["points"] for r in rows if r["status"] == "active")
    sanction_rows = [
        {
            "sanction_id": s.sanction_id,
            "kind": s.kind,
            "threshold": s.threshold,
            "start": s.start.isoformat(),
            "end": s.end.isoformat() if s.end else None,
            "remove_all_products": s.remove_all_products,
            "status": _sanction_status(s, at),
            "lifted_at": s.lifted_at.isoformat() if s.lifted_at else None,
            "lifted_reason": s.lifted_reason,
        }
        for s in sanctions
    ]
    return SellerView(
        seller_id=seller_id,
        at=at,
        active_points=round(active, 6),
        entries=rows,
        sanctions=[s for s in sanction_rows if s["status"] == "active"],
        history=[
            {
                "entry_id": e.entry_id,
                "infringement_id": e.infringement_id,
                "points": e.points,
                "kind": e.kind,
                "reason": e.reason,
                "recorded_at": e.recorded_at.isoformat(),
            }
            for e in entries
        ]
        + [{"sanction": s} for s in sanction_rows if s["status"] != "active"],
        appeals=[
            {
                "appeal_id": a.appeal_id,
                "infringement_id": a.infringement_id,
                "status": a.status,
                "filed_at": a.filed_at.isoformat(),
                "decided_at": a.decided_at.isoformat() if a.decided_at else None,
                "reviewer": a.reviewer,
                "reason": a.reason,
                "decision_reason": a.decision_reason,
            }
            for a in appeals
        ],
        notifications=[
            {
                "message_id": n.message_id,
                "subject": n.subject,
                "created_at": n.created_at.isoformat(),
            }
            for n in notifications
        ],
    )


def _sanction_status(sanction: Sanction, at: dt.datetime) -> str:
    if sanction.lifted_at is not None and sanction.lifted_at <= at:
        return "lifted"
    if at < sanction.start:
        return "future"
    if sanction.end is None or at < sanction.end:
        return "active"
    return "ended"  # a severe warning is a notice: it ends as it is issued
