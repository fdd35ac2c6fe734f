"""Appeals: a seller contests an infringement within the pack's window; a reviewer upholds
or overturns it. An overturn is a settlement without the infringement: its points and every
sanction they caused are reversed, as if it had never been charged."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from contraband.errors import ConflictError, InputError, NotFoundError
from contraband.ledger import notices
from contraband.ledger.model import Appeal, AuditEvent
from contraband.ledger.rules import SanctionEvent, active_points, replay
from contraband.ledger.settlement import offence, settle
from contraband.ledger.store import LedgerStore
from contraband.ledger.views import OverturnPreview
from contraband.policy import PolicyPack


def file_appeal(
    store: LedgerStore,
    pack: PolicyPack,
    infringement_id: str,
    reason: str,
    at: dt.datetime,
    actor: str = "seller",
) -> Appeal:
    if not reason.strip():
        raise InputError("an appeal needs a reason")
    with store.session() as session:
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
        deadline = infringement.at + dt.timedelta(days=pack.rules.appeal_days)
        if at > deadline:
            raise ConflictError(
                f"the appeal window of infringement {infringement_id} closed "
                f"on {deadline.isoformat()} ({pack.rules.appeal_days} days)"
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
    store: LedgerStore,
    pack: PolicyPack,
    appeal_id: str,
    overturn: bool,
    reason: str,
    reviewer: str,
    at: dt.datetime,
) -> Appeal:
    if not reason.strip() or not reviewer.strip():
        raise InputError("a decision needs a reason and a reviewer")
    with store.session() as session:
        found = session.appeal(appeal_id)
        if found is None:
            raise NotFoundError(f"no appeal {appeal_id!r}")
        session.lock_sellers([found.seller_id])
        appeal = session.appeal(appeal_id)  # again, under the lock: another may have decided
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
            [notices.appeal_decided(appeal.seller_id, appeal_id, status, reason.strip(), at)]
        )
        if overturn:
            session.set_infringement_status(appeal.infringement_id, "overturned")
            cause = f"appeal {appeal_id} overturned: {reason.strip()}"
            settle(session, pack, appeal.seller_id, at, reviewer, cause)
        return decided


def overturn_preview(
    store: LedgerStore, pack: PolicyPack, appeal_id: str, at: dt.datetime
) -> OverturnPreview:
    """What overturning an appeal would do at `at`, written nowhere: the seller's active
    points before and after, and the running sanctions that would be lifted (the same
    replay of the rules a settlement makes, without the infringement)."""
    with store.session() as session:
        appeal = session.appeal(appeal_id)
        if appeal is None:
            raise NotFoundError(f"no appeal {appeal_id!r}")
        standing = [i for i in session.infringements(appeal.seller_id) if i.status == "standing"]
    offences = [offence(i, pack) for i in standing]
    charges, sanctions = replay(offences, pack.rules)
    without = [o for o in offences if o.infringement_id != appeal.infringement_id]
    charges_after, sanctions_after = replay(without, pack.rules)
    still = {_sanction_key(s) for s in sanctions_after if _running(s, at)}
    return OverturnPreview(
        appeal_id=appeal_id,
        infringement_id=appeal.infringement_id,
        seller_id=appeal.seller_id,
        at=at,
        points_now=round(active_points(charges, at), 6),
        points_after=round(active_points(charges_after, at), 6),
        lifted=tuple(
            f"{s.kind.value} (at {s.threshold:g} points)"
            for s in sanctions
            if _running(s, at) and _sanction_key(s) not in still
        ),
    )


def _running(sanction: SanctionEvent, at: dt.datetime) -> bool:
    return sanction.start <= at and (sanction.end is None or at < sanction.end)


def _sanction_key(sanction: SanctionEvent) -> tuple[str, float]:
    return sanction.kind.value, sanction.threshold
