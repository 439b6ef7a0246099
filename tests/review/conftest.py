"""Review fixtures: the visit stacks (SQLite + local store, PostgreSQL + SeaweedFS) and the
reviewers of the field's regions, signed in."""

from __future__ import annotations

from typing import Any

import httpx

from auth.roles import Role
from tests.support.users import bearer, login, make_user
from tests.visits.conftest import app_client, field, phone, stack, store  # noqa: F401

# username → (role, scopes). The field's village is 17.06.01.2005; the foreign one 17.06.05.
REVIEWERS: dict[str, tuple[Role, list[str]]] = {
    "sari": (Role.SUPERVISOR, ["17.06.01"]),
    "joko": (Role.SUPERVISOR, ["17.06.05"]),
    "audra": (Role.AUDITOR, ["17.06"]),
    "ivan": (Role.AUDITOR, ["17.06.05"]),
    "root": (Role.ADMIN, []),
}


class Reviewers:
    """Reviewers made and signed in on first use (Argon2 makes each one cost ~1 s)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.headers: dict[str, dict[str, str]] = {}

    async def __call__(self, username: str) -> dict[str, str]:
        if username not in self.headers:
            role, scopes = REVIEWERS[username]
            await make_user(username, role, scopes)
            self.headers[username] = bearer(await login(self.client, username))
        return self.headers[username]


def problem_code(response: httpx.Response) -> Any:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return response.json()["code"]
