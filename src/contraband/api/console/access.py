"""Who is signed in to the console: an API token of a staff role, kept in a session cookie.

Signing in exchanges a reviewer, operator or auditor token for a cookie (HttpOnly, SameSite=
Strict, scoped to /console) that carries the token itself: every page checks it against the
ledger as the API does (revoked is revoked at once, in every worker process, with no session
table to keep). Every form carries a CSRF token derived from the session's token (HMAC), so a
post made by another site, or a form without it, is refused.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from fastapi import Request

from contraband.api.app import Service
from contraband.api.tokens import Role
from contraband.ledger.model import ApiToken

COOKIE = "contraband_console"
COOKIE_PATH = "/console"
SESSION_SECONDS = 8 * 3600
#: Roles that may sign in; a seller or platform token may not.
STAFF = frozenset({Role.REVIEWER, Role.OPERATOR, Role.AUDITOR})


@dataclass(frozen=True, slots=True)
class Staff:
    """A signed-in person: their token, and the CSRF token their forms carry."""

    token: ApiToken
    csrf: str

    @property
    def role(self) -> str:
        return self.token.role

    @property
    def name(self) -> str:
        return self.token.name or self.token.token_id

    def may(self, *roles: str) -> bool:
        return self.token.role in roles


def csrf_for(secret: str) -> str:
    return hmac.new(secret.encode(), b"contraband-console-csrf", hashlib.sha256).hexdigest()[:32]


def staff_token(service: Service, secret: str) -> ApiToken | None:
    """The live staff token with this secret (None: unknown, revoked or not staff)."""
    if not secret or len(secret) > 200:
        return None
    token = service.cached_token(secret) or service.token(secret)
    if token is None or token.role not in STAFF:
        return None
    return token


def signed_in(service: Service, request: Request) -> Staff | None:
    secret = request.cookies.get(COOKIE, "")
    token = staff_token(service, secret)
    return Staff(token, csrf_for(secret)) if token else None


def csrf_ok(staff: Staff, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(staff.csrf, sent or "")
