"""SQLAlchemy implementation of the ledger store, for SQLite (default) and PostgreSQL.

Opening a store migrates the database to the latest schema (Alembic). Times are stored as
naive UTC. On SQLite every transaction starts with BEGIN IMMEDIATE, so concurrent writers
queue instead of failing; on PostgreSQL sellers are locked with SELECT ... FOR UPDATE in a
fixed order, so concurrent recorders never deadlock and never double-count.
"""

from __future__ import annotations

import datetime as dt
import os
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    create_engine,
    event,
    func,
    insert,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError

from contraband.errors import InputError, TransientError
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
)
from contraband.ledger.sql import tables as t
from contraband.ledger.store import CaseQuery
from contraband.verdict import EVERY_COUNTRY

DEFAULT_URL = "sqlite:///contraband.db"


def asdict(record: Any) -> dict[str, Any]:
    """A record's fields as a dict, shallow (dataclasses.asdict deep-copies: 30x slower)."""
    names = _FIELDS.get(type(record))
    if names is None:
        names = _FIELDS[type(record)] = tuple(f.name for f in fields(record))
    return {name: getattr(record, name) for name in names}


_FIELDS: dict[type, tuple[str, ...]] = {}


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    """Naive UTC for storage."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.replace(tzinfo=dt.UTC) if moment is not None else None


class SqlStore:
    """A ledger database. `SqlStore(url)` connects and migrates."""

    def __init__(self, url: str = DEFAULT_URL, *, create: bool = True) -> None:
        """`create=False` (read-only commands): a missing SQLite file is an error, not a new
        empty ledger that would answer "no such seller"."""
        self.url = url
        if not create:
            _must_exist(url)
        else:
            _make_parent(url)
        try:
            self.engine = _engine(url)
            migrate(self.engine)
        except Exception as error:
            if isinstance(error, InputError):
                raise
            raise InputError(f"cannot open the ledger database {url!r}: {error}") from error
        self.dialect = self.engine.dialect.name
        _OPEN_ENGINES.add(self.engine)

    @contextmanager
    def session(self) -> Iterator[SqlSession]:
        """One transaction; a deadlock or lock timeout becomes a TransientError (rolled back,
        safe to retry: every write is keyed by the facts it records)."""
        try:
            with self.engine.begin() as connection:
                yield SqlSession(connection, self.dialect)
        except OperationalError as error:
            if _transient(error):
                raise TransientError(f"the ledger database is busy: {error.orig}") from error
            raise

    def close(self) -> None:
        """Close every pooled connection; the store is not used after this."""
        _OPEN_ENGINES.discard(self.engine)
        self.engine.dispose()


#: Engines of open stores. A forked worker must not reuse its parent's pooled connections:
#: one fork hook (registered once, not per store: hooks cannot be unregistered and would keep
#: every engine alive) drops them in the child.
_OPEN_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def _forget_connections_in_child() -> None:
    for engine in list(_OPEN_ENGINES):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_connections_in_child)


#: PostgreSQL's deadlock and serialization failures; SQLite's "database is locked".
_TRANSIENT_STATES = {"40P01", "40001", "55P03"}


def _transient(error: OperationalError) -> bool:
    state = getattr(error.orig, "sqlstate", None)
    return state in _TRANSIENT_STATES or "database is locked" in str(error.orig)


def _sqlite_file(url: str) -> Path | None:
    from sqlalchemy.engine import make_url

    if not url.startswith("sqlite"):
        return None
    try:
        database = make_url(url).database
    except Exception:
        return None
    return Path(database) if database and database != ":memory:" else None


def _make_parent(url: str) -> None:
    """A new SQLite ledger may be put in a directory that does not exist yet."""
    path = _sqlite_file(url)
    if path is not None and not path.parent.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise InputError(f"cannot create {path.parent} for the ledger: {error}") from None


def _must_exist(url: str) -> None:
    from sqlalchemy.engine import make_url

    try:
        database = make_url(url).database if url.startswith("sqlite") else None
    except Exception as error:
        raise InputError(f"not a database URL: {url!r} ({error})") from None
    if database and database != ":memory:" and not Path(database).is_file():
        raise InputError(f"no ledger database at {database} (from {url!r})")


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 120})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _: Any) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            _set_wal(cursor)
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection: Connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql"):
        return create_engine(url, pool_pre_ping=True)
    raise InputError(
        f"unsupported database URL {url!r}: use sqlite:///FILE or postgresql+psycopg://..."
    )


def _set_wal(cursor: Any) -> None:
    """Switch to WAL. The switch needs the database to itself and SQLite reports "locked"
    at once (no busy wait) while another process writes, as two first runs on one new file
    do: retry for up to two minutes."""
    import sqlite3
    import time

    deadline = time.monotonic() + 120
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


#: Databases this process has brought to the latest revision: opening them again (a service
#: opens a ledger per request) skips Alembic, which costs about 0.1 s a time.
_MIGRATED: set[str] = set()


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest Alembic revision (once per database and process)."""
    url = engine.url.render_as_string(hide_password=False)
    if url in _MIGRATED:
        return
    _upgrade(engine)
    _MIGRATED.add(url)


def _upgrade(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config

    location = str(resources.files("contraband.ledger.sql").joinpath("migrations"))
    config = Config()
    config.set_main_option("script_location", location)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":  # concurrent first runs: one migrates at a time
            connection.execute(text("SELECT pg_advisory_xact_lock(7254012)"))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class SqlSession:
    """One transaction on the ledger (see LedgerSession)."""

    def __init__(self, connection: Connection, dialect: str) -> None:
        self.c = connection
        self.dialect = dialect

    # --- helpers ---------------------------------------------------------------------------

    def _insert_ignore(self, table: Any, rows: list[dict[str, Any]], keys: list[str]) -> None:
        """Insert, skipping rows whose key exists. Rows go in key order: two transactions
        inserting overlapping rows then take their locks in one order and cannot deadlock."""
        if not rows:
            return
        rows = sorted(rows, key=lambda row: tuple(str(row[k]) for k in keys))
        statement = self._dialect_insert(table).on_conflict_do_nothing(index_elements=keys)
        self.c.execute(statement, rows)

    def _dialect_insert(self, table: Any) -> Any:
        """INSERT with the dialect's ON CONFLICT support."""
        return postgresql.insert(table) if self.dialect == "postgresql" else sqlite.insert(table)

    # --- sellers and listings --------------------------------------------------------------

    def ensure_sellers(self, seller_ids: Iterable[str], at: dt.datetime) -> None:
        rows = [{"seller_id": s, "first_seen": _utc(at)} for s in sorted(set(seller_ids))]
        self._insert_ignore(t.sellers, rows, ["seller_id"])

    def lock_sellers(self, seller_ids: Iterable[str]) -> None:
        if self.dialect != "postgresql":
            return  # SQLite: BEGIN IMMEDIATE already holds the database write lock
        ids = sorted(set(seller_ids))
        if ids:
            self.c.execute(
                select(t.sellers.c.seller_id)
                .where(t.sellers.c.seller_id.in_(ids))
                .order_by(t.sellers.c.seller_id)
                # NO KEY UPDATE: serializes work on a seller, yet does not conflict with the
                # KEY SHARE locks that foreign keys of listings and infringements take on
                # sellers (FOR UPDATE would, and two batches would deadlock on each other).
                .with_for_update(key_share=True)
            )

    def seller_exists(self, seller_id: str) -> bool:
        query = select(t.sellers.c.seller_id).where(t.sellers.c.seller_id == seller_id)
        return self.c.execute(query).first() is not None

    def upsert_listings(self, states: list[ListingState]) -> None:
        if not states:
            return
        rows = [
            dict(asdict(s), recorded_at=_utc(s.recorded_at))
            for s in sorted(states, key=lambda state: state.listing_id)  # one lock order
        ]
        table = t.listings
        base = self._dialect_insert(table)
        statement = base.on_conflict_do_update(
            index_elements=["listing_id"],
            set_={
                c: base.excluded[c]
                for c in ("seller_id", "content_hash", "action", "policy_version", "recorded_at")
            },
        )
        self.c.execute(statement, rows)

    # --- infringements ---------------------------------------------------------------------

    def add_infringements(self, infringements: list[Infringement]) -> int:
        """Insert those not yet recorded; returns how many were new."""
        if not infringements:
            return 0
        ids = list({i.infringement_id for i in infringements})
        known: set[str] = set()
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            known.update(
                self.c.execute(
                    select(t.infringements.c.infringement_id).where(
                        t.infringements.c.infringement_id.in_(chunk)
                    )
                ).scalars()
            )
        rows = [dict(asdict(i), at=_utc(i.at)) for i in infringements]
        self._insert_ignore(t.infringements, rows, ["infringement_id"])
        return len(set(ids) - known)

    def infringement(self, infringement_id: str) -> Infringement | None:
        row = (
            self.c.execute(
                select(t.infringements).where(t.infringements.c.infringement_id == infringement_id)
            )
            .mappings()
            .first()
        )
        return _infringement(row) if row else None

    def infringements(self, seller_id: str) -> list[Infringement]:
        rows = self.c.execute(
            select(t.infringements)
            .where(t.infringements.c.seller_id == seller_id)
            .order_by(t.infringements.c.at, t.infringements.c.infringement_id)
        ).mappings()
        return [_infringement(r) for r in rows]

    def set_infringement_status(self, infringement_id: str, status: str) -> None:
        self.c.execute(
            update(t.infringements)
            .where(t.infringements.c.infringement_id == infringement_id)
            .values(status=status)
        )

    # --- points ------------------------------------------------------------------------------

    def entries(self, seller_id: str) -> list[PointEntry]:
        rows = self.c.execute(
            select(t.point_entries)
            .where(t.point_entries.c.seller_id == seller_id)
            .order_by(t.point_entries.c.at, t.point_entries.c.entry_id)
        ).mappings()
        return [
            PointEntry(
                **{
                    **r,
                    "at": _aware(r["at"]),
                    "expires_at": _aware(r["expires_at"]),
                    "recorded_at": _aware(r["recorded_at"]),
                }
            )
            for r in rows
        ]

    def add_entries(self, entries: list[PointEntry]) -> None:
        if entries:
            self.c.execute(
                insert(t.point_entries),
                [
                    dict(
                        asdict(e),
                        at=_utc(e.at),
                        expires_at=_utc(e.expires_at),
                        recorded_at=_utc(e.recorded_at),
                    )
                    for e in entries
                ],
            )

    # --- sanctions -----------------------------------------------------------------------------

    def sanctions(self, seller_id: str) -> list[Sanction]:
        rows = self.c.execute(
            select(t.sanctions)
            .where(t.sanctions.c.seller_id == seller_id)
            .order_by(t.sanctions.c.start, t.sanctions.c.sanction_id)
        ).mappings()
        return [
            Sanction(
                **{
                    **r,
                    "start": _aware(r["start"]),
                    "end": _aware(r["end"]),
                    "created_at": _aware(r["created_at"]),
                    "lifted_at": _aware(r["lifted_at"]),
                }
            )
            for r in rows
        ]

    def add_sanctions(self, sanctions: list[Sanction]) -> None:
        if sanctions:
            self.c.execute(
                insert(t.sanctions),
                [
                    dict(
                        asdict(s),
                        start=_utc(s.start),
                        end=_utc(s.end),
                        created_at=_utc(s.created_at),
                        lifted_at=_utc(s.lifted_at),
                    )
                    for s in sanctions
                ],
            )

    def set_sanction_lift(
        self, sanction_id: str, lifted_at: dt.datetime | None, reason: str | None
    ) -> None:
        self.c.execute(
            update(t.sanctions)
            .where(t.sanctions.c.sanction_id == sanction_id)
            .values(lifted_at=_utc(lifted_at), lifted_reason=reason)
        )

    # --- appeals -------------------------------------------------------------------------------

    def appeal(self, appeal_id: str) -> Appeal | None:
        row = (
            self.c.execute(select(t.appeals).where(t.appeals.c.appeal_id == appeal_id))
            .mappings()
            .first()
        )
        return _appeal(row) if row else None

    def appeal_for(self, infringement_id: str) -> Appeal | None:
        row = (
            self.c.execute(select(t.appeals).where(t.appeals.c.infringement_id == infringement_id))
            .mappings()
            .first()
        )
        return _appeal(row) if row else None

    def appeals(self, seller_id: str) -> list[Appeal]:
        rows = self.c.execute(
            select(t.appeals)
            .where(t.appeals.c.seller_id == seller_id)
            .order_by(t.appeals.c.filed_at)
        ).mappings()
        return [_appeal(r) for r in rows]

    def appeals_with_status(self, status: str, limit: int, offset: int) -> list[Appeal]:
        rows = self.c.execute(
            select(t.appeals)
            .where(t.appeals.c.status == status)
            .order_by(t.appeals.c.filed_at, t.appeals.c.appeal_id)
            .limit(limit)
            .offset(offset)
        ).mappings()
        return [_appeal(r) for r in rows]

    def count_appeals(self, status: str) -> int:
        statement = select(func.count()).select_from(t.appeals).where(t.appeals.c.status == status)
        return int(self.c.execute(statement).scalar_one())

    def measure_hits(self) -> list[tuple[str, int, int]]:
        c = t.infringements.c
        rows = self.c.execute(
            select(
                c.measure_id,
                func.count(func.distinct(c.listing_id)),
                func.count(func.distinct(c.seller_id)),
            )
            .where(c.measure_id.is_not(None), c.status == "standing")
            .group_by(c.measure_id)
            .order_by(c.measure_id)
        )
        return [(str(m), int(listings), int(sellers)) for m, listings, sellers in rows]

    def add_appeal(self, appeal: Appeal) -> None:
        self.c.execute(insert(t.appeals), [_appeal_row(appeal)])

    def update_appeal(self, appeal: Appeal) -> None:
        row = _appeal_row(appeal)
        self.c.execute(
            update(t.appeals)
            .where(t.appeals.c.appeal_id == appeal.appeal_id)
            .values(**{k: v for k, v in row.items() if k != "appeal_id"})
        )

    # --- certificates --------------------------------------------------------------------------

    def add_certificate(self, certificate: CertificateRecord) -> None:
        row = dict(
            asdict(certificate),
            countries=",".join(certificate.countries),
            valid_until=_utc(certificate.valid_until),
            added_at=_utc(certificate.added_at),
        )
        self._insert_ignore(t.certificates, [row], ["certificate_id"])

    def certificate(self, certificate_id: str) -> CertificateRecord | None:
        found = self._certificates(t.certificates.c.certificate_id == certificate_id)
        return found[0] if found else None

    def set_certificate_status(self, certificate_id: str, status: str, by: str) -> bool:
        """Decide a pending certificate; False if it is not pending."""
        c = t.certificates.c
        result = self.c.execute(
            update(t.certificates)
            .where(and_(c.certificate_id == certificate_id, c.status == "pending"))
            .values(status=status, decided_by=by)
        )
        return bool(result.rowcount)

    def seller_certificates(self, seller_id: str | None) -> list[CertificateRecord]:
        condition = t.certificates.c.seller_id == seller_id if seller_id is not None else None
        return self._certificates(condition)

    def certificates(
        self, seller_id: str | None = None, item_id: str | None = None
    ) -> list[CertificateRecord]:
        """Verified certificates on file, for one seller and item (or all, when both are None)."""
        condition = t.certificates.c.status == "verified"
        if seller_id is not None or item_id is not None:
            condition = and_(
                condition,
                t.certificates.c.seller_id == seller_id,
                t.certificates.c.item_id == item_id,
            )
        return self._certificates(condition)

    def _certificates(self, condition: Any) -> list[CertificateRecord]:
        query = select(t.certificates).order_by(
            t.certificates.c.added_at, t.certificates.c.certificate_id
        )
        if condition is not None:
            query = query.where(condition)
        return [
            CertificateRecord(
                **{
                    **r,
                    "countries": tuple(c for c in r["countries"].split(",") if c),
                    "valid_until": _aware(r["valid_until"]),
                    "added_at": _aware(r["added_at"]),
                }
            )
            for r in self.c.execute(query).mappings()
        ]

    # --- audit and outbox ----------------------------------------------------------------------

    def add_audit(self, events: list[AuditEvent]) -> None:
        rows = [dict(asdict(e), at=_utc(e.at)) for e in events]
        self._insert_ignore(t.audit_log, rows, ["event_id"])

    def audit(self) -> Iterator[AuditEvent]:
        rows = self.c.execute(
            select(t.audit_log).order_by(t.audit_log.c.at, t.audit_log.c.event_id)
        ).mappings()
        for r in rows:
            yield AuditEvent(**{**r, "at": _aware(r["at"])})

    def add_notifications(self, messages: list[Notification]) -> None:
        rows = [dict(asdict(m), created_at=_utc(m.created_at), sent_at=None) for m in messages]
        self._insert_ignore(t.outbox, rows, ["message_id"])

    def notifications(self, seller_id: str) -> list[Notification]:
        rows = self.c.execute(
            select(t.outbox)
            .where(t.outbox.c.seller_id == seller_id)
            .order_by(t.outbox.c.created_at, t.outbox.c.message_id)
        ).mappings()
        return [
            Notification(
                **{  # type: ignore[arg-type]
                    k: (_aware(v) if k == "created_at" else v)
                    for k, v in r.items()
                    if k != "sent_at"
                }
            )
            for r in rows
        ]

    # --- review cases and suppressions ----------------------------------------------------

    def add_cases(self, cases: list[ReviewCase]) -> int:
        """Open those not yet open (or decided); returns how many were new."""
        if not cases:
            return 0
        ids = list({c.case_id for c in cases})
        known = set(
            self.c.execute(
                select(t.review_cases.c.case_id).where(t.review_cases.c.case_id.in_(ids))
            ).scalars()
        )
        rows = [_case_row(c) for c in cases if c.case_id not in known]
        self._insert_ignore(t.review_cases, rows, ["case_id"])
        return len({r["case_id"] for r in rows})

    def case(self, case_id: str) -> ReviewCase | None:
        query = select(t.review_cases).where(t.review_cases.c.case_id == case_id)
        row = self.c.execute(query).mappings().first()
        return _case(row) if row else None

    def cases(self, query: CaseQuery) -> list[ReviewCase]:
        statement = (
            select(t.review_cases)
            .where(*self._case_filters(query))
            .order_by(t.review_cases.c.opened_at, t.review_cases.c.case_id)
            .limit(query.limit)
            .offset(query.offset)
        )
        return [_case(r) for r in self.c.execute(statement).mappings()]

    def count_cases(self, query: CaseQuery) -> int:
        statement = select(func.count()).select_from(t.review_cases)
        return int(self.c.execute(statement.where(*self._case_filters(query))).scalar_one())

    @staticmethod
    def _case_filters(query: CaseQuery) -> list[Any]:
        c = t.review_cases.c
        filters: list[Any] = []
        if query.status is not None:
            filters.append(c.status == query.status)
        if query.seller_id is not None:
            filters.append(c.seller_id == query.seller_id)
        if query.item_id is not None:
            filters.append(c.item_id == query.item_id)
        if query.kind is not None:
            filters.append(c.kind == query.kind)
        if query.opened_before is not None:
            filters.append(c.opened_at < _utc(query.opened_before))
        if query.country is not None:
            filters.append(
                c.countries.contains(f",{query.country},", autoescape=True)
                | c.countries.contains(f",{EVERY_COUNTRY},")
            )
        return filters

    def decide_case(self, case: ReviewCase) -> bool:
        """Record a decision if the case is still open; False if another decided first."""
        c = t.review_cases.c
        result = self.c.execute(
            update(t.review_cases)
            .where(and_(c.case_id == case.case_id, c.status == "open"))
            .values(
                status=case.status,
                decided_at=_utc(case.decided_at),
                reviewer=case.reviewer,
                reason=case.reason,
                infringement_id=case.infringement_id,
            )
        )
        return bool(result.rowcount)

    def add_suppression(self, suppression: Suppression) -> None:
        row = dict(
            _row(suppression),
            created_at=_utc(suppression.created_at),
            revoked_at=_utc(suppression.revoked_at),
        )
        existing = self.suppression(suppression.suppression_id)
        if existing is None:
            self.c.execute(insert(t.suppressions), [row])
        else:  # dismissed again after a revocation: active again, with the new reason
            self.c.execute(
                update(t.suppressions)
                .where(t.suppressions.c.suppression_id == suppression.suppression_id)
                .values(**{k: v for k, v in row.items() if k != "suppression_id"})
            )

    def suppression(self, suppression_id: str) -> Suppression | None:
        query = select(t.suppressions).where(t.suppressions.c.suppression_id == suppression_id)
        row = self.c.execute(query).mappings().first()
        return _suppression(row) if row else None

    def suppressed(self, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
        if not keys:
            return set()
        c = t.suppressions.c
        found: set[tuple[str, str]] = set()
        unique = sorted(set(keys))
        for start in range(0, len(unique), 1000):
            chunk = unique[start : start + 1000]
            rows = self.c.execute(
                select(c.content_hash, c.item_key).where(
                    tuple_(c.content_hash, c.item_key).in_(chunk), c.revoked_at.is_(None)
                )
            )
            found.update((r[0], r[1]) for r in rows)
        return found

    def suppressions(self, active_only: bool = True) -> list[Suppression]:
        c = t.suppressions.c
        query = select(t.suppressions).order_by(c.created_at, c.suppression_id)
        if active_only:
            query = query.where(c.revoked_at.is_(None))
        return [_suppression(r) for r in self.c.execute(query).mappings()]

    def revoke_suppression(self, suppression_id: str, at: dt.datetime, by: str) -> bool:
        c = t.suppressions.c
        result = self.c.execute(
            update(t.suppressions)
            .where(and_(c.suppression_id == suppression_id, c.revoked_at.is_(None)))
            .values(revoked_at=_utc(at), revoked_by=by)
        )
        return bool(result.rowcount)

    # --- API tokens and idempotency -----------------------------------------------------------

    def add_token(self, token: ApiToken) -> None:
        row = dict(_row(token), created_at=_utc(token.created_at), revoked_at=None)
        self.c.execute(insert(t.api_tokens), [row])

    def token_by_hash(self, secret_hash: str) -> ApiToken | None:
        query = select(t.api_tokens).where(t.api_tokens.c.secret_hash == secret_hash)
        row = self.c.execute(query).mappings().first()
        return _token(row) if row else None

    def tokens(self) -> list[ApiToken]:
        query = select(t.api_tokens).order_by(t.api_tokens.c.created_at, t.api_tokens.c.token_id)
        return [_token(r) for r in self.c.execute(query).mappings()]

    def revoke_token(self, token_id: str, at: dt.datetime) -> bool:
        c = t.api_tokens.c
        result = self.c.execute(
            update(t.api_tokens)
            .where(and_(c.token_id == token_id, c.revoked_at.is_(None)))
            .values(revoked_at=_utc(at))
        )
        return bool(result.rowcount)

    def idempotent_answer(self, token_id: str, key: str) -> IdempotentAnswer | None:
        c = t.idempotency_keys.c
        query = select(t.idempotency_keys).where(and_(c.token_id == token_id, c.key == key))
        row = self.c.execute(query).mappings().first()
        if row is None:
            return None
        return IdempotentAnswer(**{**row, "created_at": _aware(row["created_at"])})

    def add_idempotent_answer(self, answer: IdempotentAnswer) -> None:
        row = dict(_row(answer), created_at=_utc(answer.created_at))
        self._insert_ignore(t.idempotency_keys, [row], ["token_id", "key"])


def _row(record: Any) -> dict[str, Any]:
    return {f.name: getattr(record, f.name) for f in fields(record)}


def _case_row(case: ReviewCase) -> dict[str, Any]:
    return dict(
        _row(case),
        opened_at=_utc(case.opened_at),
        decided_at=_utc(case.decided_at),
        countries=countries_key(case.finding),
    )


def _case(row: Any) -> ReviewCase:
    fields = {k: v for k, v in row.items() if k != "countries"}
    return ReviewCase(
        **{
            **fields,
            "opened_at": _aware(row["opened_at"]),
            "decided_at": _aware(row["decided_at"]),
        }
    )


def _suppression(row: Any) -> Suppression:
    return Suppression(
        **{**row, "created_at": _aware(row["created_at"]), "revoked_at": _aware(row["revoked_at"])}
    )


def _token(row: Any) -> ApiToken:
    return ApiToken(
        **{**row, "created_at": _aware(row["created_at"]), "revoked_at": _aware(row["revoked_at"])}
    )


def _infringement(row: Any) -> Infringement:
    return Infringement(**{**row, "at": _aware(row["at"])})


def _appeal(row: Any) -> Appeal:
    return Appeal(
        **{**row, "filed_at": _aware(row["filed_at"]), "decided_at": _aware(row["decided_at"])}
    )


def _appeal_row(appeal: Appeal) -> dict[str, Any]:
    return dict(asdict(appeal), filed_at=_utc(appeal.filed_at), decided_at=_utc(appeal.decided_at))
