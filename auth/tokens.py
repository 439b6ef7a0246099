"""Access tokens (JWT through Litestar's JWT auth) and opaque refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Self

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

    @classmethod
    def decode(
        cls,
        encoded_token: str,
        secret: str,
        algorithm: str,
        audience: str | Sequence[str] | None = None,
        issuer: str | Sequence[str] | None = None,
        require_claims: Sequence[str] | None = None,
        verify_exp: bool = True,
        verify_nbf: bool = True,
        strict_audience: bool = False,
    ) -> Self:
        """Litestar's verified decode, remembered per token string (issue 18: a phone
        sends the same token with each of its requests; verifying it again each time was
        ~3 % of the API's CPU). Only ``exp`` can turn a verified token invalid later
        (``iat`` and ``nbf`` lie further in the past each second), so a remembered token
        is handed out only while it has not expired; everything else is decided by the
        first, full decode, with the same secret, algorithm and checks (all in the key)."""
        key = (
            encoded_token,
            secret,
            algorithm,
            _hashable(audience),
            _hashable(issuer),
            tuple(require_claims or ()),
            verify_exp,
            verify_nbf,
            strict_audience,
            cls,
        )
        cached = _VERIFIED.get(key)
        if cached is not None:
            if not verify_exp or cached.exp.timestamp() > time.time():
                return cached  # type: ignore[return-value]
            del _VERIFIED[key]
        token = super().decode(
            encoded_token,
            secret,
            algorithm,
            audience=audience,
            issuer=issuer,
            require_claims=require_claims,
            verify_exp=verify_exp,
            verify_nbf=verify_nbf,
            strict_audience=strict_audience,
        )
        if len(_VERIFIED) >= _VERIFIED_MAX:  # bound memory: tokens are re-verified after
            _VERIFIED.clear()
        _VERIFIED[key] = token
        return token


# Verified access tokens by token string and decode options (AccessToken.decode).
_VERIFIED: dict[tuple[Any, ...], AccessToken] = {}
_VERIFIED_MAX = 20_000


def _hashable(value: str | Sequence[str] | None) -> Any:
    return value if value is None or isinstance(value, str) else tuple(value)


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
