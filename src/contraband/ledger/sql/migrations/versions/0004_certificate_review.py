"""certificates: a seller's upload waits for a reviewer (pending, verified, rejected)

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    with op.batch_alter_table("certificates") as batch:
        batch.add_column(
            sa.Column("status", sa.String(length=20), nullable=False, server_default="verified")
        )
        batch.add_column(sa.Column("document", sa.Text(), nullable=True))
        batch.add_column(sa.Column("decided_by", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("certificates") as batch:
        batch.drop_column("decided_by")
        batch.drop_column("document")
        batch.drop_column("status")
