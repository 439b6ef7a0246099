"""Session checks are cached for a few seconds, and every way of ending a session or
changing what it may do is seen at once by the process that did it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from api import db
from api.app import create_app
from api.settings import Settings
from auth import service
from auth.roles import Role
from tests.conftest import serve_in_process
from tests.support.round_trips import measure
from tests.support.users import PASSWORD, bearer, login, make_user

SESSION_QUERY = "FROM auth_session s JOIN app_user u"


@pytest.fixture
async def long_cache_client(
    make_settings: Callable[..., Settings], database
) -> AsyncIterator[httpx.AsyncClient]:
    # A cache far longer than any test: only invalidation can end a cached session.
    async with serve_in_process(create_app(make_settings(session_cache_seconds=60))) as client:
        yield client
    db.bind_engine(database.engine)


async def _me(client: httpx.AsyncClient, tokens: dict) -> tuple[int, bool]:
    response, counted = await measure(client, "GET", "/api/v1/me", headers=bearer(tokens))
    asked = any(SESSION_QUERY in statement for statement in counted.statements)
    return response.status_code, asked


async def test_a_checked_session_is_not_asked_again(long_cache_client):
    await make_user("siti", Role.ENUMERATOR)
    phone = await login(long_cache_client, "siti")
    assert await _me(long_cache_client, phone) == (200, True)
    assert await _me(long_cache_client, phone) == (200, False)


async def test_logout_password_change_and_deactivation_are_seen_at_once(long_cache_client):
    client = long_cache_client
    await make_user("boss", Role.ADMIN)
    target = await make_user("siti", Role.ENUMERATOR)
    admin = await login(client, "boss")
    phone = await login(client, "siti")
    laptop = await login(client, "siti")
    tablet = await login(client, "siti")
    for tokens in (phone, laptop, tablet):
        assert (await _me(client, tokens))[0] == 200  # now cached

    assert (await client.post("/api/v1/auth/logout", headers=bearer(tablet))).status_code == 204
    assert (await _me(client, tablet))[0] == 401

    changed = await client.post(
        "/api/v1/me/password",
        headers=bearer(phone),
        json={"current_password": PASSWORD, "new_password": "another-long-password"},
    )
    assert changed.status_code == 204
    assert (await _me(client, laptop))[0] == 401
    assert (await _me(client, phone))[0] == 200

    response = await client.patch(
        f"/api/v1/users/{target.id}", headers=bearer(admin), json={"active": False}
    )
    assert response.status_code == 200
    assert (await _me(client, phone))[0] == 401


async def test_a_role_change_is_seen_at_once(long_cache_client):
    client = long_cache_client
    target = await make_user("siti", Role.ENUMERATOR, scopes=["17.06"])
    phone = await login(client, "siti")
    me = await client.get("/api/v1/me", headers=bearer(phone))
    assert me.status_code == 200 and me.json()["role"] == "enumerator"
    from api.audit.service import Actor
    from auth.schemas import UserUpdate

    await service.update_user(Actor.system(), target.id, UserUpdate(scopes=["17.06.01"]))
    me = await client.get("/api/v1/me", headers=bearer(phone))
    assert me.status_code == 200 and me.json()["scopes"] == ["17.06.01"]
