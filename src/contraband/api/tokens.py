"""API tokens: created once (the secret is shown once), stored as a hash, revocable.

A token is `cb_` + 32 random bytes (URL-safe base64). With that much entropy a plain SHA-256
of the secret is as strong as a slow password hash, and verifying costs microseconds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from enum import StrEnum

from contraband.errors import ConflictError, InputError, NotFoundError
from contraband.ledger.model import ApiToken, AuditEvent
from contraband.ledger.store import LedgerStore

PREFIX = "cb_"


class Role(StrEnum):
    PLATFORM = "platform"  # the listing pipeline: screen, screen-and-record, read any seller
    SELLER = "seller"  # one seller: check drafts, own points, appeals, certificates
    REVIEWER = "reviewer"  # review queue, decisions on cases and appeals, certificates
    OPERATOR = "operator"  # the active pack and measure states
    AUDITOR = "auditor"  # read-only audit export


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(
    store: LedgerStore, role: Role, name: str, seller_id: str | None, at: dt.datetime
) -> tuple[ApiToken, str]:
    """A new token and its secret (shown once; only its hash is kept)."""
    if not name.strip() or len(name) > 200:
        raise InputError("a token needs a name of 1 to 200 characters")
    if (role == Role.SELLER) != bool(seller_id):
        raise InputError("a seller token needs --seller, and only a seller token takes one")
    if seller_id is not None and len(seller_id) > 200:
        raise InputError("a seller id has at most 200 characters")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        token_id=secrets.token_hex(8),
        name=name.strip(),
        role=role.value,
        seller_id=seller_id,
        secret_hash=secret_hash(secret),
        created_at=at,
    )
    with store.session() as session:
        session.add_token(token)
        session.add_audit([_event(token, "token_created", at)])
    return token, secret


def verify(store: LedgerStore, secret: str) -> ApiToken | None:
    """The live token with this secret, or None (unknown, malformed or revoked)."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    with store.session() as session:
        token = session.token_by_hash(secret_hash(secret))
    if token is None or token.revoked_at is not None:
        return None
    return token


def list_tokens(store: LedgerStore) -> list[ApiToken]:
    with store.session() as session:
        return session.tokens()


def revoke(store: LedgerStore, token_id: str, at: dt.datetime) -> None:
    with store.session() as session:
        known = {t.token_id: t for t in session.tokens()}
        if token_id not in known:
            raise NotFoundError(f"no token {token_id!r}")
        if not session.revoke_token(token_id, at):
            raise ConflictError(f"token {token_id} was already revoked")
        session.add_audit([_event(known[token_id], "token_revoked", at)])


def _event(token: ApiToken, action: str, at: dt.datetime) -> AuditEvent:
    return AuditEvent(
        f"token:{token.token_id}:{action}",
        at,
        "operator",
        action,
        token.token_id,
        {"name": token.name, "role": token.role, "seller_id": token.seller_id},
    )
