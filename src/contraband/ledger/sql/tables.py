"""Ledger tables. Every row has a natural or content-derived key, so that two processes, or a
run repeated after a crash, write exactly the same rows as one clean run."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

sellers = Table(
    "sellers",
    metadata,
    Column("seller_id", String(200), primary_key=True),
    Column("first_seen", DateTime, nullable=False),
)

listings = Table(
    "listings",
    metadata,
    Column("listing_id", String(1000), primary_key=True),
    Column("seller_id", String(200), ForeignKey("sellers.seller_id"), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("action", String(20), nullable=False),
    Column("policy_version", String(100), nullable=False),
    Column("recorded_at", DateTime, nullable=False),
)

infringements = Table(
    "infringements",
    metadata,
    Column("infringement_id", String(40), primary_key=True),
    Column("seller_id", String(200), ForeignKey("sellers.seller_id"), nullable=False),
    Column("listing_id", String(1000), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("rule", String(300), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("item_id", String(80)),
    Column("measure_id", String(80)),
    Column("points", Float, nullable=False),  # proposed by the verdict
    Column("at", DateTime, nullable=False),
    Column("policy_version", String(100), nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("status", String(20), nullable=False),  # standing | overturned
    UniqueConstraint("listing_id", "content_hash", "rule", name="uq_infringement_content_rule"),
)
Index("ix_infringements_seller", infringements.c.seller_id)

point_entries = Table(  # append-only: an infringement's charge is the sum of its entries
    "point_entries",
    metadata,
    Column("entry_id", String(60), primary_key=True),
    Column(
        "infringement_id", String(40), ForeignKey("infringements.infringement_id"), nullable=False
    ),
    Column("seq", Integer, nullable=False),
    Column("seller_id", String(200), nullable=False),
    Column("points", Float, nullable=False),
    Column("at", DateTime, nullable=False),  # the infringement's time: the record runs from it
    Column("expires_at", DateTime, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("kind", String(20), nullable=False),  # charge | adjustment | reversal
    Column("reason", Text, nullable=False),
    Column("policy_version", String(100), nullable=False),
)
Index("ix_point_entries_seller", point_entries.c.seller_id)

sanctions = Table(
    "sanctions",
    metadata,
    Column("sanction_id", String(40), primary_key=True),
    Column("seller_id", String(200), ForeignKey("sellers.seller_id"), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("threshold", Float, nullable=False),
    Column("start", DateTime, nullable=False),
    Column("end", DateTime),
    Column("remove_all_products", Boolean, nullable=False),
    Column("trigger_infringement_id", String(40), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("lifted_at", DateTime),
    Column("lifted_reason", Text),
)
Index("ix_sanctions_seller", sanctions.c.seller_id)

certificates = Table(
    "certificates",
    metadata,
    Column("certificate_id", String(40), primary_key=True),
    Column("seller_id", String(200), nullable=False),
    Column("item_id", String(80), nullable=False),
    Column("countries", String(1000), nullable=False),  # comma-separated; empty = all
    Column("valid_until", DateTime, nullable=False),
    Column("added_at", DateTime, nullable=False),
    Column("status", String(20), nullable=False, server_default="verified"),
    Column("document", Text),
    Column("decided_by", String(200)),
)
Index("ix_certificates_seller_item", certificates.c.seller_id, certificates.c.item_id)

appeals = Table(
    "appeals",
    metadata,
    Column("appeal_id", String(44), primary_key=True),
    Column(
        "infringement_id",
        String(40),
        ForeignKey("infringements.infringement_id"),
        nullable=False,
        unique=True,
    ),
    Column("seller_id", String(200), nullable=False),
    Column("reason", Text, nullable=False),
    Column("filed_at", DateTime, nullable=False),
    Column("status", String(20), nullable=False),  # pending | upheld | overturned
    Column("decided_at", DateTime),
    Column("reviewer", String(200)),
    Column("decision_reason", Text),
)

audit_log = Table(  # append-only: who, when, why
    "audit_log",
    metadata,
    Column("event_id", String(200), primary_key=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(60), nullable=False),
    Column("subject", String(1000), nullable=False),
    Column("detail", JSON, nullable=False),
)
Index("ix_audit_at", audit_log.c.at)

outbox = Table(  # seller notifications for the platform's mailer
    "outbox",
    metadata,
    Column("message_id", String(200), primary_key=True),
    Column("seller_id", String(200), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("sent_at", DateTime),
)

review_cases = Table(  # one per listing content and item held for review
    "review_cases",
    metadata,
    Column("case_id", String(40), primary_key=True),
    Column("listing_id", String(1000), nullable=False),
    Column("seller_id", String(200), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("item_id", String(80)),
    Column("kind", String(40), nullable=False),
    Column("finding", JSON, nullable=False),
    Column("opened_at", DateTime, nullable=False),
    Column("policy_version", String(100), nullable=False),
    Column("status", String(20), nullable=False),  # open | confirmed | dismissed
    Column("decided_at", DateTime),
    Column("reviewer", String(200)),
    Column("reason", Text),
    Column("infringement_id", String(40)),
    Column("countries", Text, nullable=False, server_default=",ALL,"),  # review.countries_key
)
Index("ix_review_cases_status_opened", review_cases.c.status, review_cases.c.opened_at)
Index("ix_review_cases_seller", review_cases.c.seller_id)

suppressions = Table(  # dismissals: the same content and item open no case again
    "suppressions",
    metadata,
    Column("suppression_id", String(40), primary_key=True),
    Column("content_hash", String(64), nullable=False),
    Column("item_key", String(80), nullable=False),
    Column("listing_id", String(1000), nullable=False),
    Column("case_id", String(40), nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("revoked_at", DateTime),
    Column("revoked_by", String(200)),
)
Index("ix_suppressions_content", suppressions.c.content_hash, suppressions.c.item_key)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_id", String(40), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("seller_id", String(200)),
    Column("secret_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime, nullable=False),
    Column("revoked_at", DateTime),
)

idempotency_keys = Table(  # the first answer to a keyed request, for its retries
    "idempotency_keys",
    metadata,
    Column("token_id", String(40), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("created_at", DateTime, nullable=False),
)
