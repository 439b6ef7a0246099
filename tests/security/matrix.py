"""The authorisation matrix: every endpoint x role x own / foreign region → expected status.

Each issue adds its endpoints here. A row names the request (method, path with
placeholders, body) and the status each role gets when the target lies in the
caller's own region and in a foreign region. ``anonymous`` is checked for every row.

The world (built by ``tests/security/test_authorization_matrix.py``): every non-admin
user is scoped to the own district 17.06.01; the foreign district is 17.06.05.
Placeholders: ``{own_enumerator}``, ``{foreign_enumerator}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ROLES = ("admin", "supervisor", "auditor", "enumerator")


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # may contain {own}/{foreign} placeholders resolved per region
    own: dict[str, int]
    foreign: dict[str, int] | None = None  # None: the endpoint has no region target
    body: dict[str, Any] | None = field(default=None)
    anonymous: int = 401


def same(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def only(allowed: dict[str, int], otherwise: int = 403) -> dict[str, int]:
    return {role: allowed.get(role, otherwise) for role in ROLES}


ROWS: list[Row] = [
    # --- accounts (issue 3) ---
    Row("GET", "/api/v1/me", own=same(200)),
    Row("GET", "/api/v1/me/sessions", own=same(200)),
    Row("GET", "/api/v1/users", own=only({"admin": 200, "supervisor": 200})),
    Row(
        "GET",
        "/api/v1/users/{enumerator}",
        own=only({"admin": 200, "supervisor": 200}),
        foreign=only({"admin": 200, "supervisor": 404}),
    ),
    Row(
        "GET",
        "/api/v1/users/{enumerator}/sessions",
        own=only({"admin": 200, "supervisor": 200}),
        foreign=only({"admin": 200, "supervisor": 404}),
    ),
    Row(
        "POST",
        "/api/v1/users/{enumerator}/enrolment-codes",
        body={},
        own=only({"admin": 201, "supervisor": 201}),
        foreign=only({"admin": 201, "supervisor": 404}),
    ),
    Row(
        "PATCH",
        "/api/v1/users/{enumerator}",
        body={"display_name": "Renamed"},
        own=only({"admin": 200}),
        foreign=only({"admin": 200}),
    ),
    Row(
        "POST",
        "/api/v1/users",
        body={
            "username": "new.{role}",
            "display_name": "New",
            "role": "enumerator",
            "password": "a-long-enough-password",
            "scopes": ["17.06.01"],
        },
        own=only({"admin": 201}),
    ),
]
