"""Forged and stale access tokens are refused with 401 and a problem+json body."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest

from auth.roles import Role
from auth.tokens import claims_of
from tests.conftest import TEST_SECRET
from tests.support.users import bearer, login, make_user


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def alg_none(claims: dict[str, Any]) -> str:
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


def other_key(claims: dict[str, Any]) -> str:
    return jwt.encode(claims, "some-other-secret-that-is-long-enough!!", algorithm="HS256")


def hs_rs_confusion(claims: dict[str, Any]) -> str:
    # An RS256 header over a payload HMAC'd with the server secret: a verifier that
    # trusted the header would pick the wrong algorithm.
    header = _b64({"alg": "RS256", "typ": "JWT"})
    body = _b64(claims)
    valid = jwt.encode(claims, TEST_SECRET, algorithm="HS256")
    return f"{header}.{body}.{valid.split('.')[2]}"


def hs512(claims: dict[str, Any]) -> str:
    return jwt.encode(claims, TEST_SECRET, algorithm="HS512")


def expired(claims: dict[str, Any]) -> str:
    now = int(time.time())
    return jwt.encode(
        {**claims, "iat": now - 3600, "exp": now - 60}, TEST_SECRET, algorithm="HS256"
    )


def not_yet_valid(claims: dict[str, Any]) -> str:
    return jwt.encode({**claims, "nbf": int(time.time()) + 3600}, TEST_SECRET, algorithm="HS256")


def wrong_audience(claims: dict[str, Any]) -> str:
    return jwt.encode({**claims, "aud": "someone-else"}, TEST_SECRET, algorithm="HS256")


def wrong_issuer(claims: dict[str, Any]) -> str:
    return jwt.encode({**claims, "iss": "evil"}, TEST_SECRET, algorithm="HS256")


def missing_exp(claims: dict[str, Any]) -> str:
    return jwt.encode(
        {k: v for k, v in claims.items() if k != "exp"}, TEST_SECRET, algorithm="HS256"
    )


def tampered_payload(claims: dict[str, Any], original: str) -> str:
    header, _, signature = original.split(".")
    return f"{header}.{_b64({**claims, 'role': 'admin'})}.{signature}"


def other_users_session(claims: dict[str, Any]) -> str:
    # Correctly signed, but claims a session that belongs to someone else.
    return jwt.encode(
        {**claims, "sub": str(int(claims["sub"]) + 1000)}, TEST_SECRET, algorithm="HS256"
    )


ATTACKS: dict[str, Callable[..., str]] = {
    "alg_none": alg_none,
    "other_key": other_key,
    "hs_rs_confusion": hs_rs_confusion,
    "hs512_not_pinned": hs512,
    "expired": expired,
    "not_yet_valid": not_yet_valid,
    "wrong_audience": wrong_audience,
    "wrong_issuer": wrong_issuer,
    "missing_exp": missing_exp,
    "other_users_session": other_users_session,
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
async def test_forged_token_is_refused(client, database, attack):
    await make_user("siti", Role.ENUMERATOR)
    tokens = await login(client, "siti")
    claims = claims_of(tokens["access_token"])
    forged = ATTACKS[attack](claims)
    response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    # The genuine token still works: the refusal is about the forgery.
    assert (await client.get("/api/v1/me", headers=bearer(tokens))).status_code == 200


async def test_tampered_payload_is_refused(client, database):
    await make_user("siti", Role.ENUMERATOR)
    tokens = await login(client, "siti")
    forged = tampered_payload(claims_of(tokens["access_token"]), tokens["access_token"])
    response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


async def test_revoked_sessions_token_is_refused(client, database):
    await make_user("siti", Role.ENUMERATOR)
    tokens = await login(client, "siti")
    await client.post("/api/v1/auth/logout", headers=bearer(tokens))
    response = await client.get("/api/v1/me", headers=bearer(tokens))
    assert response.status_code == 401


async def test_no_token_and_garbage_token(client, database):
    assert (await client.get("/api/v1/me")).status_code == 401
    garbage = await client.get("/api/v1/me", headers={"Authorization": "Bearer not.a.jwt"})
    assert garbage.status_code == 401
    assert garbage.headers["content-type"].startswith("application/problem+json")
