"""The ledger: one object over a store and a pack, for the adapters to call.

Each job lives in its own module (`recording`, `appeals`, `certificates`, `views`); every
change goes through `settlement.settle`. A Ledger owns its store: close it (or use it in a
`with` block) so a long-lived process that opens many does not keep their connections.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from types import TracebackType

from contraband.errors import NotFoundError
from contraband.ledger import appeals, certificates, recording, review, views
from contraband.ledger.model import Appeal, AuditEvent, ReviewCase
from contraband.ledger.recording import RecordSummary
from contraband.ledger.store import CaseQuery, LedgerStore
from contraband.policy import PolicyPack
from contraband.verdict import Finding, Verdict


class Ledger:
    def __init__(self, store: LedgerStore, pack: PolicyPack) -> None:
        self.store = store
        self.pack = pack

    def record(
        self, verdicts: Iterable[Verdict], at: dt.datetime, actor: str = "enforce"
    ) -> RecordSummary:
        """Record verdicts: infringements, points, sanctions, notices. Idempotent."""
        return recording.record(self.store, self.pack, verdicts, at, actor)

    def file_appeal(
        self, infringement_id: str, reason: str, at: dt.datetime, actor: str = "seller"
    ) -> Appeal:
        return appeals.file_appeal(self.store, self.pack, infringement_id, reason, at, actor)

    def decide_appeal(
        self, appeal_id: str, overturn: bool, reason: str, reviewer: str, at: dt.datetime
    ) -> Appeal:
        return appeals.decide_appeal(
            self.store, self.pack, appeal_id, overturn, reason, reviewer, at
        )

    def appeals(self, status: str, limit: int = 50, offset: int = 0) -> list[views.AppealView]:
        with self.store.session() as session:
            return [
                views.appeal_view(a) for a in session.appeals_with_status(status, limit, offset)
            ]

    def count_appeals(self, status: str) -> int:
        with self.store.session() as session:
            return session.count_appeals(status)

    def overturn_preview(self, appeal_id: str, at: dt.datetime) -> views.OverturnPreview:
        """What overturning the appeal would do now; nothing is written."""
        return appeals.overturn_preview(self.store, self.pack, appeal_id, at)

    def appeal_view(self, appeal_id: str) -> views.AppealView:
        with self.store.session() as session:
            found = session.appeal(appeal_id)
        if found is None:
            raise NotFoundError(f"no appeal {appeal_id!r}")
        return views.appeal_view(found)

    def infringement_evidence(self, infringement_id: str) -> Finding | None:
        """The finding an infringement was recorded for (its evidence)."""
        with self.store.session() as session:
            found = session.infringement(infringement_id)
        return views.finding_of(found.evidence) if found else None

    def measure_hits(self) -> list[views.MeasureHits]:
        with self.store.session() as session:
            return [
                views.MeasureHits(measure_id=m, listings=n, sellers=k)
                for m, n, k in session.measure_hits()
            ]

    def infringement_owner(self, infringement_id: str) -> str | None:
        """The seller an infringement belongs to (None if there is no such infringement)."""
        with self.store.session() as session:
            found = session.infringement(infringement_id)
        return found.seller_id if found else None

    def appeal_owner(self, appeal_id: str) -> str | None:
        with self.store.session() as session:
            found = session.appeal(appeal_id)
        return found.seller_id if found else None

    def add_certificate(
        self,
        seller_id: str,
        item_id: str,
        countries: tuple[str, ...],
        valid_until: dt.date,
        at: dt.datetime,
        actor: str = "operator",
        *,
        pending: bool = False,
        document: str | None = None,
    ) -> str:
        """Put a verified certificate on file (or, `pending`, a seller's upload to verify)."""
        return certificates.add_certificate(
            self.store,
            self.pack,
            seller_id,
            item_id,
            countries,
            valid_until,
            at,
            actor,
            pending=pending,
            document=document,
        )

    def decide_certificate(
        self, certificate_id: str, verify: bool, reviewer: str, at: dt.datetime
    ) -> views.CertificateView:
        decided = certificates.decide_certificate(self.store, certificate_id, verify, reviewer, at)
        return views.certificate_view(decided)

    def certificate_list(self, seller_id: str | None) -> list[views.CertificateView]:
        """Every certificate (of one seller, or all), whatever its status."""
        with self.store.session() as session:
            return [views.certificate_view(c) for c in session.seller_certificates(seller_id)]

    def covers(self, seller_id: str, item_id: str, country: str | None, day: dt.date) -> bool:
        """CertificateBook: is a certificate on file for this seller, item and country?"""
        return certificates.covers(self.store, seller_id, item_id, country, day)

    def seller(self, seller_id: str, at: dt.datetime) -> views.SellerView:
        with self.store.session() as session:
            if not session.seller_exists(seller_id):
                raise NotFoundError(f"no seller {seller_id!r} in the ledger")
            infringements = {i.infringement_id: i for i in session.infringements(seller_id)}
            return views.seller_view(
                seller_id,
                at,
                infringements,
                session.entries(seller_id),
                session.sanctions(seller_id),
                session.appeals(seller_id),
                session.notifications(seller_id),
            )

    # --- review ------------------------------------------------------------------------------

    def cases(self, query: CaseQuery) -> views.CasePage:
        with self.store.session() as session:
            total = session.count_cases(query)
            cases = session.cases(query)
        return views.CasePage(
            total=total,
            offset=query.offset,
            cases=tuple(self._case_view(c) for c in cases),
        )

    def decided_cases(self, page: int = 500) -> Iterator[ReviewCase]:
        """Every confirmed or dismissed case, oldest first (what an item model learns from)."""
        for status in ("confirmed", "dismissed"):
            offset = 0
            while True:
                with self.store.session() as session:
                    cases = session.cases(CaseQuery(status=status, limit=page, offset=offset))
                yield from cases
                if len(cases) < page:
                    break
                offset += page

    def case(self, case_id: str) -> views.CaseView:
        with self.store.session() as session:
            case = session.case(case_id)
        if case is None:
            raise NotFoundError(f"no review case {case_id!r}")
        return self._case_view(case)

    def _case_view(self, case: ReviewCase) -> views.CaseView:
        finding = review.case_finding(case)
        points = review.confirmation_points(finding, self.pack) if finding else 0.0
        return views.case_view(case, points)

    def decide_case(
        self, case_id: str, confirm: bool, reason: str, reviewer: str, at: dt.datetime
    ) -> views.CaseView:
        decided = review.decide_case(self.store, self.pack, case_id, confirm, reason, reviewer, at)
        return self._case_view(decided)

    def suppressions(self, active_only: bool = True) -> list[views.SuppressionView]:
        with self.store.session() as session:
            return [views.suppression_view(s) for s in session.suppressions(active_only)]

    def revoke_suppression(self, suppression_id: str, by: str, at: dt.datetime) -> None:
        review.revoke_suppression(self.store, suppression_id, by, at)

    def audit(self) -> Iterator[AuditEvent]:
        with self.store.session() as session:
            yield from session.audit()

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
