"""Access tokens (JWT through Litestar's JWT auth) and opaque refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from litestar.security.jwt import Token

ALGORITHM = "HS256"  # pinned: decode accepts this algorithm and no other
REQUIRED_CLAIMS = ("exp", "iat", "sub", "aud", "iss", "jti", "role", "sid")


@dataclass
class AccessToken(Token):
    """The JWT claims Verval issues: the standard ones plus role and device session."""

    role: str = ""
    sid: str = ""

    def encode(self, secret: str, algorithm: str) -> str:
        payload = {k: v for k, v in asdict(self).items() if v not in (None, {}, "")}
        return jwt.encode(payload=payload, key=secret, algorithm=algorithm)


def new_access_token(
    *,
    secret: str,
    user_id: int,
    role: str,
    session_id: str,
    issuer: str,
    audience: str,
    lifetime: timedelta,
    now: datetime | None = None,
) -> tuple[str, datetime]:
    issued = (now or datetime.now(UTC)).replace(microsecond=0)
    expires = issued + lifetime
    token = AccessToken(
        sub=str(user_id),
        exp=expires,
        iat=issued,
        iss=issuer,
        aud=audience,
        jti=secrets.token_hex(16),
        role=role,
        sid=session_id,
    )
    return token.encode(secret, ALGORITHM), expires


def new_opaque_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def token_digest(token: str) -> str:
    """What the database keeps of a refresh token or an enrolment code."""
    return hashlib.sha256(token.encode()).hexdigest()


def claims_of(encoded: str) -> dict[str, Any]:
    """Unverified claims, for tests and diagnostics only."""
    return jwt.decode(encoded, options={"verify_signature": False})
