"""review cases, suppressions, API tokens, idempotency keys (the HTTP service)

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "review_cases",
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("listing_id", sa.String(length=1000), nullable=False),
        sa.Column("seller_id", sa.String(length=200), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=80), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("finding", sa.JSON(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("policy_version", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("reviewer", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("infringement_id", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("case_id"),
    )
    op.create_index(
        "ix_review_cases_status_opened", "review_cases", ["status", "opened_at"], unique=False
    )
    op.create_index("ix_review_cases_seller", "review_cases", ["seller_id"], unique=False)
    op.create_table(
        "suppressions",
        sa.Column("suppression_id", sa.String(length=40), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("item_key", sa.String(length=80), nullable=False),
        sa.Column("listing_id", sa.String(length=1000), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("suppression_id"),
    )
    op.create_index(
        "ix_suppressions_content", "suppressions", ["content_hash", "item_key"], unique=False
    )
    op.create_table(
        "api_tokens",
        sa.Column("token_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("seller_id", sa.String(length=200), nullable=True),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("token_id"),
        sa.UniqueConstraint("secret_hash"),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("token_id", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token_id", "key"),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_table("api_tokens")
    op.drop_index("ix_suppressions_content", table_name="suppressions")
    op.drop_table("suppressions")
    op.drop_index("ix_review_cases_seller", table_name="review_cases")
    op.drop_index("ix_review_cases_status_opened", table_name="review_cases")
    op.drop_table("review_cases")
