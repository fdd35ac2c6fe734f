"""Review cases: the verdicts held for a person, and what a reviewer's decision does.

Every verdict recorded with action `review` opens a case per listing content and item (ids
from the facts, so a rescan of the same listing opens nothing new). A reviewer confirms (the
infringement is recorded with the points the rule carries, as if the finding had been
certain, and the seller is settled) or dismisses with a reason. A dismissal is a
**suppression**: the same listing content and item never open a case again, until the
listing changes or the suppression is revoked. Two reviewers deciding one case at once:
exactly one wins; the other gets a ConflictError.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

import msgspec

from contraband.errors import ConflictError, InputError, NotFoundError
from contraband.ledger.model import AuditEvent, Infringement, ReviewCase, Suppression, stable_id
from contraband.ledger.settlement import settle
from contraband.ledger.store import LedgerSession, LedgerStore
from contraband.policy import PolicyPack
from contraband.verdict import Action, Finding, FindingKind, Verdict, to_builtins


def item_key(finding: Finding) -> str:
    """What a case and a suppression are about: the item, or the kind of finding."""
    return finding.item_id or finding.kind.value


def case_id(listing_id: str, content_hash: str, key: str) -> str:
    return stable_id(listing_id, content_hash, key, size=10)


def suppression_id(content_hash: str, key: str) -> str:
    return stable_id(content_hash, key, size=10)


def cases_of(verdict: Verdict, at: dt.datetime) -> list[ReviewCase]:
    """The cases a verdict held for review opens: one per item (or kind) to review."""
    if verdict.action != Action.REVIEW:
        return []
    cases: dict[str, ReviewCase] = {}
    for finding in verdict.findings:
        if finding.action != Action.REVIEW:
            continue
        key = item_key(finding)
        if key in cases:
            continue
        cases[key] = ReviewCase(
            case_id=case_id(verdict.listing_id, verdict.content_hash, key),
            listing_id=verdict.listing_id,
            seller_id=verdict.seller_id,
            content_hash=verdict.content_hash,
            item_id=finding.item_id,
            kind=finding.kind.value,
            finding=to_builtins(finding),
            opened_at=at,
            policy_version=verdict.policy_version,
        )
    return list(cases.values())


def open_cases(session: LedgerSession, verdicts: Iterable[Verdict], at: dt.datetime) -> int:
    """Open the cases of `verdicts` that no suppression covers; returns how many are new."""
    cases = [c for v in verdicts for c in cases_of(v, at)]
    keys = [(c.content_hash, c.item_id or c.kind) for c in cases]
    suppressed = session.suppressed(keys)
    return session.add_cases(
        [c for c in cases if (c.content_hash, c.item_id or c.kind) not in suppressed]
    )


def confirmation_points(finding: Finding, pack: PolicyPack) -> float:
    """The points the rule behind a finding carries when a reviewer confirms it."""
    if finding.kind == FindingKind.PROHIBITED_ITEM:
        item = pack.items_by_id.get(finding.item_id or "")
        return pack.grade_points(item) if item else 0.0
    if finding.kind == FindingKind.CONTROLLED_ITEM:
        return pack.rules.controlled_points
    if finding.kind == FindingKind.COUNTRY_MEASURE:
        measure = next((m for m in pack.measures if m.id == finding.measure_id), None)
        return measure.points if measure else 0.0
    return pack.rules.circumvention_points  # keyword distortion, misplaced category


def case_finding(case: ReviewCase) -> Finding | None:
    try:
        return msgspec.convert(case.finding, Finding)
    except msgspec.ValidationError:
        return None


def decide_case(
    store: LedgerStore,
    pack: PolicyPack,
    case_id_: str,
    confirm: bool,
    reason: str,
    reviewer: str,
    at: dt.datetime,
) -> ReviewCase:
    """Confirm or dismiss an open case (see the module's docs)."""
    if not reason.strip() or not reviewer.strip():
        raise InputError("a decision needs a reason and a reviewer")
    with store.session() as session:
        found = session.case(case_id_)
        if found is None:
            raise NotFoundError(f"no review case {case_id_!r}")
        session.lock_sellers([found.seller_id])
        case = session.case(case_id_)  # again, under the lock
        assert case is not None
        if case.status != "open":
            raise ConflictError(f"case {case_id_} was already decided ({case.status})")
        finding = case_finding(case)
        infringement = None
        if confirm and finding is not None:
            infringement = _confirmed(case, finding, pack, at)
        decided = replace(
            case,
            status="confirmed" if confirm else "dismissed",
            decided_at=at,
            reviewer=reviewer,
            reason=reason.strip(),
            infringement_id=infringement.infringement_id if infringement else None,
        )
        if not session.decide_case(decided):
            raise ConflictError(f"case {case_id_} was decided by someone else just now")
        _audit(session, decided, at)
        if infringement is not None:
            session.add_infringements([infringement])
            settle(session, pack, case.seller_id, at, reviewer, f"case {case_id_} confirmed")
        if not confirm:
            session.add_suppression(_suppression(decided, at))
            _withdraw_charges(session, pack, decided, at)
        return decided


def revoke_suppression(store: LedgerStore, suppression_id_: str, by: str, at: dt.datetime) -> None:
    with store.session() as session:
        if session.suppression(suppression_id_) is None:
            raise NotFoundError(f"no suppression {suppression_id_!r}")
        if not session.revoke_suppression(suppression_id_, at, by):
            raise ConflictError(f"suppression {suppression_id_} was already revoked")
        session.add_audit(
            [
                AuditEvent(
                    f"suppression:{suppression_id_}:revoked:{at.isoformat()}",
                    at,
                    by,
                    "suppression_revoked",
                    suppression_id_,
                    {},
                )
            ]
        )


def _confirmed(
    case: ReviewCase, finding: Finding, pack: PolicyPack, at: dt.datetime
) -> Infringement | None:
    points = confirmation_points(finding, pack)
    if points <= 0:
        return None
    charged = msgspec.structs.replace(finding, points=points, action=Action.REMOVE)
    return Infringement.of(
        charged, case.listing_id, case.seller_id, case.content_hash, case.policy_version, at
    )


def _withdraw_charges(
    session: LedgerSession, pack: PolicyPack, case: ReviewCase, at: dt.datetime
) -> None:
    """A dismissed case is no violation: points its verdict already charged for this listing
    content and item (a controlled item held for review) are reversed, sanctions with them."""
    key = case.item_id or case.kind
    withdrawn = [
        i
        for i in session.infringements(case.seller_id)
        if i.listing_id == case.listing_id
        and i.content_hash == case.content_hash
        and (i.item_id or i.kind) == key
        and i.status == "standing"
    ]
    for infringement in withdrawn:
        session.set_infringement_status(infringement.infringement_id, "overturned")
    if withdrawn:
        cause = f"case {case.case_id} dismissed: {case.reason}"
        settle(session, pack, case.seller_id, at, case.reviewer or "", cause)


def _suppression(case: ReviewCase, at: dt.datetime) -> Suppression:
    key = case.item_id or case.kind
    return Suppression(
        suppression_id=suppression_id(case.content_hash, key),
        content_hash=case.content_hash,
        item_key=key,
        listing_id=case.listing_id,
        case_id=case.case_id,
        reason=case.reason or "",
        created_by=case.reviewer or "",
        created_at=at,
    )


def _audit(session: LedgerSession, case: ReviewCase, at: dt.datetime) -> None:
    session.add_audit(
        [
            AuditEvent(
                f"case:{case.case_id}:{case.status}",
                at,
                case.reviewer or "",
                f"case_{case.status}",
                case.case_id,
                {
                    "listing_id": case.listing_id,
                    "seller_id": case.seller_id,
                    "item": case.item_id or case.kind,
                    "reason": case.reason,
                    "infringement_id": case.infringement_id,
                },
            )
        ]
    )
