"""A ledger store in memory: the same interface as the SQL store, for fast unit tests of the
ledger's jobs and for embedding where nothing must persist.

A session holds the store's lock for its whole length (as SQLite's write lock does) and
works on the live tables; an exception inside it restores the tables as they were.
"""

from __future__ import annotations

import copy
import datetime as dt
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from contraband.ledger.model import (
    ApiToken,
    Appeal,
    AuditEvent,
    CertificateRecord,
    IdempotentAnswer,
    Infringement,
    ListingState,
    Notification,
    PointEntry,
    ReviewCase,
    Sanction,
    Suppression,
    countries_key,
    matches_country,
)
from contraband.ledger.store import CaseQuery


@dataclass
class _Tables:
    sellers: dict[str, dt.datetime] = field(default_factory=dict)
    listings: dict[str, ListingState] = field(default_factory=dict)
    infringements: dict[str, Infringement] = field(default_factory=dict)
    entries: dict[str, PointEntry] = field(default_factory=dict)
    sanctions: dict[str, Sanction] = field(default_factory=dict)
    appeals: dict[str, Appeal] = field(default_factory=dict)
    certificates: dict[str, CertificateRecord] = field(default_factory=dict)
    audit: dict[str, AuditEvent] = field(default_factory=dict)
    outbox: dict[str, Notification] = field(default_factory=dict)
    cases: dict[str, ReviewCase] = field(default_factory=dict)
    suppressions: dict[str, Suppression] = field(default_factory=dict)
    tokens: dict[str, ApiToken] = field(default_factory=dict)
    answers: dict[tuple[str, str], IdempotentAnswer] = field(default_factory=dict)


class MemorySession:
    """One transaction on a MemoryStore (see LedgerSession)."""

    def __init__(self, tables: _Tables) -> None:
        self.t = tables

    def ensure_sellers(self, seller_ids: Iterable[str], at: dt.datetime) -> None:
        for seller_id in seller_ids:
            self.t.sellers.setdefault(seller_id, at)

    def lock_sellers(self, seller_ids: Iterable[str]) -> None:
        """Nothing to do: the session already holds the store's lock."""

    def seller_exists(self, seller_id: str) -> bool:
        return seller_id in self.t.sellers

    def upsert_listings(self, states: list[ListingState]) -> None:
        for state in states:
            self.t.listings[state.listing_id] = state

    def add_infringements(self, infringements: list[Infringement]) -> int:
        new = 0
        for infringement in infringements:
            if infringement.infringement_id not in self.t.infringements:
                self.t.infringements[infringement.infringement_id] = infringement
                new += 1
        return new

    def infringement(self, infringement_id: str) -> Infringement | None:
        return self.t.infringements.get(infringement_id)

    def infringements(self, seller_id: str) -> list[Infringement]:
        rows = [i for i in self.t.infringements.values() if i.seller_id == seller_id]
        return sorted(rows, key=lambda i: (i.at, i.infringement_id))

    def set_infringement_status(self, infringement_id: str, status: str) -> None:
        current = self.t.infringements[infringement_id]
        self.t.infringements[infringement_id] = replace(current, status=status)

    def entries(self, seller_id: str) -> list[PointEntry]:
        rows = [e for e in self.t.entries.values() if e.seller_id == seller_id]
        return sorted(rows, key=lambda e: (e.at, e.entry_id))

    def add_entries(self, entries: list[PointEntry]) -> None:
        for entry in entries:
            self.t.entries.setdefault(entry.entry_id, entry)

    def sanctions(self, seller_id: str) -> list[Sanction]:
        rows = [s for s in self.t.sanctions.values() if s.seller_id == seller_id]
        return sorted(rows, key=lambda s: (s.start, s.sanction_id))

    def add_sanctions(self, sanctions: list[Sanction]) -> None:
        for sanction in sanctions:
            self.t.sanctions.setdefault(sanction.sanction_id, sanction)

    def set_sanction_lift(
        self, sanction_id: str, lifted_at: dt.datetime | None, reason: str | None
    ) -> None:
        current = self.t.sanctions[sanction_id]
        self.t.sanctions[sanction_id] = replace(current, lifted_at=lifted_at, lifted_reason=reason)

    def appeal(self, appeal_id: str) -> Appeal | None:
        return self.t.appeals.get(appeal_id)

    def appeal_for(self, infringement_id: str) -> Appeal | None:
        return next(
            (a for a in self.t.appeals.values() if a.infringement_id == infringement_id), None
        )

    def appeals(self, seller_id: str) -> list[Appeal]:
        rows = [a for a in self.t.appeals.values() if a.seller_id == seller_id]
        return sorted(rows, key=lambda a: a.filed_at)

    def appeals_with_status(self, status: str, limit: int, offset: int) -> list[Appeal]:
        rows = [a for a in self.t.appeals.values() if a.status == status]
        return sorted(rows, key=lambda a: (a.filed_at, a.appeal_id))[offset : offset + limit]

    def count_appeals(self, status: str) -> int:
        return sum(1 for a in self.t.appeals.values() if a.status == status)

    def measure_hits(self) -> list[tuple[str, int, int]]:
        listings: dict[str, set[str]] = {}
        sellers: dict[str, set[str]] = {}
        for i in self.t.infringements.values():
            if i.measure_id and i.status == "standing":
                listings.setdefault(i.measure_id, set()).add(i.listing_id)
                sellers.setdefault(i.measure_id, set()).add(i.seller_id)
        return sorted((m, len(listings[m]), len(sellers[m])) for m in listings)

    def add_appeal(self, appeal: Appeal) -> None:
        self.t.appeals.setdefault(appeal.appeal_id, appeal)

    def update_appeal(self, appeal: Appeal) -> None:
        self.t.appeals[appeal.appeal_id] = appeal

    def add_certificate(self, certificate: CertificateRecord) -> None:
        self.t.certificates.setdefault(certificate.certificate_id, certificate)

    def certificates(
        self, seller_id: str | None = None, item_id: str | None = None
    ) -> list[CertificateRecord]:
        every = seller_id is None and item_id is None
        return [
            c
            for c in self.t.certificates.values()
            if c.status == "verified"
            and (every or (c.seller_id == seller_id and c.item_id == item_id))
        ]

    def certificate(self, certificate_id: str) -> CertificateRecord | None:
        return self.t.certificates.get(certificate_id)

    def set_certificate_status(self, certificate_id: str, status: str, by: str) -> bool:
        current = self.t.certificates.get(certificate_id)
        if current is None or current.status != "pending":
            return False
        self.t.certificates[certificate_id] = replace(current, status=status, decided_by=by)
        return True

    def seller_certificates(self, seller_id: str | None) -> list[CertificateRecord]:
        rows = [c for c in self.t.certificates.values() if seller_id in (None, c.seller_id)]
        return sorted(rows, key=lambda c: (c.added_at, c.certificate_id))

    def add_audit(self, events: list[AuditEvent]) -> None:
        for event in events:
            self.t.audit.setdefault(event.event_id, event)

    def audit(self) -> Iterator[AuditEvent]:
        yield from sorted(self.t.audit.values(), key=lambda e: (e.at, e.event_id))

    def add_notifications(self, messages: list[Notification]) -> None:
        for message in messages:
            self.t.outbox.setdefault(message.message_id, message)

    def notifications(self, seller_id: str) -> list[Notification]:
        rows = [n for n in self.t.outbox.values() if n.seller_id == seller_id]
        return sorted(rows, key=lambda n: (n.created_at, n.message_id))

    def add_cases(self, cases: list[ReviewCase]) -> int:
        new = {c.case_id: c for c in cases if c.case_id not in self.t.cases}
        self.t.cases.update(new)
        return len(new)

    def case(self, case_id: str) -> ReviewCase | None:
        return self.t.cases.get(case_id)

    def _matching(self, query: CaseQuery) -> list[ReviewCase]:
        rows = [
            c
            for c in self.t.cases.values()
            if (query.status is None or c.status == query.status)
            and (query.seller_id is None or c.seller_id == query.seller_id)
            and (query.item_id is None or c.item_id == query.item_id)
            and (query.kind is None or c.kind == query.kind)
            and (query.opened_before is None or c.opened_at < query.opened_before)
            and (query.country is None or matches_country(countries_key(c.finding), query.country))
        ]
        return sorted(rows, key=lambda c: (c.opened_at, c.case_id))

    def cases(self, query: CaseQuery) -> list[ReviewCase]:
        return self._matching(query)[query.offset : query.offset + query.limit]

    def count_cases(self, query: CaseQuery) -> int:
        return len(self._matching(query))

    def decide_case(self, case: ReviewCase) -> bool:
        current = self.t.cases.get(case.case_id)
        if current is None or current.status != "open":
            return False
        self.t.cases[case.case_id] = case
        return True

    def add_suppression(self, suppression: Suppression) -> None:
        self.t.suppressions[suppression.suppression_id] = suppression

    def suppression(self, suppression_id: str) -> Suppression | None:
        return self.t.suppressions.get(suppression_id)

    def suppressed(self, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
        active = {
            (s.content_hash, s.item_key)
            for s in self.t.suppressions.values()
            if s.revoked_at is None
        }
        return set(keys) & active

    def suppressions(self, active_only: bool = True) -> list[Suppression]:
        rows = [s for s in self.t.suppressions.values() if s.revoked_at is None or not active_only]
        return sorted(rows, key=lambda s: (s.created_at, s.suppression_id))

    def revoke_suppression(self, suppression_id: str, at: dt.datetime, by: str) -> bool:
        current = self.t.suppressions.get(suppression_id)
        if current is None or current.revoked_at is not None:
            return False
        self.t.suppressions[suppression_id] = replace(current, revoked_at=at, revoked_by=by)
        return True

    def add_token(self, token: ApiToken) -> None:
        self.t.tokens[token.token_id] = token

    def token_by_hash(self, secret_hash: str) -> ApiToken | None:
        return next((t for t in self.t.tokens.values() if t.secret_hash == secret_hash), None)

    def tokens(self) -> list[ApiToken]:
        return sorted(self.t.tokens.values(), key=lambda t: (t.created_at, t.token_id))

    def revoke_token(self, token_id: str, at: dt.datetime) -> bool:
        current = self.t.tokens.get(token_id)
        if current is None or current.revoked_at is not None:
            return False
        self.t.tokens[token_id] = replace(current, revoked_at=at)
        return True

    def idempotent_answer(self, token_id: str, key: str) -> IdempotentAnswer | None:
        return self.t.answers.get((token_id, key))

    def add_idempotent_answer(self, answer: IdempotentAnswer) -> None:
        self.t.answers.setdefault((answer.token_id, answer.key), answer)


class MemoryStore:
    """A ledger store that lives in this process only."""

    url = "memory://"

    def __init__(self) -> None:
        self._tables = _Tables()
        self._lock = threading.RLock()

    @contextmanager
    def session(self) -> Iterator[MemorySession]:
        with self._lock:
            before = copy.deepcopy(self._tables)
            try:
                yield MemorySession(self._tables)
            except BaseException:
                self._tables = before
                raise

    def close(self) -> None:
        """Nothing to release."""
