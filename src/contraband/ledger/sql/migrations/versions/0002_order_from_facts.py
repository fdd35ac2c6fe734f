"""infringements at one time are ordered by their fact-derived ids, not by file position

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    with op.batch_alter_table("infringements") as batch:
        batch.drop_column("ordinal")


def downgrade() -> None:
    with op.batch_alter_table("infringements") as batch:
        batch.add_column(sa.Column("ordinal", sa.Integer(), nullable=False, server_default="0"))
