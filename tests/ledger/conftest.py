"""Ledger fixtures: a real database per test, SQLite always and PostgreSQL when
CONTRABAND_TEST_DATABASE_URL points at a server (each test gets a database of its own)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from contraband.ledger import Ledger
from contraband.ledger.memory import MemoryStore
from contraband.ledger.sql.store import SqlStore
from contraband.policy import load_pack
from tests.conftest import DEFAULT_PACK

PG_URL = os.environ.get("CONTRABAND_TEST_DATABASE_URL")
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(not PG_URL, reason="CONTRABAND_TEST_DATABASE_URL not set"),
    ),
]


def fresh_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
        return
    assert PG_URL
    name = f"contraband_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from fresh_database_url(request.param, tmp_path)


@pytest.fixture(params=["memory", *BACKENDS])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Ledger]:
    """A ledger on every store: in memory (the fast one for unit tests), SQLite, PostgreSQL."""
    pack = load_pack(DEFAULT_PACK)
    if request.param == "memory":
        with Ledger(MemoryStore(), pack) as ledger:
            yield ledger
        return
    for url in fresh_database_url(request.param, tmp_path):
        with Ledger(SqlStore(url), pack) as ledger:
            yield ledger
