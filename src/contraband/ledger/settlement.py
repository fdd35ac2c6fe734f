"""Settlement: make a seller's point entries and sanctions what the rules say, and no more.

Every change to a seller (verdicts recorded, an appeal overturned) ends here: the seller's
standing infringements are replayed under the pack's rules (`rules.replay`) and only the
difference is written: append-only point entries, sanctions imposed or lifted (products
restored), an audit event for each change, and the notices the pack asks for.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from contraband.ledger import notices
from contraband.ledger.model import (
    AuditEvent,
    Infringement,
    Notification,
    PointEntry,
    Sanction,
    stable_id,
)
from contraband.ledger.rules import Charge, Offence, SanctionEvent, replay
from contraband.ledger.store import LedgerSession
from contraband.policy import PolicyPack
from contraband.verdict import FindingKind


def settle(
    session: LedgerSession,
    pack: PolicyPack,
    seller_id: str,
    at: dt.datetime,
    actor: str,
    cause: str,
) -> tuple[int, int]:
    """Bring the seller's entries and sanctions to what the rules say; the changes made
    (point entries, sanction changes)."""
    infringements = session.infringements(seller_id)
    offences = [offence(i, pack) for i in infringements if i.status == "standing"]
    charges, events = replay(offences, pack.rules)
    entries = _entry_changes(session, pack, seller_id, infringements, charges, at, cause)
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
    changes = _sanction_changes(session, pack, seller_id, events, at, actor, cause, audit)
    session.add_audit(audit)
    return len(entries), changes


def offence(infringement: Infringement, pack: PolicyPack) -> Offence:
    """A recorded infringement as the rules see it."""
    item = pack.items_by_id.get(infringement.item_id or "")
    terminates = (
        infringement.kind == FindingKind.PROHIBITED_ITEM
        and item is not None
        and item.grade == pack.rules.termination_grade
    )
    return Offence(
        infringement.infringement_id,
        infringement.at,
        infringement.points,
        controlled=infringement.kind == FindingKind.CONTROLLED_ITEM,
        terminates=terminates,
    )


def _entry_changes(
    session: LedgerSession,
    pack: PolicyPack,
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
    record = dt.timedelta(days=pack.rules.record_days)
    changes = []
    for infringement in infringements:
        charge = wanted.get(infringement.infringement_id)
        points = charge.points if charge is not None else 0.0
        have = totals[infringement.infringement_id]
        seq = counts[infringement.infringement_id]
        if abs(points - have) < 1e-9 and (seq > 0 or charge is None):
            continue
        kind = "charge" if seq == 0 else ("reversal" if points == 0 else "adjustment")
        if charge is not None and charge.reason:
            reason = charge.reason
        else:
            reason = "as proposed by the verdict" if seq == 0 else cause
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
    session: LedgerSession,
    pack: PolicyPack,
    seller_id: str,
    events: list[SanctionEvent],
    at: dt.datetime,
    actor: str,
    cause: str,
    audit: list[AuditEvent],
) -> int:
    existing = {s.sanction_id: s for s in session.sanctions(seller_id)}
    wanted = {sanction_id(seller_id, e): e for e in events}
    added: list[Sanction] = []
    messages: list[Notification] = []
    changes = 0
    for sid, event in wanted.items():
        current = existing.get(sid)
        if current is None:
            added.append(
                Sanction(
                    sid,
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
            detail = {"kind": event.kind.value, "threshold": event.threshold}
            audit.append(
                AuditEvent(
                    f"sanction:{sid}:imposed",
                    at,
                    actor,
                    "sanction_imposed",
                    seller_id,
                    {**detail, "trigger": event.trigger},
                )
            )
            if notices.notifies(pack.rules, event.kind, event.threshold):
                messages.append(notices.sanction_imposed(seller_id, sid, event, pack.rules, at))
            changes += 1
        elif current.lifted_at is not None:
            session.set_sanction_lift(sid, None, None)
            audit.append(
                AuditEvent(
                    f"sanction:{sid}:restored:{at.isoformat()}",
                    at,
                    actor,
                    "sanction_restored",
                    seller_id,
                    {"cause": cause},
                )
            )
            changes += 1
    for sid, current in existing.items():
        if sid in wanted or current.lifted_at is not None:
            continue
        session.set_sanction_lift(sid, at, cause)
        audit.append(
            AuditEvent(
                f"sanction:{sid}:lifted:{at.isoformat()}",
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
        if notices.notifies(pack.rules, current.kind, current.threshold):
            messages.append(
                notices.sanction_lifted(
                    seller_id,
                    sid,
                    current.kind,
                    current.start,
                    current.remove_all_products,
                    cause,
                    at,
                )
            )
        changes += 1
    session.add_sanctions(added)
    session.add_notifications(messages)
    return changes


def sanction_id(seller_id: str, event: SanctionEvent) -> str:
    return stable_id(
        seller_id,
        event.kind.value,
        f"{event.threshold:g}",
        event.start.isoformat(),
        event.trigger,
        size=10,
    )
