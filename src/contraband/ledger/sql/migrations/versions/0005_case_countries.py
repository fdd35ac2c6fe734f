"""review cases: the countries their finding concerns, for the queue's country filter

Revision ID: 0005
Revises: 0004
"""

import json

import sqlalchemy as sa
from alembic import op

from contraband.ledger.model import countries_key

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    with op.batch_alter_table("review_cases") as batch:
        batch.add_column(sa.Column("countries", sa.Text(), nullable=False, server_default=",ALL,"))
    cases = sa.table(
        "review_cases",
        sa.column("case_id", sa.String),
        sa.column("finding", sa.JSON),
        sa.column("countries", sa.Text),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(cases.c.case_id, cases.c.finding)).all()
    for case_id, finding in rows:
        data = json.loads(finding) if isinstance(finding, str) else finding
        key = countries_key(data if isinstance(data, dict) else {})
        connection.execute(sa.update(cases).where(cases.c.case_id == case_id).values(countries=key))


def downgrade() -> None:
    with op.batch_alter_table("review_cases") as batch:
        batch.drop_column("countries")
