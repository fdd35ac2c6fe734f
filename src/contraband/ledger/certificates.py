"""Certificates on file: verified documents that let a seller list a controlled item, or sell
a restricted one in the countries they cover. The ledger store is a `CertificateBook`."""

from __future__ import annotations

import datetime as dt
import threading
import time

from contraband.errors import ConflictError, NotFoundError
from contraband.ledger.model import AuditEvent, CertificateRecord, stable_id
from contraband.ledger.store import LedgerStore
from contraband.policy import PolicyPack


def add_certificate(
    store: LedgerStore,
    pack: PolicyPack,
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
    """Put a certificate on file: verified (a reviewer or operator adds it), or pending (a
    seller's upload, which counts only once a reviewer verifies it). A verified add of a
    pending upload's facts verifies it."""
    if item_id not in pack.items_by_id:
        raise NotFoundError(f"no item {item_id!r} in policy {pack.version}")
    until = dt.datetime.combine(valid_until, dt.time(23, 59, 59), tzinfo=dt.UTC)
    certificate_id = stable_id(
        seller_id, item_id, ",".join(sorted(countries)), valid_until.isoformat(), size=10
    )
    record = CertificateRecord(
        certificate_id,
        seller_id,
        item_id,
        tuple(sorted(countries)),
        until,
        at,
        status="pending" if pending else "verified",
        document=document,
        decided_by=None if pending else actor,
    )
    with store.session() as session:
        session.ensure_sellers([seller_id], at)
        existing = session.certificate(certificate_id)
        if existing is None:
            session.add_certificate(record)
        elif pending or existing.status != "pending":
            raise ConflictError(f"certificate {certificate_id} is already {existing.status}")
        else:
            session.set_certificate_status(certificate_id, "verified", actor)
        action = "certificate_uploaded" if pending else "certificate_added"
        session.add_audit(
            [
                AuditEvent(
                    f"certificate:{certificate_id}:{action}",
                    at,
                    actor,
                    action,
                    seller_id,
                    {
                        "item_id": item_id,
                        "countries": list(countries),
                        "valid_until": valid_until.isoformat(),
                        "document": document,
                    },
                )
            ]
        )
    return certificate_id


def decide_certificate(
    store: LedgerStore, certificate_id: str, verify: bool, reviewer: str, at: dt.datetime
) -> CertificateRecord:
    """A reviewer verifies or rejects a seller's pending upload."""
    status = "verified" if verify else "rejected"
    with store.session() as session:
        if session.certificate(certificate_id) is None:
            raise NotFoundError(f"no certificate {certificate_id!r}")
        if not session.set_certificate_status(certificate_id, status, reviewer):
            current = session.certificate(certificate_id)
            raise ConflictError(
                f"certificate {certificate_id} is {current.status if current else 'gone'}, "
                "not pending"
            )
        decided = session.certificate(certificate_id)
        assert decided is not None
        session.add_audit(
            [
                AuditEvent(
                    f"certificate:{certificate_id}:{status}",
                    at,
                    reviewer,
                    f"certificate_{status}",
                    decided.seller_id,
                    {"item_id": decided.item_id},
                )
            ]
        )
        return decided


def covers(
    store: LedgerStore, seller_id: str, item_id: str, country: str | None, day: dt.date
) -> bool:
    """Is a certificate on file for this seller and item, valid on `day` in `country`?"""
    with store.session() as session:
        return any(
            day <= c.valid_until.date()
            and (not c.countries or country is None or country in c.countries)
            for c in session.certificates(seller_id, item_id)
        )


class CachedCertificates:
    """A CertificateBook over a store for a long-lived process (the service): every
    certificate on file, read in one query and kept for `ttl` seconds, so screening asks the
    database at most once per `ttl` instead of once per controlled or restricted hit. A
    certificate put on file reaches this process's screening within `ttl`."""

    def __init__(self, store: LedgerStore, ttl: float = 5.0) -> None:
        self.store = store
        self.ttl = ttl
        self._loaded_at = -float("inf")
        self._book: dict[tuple[str, str], list[CertificateRecord]] = {}
        self._lock = threading.Lock()

    def covers(self, seller_id: str, item_id: str, country: str | None, day: dt.date) -> bool:
        return any(
            day <= c.valid_until.date()
            and (not c.countries or country is None or country in c.countries)
            for c in self._current().get((seller_id, item_id), ())
        )

    def _current(self) -> dict[tuple[str, str], list[CertificateRecord]]:
        with self._lock:
            if time.monotonic() - self._loaded_at > self.ttl:
                book: dict[tuple[str, str], list[CertificateRecord]] = {}
                with self.store.session() as session:
                    for certificate in session.certificates():
                        book.setdefault((certificate.seller_id, certificate.item_id), []).append(
                            certificate
                        )
                self._book, self._loaded_at = book, time.monotonic()
            return self._book
