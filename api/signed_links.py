"""Short-lived signed download links, so a browser saves large files straight to disk.

A plain link carries no bearer token, and fetching a large file (an evidence bundle, a
regency's export) into page memory to attach one would hold it all in the tab. So an
authenticated ``POST …/link`` answers a URL signed with the app's key: HMAC-SHA256 over
the path and every query parameter, including the signer's user, session and the expiry.
The download route checks the signature, then that the signer's session is still alive;
the caller then checks the signer's role and scope again, exactly as the bearer route does.
The URL holds only codes, numbers, the session id and the signature: no personal data.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import urlencode

import msgspec
from litestar.datastructures import State

from api.errors import Forbidden
from api.resources import resources_from_state
from auth import service as auth_service
from auth.roles import Principal, Role

LINK_SECONDS = 120  # long enough to start the download, short enough not to be shared
SIGNED_PARAMS = frozenset({"user", "sid", "expires", "signature"})

Params = Mapping[str, str | int | None]


class SignedLink(msgspec.Struct):
    url: str  # relative to the API's origin
    expires_at: datetime


def link_key(state: State, context: bytes) -> bytes:
    """A key per kind of link, derived from the app's key (a bundle link opens no export)."""
    signing_key = resources_from_state(state).settings.signing_key
    return hmac.new(signing_key, context, hashlib.sha256).digest()


def _message(path: str, params: Params) -> bytes:
    present = sorted((k, str(v)) for k, v in params.items() if v is not None)
    return f"{path}?{urlencode(present)}".encode()


def _signature(key: bytes, path: str, params: Params) -> str:
    return hmac.new(key, _message(path, params), hashlib.sha256).hexdigest()


def sign(
    key: bytes, path: str, params: Params, principal: Principal, *, now: float | None = None
) -> SignedLink:
    expires = math.ceil((time.time() if now is None else now) + LINK_SECONDS)
    signed: dict[str, str | int | None] = {
        **params,
        "user": principal.user_id,
        "sid": principal.session_id,
        "expires": expires,
    }
    query = {k: v for k, v in signed.items() if v is not None}
    query["signature"] = _signature(key, path, signed)
    return SignedLink(
        url=f"{path}?{urlencode(query)}", expires_at=datetime.fromtimestamp(expires, UTC)
    )


async def signer(
    key: bytes,
    path: str,
    params: Params,
    *,
    user: int,
    sid: str,
    expires: int,
    signature: str,
    roles: tuple[Role, ...],
) -> Principal:
    """The principal who signed the link, if it is intact, unexpired and their session alive.

    Anything else is one 403 ``bad_signature``: a forger learns nothing from the answer.
    """
    refused = Forbidden("The link is invalid or has expired.", code="bad_signature")
    expected = _signature(key, path, {**params, "user": user, "sid": sid, "expires": expires})
    given = signature.lower().encode("ascii", "replace")
    if not hmac.compare_digest(expected.encode(), given) or expires < time.time():
        raise refused
    principal = await auth_service.principal_for_session(sid, str(user))
    if principal is None or principal.role not in roles:
        raise refused
    return principal


__all__ = ["LINK_SECONDS", "SignedLink", "link_key", "sign", "signer"]
