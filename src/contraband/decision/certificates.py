"""Certificates on file: what lets a seller list a controlled item, or sell a restricted one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol


class CertificateBook(Protocol):
    """Answers whether a seller holds a valid certificate (the ledger store is one)."""

    def covers(self, seller_id: str, item_id: str, country: str | None, day: dt.date) -> bool:
        """True if a certificate for `item_id` covers `country` (None: any country) on `day`."""
        ...


@dataclass(frozen=True, slots=True)
class Certificate:
    seller_id: str
    item_id: str
    countries: tuple[str, ...]  # empty: every country
    valid_until: dt.date

    def covers(self, country: str | None, day: dt.date) -> bool:
        if day > self.valid_until:
            return False
        return not self.countries or country is None or country in self.countries


class InMemoryCertificates:
    """Certificates held in memory (tests, and scans given a certificate file)."""

    def __init__(self, certificates: list[Certificate] | None = None) -> None:
        self._by_key: dict[tuple[str, str], list[Certificate]] = {}
        for certificate in certificates or []:
            self.add(certificate)

    def add(self, certificate: Certificate) -> None:
        self._by_key.setdefault((certificate.seller_id, certificate.item_id), []).append(
            certificate
        )

    def covers(self, seller_id: str, item_id: str, country: str | None, day: dt.date) -> bool:
        return any(c.covers(country, day) for c in self._by_key.get((seller_id, item_id), ()))


NO_CERTIFICATES = InMemoryCertificates()
