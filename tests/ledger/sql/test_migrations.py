"""A ledger made by an older release upgrades in place, its data carried over."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from contraband.ledger.sql.store import SqlStore
from contraband.ledger.store import CaseQuery


def _upgrade_to(url: str, revision: str) -> None:
    config = Config()
    location = resources.files("contraband.ledger.sql").joinpath("migrations")
    config.set_main_option("script_location", str(location))
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    engine.dispose()


def test_cases_of_a_0004_ledger_get_their_countries(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _upgrade_to(url, "0004")
    engine = sa.create_engine(url)
    opened = dt.datetime(2022, 1, 1)
    with engine.begin() as connection:
        for case_id, countries in (("C1", ["US", "DE"]), ("C2", [])):
            finding = {"kind": "country_measure", "blocked_countries": countries}
            connection.execute(
                sa.text(
                    "INSERT INTO review_cases (case_id, listing_id, seller_id, content_hash,"
                    " item_id, kind, finding, opened_at, policy_version, status) VALUES"
                    " (:id, 'L', 'S', 'h', 'vapes', 'country_measure', :f, :t, 'v', 'open')"
                ),
                {"id": case_id, "f": json.dumps(finding), "t": opened},
            )
    engine.dispose()
    store = SqlStore(url)  # upgrades to head
    with store.session() as session:
        assert [c.case_id for c in session.cases(CaseQuery(country="DE"))] == ["C1", "C2"]
        assert [c.case_id for c in session.cases(CaseQuery(country="FR"))] == ["C2"]
    store.close()
