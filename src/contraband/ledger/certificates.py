"""Certificates on file: verified documents that let a seller list a controlled item, or sell
a restricted one in the countries they cover. The ledger store is a `CertificateBook`."""

from __future__ import annotations

import datetime as dt
import threading
import time

from contraband.errors import NotFoundError
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
) -> str:
    if item_id not in pack.items_by_id:
        raise NotFoundError(f"no item {item_id!r} in policy {pack.version}")
    until = dt.datetime.combine(valid_until, dt.time(23, 59, 59), tzinfo=dt.UTC)
    certificate_id = stable_id(
        seller_id, item_id, ",".join(sorted(countries)), valid_until.isoformat(), size=10
    )
    with store.session() as session:
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
