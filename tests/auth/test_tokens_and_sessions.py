"""Sign-in, refresh rotation with reuse detection, logout, password change, deactivation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from auth.roles import Role
from auth.tables import DeviceSession, RefreshToken
from auth.tokens import claims_of, token_digest
from tests.support.users import PASSWORD, bearer, login, make_user


async def test_login_returns_pinned_short_lived_token_with_required_claims(client, database):
    await make_user("siti", Role.ENUMERATOR, ["17.06.01"])
    tokens = await login(client, "siti")
    claims = claims_of(tokens["access_token"])
    assert {"iss", "aud", "sub", "role", "exp", "iat", "jti", "sid"} <= claims.keys()
    assert claims["role"] == "enumerator" and claims["aud"] == "verval-api"
    assert claims["exp"] - claims["iat"] == 15 * 60
    me = await client.get("/api/v1/me", headers=bearer(tokens))
    assert me.status_code == 200
    assert me.json()["scopes"] == ["17.06.01"] and me.json()["role"] == "enumerator"
    # The refresh token is stored only as a hash.
    stored = await RefreshToken.select(RefreshToken.token_hash)
    assert [row["token_hash"] for row in stored] == [token_digest(tokens["refresh_token"])]


async def test_wrong_password_and_unknown_user_get_the_same_answer(client, database):
    await make_user("siti", Role.ENUMERATOR)
    wrong = await client.post(
        "/api/v1/auth/login", json={"username": "siti", "password": "nope-nope-nope"}
    )
    unknown = await client.post(
        "/api/v1/auth/login", json={"username": "nobody", "password": "nope-nope-nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.headers["content-type"].startswith("application/problem+json")
    assert wrong.json()["code"] == unknown.json()["code"] == "invalid_credentials"
    assert wrong.json()["detail"] == unknown.json()["detail"]


async def test_refresh_rotates_and_reuse_revokes_the_family(client, database):
    await make_user("siti", Role.ENUMERATOR)
    first = await login(client, "siti")
    rotated = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert rotated.status_code == 200
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["session_id"] == first["session_id"]
    assert (await client.get("/api/v1/me", headers=bearer(second))).status_code == 200

    # An attacker replays the old token: the whole family dies, including the new tokens.
    replay = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert replay.status_code == 401 and replay.json()["code"] == "refresh_token_reused"
    assert (await client.get("/api/v1/me", headers=bearer(second))).status_code == 401
    after = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}
    )
    assert after.status_code == 401
    session = await DeviceSession.select().first()
    assert session["revoked_reason"] == "refresh_reuse"


async def test_expired_session_cannot_refresh(client, database):
    await make_user("siti", Role.ENUMERATOR)
    tokens = await login(client, "siti")
    await DeviceSession.update(
        {DeviceSession.expires_at: datetime.now(UTC) - timedelta(seconds=1)}
    ).where(DeviceSession.id.is_not_null())
    response = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert response.status_code == 401 and response.json()["code"] == "session_ended"


async def test_unknown_refresh_token_is_refused(client, database):
    response = await client.post("/api/v1/auth/refresh", json={"refresh_token": "x" * 43})
    assert response.status_code == 401 and response.json()["code"] == "invalid_refresh_token"


async def test_logout_ends_the_session(client, database):
    await make_user("siti", Role.ENUMERATOR)
    tokens = await login(client, "siti")
    assert (await client.post("/api/v1/auth/logout", headers=bearer(tokens))).status_code == 204
    assert (await client.get("/api/v1/me", headers=bearer(tokens))).status_code == 401
    refresh = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refresh.status_code == 401


async def test_password_change_ends_other_sessions_only(client, database):
    await make_user("siti", Role.ENUMERATOR)
    phone = await login(client, "siti")
    laptop = await login(client, "siti")
    new_password = "another-long-password"
    weak = await client.post(
        "/api/v1/me/password",
        headers=bearer(phone),
        json={"current_password": PASSWORD, "new_password": "short"},
    )
    assert weak.status_code == 422 and weak.json()["code"] == "weak_password"
    wrong = await client.post(
        "/api/v1/me/password",
        headers=bearer(phone),
        json={"current_password": "not-my-password", "new_password": new_password},
    )
    assert wrong.status_code == 403
    changed = await client.post(
        "/api/v1/me/password",
        headers=bearer(phone),
        json={"current_password": PASSWORD, "new_password": new_password},
    )
    assert changed.status_code == 204
    assert (await client.get("/api/v1/me", headers=bearer(phone))).status_code == 200
    assert (await client.get("/api/v1/me", headers=bearer(laptop))).status_code == 401
    await login(client, "siti", new_password)


async def test_deactivation_ends_sessions_and_blocks_login(client, database):
    await make_user("boss", Role.ADMIN)
    target = await make_user("siti", Role.ENUMERATOR)
    admin = await login(client, "boss")
    phone = await login(client, "siti")
    response = await client.patch(
        f"/api/v1/users/{target.id}", headers=bearer(admin), json={"active": False}
    )
    assert response.status_code == 200 and response.json()["active"] is False
    assert (await client.get("/api/v1/me", headers=bearer(phone))).status_code == 401
    refresh = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": phone["refresh_token"]}
    )
    assert refresh.status_code == 401
    again = await client.post("/api/v1/auth/login", json={"username": "siti", "password": PASSWORD})
    assert again.status_code == 401


async def test_sessions_are_listed_and_revocable_per_device(client, database):
    await make_user("siti", Role.ENUMERATOR)
    phone = await login(client, "siti")
    tablet = await login(client, "siti")
    listed = await client.get("/api/v1/me/sessions", headers=bearer(phone))
    assert listed.status_code == 200
    assert {s["id"] for s in listed.json()} == {phone["session_id"], tablet["session_id"]}
    assert [s["current"] for s in listed.json() if s["id"] == phone["session_id"]] == [True]
    revoked = await client.delete(
        f"/api/v1/me/sessions/{tablet['session_id']}", headers=bearer(phone)
    )
    assert revoked.status_code == 204
    assert (await client.get("/api/v1/me", headers=bearer(tablet))).status_code == 401
    assert (await client.get("/api/v1/me", headers=bearer(phone))).status_code == 200


@pytest.mark.parametrize("field", ["username", "password"])
async def test_login_body_is_validated(client, database, field):
    body = {"username": "siti", "password": "pw-pw-pw-pw"}
    del body[field]
    response = await client.post("/api/v1/auth/login", json=body)
    assert response.status_code == 400 and response.json()["code"] == "invalid_request"
