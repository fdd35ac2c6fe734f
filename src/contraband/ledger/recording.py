"""Recording verdicts: each finding with points becomes one infringement (per listing content
and rule, `verdict.charge_rule`), and the sellers touched are settled.

Ids are derived from the facts they record, so recording the same verdicts again, from two
processes at once, after a crash, or split into files any way, yields exactly the same rows.
Every verdict is checked against the store's limits before its batch writes anything.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from contraband.errors import InputError, TransientError
from contraband.ledger import notices
from contraband.ledger.model import Infringement, ListingState, Notification
from contraband.ledger.review import open_cases
from contraband.ledger.settlement import settle
from contraband.ledger.store import LedgerStore
from contraband.policy import MeasureState, PolicyPack
from contraband.verdict import Action, Verdict

BATCH = 5000
RETRIES = 5  # a batch the database gave up on (deadlock, lock timeout) is tried again

#: The longest values the ledger stores, the same on every backend (the tables' sizes).
LIMITS = {
    "listing_id": 1000,
    "seller_id": 200,
    "content_hash": 64,
    "policy_version": 100,
    "item_id": 80,
    "measure_id": 80,
}


@dataclass
class RecordSummary:
    verdicts: int = 0
    infringements_new: int = 0
    entries: int = 0
    sanctions: int = 0
    cases_opened: int = 0
    sellers: set[str] = field(default_factory=set)


def check_recordable(verdict: Verdict) -> None:
    """InputError unless the ledger can store this verdict as it is (error verdicts pass:
    they record nothing)."""
    if verdict.action == Action.ERROR:
        return
    values = {
        "listing_id": verdict.listing_id,
        "seller_id": verdict.seller_id,
        "content_hash": verdict.content_hash,
        "policy_version": verdict.policy_version,
    }
    for name in ("listing_id", "seller_id", "content_hash"):
        if not values[name]:
            raise InputError(f"listing {verdict.listing_id!r}: {name} is empty")
    for finding in verdict.findings:
        values.setdefault("item_id", finding.item_id or "")
        values.setdefault("measure_id", finding.measure_id or "")
        if len(finding.item_id or "") > len(values["item_id"]):
            values["item_id"] = finding.item_id or ""
        if len(finding.measure_id or "") > len(values["measure_id"]):
            values["measure_id"] = finding.measure_id or ""
    for name, value in values.items():
        if len(value) > LIMITS[name]:
            raise InputError(
                f"listing {verdict.listing_id[:80]!r}: {name} is {len(value):,} characters; "
                f"the ledger stores at most {LIMITS[name]:,}"
            )


def record(
    store: LedgerStore,
    pack: PolicyPack,
    verdicts: Iterable[Verdict],
    at: dt.datetime,
    actor: str = "enforce",
    batch: int = BATCH,
) -> RecordSummary:
    """Record verdicts in batches, one transaction each. Error verdicts record nothing."""
    summary = RecordSummary()
    pending: list[Verdict] = []
    for verdict in verdicts:
        if verdict.action == Action.ERROR:
            continue
        check_recordable(verdict)
        pending.append(verdict)
        if len(pending) >= batch:
            _record_batch(store, pack, pending, at, actor, summary)
            pending = []
    if pending:
        _record_batch(store, pack, pending, at, actor, summary)
    return summary


def _record_batch(
    store: LedgerStore,
    pack: PolicyPack,
    verdicts: list[Verdict],
    at: dt.datetime,
    actor: str,
    summary: RecordSummary,
) -> None:
    infringements = [i for v in verdicts for i in infringements_of(v, at)]
    touched = sorted({i.seller_id for i in infringements})
    for attempt in range(RETRIES):
        try:
            _write_batch(store, pack, verdicts, infringements, touched, at, actor, summary)
            return
        except TransientError:
            if attempt == RETRIES - 1:
                raise
            time.sleep(0.05 * 2**attempt * (1 + random.random()))


def _write_batch(
    store: LedgerStore,
    pack: PolicyPack,
    verdicts: list[Verdict],
    infringements: list[Infringement],
    touched: list[str],
    at: dt.datetime,
    actor: str,
    summary: RecordSummary,
) -> None:
    """One batch in one transaction; the summary is counted only if it commits."""
    batch = RecordSummary()
    with store.session() as session:
        session.ensure_sellers((v.seller_id for v in verdicts), at)
        session.lock_sellers(touched)
        session.upsert_listings(_latest_states(verdicts, at))
        batch.infringements_new = session.add_infringements(infringements)
        batch.cases_opened = open_cases(session, verdicts, at)
        session.add_notifications(announcements(verdicts, at))
        for seller_id in touched:
            entries, sanctions = settle(session, pack, seller_id, at, actor, "verdicts recorded")
            batch.entries += entries
            batch.sanctions += sanctions
    summary.verdicts += len(verdicts)
    summary.infringements_new += batch.infringements_new
    summary.cases_opened += batch.cases_opened
    summary.entries += batch.entries
    summary.sanctions += batch.sanctions
    summary.sellers.update(touched)


def announcements(verdicts: list[Verdict], at: dt.datetime) -> list[Notification]:
    """A notice per listing a measure will affect once in force (announced, no points)."""
    return [
        notices.measure_announced(
            v.seller_id,
            v.listing_id,
            f.measure_id or "",
            v.content_hash,
            f.effective or "",
            f.reason,
            at,
        )
        for v in verdicts
        for f in v.findings
        if f.measure_state == MeasureState.ANNOUNCED.value and f.measure_id
    ]


def infringements_of(verdict: Verdict, at: dt.datetime) -> Iterator[Infringement]:
    """One infringement per listing content and rule broken (a finding with points)."""
    for finding in verdict.findings:
        if finding.points > 0:
            yield Infringement.of(
                finding,
                verdict.listing_id,
                verdict.seller_id,
                verdict.content_hash,
                verdict.policy_version,
                at,
            )


def _latest_states(verdicts: list[Verdict], at: dt.datetime) -> list[ListingState]:
    latest: dict[str, Verdict] = {}
    for verdict in verdicts:
        latest[verdict.listing_id] = verdict
    return [
        ListingState(
            v.listing_id, v.seller_id, v.content_hash, v.action.value, v.policy_version, at
        )
        for v in latest.values()
    ]
