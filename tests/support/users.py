"""Users and signed-in clients for tests, made through the real service and endpoints."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from api.audit.service import Actor
from auth import service
from auth.roles import Role
from auth.schemas import UserCreate, UserOut

PASSWORD = "correct-horse-battery"


async def make_user(
    username: str, role: Role, scopes: list[str] | None = None, password: str = PASSWORD
) -> UserOut:
    return await service.create_user(
        Actor.system(),
        UserCreate(
            username=username,
            display_name=username.title(),
            role=role,
            password=password,
            scopes=scopes if scopes is not None else ([] if role is Role.ADMIN else ["17.06"]),
        ),
    )


async def login(
    client: AsyncTestClient[Any], username: str, password: str = PASSWORD
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password, "device_label": "test"},
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}
